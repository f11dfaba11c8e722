"""The ``referral-lint`` command line.

``--help``, ``rules`` and ``explain`` never import spaCy: only ``check`` builds
the pipeline, and it does so once for all the files it lints.
"""

from __future__ import annotations

import functools
import gc
import os
import sys
import textwrap
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from referral_lint import __version__
from referral_lint.config import CHANNELS, UNUSED_IGNORE, Config, ConfigError, split_names
from referral_lint.engine.loader import load_rules
from referral_lint.engine.schema import RuleSpec
from referral_lint.yamlsource import RuleError
from referral_lint.formats import DEFAULT_FORMAT, FORMATS, FileResult
from referral_lint.inputs import STDIN, InputError, display_name, expand, one_line
from referral_lint.launcher import no_daemon_option
from referral_lint.model import Severity
from referral_lint.session import Linted, LintSession, collector_paused
from referral_lint.web import DEFAULT_HOST, DEFAULT_PORT

if TYPE_CHECKING:
    from referral_lint.fix import FixResult
    from referral_lint.inputs import Draft

EXIT_CLEAN, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2
# Files sent to a worker at a time: few enough that the last ones do not wait on one busy worker.
FILES_PER_CHUNK = 16

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _fail(message: str) -> NoReturn:
    click.echo(f"referral-lint: error: {one_line(message)}", err=True)
    sys.exit(EXIT_ERROR)


def _use_colour(no_colour: bool) -> bool:
    if no_colour or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


@click.group(context_settings=_CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="referral-lint")
def main() -> None:
    """Lint job-referral and introduction requests before you send them.

    Checks a draft for a named role, a stated connection, length, gratitude, an easy
    out and demanding phrasing, and suggests a rewrite for every problem. Runs offline.
    """


#: The options of every command that lints (check and fix), declared once.
_LINT_OPTIONS = (
    click.option("--channel", type=click.Choice(CHANNELS), help="Where the message will be sent (default: from the file and the configuration; see docs/configuration.md)."),
    click.option("--select", multiple=True, metavar="RULES", help="Run only these rules or groups (comma-separated; 'all' for every rule)."),
    click.option("--extend-select", multiple=True, metavar="RULES", help="Run these rules or groups too."),
    click.option("--ignore", multiple=True, metavar="RULES", help="Skip these rules or groups."),
    click.option(
        "--fail-on", type=click.Choice([s.value for s in Severity]), default=None,
        help="Exit 1 when a violation is at least this severe.  [default: warning, or the configuration's fail-on]",
    ),
    click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are violations (errors still exit 2)."),
    click.option("--model", help="A trained spaCy pipeline to use (e.g. en_core_web_sm), if installed."),
    click.option("-q", "--quiet", is_flag=True, help="Print only the violations and errors: no summary."),
    click.option("--stdin-filename", metavar="PATH", help="The file name of the draft on stdin: where its configuration is looked up, how it is read, and its name in the output."),
    click.option("--config", "config_file", metavar="PATH", help="Use this configuration file (.referral-lint.yaml or pyproject.toml) for every draft."),
    click.option("--isolated", is_flag=True, help="Ignore all configuration files."),
    click.option("--no-color", "no_colour", is_flag=True, help="Never colour the output (also: NO_COLOR=1)."),
    click.option("--no-cache", is_flag=True, help="Neither read nor write the caches of rules and results (also: REFERRAL_LINT_NO_CACHE=1)."),
    click.option("--cache-dir", metavar="PATH", help="Keep the caches here  [default: $REFERRAL_LINT_CACHE_DIR, else ~/.cache/referral-lint]."),
    click.option(
        "-j", "--jobs", type=click.IntRange(min=1), metavar="N",
        help="Lint on N worker processes  [default: the machine's cores; 1: in this process].",
    ),
    no_daemon_option,
)


def _lint_options(command: Any) -> Any:
    """Add the options every linting command shares (see ``_LINT_OPTIONS``), after its own."""
    for option in reversed(_LINT_OPTIONS):
        command = option(command)
    return click.argument("paths", nargs=-1, required=True, metavar="PATH... | -")(command)


def _deprecated_statistics(context: click.Context, parameter: click.Parameter, value: bool) -> bool:
    if value:
        click.echo("referral-lint: warning: --statistics is deprecated; use --output-format statistics", err=True)
    return value


