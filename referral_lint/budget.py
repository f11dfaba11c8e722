"""Unsafe suggestions that keep a message within its channel's character cap.

``fix --unsafe-fixes`` applies the first unsafe suggestion of every violation; on a channel
that cuts text off (a LinkedIn connection note at 300 characters) the inserted sentences
together must not push the message past the cap. Suggestions that would are shown, not applied.
"""

from __future__ import annotations

from dataclasses import replace

from referral_lint.engine.schema import RuleSpec
from referral_lint.model import Applicability, Suggestion, Violation


def character_cap(rules: tuple[RuleSpec, ...], channel: str) -> int | None:
    """The largest character bound a limit rule sets for ``channel`` (where the channel cuts text off)."""
    caps = [
        bound.max
        for rule in rules
        if rule.check == "limit" and channel in rule.limits and rule.limits[channel].measure == "characters"
        for bound in rule.limits[channel].bounds
        if bound.max is not None
    ]
    return max(caps) if caps else None


def _growth(suggestion: Suggestion) -> int:
    return sum(len(edit.replacement) - (edit.end - edit.start) for edit in suggestion.edits)


def within_cap(text: str, violations: list[Violation], cap: int) -> list[Violation]:
    """``violations`` with each unsafe suggestion that would overrun ``cap`` made display-only.

    Suggestions are weighed in the order fix takes them (violations by position, each one's
    first applicable suggestion), so what fix applies together stays within the cap; a shorter
    alternative after one that does not fit keeps its turn.
    """
    room = cap - len(text.strip())
    bounded = []
    for violation in violations:
        suggestions = list(violation.suggestions)
        for index, suggestion in enumerate(suggestions):
            if suggestion.applicability is Applicability.DISPLAY:
                continue
            growth = _growth(suggestion)
            if suggestion.applicability is Applicability.UNSAFE and growth > max(room, 0):
                suggestions[index] = replace(
                    suggestion,
                    applicability=Applicability.DISPLAY,
                    description=f"{suggestion.description} (it would take the message past {cap} characters)",
                )
                continue
            room -= max(growth, 0)
            break  # fix applies this one; the others are alternatives
        changed = suggestions != list(violation.suggestions)
        bounded.append(replace(violation, suggestions=tuple(suggestions)) if changed else violation)
    return bounded
