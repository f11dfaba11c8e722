"""One line per violation: ``path:line:col: rule-id [severity] message``.

Nothing else is printed, not even a summary, so the output can be read by editors'
error parsers (Vim's ``errorformat``, Emacs's compilation mode) and by ``grep``. A clean
run prints nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from referral_lint.formats import Run
from referral_lint.inputs import display_name


def stream(run: Run) -> Iterator[str]:
    for result in run.results:
        name = display_name(result.name)
        for v in result.report.violations:
            message = " ".join(v.message.split())  # always one line
            yield f"{name}:{v.line}:{v.column}: {v.rule} [{v.severity.value}] {message}\n"


def render(run: Run) -> str:
    return "".join(stream(run))