@main.command(context_settings=_CONTEXT)
@_lint_options
@click.option(
    "--output-format", "--format", "output_format", type=click.Choice(FORMATS), default=DEFAULT_FORMAT, show_default=True,
    help="How to print the results (see docs/output-formats.md).",
)
@click.option(
    "-o", "--output-file", type=click.Path(dir_okay=False, writable=True), metavar="PATH",
    help="Write the report to PATH (atomically, never coloured) instead of stdout.",
)
@click.option("--add-ignore", is_flag=True, help="Add every current violation to the .referral-lint-ignore file beside its draft.")
@click.option("--statistics", is_flag=True, hidden=True, callback=_deprecated_statistics, help="Deprecated: --output-format statistics.")
def check(
    paths: tuple[str, ...], output_format: str, output_file: str | None, add_ignore: bool, statistics: bool, **options: Any
) -> None:
    """Lint drafts: files, directories (searched for .txt, .md and .eml) or - for stdin.

    Exit status: 0 clean, 1 violations at or above --fail-on, 2 a usage,
    configuration or input error (the other files are still linted).

    Each draft uses the nearest .referral-lint.yaml, or pyproject.toml with a
    [tool.referral-lint] table, above it; options given here override it. See
    docs/configuration.md, and docs/suppression.md for ignoring a violation.
    """
    run = _Run.from_options(options, keep_reports=add_ignore, cache_results=True)
    quiet = options["quiet"]
    errors: list[InputError] = []
    rules: list[RuleSpec] = []
    groups = _mass_messages(paths)

    def results() -> Iterator[FileResult]:
        """Each draft's result as soon as it is linted (nothing is kept: see formats.stream), then
        the mass messages and the unused ignores."""
        for outcome in run.outcomes(paths, options, _check_entry, groups is not None):
            linted = outcome.linted if isinstance(outcome, _Signed) else outcome
            if isinstance(linted, InputError):
                errors.append(linted)
                click.echo(f"referral-lint: error: {linted}", err=True)
                continue
            for note in linted.draft.notes:
                click.echo(f"referral-lint: note: {display_name(linted.draft.name)}: {note}", err=True)
            if not run.suppressed(linted, errors):  # a broken ignore file: reported once
                continue
            yield run.record(FileResult.from_draft(linted.draft, linted.report), linted.config)
            if isinstance(outcome, _Signed) and groups is not None:
                draft = linted.draft
                groups.add(draft.name, draft.text, linted.text, linted.report.channel, linted.config, outcome.signature)
        if groups is not None:
            for result, config in groups.results():
                yield run.record(result, config)
        elif any(_names_mass_message(config) for config in run.seen):
            from referral_lint.extras import install_hint

            click.echo(f"referral-lint: note: mass-message is skipped: it needs datasketch ({install_hint('batch')})", err=True)
        yield from run.unused_ignore_results()
        rules.extend(run.rules(mass_messages=groups is not None))  # known once every draft is linted, which is when formats read them

    if add_ignore:
        for _ in results():
            pass
        run.add_ignores(quiet)
        sys.exit(EXIT_ERROR if errors else EXIT_CLEAN)
    if statistics:  # the deprecated flag
        output_format = "statistics"
    _emit(results(), errors, output_format, _use_colour(options["no_colour"]), rules, output_file, summary=not quiet)
    run.exit(errors)


def _mass_messages(paths: tuple[str, ...]) -> _DraftGroupsWhenNeeded | None:
    """Where mass messages are grouped when the run may lint many drafts (a directory, or more than
    one path) and datasketch is installed; None otherwise."""
    import importlib.util

    if len(paths) < 2 and not any(path != STDIN and os.path.isdir(path) for path in paths):
        return None
    return _DraftGroupsWhenNeeded() if importlib.util.find_spec("datasketch") is not None else None


class _DraftGroupsWhenNeeded:
    """A referral_lint.mass.DraftGroups made when the first draft with mass-message on comes: mass-message
    is off by default, and datasketch (with numpy and scipy) is slow to import."""

    def __init__(self) -> None:
        self._groups: Any = None

    def add(self, *draft: Any) -> None:
        if self._groups is None:
            from referral_lint.mass import DraftGroups

            self._groups = DraftGroups()
        self._groups.add(*draft)

    def results(self) -> Iterator[tuple[FileResult, Config]]:
        return self._groups.results() if self._groups is not None else iter(())


def _names_mass_message(config: Config) -> bool:
    """Whether ``config`` selects mass-message by name (without datasketch, that earns a note)."""
    from referral_lint.config import MASS_MESSAGE

    return MASS_MESSAGE in (*(config.select or ()), *config.extend_select) and MASS_MESSAGE not in config.ignore


