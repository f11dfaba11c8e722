"""The full report (the default): each violation with its source line, underlined, and the fix.

Modelled on ruff's full output:

    draft.txt:3:1: demanding-phrasing [*] "Refer me" is an order, not a request; …
      |
    3 | Refer me to the hiring manager ASAP.
      | ^^^^^^^^ error
      |
      = help: Ask instead: "Would you be open to referring me to the hiring manager?"
"""

from __future__ import annotations

from collections.abc import Iterator

import click

from referral_lint.formats import Run, Tally, applicability_note, has_safe_fix, omitted_line
from referral_lint.positions import LineIndex
from referral_lint.inputs import display_name
from referral_lint.model import Severity, Violation

_SEVERITY_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def stream(run: Run) -> Iterator[str]:
    colour = run.colour

    def style(text: str, **kwargs: object) -> str:
        return click.style(text, **kwargs) if colour else text  # type: ignore[arg-type]

    tally = Tally()
    separator = ""  # blocks are separated by a blank line
    for result in run.results:
        tally.add(result)
        # The lines of the file as the writer sees it (a markdown file's code, an
        # email's headers), which has the same offsets as the text that was linted.
        lines = LineIndex(result.text)
        for violation in result.report.violations:
            yield separator + _violation_block(display_name(result.name), lines, violation, style)
            separator = "\n"
        for rule, count in result.report.omitted.items():
            yield separator + omitted_line(display_name(result.name), rule, count) + "\n"
            separator = "\n"
    if not run.summary:  # --quiet
        return
    total = sum(tally.counts.values())
    if total:
        detail = ", ".join(f"{n} {s.value}{'s' if n != 1 else ''}" for s, n in reversed(tally.counts.items()) if n)
        footer = style(f"Found {total} problem{'s' if total != 1 else ''} ({detail}).", bold=True)
        if tally.fixable:
            footer += f"\n[*] {tally.fixable} with a safe suggested fix."
    elif not run.errors:
        footer = style("No problems found.", fg="green", bold=True)
    elif not tally.files:  # nothing could be read: the errors on stderr say it all
        return
    else:
        failed = len(run.errors)
        footer = style(f"No problems found; {failed} file{'s' if failed != 1 else ''} could not be linted.", bold=True)
    yield separator + footer + "\n"


def render(run: Run) -> str:
    return "".join(stream(run))


_WINDOW = 100
_CONTEXT_BEFORE = 30


def _window(line: str, column: int, end_column: int) -> tuple[str, int, int]:
    """Long paragraph lines are cut to a window around the span, marked with an ellipsis."""
    if len(line) <= _WINDOW:
        return line, column, end_column
    start = max(0, column - 1 - _CONTEXT_BEFORE)
    end = min(len(line), max(start + _WINDOW, end_column - 1))
    if end - start > _WINDOW:
        end = start + _WINDOW
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(line) else ""
    shift = start - len(prefix)
    return prefix + line[start:end] + suffix, column - shift, min(end_column - shift, end - shift + len(suffix))


def _violation_block(name: str, lines: LineIndex, violation: Violation, style) -> str:  # type: ignore[no-untyped-def]
    fixable = " [*]" if has_safe_fix(violation) else ""
    header = (
        f"{style(name, bold=True)}:{violation.line}:{violation.column}: "
        f"{style(violation.rule, fg=_SEVERITY_COLOURS[violation.severity], bold=True)}{fixable} "
        f"{violation.message}"
    )
    source = lines.line_text(violation.line)
    gutter = " " * len(str(violation.line))
    end_column = violation.end_column if violation.end_line == violation.line else len(source) + 1
    # Cut the window first: a 100,000-character line with thousands of violations must not
    # be scanned whole for each of them.
    source, column, end_column = _window(source, violation.column, end_column)
    if not source.isprintable():
        # A tab, form feed or zero-width space is one column: show it as one space.
        source = "".join(ch if ch.isprintable() else " " for ch in source)
    marker = " " * (column - 1) + "^" * max(1, end_column - column)
    out = [
        header,
        f"{gutter} |",
        f"{violation.line} | {source}",
        f"{gutter} | {style(marker, fg=_SEVERITY_COLOURS[violation.severity], bold=True)} {violation.severity.value}",
        f"{gutter} |",
    ]
    for suggestion in violation.suggestions:
        note = applicability_note(suggestion.applicability)
        out.append(f"{gutter} = {style('help', bold=True)}: {suggestion.description}{note}")
    return "\n".join(out) + "\n"
