"""One JSON object per violation, one per line (JSON Lines), for streaming and ``jq``.

Each line is a violation as in the ``json`` format (the ``violation`` definition of
``docs/schema/report-v2.json``) with the file's ``path`` added first. A draft with a rule
past the cap of violations per draft gets one more line after its violations, counting what
is left out by rule, as the ``json`` format's ``omitted``: ``{"path": ..., "omitted": {"rule": N}}``.
A clean run prints nothing; inputs that could not be read are reported on stderr only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from referral_lint.formats import Run
from referral_lint.positions import LineIndex
from referral_lint.formats.json import violation_record

# Characters JSON leaves raw that some line readers (Python's str.splitlines among them)
# take for line ends: escaped, so that one record is always one line.
_LINE_BREAKERS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def json_line(record: object) -> str:
    """``record`` as one compact line of JSON, newline included."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).translate(_LINE_BREAKERS) + "\n"


def stream(run: Run) -> Iterator[str]:
    for result in run.results:
        lines = LineIndex(result.text)
        for violation in result.report.violations:
            yield json_line({"path": result.name, **violation_record(violation, lines)})
        if result.report.omitted:
            yield json_line({"path": result.name, "omitted": result.report.omitted})


def render(run: Run) -> str:
    return "".join(stream(run))