def _emit(
    results: Iterable[FileResult], errors: list[InputError], output_format: str, colour: bool,
    rules: Sequence[RuleSpec] = (), output_file: str | None = None, summary: bool = True,
) -> None:
    """Write the report in ``output_format`` to stdout, or atomically to ``output_file``, as the results come."""
    from referral_lint.formats import OutputError, Run, report_file, write

    if output_file is not None:
        try:
            with report_file(output_file) as out:
                write(output_format, Run(results, errors, rules, colour=False, summary=summary), out)  # never colour in a file
        except OutputError as error:
            _fail(str(error))
        return
    write(output_format, Run(results, errors, rules, colour=colour, summary=summary), _Echo(colour))


class _Echo:
    """stdout as a file for a format to write to (through click, which handles the terminal's colours)."""

    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def write(self, text: str) -> None:
        click.echo(text, nl=False, color=self.colour)


def lint_session(options: dict[str, Any], *, cache_results: bool = False) -> LintSession:
    """The lint session of one command run with the command line's options (``_LINT_OPTIONS``), which override
    every configuration file; ``cache_results``: drafts' reports are kept between runs (``check``)."""
    from referral_lint import cache_settings

    if options["isolated"] and options["config_file"] is not None:
        _fail("--config and --isolated cannot be used together")
    cache = cache_settings.CacheSettings.resolve(no_cache=options.get("no_cache", False), directory=options.get("cache_dir"))
    cache_settings.use(cache)
    context = click.get_current_context(silent=True)
    if context is not None:  # the choice is this command's, not the rest of a process that runs it (tests, an API user)
        context.call_on_close(lambda: cache_settings.use(None))
    overrides = {
        key: value
        for key, value in (
            ("channel", options["channel"]), ("fail-on", options["fail_on"]), ("model", options["model"]),
            ("select", split_names(options["select"]) if options["select"] else None),
            ("extend-select", split_names(options["extend_select"]) or None),
            ("ignore", split_names(options["ignore"]) or None),
        )
        if value is not None
    }
    session = LintSession(
        config_file=options["config_file"], isolated=options["isolated"], overrides=overrides, cache=cache,
        cache_results=cache_results and options["model"] is None, one_run=True,
    )
    if context is not None:  # however the command ends (an error exit too), the result cache entries kept back are written
        context.call_on_close(session.flush)
    return session


@dataclass(frozen=True)
class _Stop:
    """A configuration, rule file or pipeline that cannot be used, met while linting: it ends the run."""

    message: str


def _lint_entry(session: LintSession, entry: tuple[Any, ...]) -> Linted | InputError | _Stop:
    """Read and lint one draft ``expand`` gave, (name, path; path None: stdin) and the stdin file
    name, in a worker process or in this one (see ``_Run.outcomes``)."""
    item, stdin_filename = entry[:2]
    if isinstance(item, InputError):
        return item
    name, path = item
    try:
        if path is None:
            linted = session.lint_path(STDIN, filename=stdin_filename)
        else:
            linted = session.lint_path(path, name=name)
    except ConfigError as error:
        if error.file is None and error.path and error.path[0] in session.overrides:
            return _Stop(f"--{error.path[0]}: {error.problem}")  # a bad command-line option
        return _Stop(str(error))
    except RuleError as error:
        return _Stop(str(error))
    except Exception as error:  # a broken trained pipeline must not end in a traceback
        return _Stop(f"cannot load the pipeline: {error}")
    # The rules are the same for every draft of a configuration: not sent back with each one.
    return replace(linted, rules=()) if isinstance(linted, Linted) else linted


@dataclass(frozen=True)
class _Signed:
    """A draft linted, with its mass-message signature (referral_lint.mass)."""

    linted: Linted
    signature: Any


def _check_entry(session: LintSession, entry: tuple[Any, ...]) -> Linted | _Signed | InputError | _Stop:
    """Lint one draft as ``_lint_entry`` does and, when ``entry[2]`` says to look for mass messages and
    its configuration turns mass-message on, sign it (where it was linted: signing costs CPU)."""
    linted = _lint_entry(session, entry)
    if not entry[2] or not isinstance(linted, Linted) or linted.ignore_error is not None or not _mass_message_on(linted.config):
        return linted
    from referral_lint.mass import signature

    return _Signed(linted, signature(linted.draft.text))


@functools.lru_cache(maxsize=32)
def _mass_message_on(config: Config) -> bool:
    from referral_lint.config import MASS_MESSAGE

    return MASS_MESSAGE in _enabled(config)


