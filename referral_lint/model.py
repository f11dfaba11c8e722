"""The result types of a lint, and the words they are made of: plain dataclasses, no spaCy import.

Offsets are indices into the original string the caller passed in (Python
code points); lines and columns are 1-based.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Severity(str, enum.Enum):
    """How serious a violation is; ordered so that ``ERROR > WARNING > INFO``."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    def __str__(self) -> str:
        return self.value


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}

# Where a message goes (a report's channel) and what it asks for, as the message-parts
# component tells them apart: the configuration, the rule format and the checks all use these.
CHANNELS = ("connection-note", "inmail", "email", "message", "followup")
KINDS = ("referral", "introduction", "call-or-advice", "followup", "thank-you", "networking", "other")


class Applicability(str, enum.Enum):
    """Whether a suggestion may be applied without the writer looking at it.

    ``safe`` keeps the meaning and may be applied by ``fix``; ``unsafe`` needs the
    writer (an inserted sentence with a blank to fill, a deleted sentence) and is
    applied only on request; ``display`` is shown but never applied, because only
    the writer can do it (fill in a placeholder).
    """

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY = "display"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Edit:
    """Replace ``original[start:end]`` with ``replacement`` (an insertion when start == end)."""

    start: int
    end: int
    replacement: str


@dataclass(frozen=True)
class SuggestSpec:
    """One suggestion a rule offers (its ``suggest`` entry): an action, its wording and
    applicability. The rewrites (``rewrite.py``) turn it into a Suggestion for a violation."""

    action: str  # replace | delete | rewrite | insert
    argument: str  # the replacement, rewrite name or inserted text ("" for delete)
    at: str | None  # insertion anchor
    description: str | None
    applicability: Applicability


@dataclass(frozen=True)
class Suggestion:
    """One way to fix a violation: a description and the edits that carry it out."""

    description: str
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE

    def to_dict(self) -> dict[str, Any]:
        return {
            "description": self.description,
            "applicability": self.applicability.value,
            # Not dataclasses.asdict, whose deep copy made this five times slower (the result cache calls it per draft).
            "edits": [{"start": edit.start, "end": edit.end, "replacement": edit.replacement} for edit in self.edits],
        }


@dataclass(frozen=True)
class Violation:
    """A problem found in a message, at ``original[start:end]``."""

    rule: str
    severity: Severity
    message: str
    start: int
    end: int
    line: int
    column: int
    suggestions: tuple[Suggestion, ...] = ()
    end_line: int = 0
    end_column: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "start": self.start,
            "end": self.end,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "suggestions": [suggestion.to_dict() for suggestion in self.suggestions],
        }


@dataclass(frozen=True)
class SkippedPattern:
    """A pattern that did not run because the pipeline lacks a component it needs."""

    rule: str
    needs: tuple[str, ...]


# Violations one rule may report in one message; the rest are counted (Report.omitted).
MAX_VIOLATIONS_PER_RULE = 1000


def cap_per_rule(violations: list[Violation], cap: int = MAX_VIOLATIONS_PER_RULE) -> tuple[list[Violation], dict[str, int]]:
    """The first ``cap`` of each rule's violations (in the order given), and how many each rule
    had past it."""
    listed, unlisted = split_at_cap(violations, cap)
    return listed, count_by_rule(unlisted)


def split_at_cap(violations: list[Violation], cap: int = MAX_VIOLATIONS_PER_RULE) -> tuple[list[Violation], list[Violation]]:
    """(the first ``cap`` of each rule's violations, the rest), each in the order given."""
    counts: dict[str, int] = {}
    listed, unlisted = [], []
    for violation in violations:
        count = counts[violation.rule] = counts.get(violation.rule, 0) + 1
        (listed if count <= cap else unlisted).append(violation)
    return listed, unlisted


def count_by_rule(violations: list[Violation]) -> dict[str, int]:
    """How many violations each rule has (what ``Report.omitted`` holds), by rule id."""
    counts: dict[str, int] = {}
    for violation in violations:
        counts[violation.rule] = counts.get(violation.rule, 0) + 1
    return dict(sorted(counts.items()))


@dataclass
class Report:
    """Everything a lint found in one message."""

    text: str
    channel: str
    violations: list[Violation] = field(default_factory=list)
    skipped: list[SkippedPattern] = field(default_factory=list)
    #: Violations not listed, by rule: past the cap per rule and message (a hostile rule
    #: matching every word must not make a report of tens of thousands of lines).
    omitted: dict[str, int] = field(default_factory=dict)
    #: The violations ``omitted`` counts, without suggestions: what suppressions read, so that
    #: ``omitted`` counts only what is left after them. Empty for a report read from the result
    #: cache (which keeps no report past the cap) or built by hand.
    unlisted: list[Violation] = field(default_factory=list, repr=False, compare=False)

    def failing(self, fail_on: Severity = Severity.WARNING) -> list[Violation]:
        """The violations at or above ``fail_on``."""
        return [v for v in self.violations if v.severity.rank >= fail_on.rank]

    def to_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "violations": [violation.to_dict() for violation in self.violations],
            "skipped": [
                {"rule": skip.rule, "needs": list(skip.needs)} for skip in self.skipped
            ],
            **({"omitted": dict(self.omitted)} if self.omitted else {}),
        }
