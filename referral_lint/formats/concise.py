"""One line per violation: ``path:line:col: rule-id [severity] message``.

Nothing else is printed, not even a summary, so the output can be read by editors'
error parsers (Vim's ``errorformat``, Emacs's compilation mode) and by ``grep``. A clean
run prints nothing.
"""

from __future__ import annotations

from referral_lint.formats import Run
from referral_lint.inputs import display_name


def render(run: Run) -> str:
    lines = []
    for result in run.results:
        name = display_name(result.name)
        for v in result.report.violations:
            message = " ".join(v.message.split())  # always one line
            lines.append(f"{name}:{v.line}:{v.column}: {v.rule} [{v.severity.value}] {message}")
    return "".join(line + "\n" for line in lines)