class _Run:
    """What ``check`` and ``fix`` keep across drafts: the lint session, and the ignores.

    Every draft is linted by one :class:`referral_lint.session.LintSession` (its
    configuration found per path, one Linter per distinct configuration); a bad
    configuration or rule file, or a model that cannot load, ends the run (exit 2).
    """

    def __init__(self, session: LintSession, *, exit_zero: bool = False, keep_reports: bool = False) -> None:
        self.session = session
        self.exit_zero = exit_zero
        self.failing = False  # a result has a violation at or above its configuration's fail-on
        self.seen: dict[Config, None] = {}  # the configurations of the drafts linted, in order
        self.keep_reports = keep_reports  # for --add-ignore: otherwise nothing is kept per draft
        self.linted: list[tuple[str | None, Any, str | None]] = []  # (path, report, the file's text) per draft
        self.stale: dict[Path, tuple[Any, str, list[Any], Config, str]] = {}
        self.broken: set[str] = set()

    @classmethod
    def from_options(cls, options: dict[str, Any], *, keep_reports: bool = False, cache_results: bool = False) -> _Run:
        """A run from the command line's options (``_LINT_OPTIONS``), which override every configuration file."""
        return cls(lint_session(options, cache_results=cache_results), exit_zero=options["exit_zero"], keep_reports=keep_reports)

    def exit(self, errors: list[InputError]) -> NoReturn:
        """Exit 2 on any error, else 1 when a result failed its configuration's fail-on (unless --exit-zero)."""
        if errors:
            sys.exit(EXIT_ERROR)
        sys.exit(EXIT_VIOLATIONS if self.failing and not self.exit_zero else EXIT_CLEAN)

    def outcomes(self, paths: tuple[str, ...], options: dict[str, Any], work: Callable[..., Any], *extra: Any) -> Iterator[Any]:
        """``work(session, (item, stdin file name, *extra))`` for each draft ``expand(paths)`` gives, in
        order, on ``--jobs`` worker processes (referral_lint.parallel); a ``_Stop`` ends the run.

        Drafts are linted here until the first Linter is built, so that the workers, forked
        after it, share it; stdin is read here, so a run that reads it uses no workers.
        """
        from referral_lint.parallel import default_jobs, map_ordered

        entries = ((item, options["stdin_filename"], *extra) for item in expand(paths))
        jobs = 1 if STDIN in paths else options["jobs"] or default_jobs()
        for entry in entries:
            with collector_paused():  # start-up: see referral_lint.session
                outcome = work(self.session, entry)
            yield self._going_on(outcome)
            if self.session.linters:
                # Start-up's objects (spaCy, the compiled rules) live to the end: later collections
                # skip them, and forked workers do not copy their pages by counting them.
                gc.freeze()
                break
        outcomes = map_ordered(
            self.session, work, entries, jobs=jobs, chunk_size=FILES_PER_CHUNK, finish_chunk=LintSession.flush
        )
        for outcome in outcomes:
            yield self._going_on(outcome)

    @staticmethod
    def _going_on(outcome: Any) -> Any:
        if isinstance(outcome, _Stop):
            _fail(outcome.message)
        return outcome

    def suppressed(self, linted: Linted, errors: list[InputError]) -> bool:
        """Note what the draft's ignores left (False: its ignore file is broken, and reported once)."""
        from referral_lint.ignore_file import IGNORE_FILE

        self.seen.setdefault(linted.config)
        error = linted.ignore_error
        if error is not None:
            if str(error) not in self.broken:
                self.broken.add(str(error))
                failure = InputError(f"{error.file}:{error.line}" if error.line else str(error.file), error.problem)
                errors.append(failure)
                click.echo(f"referral-lint: error: {failure}", err=True)
            return False
        if linted.stale and linted.ignore_file is not None:
            key = Path(os.path.abspath(linted.ignore_file.path))
            shown = str(Path(linted.draft.name).parent / IGNORE_FILE)
            entry = self.stale.setdefault(key, (linted.ignore_file, shown, [], linted.config, linted.report.channel))
            entry[2].extend(linted.stale)
        if self.keep_reports:
            self.linted.append((linted.path, linted.report, linted.draft.source))
        return True

    def record(self, result: FileResult, config: Config) -> FileResult:
        """Note whether ``result`` fails ``config``'s fail-on (for the exit status)."""
        self.failing = self.failing or bool(result.report.failing(config.fail_on))
        return result

    def unused_ignore_results(self) -> list[FileResult]:
        """A result per ignore file with entries that matched nothing (an unused-ignore violation each)."""
        from referral_lint.ignore_file import unused_entries_report

        return [
            self.record(FileResult(shown, unused_entries_report(ignore, entries, channel)), config)
            for ignore, shown, entries, config, channel in self.stale.values()
        ]

    def rules(self, *, mass_messages: bool = False) -> tuple[RuleSpec, ...]:
        """The rules that ran (for formats that describe them), unused-ignore included when it did, and
        mass-message when ``mass_messages`` were looked for."""
        from referral_lint.config import select_rules

        seen: dict[str, RuleSpec] = {}
        for config in self.seen:  # (a worker linted them: this process may have no Linter for them)
            for rule in select_rules(load_rules(config.rule_dirs), config):
                seen.setdefault(rule.id, rule)
        if any(UNUSED_IGNORE in _enabled(config) for config in self.seen):
            from referral_lint.unused_ignore import unused_ignore_rule

            seen.setdefault(UNUSED_IGNORE, unused_ignore_rule())
        if mass_messages and any(_mass_message_on(config) for config in self.seen):
            from referral_lint.mass import RULE, mass_message_rule

            seen.setdefault(RULE, mass_message_rule())
        return tuple(seen.values())

    def add_ignores(self, quiet: bool) -> None:
        """``--add-ignore``: an entry in the draft's directory's ignore file for each violation left."""
        from referral_lint.ignore_file import add_ignore_entries, ignore_file_for, new_entries

        planned: dict[Path, list[tuple[str, str, str, str]]] = {}
        for where, report, source in self.linted:
            entries = new_entries(report, Path(where).name if where else "", source)
            if not entries:
                continue
            if where is None:
                click.echo("referral-lint: warning: <stdin>: nowhere to record its ignores; name it with --stdin-filename", err=True)
                continue
            planned.setdefault(ignore_file_for(where), []).extend(entries)
        added = files = 0
        for path, entries in planned.items():
            try:
                count = add_ignore_entries(path, entries)
            except OSError as error:
                _fail(f"{display_name(str(path))}: cannot write the ignore file: {error.strerror or error}")
            if count:
                added, files = added + count, files + 1
        if not quiet:
            entries_word = "entry" if added == 1 else "entries"
            click.echo(f"Added {added} ignore {entries_word} to {files} file{'' if files == 1 else 's'}.", err=True)


