"""One line per violation: ``path:line:col: rule-id [severity] message``.

Nothing else is printed, not even a summary (only, for a rule past the cap of violations
per draft, a ``path: (and N more ...)`` line with no line number, as the text format has), so the output can be read by editors'
error parsers (Vim's ``errorformat``, Emacs's compilation mode) and by ``grep``. A clean
run prints nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from referral_lint.formats import Run, omitted_line
from referral_lint.inputs import display_name


def stream(run: Run) -> Iterator[str]:
    for result in run.results:
        name = display_name(result.name)
        for v in result.report.violations:
            message = " ".join(v.message.split())  # always one line
            yield f"{name}:{v.line}:{v.column}: {v.rule} [{v.severity.value}] {message}\n"
        for rule, count in result.report.omitted.items():
            yield omitted_line(name, rule, count) + "\n"


def render(run: Run) -> str:
    return "".join(stream(run))
