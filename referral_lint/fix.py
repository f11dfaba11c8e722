"""Applying suggested edits to a draft.

Each violation contributes its first suggestion that the caller allows
(``safe`` ones, plus ``unsafe`` ones on request). Edits that overlap an edit
already taken are left out, deterministically: violations are taken in order
of position, so the earlier one wins. ``plan_fixes`` says which were left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from referral_lint.model import Applicability, Edit, Suggestion, Violation


@dataclass(frozen=True)
class FixPlan:
    """The edits to apply, and the violations whose fix conflicted with an earlier one."""

    edits: tuple[Edit, ...]
    applied: tuple[Violation, ...]
    conflicts: tuple[Violation, ...]


def _allowed(suggestion: Suggestion, unsafe: bool) -> bool:
    return unsafe or suggestion.applicability is Applicability.SAFE


def _conflicts(edit: Edit, other: Edit) -> bool:
    """Edits sharing characters, or two insertions at one point (their order would be a guess)."""
    if edit.start < other.end and other.start < edit.end:
        return True
    return edit.start == edit.end == other.start == other.end


def plan_fixes(violations: Iterable[Violation], *, unsafe: bool = False) -> FixPlan:
    taken: list[Edit] = []
    applied: list[Violation] = []
    conflicts: list[Violation] = []
    for violation in sorted(violations, key=lambda v: (v.start, v.end, v.rule)):
        suggestion = next((s for s in violation.suggestions if _allowed(s, unsafe)), None)
        if suggestion is None:
            continue
        if any(_conflicts(edit, other) for edit in suggestion.edits for other in taken):
            conflicts.append(violation)
            continue
        taken.extend(suggestion.edits)
        applied.append(violation)
    return FixPlan(tuple(sorted(taken, key=lambda e: (e.start, e.end))), tuple(applied), tuple(conflicts))


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits (offsets into ``text``)."""
    pieces = []
    position = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        pieces.append(text[position : edit.start])
        pieces.append(edit.replacement)
        position = edit.end
    pieces.append(text[position:])
    return "".join(pieces)


def apply_fixes(text: str, violations: Iterable[Violation], *, unsafe: bool = False) -> str:
    """``text`` with the first allowed suggestion of each violation applied."""
    return apply_edits(text, plan_fixes(violations, unsafe=unsafe).edits)