@main.command(context_settings=_CONTEXT)
@_lint_options
@click.option("--unsafe-fixes", is_flag=True, help="Also apply unsafe suggestions: ones that may change what the draft says or leave a <blank> to fill.")
@click.option("--diff", is_flag=True, help="Print a unified diff of the fixes instead of writing any file.")
def fix(paths: tuple[str, ...], unsafe_fixes: bool, diff: bool, **options: Any) -> None:
    """Apply the safe suggestions to drafts (files, directories, or - for stdin to stdout).

    Each file is rewritten atomically, keeping its encoding, line ends, final newline
    and permissions; a file that changes on disk meanwhile is left alone, with an
    error. What could not be fixed is reported as check reports it, with the same
    exit status.
    """
    run = _Run.from_options(options)
    quiet = options["quiet"]
    # With stdin, the fixed text is the output: everything else goes to stderr.
    to_stdout_is_text = any(path == "-" for path in paths)
    report_stream_err = to_stdout_is_text and not diff

    results: list[FileResult] = []
    errors: list[InputError] = []
    fixed_count = 0
    files_changed = 0
    unsafe_left = 0
    for outcome in run.outcomes(paths, options, _fix_entry, unsafe_fixes):
        if isinstance(outcome, InputError):
            errors.append(outcome)
            click.echo(f"referral-lint: error: {outcome}", err=True)
            continue
        if not run.suppressed(outcome.linted if isinstance(outcome, _Fixed) else outcome, errors):
            continue  # its ignore file is broken (reported once)
        linted, original, result, channel = outcome.linted, outcome.original, outcome.result, outcome.channel
        draft = linted.draft
        fixed_count += len(result.fixed)
        unsafe_left += sum(
            1 for v in result.remaining if v.suggestions and v.suggestions[0].applicability.value == "unsafe"
        )
        if diff:
            if result.changed:
                click.echo(_unified_diff(draft.name, original, result.text), nl=False)
        elif linted.path is None:
            click.echo(result.text, nl=False)
        elif result.changed:
            from referral_lint.fix import ChangedOnDisk

            try:
                _write_fixed(Path(linted.path), draft, result.text)
            except ChangedOnDisk as error:
                failure = InputError(draft.name, str(error))
                errors.append(failure)
                click.echo(f"referral-lint: error: {failure}", err=True)
                continue
            except OSError as error:
                failure = InputError(draft.name, f"cannot write: {error.strerror or error}")
                errors.append(failure)
                click.echo(f"referral-lint: error: {failure}", err=True)
                continue
        if result.changed:
            files_changed += 1
        from referral_lint.model import Report, cap_per_rule

        listed, omitted = cap_per_rule(list(result.remaining))
        remaining = Report(text=result.text, channel=channel, violations=listed, omitted=omitted)
        results.append(run.record(FileResult(draft.name, remaining), linted.config))

    from referral_lint.formats import Run, render

    remaining_text = render(DEFAULT_FORMAT, Run(results, errors, run.rules(), colour=False, summary=False))
    if any(r.report.violations for r in results):
        click.echo(remaining_text, nl=False, err=report_stream_err or diff)
    if not quiet and (results or not errors):  # nothing could be read: the errors on stderr say it all
        verb = "Would fix" if diff else "Fixed"
        left = sum(len(r.report.violations) for r in results)
        line = f"{verb} {fixed_count} problem{'s' if fixed_count != 1 else ''}"
        line += f" in {files_changed} file{'s' if files_changed != 1 else ''}; {left} remain{'s' if left == 1 else ''}."
        if unsafe_left and not unsafe_fixes:
            line += f" {unsafe_left} more can be fixed with --unsafe-fixes."
        click.echo(line, err=report_stream_err or diff)
    run.exit(errors)


