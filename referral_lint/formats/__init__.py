"""Output formats: one module per format.

A format is a module in this package whose name (with ``_`` read as ``-``) is the
format's name, and which defines::

    def render(run: Run) -> str

returning the whole report, ending in a newline when it is not empty. A format may
also define::

    def stream(run: Run) -> Iterator[str]

yielding the same report in pieces as it reads ``run.results`` (once, in order: the
command line passes a generator, so each draft is printed as soon as it is linted and
none is kept), and reading ``run.errors`` and ``run.rules`` only after the last result.
Every built-in format does; :func:`write` uses ``stream`` when there is one, and holds
the results for ``render`` otherwise. Modules whose names start with ``_`` are
helpers, not formats. The command line's
``--output-format`` choices are read from this package, so adding a format is adding
one module; nothing else needs to change.

Listing the formats only lists the package directory: no format module is imported
until it is used, so ``referral-lint --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pkgutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from types import ModuleType
from typing import IO, TYPE_CHECKING

from referral_lint.files import replacing_text
from referral_lint.model import MAX_VIOLATIONS_PER_RULE, Applicability, Report, Severity, Violation

if TYPE_CHECKING:
    from referral_lint.engine.schema import RuleSpec
    from referral_lint.inputs import Draft, InputError

DEFAULT_FORMAT = "text"


@dataclass(frozen=True)
class FileResult:
    """One linted draft: its name and report, and how its positions relate to the file.

    ``source`` is the file's own text when the linter read something else: a
    markdown file with its code blanked out, an email with its headers blanked out.
    It has the same length as ``report.text`` and every offset means the same
    character in both, so formats show lines of ``source`` (what the writer sees)
    while the offsets stay those of the report. ``kind`` is how the file was read
    (``text``, ``markdown`` or ``email``). ``positions`` is ``file`` when offsets,
    lines and columns refer to the file, and ``decoded`` when they refer to a
    decoded email body (quoted-printable or base64) placed where the body starts.
    """

    name: str
    report: Report
    source: str | None = None
    kind: str = "text"
    positions: str = "file"

    @property
    def text(self) -> str:
        """The text to show: the file's text when it differs from what was linted."""
        return self.source if self.source is not None else self.report.text

    @classmethod
    def from_draft(cls, draft: Draft, report: Report) -> FileResult:
        """The result for ``draft``, with line and column numbers counted in the file's text.

        The readers keep every offset of the linted text equal to the file's, but an
        email's folded Subject header is unfolded for the linter, which moves lines:
        so lines and columns are recounted in ``draft.source``.
        """
        source = getattr(draft, "source", None)
        if source is not None and source != report.text:
            from referral_lint.positions import LineIndex

            index = LineIndex(source)
            violations = []
            for violation in report.violations:
                line, column = index.position(violation.start)
                end_line, end_column = index.position(violation.end)
                violations.append(
                    replace(violation, line=line, column=column, end_line=end_line, end_column=end_column)
                )
            report = replace(report, violations=violations)
        else:
            source = None
        return cls(
            draft.name,
            report,
            source=source,
            kind=getattr(draft, "kind", "text"),
            positions=getattr(draft, "positions", "file"),
        )


@dataclass(frozen=True)
class Run:
    """Everything a format may show: the results, the inputs that failed, the rules that ran.

    ``results`` may be a generator (see ``stream`` in the module docstring); ``errors``
    and ``rules`` may then grow while it runs, and are complete once it is exhausted.

    ``rules`` are the rules the linter ran (SARIF describes each one); ``colour`` is
    whether the text may carry ANSI colours (never when writing to a file); ``summary``
    is False for ``--quiet`` (the violations only, no closing summary line).
    """

    results: Iterable[FileResult]
    errors: Sequence[InputError] = ()
    rules: Sequence[RuleSpec] = field(default_factory=tuple)
    colour: bool = False
    summary: bool = True


