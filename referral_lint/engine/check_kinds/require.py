"""``check: require``: a violation when none of the rule's patterns matches, reported where
a ``locate`` pattern matches or at the first of ``report_at`` the message has."""

from __future__ import annotations

from typing import TYPE_CHECKING

from referral_lint.engine.check_kinds import NO_LIMITS, CheckKind
from referral_lint.engine.checks import Finding, finding_at, has_relevant_match, relevant_matches, suggestions, voice

if TYPE_CHECKING:
    from referral_lint.engine.checks import MessageContext
    from referral_lint.engine.schema import RuleSpec
    from referral_lint.positions import CharSpan


def check_require(rule_index: int, rule: RuleSpec, context: MessageContext) -> list[Finding]:
    if has_relevant_match(rule_index, "patterns", rule, context):
        return []
    located = sorted(relevant_matches(rule_index, "locate", rule, context), key=lambda m: m.start)
    if located:
        return [finding_at(rule, located[0], context)]
    span = _report_span(rule.report_at, context)
    severity, message = voice(rule, context)
    return [
        Finding(
            rule,
            severity,
            message.format(match=context.text[span[0] : span[1]]),
            span,
            suggestions(rule.suggest, context, span),
        )
    ]


def _report_span(locations: tuple[str, ...], context: MessageContext) -> CharSpan:
    """The first of ``locations`` that the message has; the body's first sentence otherwise."""
    parts = context.parts
    body = parts.body_sentences()
    candidates = {
        "ask": parts.asks[0] if parts.asks else None,
        "last-ask": parts.asks[-1] if parts.asks else None,
        "greeting": parts.greeting,
        "body-start": body[0] if body else None,
        "closing": parts.sign_off or parts.closing or (body[-1] if body else None),
        "body": parts.body if parts.body[1] > parts.body[0] else None,
    }
    for location in (*locations, "body-start", "body"):
        span = candidates.get(location)
        if span:
            return span
    return parts.sentences[0] if parts.sentences else (0, 0)


KIND = CheckKind(
    name="require",
    description="a violation when none of its patterns matches",
    message_fields=frozenset({"match"}),
    schema={
        "required": ["message", "patterns"],
        "properties": NO_LIMITS,
        "allOf": [
            {
                "required": ["suggest"],
                "errorMessage": {"required": "a require rule needs 'suggest' (how to add what is missing)"},
            }
        ],
    },
    check=check_require,
)