@dataclass(frozen=True)
class _Fixed:
    """One draft fixed (not yet written): what was linted, its original text, the fix, the channel it was judged as."""

    linted: Linted
    original: str
    result: FixResult
    channel: str


def _fix_entry(session: LintSession, entry: tuple[Any, ...]) -> _Fixed | Linted | InputError | _Stop:
    """Fix one draft (``entry`` as for ``_lint_entry``, and whether unsafe fixes apply), in a worker
    process or in this one; a draft whose ignore file is broken comes back linted, unfixed."""
    from referral_lint.fix import fix_until_stable

    unsafe = entry[2]
    linted = _lint_entry(session, entry)
    if not isinstance(linted, Linted):
        return linted
    if linted.draft.positions != "file":
        return InputError(linted.draft.name, "the email body is transfer-encoded (quoted-printable or base64); fix it in your mail client")
    if linted.ignore_error is not None:
        return linted
    original = linted.text
    channels: list[str] = []

    def lint(source: str) -> list[Any]:
        current = linted if source == original and not linted.report.omitted else session.lint_text(
            source, path=linted.path, language=linted.draft.kind, name=linted.draft.name, all_violations=True
        )
        if isinstance(current, InputError):
            return []
        channels.append(current.report.channel)
        return [v for v in current.report.violations if v.rule != UNUSED_IGNORE]

    result = fix_until_stable(original, lint, unsafe=unsafe)
    return _Fixed(linted, original, result, channels[-1] if channels else "message")


def _write_fixed(path: Path, draft: Draft, text: str) -> None:
    """Write the fixed text over ``path`` atomically, as it was encoded (BOM kept), unless
    it changed since ``draft`` was read from it."""
    from referral_lint.fix import write_atomically

    assert draft.snapshot is not None  # read from a file
    write_atomically(path, draft.snapshot, text, bom=draft.bom)


def _unified_diff(name: str, before: str, after: str) -> str:
    import difflib
    import re

    old, new = (name, name) if os.path.isabs(name) else (f"a/{name}", f"b/{name}")
    # Lines as diff and patch count them, ended by "\n" only (str.splitlines would also end
    # one at a lone CR, a form feed or U+2028, and each would then look like the file's end).
    patch_lines = r"[^\n]*\n|[^\n]+"
    lines = difflib.unified_diff(re.findall(patch_lines, before), re.findall(patch_lines, after), fromfile=old, tofile=new)
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def _enabled(config: Config) -> frozenset[str]:
    from referral_lint.suppress import rule_catalogue

    return rule_catalogue(config)[1]


def _rules_or_fail(config_file: str | None, isolated: bool) -> tuple[RuleSpec, ...]:
    """The rules a draft here would know: the built-in ones, those of the configuration's
    ``rule-dirs``, and the pseudo-rules unused-ignore and mass-message (they can be selected and explained too)."""
    from referral_lint.mass import mass_message_rule
    from referral_lint.unused_ignore import unused_ignore_rule

    if isolated and config_file is not None:
        _fail("--config and --isolated cannot be used together")
    try:
        config = LintSession(config_file=config_file, isolated=isolated).config_for(None)
        return (*load_rules(config.rule_dirs), unused_ignore_rule(), mass_message_rule())
    except (ConfigError, RuleError) as error:
        _fail(str(error))