def _discover() -> tuple[str, ...]:
    names = [
        module.name.replace("_", "-")
        for module in pkgutil.iter_modules(__path__)
        if not module.name.startswith("_")
    ]
    # The default first, then alphabetical: the order --help shows.
    return tuple(sorted(names, key=lambda name: (name != DEFAULT_FORMAT, name)))


FORMATS: tuple[str, ...] = _discover()


def get(name: str) -> ModuleType:
    """The module of format ``name``; ValueError for an unknown one."""
    if name not in FORMATS:
        raise ValueError(f"unknown output format {name!r} (expected one of: {', '.join(FORMATS)})")
    return importlib.import_module(f"{__name__}.{name.replace('-', '_')}")


def render(name: str, run: Run) -> str:
    """The report for ``run`` in format ``name``."""
    return str(get(name).render(run))


def write(name: str, run: Run, out: IO[str]) -> None:
    """Write the report for ``run`` in format ``name`` to ``out``, each piece as soon as it is ready."""
    module = get(name)
    if hasattr(module, "stream"):
        for piece in module.stream(run):
            out.write(piece)
        return
    out.write(str(module.render(replace(run, results=list(run.results)))))


def describe(name: str) -> str:
    """The first line of a format module's docstring (what ``--output-format`` lists)."""
    doc = get(name).__doc__ or ""
    return doc.strip().splitlines()[0] if doc.strip() else name


_APPLICABILITY_NOTES = {
    "safe": "",
    "unsafe": " (unsafe: check it before sending)",
    "display": " (for you to do: fix never applies it)",
}


def applicability_note(applicability: object) -> str:
    """What to say after a suggestion's description: nothing for a safe one."""
    value = getattr(applicability, "value", applicability)
    return _APPLICABILITY_NOTES.get(str(value), f" ({value})")


def omitted_note(rule: str, count: int) -> str:
    """What every format says of a rule's violations past the cap per rule (``Report.omitted``)."""
    return f"and {count:,} more {rule} violations, not shown: at most {MAX_VIOLATIONS_PER_RULE:,} per rule and draft"


def omitted_line(name: str, rule: str, count: int) -> str:
    """The line of the text and concise formats for ``omitted_note``: ``name: (and N more ...)``."""
    return f"{name}: ({omitted_note(rule, count)})"


def has_safe_fix(violation: Violation) -> bool:
    """Whether ``fix`` applies the violation's first suggestion as it is."""
    return bool(violation.suggestions) and violation.suggestions[0].applicability is Applicability.SAFE


@dataclass
class Tally:
    """What a report's summary counts, gathered one result at a time (see ``stream``)."""

    files: int = 0
    counts: dict[Severity, int] = field(default_factory=lambda: {severity: 0 for severity in Severity})
    fixable: int = 0

    def add(self, result: FileResult) -> FileResult:
        self.files += 1
        for violation in result.report.violations:
            self.counts[violation.severity] += 1
            self.fixable += has_safe_fix(violation)
        return result


def summary_counts(results: Iterable[FileResult]) -> dict[Severity, int]:
    tally = Tally()
    for result in results:
        tally.add(result)
    return tally.counts


class OutputError(OSError):
    """The report could not be written to the file asked for."""


def write_report(path: str | os.PathLike[str], report: str) -> None:
    """Write ``report`` to ``path`` atomically (see referral_lint.files.replace_file)."""
    with report_file(path) as out:
        out.write(report)


@contextlib.contextmanager
def report_file(path: str | os.PathLike[str]) -> Iterator[IO[str]]:
    """A file to write a report to piece by piece, which replaces ``path`` atomically when the
    block ends (see referral_lint.files.replacing); OutputError when it cannot be written."""
    try:
        with replacing_text(path) as out:
            yield out
    except OSError as error:
        raise OutputError(f"cannot write the report to {path}: {error.strerror or error}") from None
