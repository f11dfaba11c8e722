"""``check: forbid``: each match of the rule's patterns is a violation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from referral_lint.engine.check_kinds import NO_LIMITS, CheckKind
from referral_lint.engine.checks import finding_at, relevant_matches

if TYPE_CHECKING:
    from referral_lint.engine.checks import Finding, MessageContext
    from referral_lint.engine.schema import RuleSpec


def check_forbid(rule_index: int, rule: RuleSpec, context: MessageContext) -> list[Finding]:
    matches = sorted(
        relevant_matches(rule_index, "patterns", rule, context), key=lambda m: (m.start, -(m.end - m.start))
    )
    findings: list[Finding] = []
    cap = context.listed_per_rule
    kept_end = -1  # matches come by start: one overlaps a kept one if it starts before the last kept end
    for match in matches:
        if match.start < kept_end:
            continue
        kept_end = match.end
        findings.append(finding_at(rule, match, context, listed=cap is None or len(findings) < cap))
    return findings


KIND = CheckKind(
    name="forbid",
    description="each match of its patterns is a violation",
    message_fields=frozenset({"match"}),
    schema={
        "required": ["message", "patterns"],
        "properties": NO_LIMITS,
    },
    check=check_forbid,
)