#: How ``rules`` and ``explain`` find the configuration (for its rule-dirs), as ``check`` does.
_CONFIG_OPTIONS = (
    click.option("--config", "config_file", metavar="PATH", help="Use this configuration file (for its rule-dirs)."),
    click.option("--isolated", is_flag=True, help="Ignore all configuration files: the built-in rules only."),
)


def _config_options(command: Any) -> Any:
    for option in reversed(_CONFIG_OPTIONS):
        command = option(command)
    return command


@main.command(context_settings=_CONTEXT)
@click.option(
    "--output-format", "--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
    help="A table, or a JSON list of the rules.",
)
@_config_options
def rules(output_format: str, config_file: str | None, isolated: bool) -> None:
    """List the rules: id, severity, check kind and what each one wants.

    The built-in rules, and those of the rule-dirs of the configuration found from the
    current directory (as check finds it).
    """
    specs = _rules_or_fail(config_file, isolated)
    if output_format == "json":
        import json

        from referral_lint.formats.json import rule_record

        document = [{**rule_record(rule), "check": rule.check, "default": rule.default, "file": rule.file} for rule in specs]
        click.echo(json.dumps(document, indent=2, ensure_ascii=False))
        return
    width = max(len(rule.id) for rule in specs)
    click.echo(f"{'RULE':<{width}}  {'SEVERITY':<8}  {'CHECK':<7}  SUMMARY")
    for rule in specs:
        click.echo(f"{rule.id:<{width}}  {rule.severity.value:<8}  {rule.check:<7}  {rule.summary}")


@main.command(context_settings=_CONTEXT)
@click.argument("rule_id", metavar="RULE")
@click.option("--model", help="Say which patterns run with this trained pipeline.")
@_config_options
def explain(rule_id: str, model: str | None, config_file: str | None, isolated: bool) -> None:
    """Explain a rule (built in, or from the configuration's rule-dirs): what it checks, why, and examples."""
    specs = {rule.id: rule for rule in _rules_or_fail(config_file, isolated)}
    rule = specs.get(rule_id)
    if rule is None:
        _fail(f"unknown rule {rule_id!r} (see 'referral-lint rules')")
    click.echo(_explanation(rule, model))


@main.command("test-rules", context_settings=_CONTEXT)
@click.argument("directory", metavar="DIR")
def test_rules(directory: str) -> None:
    """Run the examples of the rules in DIR, as the test suite runs the built-in rules' examples.

    Each bad example must be flagged by its rule (and, with 'fixed:', fix to that text);
    each good example must not be. Exit status: 0 all hold, 1 an example fails, 2 a rule
    file or the directory is broken.
    """
    from referral_lint.engine.loader import builtin_rules_dir, rule_files
    from referral_lint.rule_examples import cases, examples_linter, problem

    where = Path(os.path.abspath(directory))
    # The built-in rules are always loaded: their own directory adds nothing (and is no duplicate).
    extra = () if where.resolve() == builtin_rules_dir().resolve() else (where,)
    try:
        files = {path.resolve() for path in rule_files(where)}
        if not files:
            _fail(f"{display_name(directory)}: no rule files (.yaml, .yml) in this directory")
        theirs = tuple(rule for rule in load_rules(extra) if Path(rule.file).resolve() in files)
        linter = examples_linter(extra)
    except RuleError as error:
        _fail(str(error))
    except Exception as error:  # a broken trained pipeline must not end in a traceback
        _fail(f"cannot load the pipeline: {error}")
    total = failed = 0
    for case in cases(theirs):
        total += 1
        found = problem(linter, case)
        if found is not None:
            failed += 1
            click.echo(f"FAIL {display_name(case.rule.file)}: {case.rule.id}: {case.kind} example {case.number}: {found}")
            click.echo(f"     {' '.join(case.example.text.split())}")
    rules_word = f"{len(theirs)} rule{'s' if len(theirs) != 1 else ''}"
    if failed:
        click.echo(f"{failed} of {total} examples of {rules_word} failed.")
        sys.exit(EXIT_VIOLATIONS)
    click.echo(f"All {total} examples of {rules_word} hold.")


