"""GitHub Actions workflow commands: each violation becomes an annotation on the pull request.

    ::error file=drafts/ana.txt,line=3,col=1,endLine=3,endColumn=9,title=demanding-phrasing::"Refer me" is an order…

Errors become ``::error``, warnings ``::warning`` and info ``::notice``. The message is
followed by the suggestions, one ``help:`` line each. Values are escaped as the
workflow-command rules require (the ``@actions/core`` toolkit's ``escapeData`` and
``escapeProperty``): ``%``, carriage return and line feed everywhere, and ``:`` and
``,`` in properties too. An input that could not be read is an ``::error`` as well, and a
rule's violations past the cap per draft are counted in one ``::notice`` on the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePath

from referral_lint.formats import Run, applicability_note, omitted_note
from referral_lint.model import Severity

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _path(name: str) -> str:
    return name if name.startswith("<") else PurePath(name).as_posix()


def stream(run: Run) -> Iterator[str]:
    for result in run.results:
        path = escape_property(_path(result.name))
        for v in result.report.violations:
            properties = (
                f"file={path},line={v.line},col={v.column},endLine={v.end_line},endColumn={v.end_column},"
                f"title={escape_property(v.rule)}"
            )
            message = v.message
            for suggestion in v.suggestions:
                message += f"\nhelp: {suggestion.description}{applicability_note(suggestion.applicability)}"
            yield f"::{COMMANDS[v.severity]} {properties}::{escape_data(message)}\n"
        for rule, count in result.report.omitted.items():
            yield f"::notice file={path},title={escape_property(rule)}::{escape_data(omitted_note(rule, count))}\n"
    for error in run.errors:
        yield (
            f"::error file={escape_property(_path(error.name))},title=referral-lint::"
            f"{escape_data(f'cannot lint {error.name}: {error.cause}')}\n"
        )


def render(run: Run) -> str:
    return "".join(stream(run))
