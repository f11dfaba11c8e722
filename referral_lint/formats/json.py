"""One JSON document for the whole run, versioned and described by a JSON Schema.

The schema is ``docs/schema/report-v2.json`` (published with the docs, and named by
the document's ``$schema``). ``version`` changes whenever the shape changes; version 2
added ``context``, ``fixable``, the per-file ``input`` and ``positions``, and
``summary`` to version 1.
"""

from __future__ import annotations

import json
from typing import Any

from referral_lint import __version__
from referral_lint.formats import FileResult, Run, summary_counts
from referral_lint.positions import LineIndex
from referral_lint.model import Applicability, Violation

SCHEMA_VERSION = 2
SCHEMA_URL = f"https://referral-lint.readthedocs.io/en/latest/schema/report-v{SCHEMA_VERSION}.json"


def rule_record(rule: Any) -> dict[str, Any]:
    """What ``rules --output-format json`` and the web API's ``/api/rules`` both say of a rule
    (each adds what its reader needs)."""
    return {
        "id": rule.id, "severity": rule.severity.value, "group": rule.group,
        "summary": rule.summary, "why": " ".join(rule.why.split()),
    }


def violation_record(violation: Violation, lines: LineIndex) -> dict[str, Any]:
    """A violation as the JSON formats write it (``lines`` indexes the file's text)."""
    record = violation.to_dict()
    record["context"] = lines.line_text(violation.line)
    record["fixable"] = bool(violation.suggestions) and violation.suggestions[0].applicability is Applicability.SAFE
    # Keep "suggestions" last: it is the longest part, and reads best after the rest.
    record["suggestions"] = record.pop("suggestions")
    return record


def file_record(result: FileResult) -> dict[str, Any]:
    lines = LineIndex(result.text)
    document = result.report.to_dict()
    return {
        "path": result.name,
        "input": result.kind,
        "positions": result.positions,
        "channel": document["channel"],
        "violations": [violation_record(v, lines) for v in result.report.violations],
        "skipped": document["skipped"],
    }


def document(run: Run) -> dict[str, Any]:
    counts = summary_counts(run.results)
    return {
        "$schema": SCHEMA_URL,
        "version": SCHEMA_VERSION,
        "tool": {"name": "referral-lint", "version": __version__},
        "files": [file_record(result) for result in run.results],
        "errors": [{"path": error.name, "error": error.cause} for error in run.errors],
        "summary": {
            "files": len(run.results),
            "violations": sum(counts.values()),
            "by_severity": {severity.value: counts[severity] for severity in reversed(list(counts))},
            "fixable": sum(
                1
                for result in run.results
                for v in result.report.violations
                if v.suggestions and v.suggestions[0].applicability is Applicability.SAFE
            ),
            "input_errors": len(run.errors),
        },
    }


def render(run: Run) -> str:
    return json.dumps(document(run), indent=2, ensure_ascii=False) + "\n"
