"""One JSON document for the whole run, versioned and described by a JSON Schema.

The schema is ``docs/schema/report-v2.json`` (published with the docs, and named by
the document's ``$schema``). ``version`` changes whenever the shape changes; version 2
added ``context``, ``fixable``, the per-file ``input`` and ``positions``, and
``summary`` to version 1.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from referral_lint import __version__
from referral_lint.formats import FileResult, Run, Tally, has_safe_fix
from referral_lint.positions import LineIndex
from referral_lint.model import Violation

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
    record["fixable"] = has_safe_fix(violation)
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
        **({"omitted": document["omitted"]} if "omitted" in document else {}),
    }


def document(run: Run) -> dict[str, Any]:
    tally = Tally()
    files = [file_record(tally.add(result)) for result in run.results]
    return {**_head(), "files": files, **_tail(run, tally)}


def _head() -> dict[str, Any]:
    return {"$schema": SCHEMA_URL, "version": SCHEMA_VERSION, "tool": {"name": "referral-lint", "version": __version__}}


def _tail(run: Run, tally: Tally) -> dict[str, Any]:
    return {
        "errors": [{"path": error.name, "error": error.cause} for error in run.errors],
        "summary": {
            "files": tally.files,
            "violations": sum(tally.counts.values()),
            "by_severity": {severity.value: tally.counts[severity] for severity in reversed(list(tally.counts))},
            "fixable": tally.fixable,
            "input_errors": len(run.errors),
        },
    }


def dumps(value: Any) -> str:
    """``value`` as the whole-document formats write it."""
    return json.dumps(value, indent=2, ensure_ascii=False)


def around(document: dict[str, Any], key: str) -> tuple[str, str]:
    """The text of ``document`` (see :func:`dumps`) before and after its ``"key": []``.

    An unescaped quote stands only around keys and strings, so ``"key": []`` is found
    where the key is (``key`` must be unique in the document).
    """
    head, _, tail = dumps(document).partition(f'"{key}": []')
    return head, tail


def spliced_list(key: str, items: Iterable[str], depth: int) -> Iterator[str]:
    """``"key": [...]`` as :func:`dumps` writes it, a piece per item: ``items`` are the list's
    elements, each already dumped with :func:`dumps`, and ``depth`` how deep they sit."""
    yield f'"{key}": ['
    indent, separator = "  " * depth, "\n"
    for item in items:
        # Split on "\n" only: a string may hold U+2028, which str.splitlines would also split on.
        yield separator + "\n".join(indent + line for line in item.split("\n"))
        separator = ",\n"
    yield "]" if separator == "\n" else "\n" + "  " * (depth - 1) + "]"


def stream(run: Run) -> Iterator[str]:
    tally = Tally()
    yield around({**_head(), "files": []}, "files")[0]
    yield from spliced_list("files", (dumps(file_record(tally.add(result))) for result in run.results), depth=2)
    # The errors and the summary are known once the last file is out.
    yield around({"files": [], **_tail(run, tally)}, "files")[1] + "\n"


def render(run: Run) -> str:
    return "".join(stream(run))