def _explanation(rule: RuleSpec, model: str | None) -> str:
    wrap = lambda text: textwrap.fill(" ".join(text.split()), 88)  # noqa: E731
    out = [f"{rule.id}: {rule.summary}", "", f"Severity: {rule.severity.value}    Check: {rule.check}", ""]
    out += ["Why", wrap(rule.why), ""]
    if rule.details:
        out += ["Details", wrap(rule.details), ""]
    if rule.limits:
        out.append("Bounds by channel")
        for channel, limit in rule.limits.items():
            bounds = ", ".join(
                f"{'max ' + str(b.max) if b.max is not None else 'min ' + str(b.min)} ({b.severity.value})"
                for b in limit.bounds
            )
            out.append(f"  {channel:<16} {limit.measure}: {bounds}")
        out.append("")
    if rule.trained_only_patterns:
        if model:
            out += [f"{rule.trained_only_patterns} pattern(s) use part-of-speech or dependency annotations; they run with {model}.", ""]
        else:
            out += [
                f"{rule.trained_only_patterns} pattern(s) need a trained pipeline (tagger/parser) and are skipped"
                " with the embedded default; pass --model en_core_web_sm (installed) to run them.",
                "",
            ]
    out.append("Bad")
    out += [f"  - {' '.join(example.text.split())}" for example in rule.bad_examples]
    out += ["", "Good"]
    out += [f"  + {' '.join(example.text.split())}" for example in rule.good_examples]
    return "\n".join(out)


@main.group(context_settings=_CONTEXT)
def daemon() -> None:
    """The background process that runs check, fix, batch and lsp without spaCy's start-up.

    The first of them starts it (unless REFERRAL_LINT_DAEMON=off, or $CI is set);
    it exits after 15 idle minutes (REFERRAL_LINT_DAEMON_IDLE seconds). See docs/daemon.md.
    """


@daemon.command("start", context_settings=_CONTEXT)
def daemon_start() -> None:
    """Start the daemon for this installation now, and wait until it answers."""
    from referral_lint.daemon import DaemonError, private_socket_dir, supported
    from referral_lint.daemon.client import start

    if not supported():
        _fail("the daemon needs fork and Unix sockets, which this system does not have")
    try:
        private_socket_dir()
    except DaemonError as error:
        _fail(str(error))
    pid = start()
    if pid is None:
        _fail("the daemon did not start")
    click.echo(f"referral-lint daemon running, pid {pid}")


@daemon.command("status", context_settings=_CONTEXT)
def daemon_status() -> None:
    """List this user's daemons (exit 1 when none runs)."""
    import time

    from referral_lint.daemon.client import every_status

    found = every_status()
    for status in found:
        idle = status.get("idle_seconds", 0)
        uptime = time.time() - status.get("started", time.time())
        click.echo(
            f"pid {status.get('pid')}  version {status.get('version')}  up {uptime:.0f} s  commands {status.get('commands')}"
            f"  running {status.get('running')}  exits after {idle:.0f} idle s  {status['socket']}"
        )
    if not found:
        click.echo("no referral-lint daemon is running")
        sys.exit(EXIT_VIOLATIONS)


@daemon.command("stop", context_settings=_CONTEXT)
def daemon_stop() -> None:
    """Stop this user's daemons (commands running finish first)."""
    from referral_lint.daemon.client import stop_all

    stopped = stop_all()
    click.echo(f"stopped {stopped} daemon{'s' if stopped != 1 else ''}")


@main.command(context_settings=_CONTEXT)
@click.option("--stdio", is_flag=True, help="Talk over stdin/stdout (the default and only transport; accepted for editors that pass it).")
@click.option(
    "--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="warning", show_default=True,
    help="What the server logs to stderr.",
)
@no_daemon_option
def lsp(stdio: bool, log_level: str) -> None:
    """Run the language server (JSON-RPC over stdio) for editors: see docs/editors.md."""
    from referral_lint.lsp import serve  # pygls and spaCy load only for this command

    serve(log_level=log_level)


@main.command(context_settings=_CONTEXT)
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="The address to listen on (anything but loopback gets a warning).")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535), help="The port (0: any free port).")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the default browser.")
@click.option("--config", "config_file", metavar="PATH", help="Use this configuration file (default: the one for the current directory).")
@click.option("--isolated", is_flag=True, help="Ignore all configuration files.")
def serve(host: str, port: int, open_browser: bool, config_file: str | None, isolated: bool) -> None:
    """Check drafts in a page in your browser, served from this machine only: see docs/web.md."""
    from referral_lint.web.server import run  # Starlette, uvicorn and spaCy load only for this command

    run(host=host, port=port, open_browser=open_browser, config_file=config_file, isolated=isolated, fail=_fail)


from referral_lint.batch_cli import batch  # noqa: E402  (its own module: see referral_lint/batch.py)

main.add_command(batch)

if __name__ == "__main__":  # pragma: no cover
    main()
