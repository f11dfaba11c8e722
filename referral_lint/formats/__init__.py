"""Output formats: one module per format, each a ``render(results) -> str``."""

from __future__ import annotations

from dataclasses import dataclass

from referral_lint.model import Report, Severity


@dataclass(frozen=True)
class FileResult:
    """One linted draft: its name, text and report."""

    name: str
    report: Report


FORMATS = ("text", "json")


def summary_counts(results: list[FileResult]) -> dict[Severity, int]:
    counts = {severity: 0 for severity in Severity}
    for result in results:
        for violation in result.report.violations:
            counts[violation.severity] += 1
    return counts
