"""Applying suggested edits to a draft.

Each violation contributes its first suggestion that the caller allows
(``safe`` ones, plus ``unsafe`` ones on request). Edits that overlap an edit
already taken are left out, deterministically: violations are taken in order
of position, so the earlier one wins. ``plan_fixes`` says which were left out.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from referral_lint.files import ChangedOnDisk, FileSnapshot, replace_file  # noqa: F401  (ChangedOnDisk: part of fix's API)
from referral_lint.inputs import UTF8_BOM
from referral_lint.model import Applicability, Edit, Suggestion, Violation


@dataclass(frozen=True)
class FixPlan:
    """The edits to apply, and the violations whose fix conflicted with an earlier one."""

    edits: tuple[Edit, ...]
    applied: tuple[Violation, ...]
    conflicts: tuple[Violation, ...]


def _allowed(suggestion: Suggestion, unsafe: bool) -> bool:
    if suggestion.applicability is Applicability.DISPLAY:
        return False
    return unsafe or suggestion.applicability is Applicability.SAFE


class _TakenEdits:
    """The edits taken so far, sorted, asked in O(log n) whether a new edit conflicts with one:
    edits sharing characters, or two insertions at one point (their order would be a guess).

    Taken edits never conflict, so sorted by (start, end) their ends never decrease: of the
    edits that start before a new edit ends, the last one reaches furthest. (Asking each taken
    edit was quadratic: 191 s to plan 50,000 violations of one rule.)"""

    def __init__(self) -> None:
        self.spans: list[tuple[int, int]] = []

    def conflicts(self, edit: Edit) -> bool:
        spans = self.spans
        before_end = bisect_left(spans, (edit.end, -1))  # the edits that start before it ends
        if before_end and spans[before_end - 1][1] > edit.start:
            return True
        if edit.start == edit.end:  # an insertion: another at the same point?
            at = bisect_left(spans, (edit.start, edit.start))
            return at < len(spans) and spans[at] == (edit.start, edit.start)
        return False

    def add(self, edit: Edit) -> None:
        insort(self.spans, (edit.start, edit.end))


def plan_fixes(violations: Iterable[Violation], *, unsafe: bool = False) -> FixPlan:
    taken = _TakenEdits()
    edits: list[Edit] = []
    applied: list[Violation] = []
    conflicts: list[Violation] = []
    for violation in sorted(violations, key=lambda v: (v.start, v.end, v.rule)):
        suggestion = next((s for s in violation.suggestions if _allowed(s, unsafe)), None)
        if suggestion is None:
            continue
        if any(taken.conflicts(edit) for edit in suggestion.edits):
            conflicts.append(violation)
            continue
        for edit in suggestion.edits:
            taken.add(edit)
        edits.extend(suggestion.edits)
        applied.append(violation)
    return FixPlan(tuple(sorted(edits, key=lambda e: (e.start, e.end))), tuple(applied), tuple(conflicts))


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


# --- fixing a whole draft, and writing it back --------------------------------------

# Each pass applies at least one fix, and a fix removes its violation; fixes that lost a
# conflict wait for a later pass, so an empty draft can need one pass per inserted
# sentence. The bound is above the number of rules (19), so only a rule set whose fixes
# undo each other reaches it.
MAX_PASSES = 24


@dataclass
class FixResult:
    """What fixing a draft did: the new text, what was fixed, and what is left."""

    text: str
    fixed: list[Violation]
    remaining: list[Violation]
    conflicts: list[Violation]  # fixes still blocked by another fix after the last pass

    @property
    def changed(self) -> bool:
        return bool(self.fixed)


def fix_text(
    linter: Any, text: str, *, channel: str | None = None, unsafe: bool = False
) -> FixResult:
    """Lint and fix ``text`` until nothing more can be fixed, so fixing the result changes nothing."""
    return fix_until_stable(
        text, lambda current: linter.lint(current, channel=channel, all_violations=True).violations, unsafe=unsafe
    )


def fix_until_stable(
    text: str, lint: Callable[[str], list[Violation]], *, unsafe: bool = False
) -> FixResult:
    """Fix ``text`` pass by pass, re-linting with ``lint`` in between.

    A fix that lost a conflict gets its turn in the next pass, on the re-linted text.
    Replacements take the text's line ends (CRLF stays CRLF).
    """
    crlf = "\r\n" in text
    fixed: list[Violation] = []
    current = text
    conflicts: list[Violation] = []
    for _ in range(MAX_PASSES):
        plan = plan_fixes(lint(current), unsafe=unsafe)
        conflicts = list(plan.conflicts)
        if not plan.edits:
            break
        edits = plan.edits
        if crlf:
            edits = tuple(Edit(e.start, e.end, _crlf(e.replacement)) for e in edits)
        current = apply_edits(current, edits)
        fixed.extend(plan.applied)
    remaining = lint(current)
    return FixResult(current, fixed, remaining, conflicts if fixed or conflicts else [])


def _crlf(replacement: str) -> str:
    return replacement.replace("\r\n", "\n").replace("\n", "\r\n")


def write_atomically(path: Path, snapshot: FileSnapshot, text: str, *, bom: bool) -> None:
    """Replace ``path``'s contents with ``text``, as UTF-8 (with a BOM if ``bom``), unless
    the file changed since ``snapshot`` was taken, when it was read (then ChangedOnDisk,
    and nothing is written)."""
    data = (UTF8_BOM if bom else b"") + text.encode("utf-8")
    replace_file(path, data, unchanged_since=snapshot)
