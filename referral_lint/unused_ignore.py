"""The unused-ignore pseudo-rule: its description, and its violations.

An ignore comment or ignore-file entry that suppresses nothing is reported as a
violation of ``unused-ignore`` (a warning; select, ignore and re-grade it like any
rule). It is not a YAML rule: the suppression code reports it, at the comment in a
markdown draft (:mod:`referral_lint.suppress_comments`) or at the entry's line of the
ignore file (:mod:`referral_lint.ignore_file`).
"""

from __future__ import annotations

from typing import Any

from referral_lint.config import PSEUDO_RULES, UNUSED_IGNORE
from referral_lint.model import Severity, Suggestion, Violation
from referral_lint.positions import LineIndex


def unused_ignore_rule() -> Any:
    """The unused-ignore pseudo-rule as a RuleSpec, for ``rules``, ``explain`` and SARIF."""
    from referral_lint.engine.schema import Example, RuleSpec

    group, default, severity = PSEUDO_RULES[UNUSED_IGNORE]
    return RuleSpec(
        id=UNUSED_IGNORE,
        file="(built in)",
        summary="Remove ignores that no longer suppress anything",
        severity=severity,
        why=(
            "An ignore comment or ignore-file entry records a decision about one violation. Once the "
            "violation is gone (the sentence was rewritten, the problem fixed), the ignore no longer "
            "does anything, except hide the same problem if it comes back somewhere else in the region."
        ),
        check="forbid",
        message="Unused suppression",
        group=group,
        default=default,
        details=(
            "Reported at the comment in a markdown draft, and at the line of .referral-lint-ignore for an "
            "ignore-file entry. Only rules that are turned on are checked, so switching a rule off for a while "
            "does not make its ignores look unused. An unknown rule id in an ignore, or a comment that is not "
            "disable, enable, disable-next-line or disable-line, is reported too."
        ),
        bad_examples=(Example("<!-- referral-lint disable-next-line demanding-phrasing -->\nWould you be open to referring me?"),),
        good_examples=(Example("<!-- referral-lint disable-next-line demanding-phrasing -->\nRefer me ASAP, please: the posting closes Friday."),),
    )


def unused_ignore_violation(text: str, start: int, end: int, message: str, severity: Severity, suggestion: Suggestion) -> Violation:
    lines = LineIndex(text)
    line, column = lines.position(start)
    end_line, end_column = lines.position(end)
    return Violation(
        rule=UNUSED_IGNORE, severity=severity, message=message, start=start, end=end, line=line, column=column,
        suggestions=(suggestion,), end_line=end_line, end_column=end_column,
    )
