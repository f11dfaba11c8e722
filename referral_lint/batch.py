"""``referral-lint batch``: lint a stream of records on every core, one JSON result per record.

Records come from referral_lint.records (JSON Lines or CSV); each is linted in a
worker process (referral_lint.parallel) and written as one line of JSON, in input
order, as soon as its chunk is done, so memory stays flat however long the input:

    {"id": 7, "channel": "message", "violations": [...]}      a linted record
    {"id": 8, "record": 8, "error": "no 'text' field"}          a record that could not be
                                                                linted (``record``: its
                                                                number, counted from 1)

The violations are those of the ``json`` output format (and so is ``omitted``, present
when a rule found over 1,000 violations in the record). After the last result, one
line per group of mass messages (referral_lint.mass), when any:

    {"rule": "mass-message", "severity": "warning", "message": "...", "ids": [3, 9, 12]}

Exit status: 2 when any record could not be linted (the others are still linted and
written), else 1 when any record has a violation at or above fail-on or is part of a
mass message, else 0.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from referral_lint.files import replacing_text
from referral_lint.positions import LineIndex
from referral_lint.formats.json import violation_record
from referral_lint.formats.json_lines import json_line
from referral_lint.parallel import DEFAULT_CHUNK_SIZE, lint_one, map_ordered
from referral_lint.records import Record

if TYPE_CHECKING:
    from referral_lint.linter import Linter

# The same numbers as check's: clean, problems found, an input error.
EXIT_CLEAN, EXIT_PROBLEMS, EXIT_RECORDS_FAILED = 0, 1, 2


@dataclass(frozen=True)
class RecordResult:
    """What a worker sends back for one record: its output line and what the summary needs."""

    id: Any
    line: str
    rules: tuple[str, ...] = ()  # the rule of each violation
    failing: bool = False  # a violation at or above the configuration's fail-on
    failed: bool = False  # the record could not be linted
    signature: Any = None  # its mass-message signature, when asked for


def lint_record(linter: Linter, item: tuple[Record, bool]) -> RecordResult:
    """Lint one record (in a worker): its JSON line, and its signature if ``item[1]``."""
    record, want_signature = item
    if record.error is not None:
        return _failed(record, record.error)
    try:
        report = lint_one(linter, record.text, record.channel)
    except Exception as error:  # a bug on one record must not stop the run, nor print a traceback
        cause = f"internal error while linting ({type(error).__name__}: {' '.join(str(error).split())}); please report it"
        return _failed(record, cause)
    lines = LineIndex(record.text)
    linted: dict[str, Any] = {
        "id": record.id, "channel": report.channel, "violations": [violation_record(v, lines) for v in report.violations]
    }
    if report.omitted:
        linted["omitted"] = report.omitted  # as the json format's: past the cap per rule, by rule
    line = json_line(linted)
    signature = None
    if want_signature:
        from referral_lint.mass import signature as mass_signature

        signature = mass_signature(record.text)
    return RecordResult(
        record.id,
        line,
        rules=tuple(v.rule for v in report.violations),
        failing=bool(report.failing(linter.config.fail_on)),
        signature=signature,
    )


def _failed(record: Record, cause: str) -> RecordResult:
    return RecordResult(record.id, json_line({"id": record.id, "record": record.number, "error": cause}), failed=True)


@dataclass
class Summary:
    """What a batch run found, for the closing summary and the exit status."""

    records: int = 0
    failed: int = 0
    failing: int = 0
    problems: Counter[str] = field(default_factory=Counter)
    mass_groups: list[list[Any]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def exit_status(self) -> int:
        if self.failed:
            return EXIT_RECORDS_FAILED
        return EXIT_PROBLEMS if self.failing or self.mass_groups else EXIT_CLEAN

    def text(self) -> str:
        """The summary for stderr: counts, then problems per rule, most first."""
        rate = self.records / self.seconds if self.seconds else 0.0
        linted = self.records - self.failed
        out = [
            f"{self.records:,} record{_s(self.records)} in {self.seconds:.1f} s ({rate:,.0f}/s): "
            f"{linted:,} linted, {sum(self.problems.values()):,} problem{_s(sum(self.problems.values()))}, "
            f"{self.failed:,} could not be linted."
        ]
        if self.mass_groups:
            drafts = sum(len(group) for group in self.mass_groups)
            out.append(f"{len(self.mass_groups):,} mass message{_s(len(self.mass_groups))} ({drafts:,} drafts).")
        width = max((len(f"{count:,}") for count in self.problems.values()), default=0)
        out += [f"  {count:>{width},}  {rule}" for rule, count in sorted(self.problems.items(), key=lambda kv: (-kv[1], kv[0]))]
        return "\n".join(out) + "\n"


def run(
    records: Iterable[Record],
    linter: Linter,
    out: IO[str],
    *,
    jobs: int = 1,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    mass_messages: bool = True,
    progress: Any = None,
) -> Summary:
    """Lint ``records`` into ``out`` (one JSON line each, then the mass messages).

    ``mass_messages`` needs datasketch (referral_lint.mass); ``progress``, if given, is
    called once per record written (a progress bar's update).
    """
    finder = None
    if mass_messages:
        from referral_lint.mass import MassMessageFinder

        finder = MassMessageFinder()
    summary = Summary()
    started = time.perf_counter()
    items = ((record, finder is not None and record.error is None) for record in records)
    for result in map_ordered(linter, lint_record, items, jobs=jobs, chunk_size=chunk_size):
        out.write(result.line)
        summary.records += 1
        summary.failed += result.failed
        summary.failing += result.failing
        summary.problems.update(result.rules)
        if finder is not None and result.signature is not None:
            finder.add(result.id, result.signature)
        if progress is not None:
            progress()
    if finder is not None:
        from referral_lint.mass import finding

        summary.mass_groups = finder.groups()
        for group in summary.mass_groups:
            out.write(json_line(finding(group)))
    summary.seconds = time.perf_counter() - started
    return summary


@contextmanager
def output(path: str | None) -> Iterator[IO[str]]:
    """Where results go: stdout, or ``path`` replaced atomically when the run ends.

    The results stream into a temporary file beside ``path`` (so memory stays flat),
    which is renamed over it at the end; an interrupted run leaves ``path`` as it was.
    """
    if path is None or path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    with replacing_text(path) as handle:
        yield handle


@contextmanager
def progress_bar(total: int | None) -> Iterator[Any]:
    """A progress bar's update function on stderr when it is a terminal (None otherwise)."""
    if not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: the workers are forked after this
    with tqdm(total=total, unit=" msg", file=sys.stderr, dynamic_ncols=True, leave=False) as bar:
        yield bar.update


def count_lines(path: str) -> int | None:
    """The lines in ``path`` (about the number of records, for the progress bar's ETA)."""
    if path == "-" or not os.path.isfile(path):
        return None
    lines = 0
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            lines += block.count(b"\n")
    return lines


def _s(count: int) -> str:
    return "" if count == 1 else "s"
