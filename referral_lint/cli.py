"""The ``referral-lint`` command line.

``--help``, ``rules`` and ``explain`` never import spaCy: only ``check`` builds
the pipeline, and it does so once for all the files it lints.
"""

from __future__ import annotations

import os
import sys
import textwrap
from pathlib import Path
from typing import Any, NoReturn

import click

from referral_lint import __version__
from referral_lint.config import CHANNELS, UNUSED_IGNORE, Config, ConfigError, split_names
from referral_lint.engine.loader import load_rules
from referral_lint.engine.schema import RuleSpec
from referral_lint.engine.yamlsource import RuleError
from referral_lint.formats import DEFAULT_FORMAT, FORMATS, FileResult
from referral_lint.inputs import Draft, InputError, display_name, expand, read
from referral_lint.model import Severity
from referral_lint.web import DEFAULT_HOST, DEFAULT_PORT

EXIT_CLEAN, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _fail(message: str) -> NoReturn:
    click.echo(f"referral-lint: error: {_one_line(message)}", err=True)
    sys.exit(EXIT_ERROR)


def _one_line(message: object) -> str:
    """An error for stderr on one line (spaCy's and others' messages span several)."""
    return " ".join(str(message).split())


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


@main.command(context_settings=_CONTEXT)
@click.argument("paths", nargs=-1, required=True, metavar="PATH... | -")
@click.option("--channel", type=click.Choice(CHANNELS), help="Where the message will be sent (default: email if it starts with 'Subject:', else message).")
@click.option(
    "--output-format", "--format", "output_format", type=click.Choice(FORMATS), default=DEFAULT_FORMAT, show_default=True,
    help="How to print the results (see docs/output-formats.md).",
)
@click.option(
    "-o", "--output-file", type=click.Path(dir_okay=False, writable=True), metavar="PATH",
    help="Write the report to PATH (atomically, never coloured) instead of stdout.",
)
@click.option(
    "--fail-on", type=click.Choice([s.value for s in Severity]), default=None,
    help="Exit 1 when a violation is at least this severe.  [default: warning, or the configuration's fail-on]",
)
@click.option("--model", help="A trained spaCy pipeline to use (e.g. en_core_web_sm), if installed.")
@click.option("--no-color", "no_colour", is_flag=True, help="Never colour the output (also: NO_COLOR=1).")
@click.option("--select", multiple=True, metavar="RULES", help="Run only these rules or groups (comma-separated; 'all' for every rule).")
@click.option("--extend-select", multiple=True, metavar="RULES", help="Run these rules or groups too.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Skip these rules or groups.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are violations (errors still exit 2).")
@click.option("--statistics", is_flag=True, help="Print how many violations each rule found, instead of the violations.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the violations and errors: no summary.")
@click.option("--stdin-filename", metavar="PATH", help="The file name of the draft on stdin: where its configuration is looked up, and its name in the output.")
@click.option("--config", "config_file", metavar="PATH", help="Use this configuration file (.referral-lint.yaml or pyproject.toml) for every draft.")
@click.option("--isolated", is_flag=True, help="Ignore all configuration files.")
@click.option("--add-ignore", is_flag=True, help="Add every current violation to the .referral-lint-ignore file beside its draft.")
def check(
    paths: tuple[str, ...], channel: str | None, output_format: str, fail_on: str | None, model: str | None, no_colour: bool,
    output_file: str | None = None, select: tuple[str, ...] = (), extend_select: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (), exit_zero: bool = False, statistics: bool = False, quiet: bool = False,
    stdin_filename: str | None = None, config_file: str | None = None, isolated: bool = False, add_ignore: bool = False,
) -> None:
    """Lint drafts: files, directories (searched for .txt, .md and .eml) or - for stdin.

    Exit status: 0 clean, 1 violations at or above --fail-on, 2 a usage,
    configuration or input error (the other files are still linted).

    Each draft uses the nearest .referral-lint.yaml, or pyproject.toml with a
    [tool.referral-lint] table, above it; options given here override it. See
    docs/configuration.md, and docs/suppression.md for ignoring a violation.
    """
    session = _Session.from_options(
        channel=channel, fail_on=fail_on, model=model, select=select, extend_select=extend_select, ignore=ignore,
        config_file=config_file, isolated=isolated, stdin_filename=stdin_filename,
    )

    results: list[FileResult] = []
    errors: list[InputError] = []
    for item in expand(paths):
        if isinstance(item, InputError):
            errors.append(item)
            click.echo(f"referral-lint: error: {item}", err=True)
            continue
        if item[1] is None and stdin_filename:  # stdin, named
            item = (stdin_filename, None)
        linter = session.linter_for(item[1])  # one Linter per distinct configuration; spaCy loads with the first
        draft = read(*item, filename=stdin_filename) if item[1] is None else read(*item)
        if isinstance(draft, InputError):
            errors.append(draft)
            click.echo(f"referral-lint: error: {draft}", err=True)
            continue
        for note in draft.notes:
            click.echo(f"referral-lint: note: {display_name(draft.name)}: {note}", err=True)
        try:
            # A file that says where it goes (an .eml is an email) sets the channel,
            # unless the user chose one.
            report = linter.lint(draft.text, channel=draft.channel if linter.config.channel is None else None)
        except Exception as error:  # a bug on one draft must not stop the others, nor print a traceback
            cause = f"internal error while linting ({type(error).__name__}: {_one_line(error)}); please report it"
            failure = InputError(draft.name, cause)
            errors.append(failure)
            click.echo(f"referral-lint: error: {failure}", err=True)
            continue
        report = session.suppress(draft, item[1], report, linter.config, errors)  # ignore comments and files
        if report is None:
            continue
        results.append(session.record(FileResult.from_draft(draft, report), linter.config))

    results += session.unused_ignore_results()
    if add_ignore:
        session.add_ignores(quiet)
        sys.exit(EXIT_ERROR if errors else EXIT_CLEAN)
    if statistics:
        session.print_statistics(results, output_format, output_file)
    else:
        _emit(results, errors, output_format, _use_colour(no_colour), session.rules(), output_file, summary=not quiet)
    if errors:
        sys.exit(EXIT_ERROR)
    failing = any(result.report.failing(session.fail_on(result)) for result in results)
    sys.exit(EXIT_VIOLATIONS if failing and not exit_zero else EXIT_CLEAN)


def _emit(
    results: list[FileResult], errors: list[InputError], output_format: str, colour: bool,
    rules: tuple[RuleSpec, ...] = (), output_file: str | None = None, summary: bool = True,
) -> None:
    """Render the report in ``output_format`` to stdout, or atomically to ``output_file``."""
    from referral_lint.formats import Run, render

    if output_file is not None:
        from referral_lint.formats import OutputError, write_report

        report = render(output_format, Run(results, errors, rules, colour=False, summary=summary))  # never colour in a file
        try:
            write_report(output_file, report)
        except OutputError as error:
            _fail(str(error))
        return
    click.echo(render(output_format, Run(results, errors, rules, colour=colour, summary=summary)), nl=False, color=colour)


class _Session:
    """What ``check`` keeps across drafts: one Linter per distinct configuration, and the ignores.

    Each draft's configuration is found with ``referral_lint.settings.config_for``;
    drafts whose configurations come out equal share a Linter (the spaCy pipeline is
    cached per process anyway). A bad configuration file ends the run (exit 2).
    """

    def __init__(self, overrides: dict[str, Any], config_file: str | None, isolated: bool, stdin_filename: str | None) -> None:
        self.overrides = overrides
        self.config_file = config_file
        self.isolated = isolated
        self.stdin_filename = stdin_filename
        self.linters: dict[Config, Any] = {}
        self.configs: dict[int, Config] = {}  # id(FileResult) -> its configuration
        self.linted: list[tuple[str | None, Any, str | None]] = []  # (path, report, the file's text) per draft
        self.stale: dict[Path, tuple[Any, str, list[Any], Config, str]] = {}
        self.broken: set[str] = set()

    @classmethod
    def from_options(
        cls, *, channel: str | None, fail_on: str | None, model: str | None, select: tuple[str, ...],
        extend_select: tuple[str, ...], ignore: tuple[str, ...], config_file: str | None, isolated: bool,
        stdin_filename: str | None,
    ) -> _Session:
        """A session from the command line's options, which override every configuration file."""
        if isolated and config_file is not None:
            _fail("--config and --isolated cannot be used together")
        overrides = {
            key: value
            for key, value in (
                ("channel", channel), ("fail-on", fail_on), ("model", model),
                ("select", split_names(select) if select else None),
                ("extend-select", split_names(extend_select) or None), ("ignore", split_names(ignore) or None),
            )
            if value is not None
        }
        return cls(overrides, config_file, isolated, stdin_filename)

    def _path(self, path: Path | None) -> str | None:
        """The path a draft's configuration and ignore file are looked up from."""
        return str(path) if path is not None else self.stdin_filename

    def linter_for(self, path: Path | None) -> Any:
        from referral_lint.settings import config_for

        try:
            config = config_for(self._path(path), config_file=self.config_file, isolated=self.isolated, overrides=self.overrides)
            linter = self.linters.get(config)
            if linter is None:
                from referral_lint.linter import Linter  # spaCy loads here, once

                linter = self.linters[config] = Linter(config)
        except ConfigError as error:
            if error.file is None and error.path and error.path[0] in self.overrides:
                _fail(f"--{error.path[0]}: {error.problem}")  # a bad command-line option
            _fail(str(error))
        except RuleError as error:
            _fail(str(error))
        except Exception as error:  # a broken trained pipeline must not end in a traceback
            _fail(f"cannot load the pipeline: {error}")
        return linter

    def suppress(self, draft: Draft, path: Path | None, report: Any, config: Config, errors: list[InputError]) -> Any:
        """``report`` without what the draft's ignore comments and ignore file suppress (None: a broken ignore file)."""
        from referral_lint.suppress import IGNORE_FILE, IgnoreFileError, apply_suppressions

        where = self._path(path)
        markdown = getattr(draft, "kind", "text") == "markdown"
        source = getattr(draft, "source", None)
        try:
            outcome = apply_suppressions(report, config=config, path=where, markdown=markdown, source=source)
        except IgnoreFileError as error:
            if str(error) not in self.broken:
                self.broken.add(str(error))
                failure = InputError(f"{error.file}:{error.line}" if error.line else str(error.file), error.problem)
                errors.append(failure)
                click.echo(f"referral-lint: error: {failure}", err=True)
            return None
        if outcome.stale and outcome.ignore_file is not None:
            key = Path(os.path.abspath(outcome.ignore_file.path))
            shown = str(Path(draft.name).parent / IGNORE_FILE)
            self.stale.setdefault(key, (outcome.ignore_file, shown, [], config, report.channel))[2].extend(outcome.stale)
        self.linted.append((where, outcome.report, source))
        return outcome.report

    def record(self, result: FileResult, config: Config) -> FileResult:
        self.configs[id(result)] = config
        return result

    def fail_on(self, result: FileResult) -> Severity:
        return self.configs.get(id(result), Config()).fail_on

    def unused_ignore_results(self) -> list[FileResult]:
        """A result per ignore file with entries that matched nothing (an unused-ignore violation each)."""
        from referral_lint.suppress import unused_entries_report

        return [
            self.record(FileResult(shown, unused_entries_report(ignore, entries, channel)), config)
            for ignore, shown, entries, config, channel in self.stale.values()
        ]

    def rules(self) -> tuple[RuleSpec, ...]:
        """The rules that ran (for formats that describe them), unused-ignore included when it did."""
        seen: dict[str, RuleSpec] = {}
        for linter in self.linters.values():
            for rule in linter.rules:
                seen.setdefault(rule.id, rule)
        if any(UNUSED_IGNORE in _enabled(config) for config in self.linters):
            from referral_lint.suppress import unused_ignore_rule

            seen.setdefault(UNUSED_IGNORE, unused_ignore_rule())
        return tuple(seen.values())

    def add_ignores(self, quiet: bool) -> None:
        """``--add-ignore``: an entry in the draft's directory's ignore file for each violation left."""
        from referral_lint.suppress import add_ignore_entries, ignore_file_for, new_entries

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

    def print_statistics(self, results: list[FileResult], output_format: str, output_file: str | None) -> None:
        """``--statistics``: how many violations each rule found, most first (ruff's layout)."""
        from referral_lint.model import Applicability

        counts: dict[str, list[Any]] = {}
        for result in results:
            for violation in result.report.violations:
                entry = counts.setdefault(violation.rule, [0, False])
                entry[0] += 1
                entry[1] |= bool(violation.suggestions) and violation.suggestions[0].applicability is Applicability.SAFE
        summaries = {rule.id: rule.summary for rule in self.rules()}
        rows = sorted(counts.items(), key=lambda item: (-item[1][0], item[0]))
        if output_format in ("json", "json-lines"):
            import json

            document = [
                {"rule": rule, "count": count, "fixable": fixable, "summary": summaries.get(rule, "")}
                for rule, (count, fixable) in rows
            ]
            text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        else:
            count_width = max((len(str(count)) for _, (count, _) in rows), default=1)
            rule_width = max((len(rule) for rule, _ in rows), default=1)
            any_fixable = any(fixable for _, (_, fixable) in rows)
            text = "".join(
                f"{count:>{count_width}}\t{rule:<{rule_width}}\t"
                f"{('[*] ' if fixable else '[ ] ') if any_fixable else ''}{summaries.get(rule, '')}\n"
                for rule, (count, fixable) in rows
            )
        if output_file is not None:
            from referral_lint.formats import OutputError, write_report

            try:
                write_report(output_file, text)
            except OutputError as error:
                _fail(str(error))
            return
        click.echo(text, nl=False)


@main.command(context_settings=_CONTEXT)
@click.argument("paths", nargs=-1, required=True, metavar="PATH... | -")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply unsafe suggestions: inserted sentences with <blanks> to fill.")
@click.option("--diff", is_flag=True, help="Print a unified diff of the fixes instead of writing any file.")
@click.option("--channel", type=click.Choice(CHANNELS), help="Where the message will be sent (as for check).")
@click.option("--select", multiple=True, metavar="RULES", help="Fix only these rules or groups (comma-separated).")
@click.option("--extend-select", multiple=True, metavar="RULES", help="Fix these rules or groups too.")
@click.option("--ignore", multiple=True, metavar="RULES", help="Leave these rules or groups alone.")
@click.option("--fail-on", type=click.Choice([s.value for s in Severity]), help="Exit 1 when a remaining violation is at least this severe.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when violations remain (errors still exit 2).")
@click.option("-q", "--quiet", is_flag=True, help="Print only the remaining violations and errors.")
@click.option("--stdin-filename", metavar="PATH", help="The file name of the draft on stdin (configuration lookup, reader).")
@click.option("--config", "config_file", metavar="PATH", help="Use this configuration file for every draft.")
@click.option("--isolated", is_flag=True, help="Ignore all configuration files.")
@click.option("--no-color", "no_colour", is_flag=True, help="Never colour the output (also: NO_COLOR=1).")
def fix(
    paths: tuple[str, ...], unsafe_fixes: bool, diff: bool, channel: str | None, select: tuple[str, ...],
    extend_select: tuple[str, ...], ignore: tuple[str, ...], fail_on: str | None, exit_zero: bool, quiet: bool,
    stdin_filename: str | None, config_file: str | None, isolated: bool, no_colour: bool,
) -> None:
    """Apply the safe suggestions to drafts (files, directories, or - for stdin to stdout).

    Each file is rewritten atomically, keeping its encoding, line ends, final newline
    and permissions; a file that changes on disk meanwhile is left alone, with an
    error. What could not be fixed is reported as check reports it, with the same
    exit status.
    """
    session = _Session.from_options(
        channel=channel, fail_on=fail_on, model=None, select=select, extend_select=extend_select, ignore=ignore,
        config_file=config_file, isolated=isolated, stdin_filename=stdin_filename,
    )
    # With stdin, the fixed text is the output: everything else goes to stderr.
    to_stdout_is_text = any(path == "-" for path in paths)
    report_stream_err = to_stdout_is_text and not diff

    results: list[FileResult] = []
    errors: list[InputError] = []
    fixed_count = 0
    files_changed = 0
    unsafe_left = 0
    for item in expand(paths):
        if isinstance(item, InputError):
            errors.append(item)
            click.echo(f"referral-lint: error: {item}", err=True)
            continue
        if item[1] is None and stdin_filename:
            item = (stdin_filename, None)
        linter = session.linter_for(item[1])
        outcome = _fix_one(item, linter, session, unsafe_fixes, stdin_filename)
        if isinstance(outcome, InputError):
            errors.append(outcome)
            click.echo(f"referral-lint: error: {outcome}", err=True)
            continue
        draft, original, result, channel = outcome
        fixed_count += len(result.fixed)
        unsafe_left += sum(
            1 for v in result.remaining if v.suggestions and v.suggestions[0].applicability.value == "unsafe"
        )
        if diff:
            if result.changed:
                click.echo(_unified_diff(draft.name, original, result.text), nl=False)
        elif item[1] is None:
            click.echo(result.text, nl=False)
        elif result.changed:
            from referral_lint.fix import ChangedOnDisk

            try:
                _write_fixed(item[1], result.text)
            except ChangedOnDisk as error:
                failure = InputError(draft.name, str(error).split(": ", 1)[-1] if ": " in str(error) else str(error))
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
        from referral_lint.model import Report

        remaining = Report(text=result.text, channel=channel, violations=list(result.remaining))
        results.append(session.record(FileResult(draft.name, remaining), linter.config))

    from referral_lint.formats import Run, render

    remaining_text = render(DEFAULT_FORMAT, Run(results, errors, session.rules(), colour=False, summary=False))
    if any(r.report.violations for r in results):
        click.echo(remaining_text, nl=False, err=report_stream_err or diff)
    if not quiet:
        verb = "Would fix" if diff else "Fixed"
        left = sum(len(r.report.violations) for r in results)
        line = f"{verb} {fixed_count} problem{'s' if fixed_count != 1 else ''}"
        line += f" in {files_changed} file{'s' if files_changed != 1 else ''}; {left} remain{'s' if left == 1 else ''}."
        if unsafe_left and not unsafe_fixes:
            line += f" {unsafe_left} more can be fixed with --unsafe-fixes."
        click.echo(line, err=report_stream_err or diff)
    if errors:
        sys.exit(EXIT_ERROR)
    failing = any(result.report.failing(session.fail_on(result)) for result in results)
    sys.exit(EXIT_VIOLATIONS if failing and not exit_zero else EXIT_CLEAN)


def _fix_one(item: tuple[str, Path | None], linter: Any, session: "_Session", unsafe: bool, stdin_filename: str | None) -> Any:
    """Fix one draft: (draft, its original text, FixResult, the channel it was judged as), or an InputError."""
    from referral_lint.fix import fix_until_stable
    from referral_lint.inputs import prepare
    from referral_lint.suppress import apply_suppressions

    name, path = item
    draft = read(name, path, filename=stdin_filename) if path is None else read(name, path)
    if isinstance(draft, InputError):
        return draft
    if draft.positions != "file":
        return InputError(draft.name, "the email body is transfer-encoded (quoted-printable or base64); fix it in your mail client")
    original = draft.source or draft.text
    where = session._path(path)
    channels: list[str] = []

    def lint(source: str) -> list[Any]:
        current = draft if source == original else prepare(Draft(draft.name, source), draft.kind)
        if isinstance(current, InputError):
            return []
        report = linter.lint(current.text, channel=draft.channel if linter.config.channel is None else None)
        channels.append(report.channel)
        outcome = apply_suppressions(report, config=linter.config, path=where, markdown=draft.kind == "markdown", source=source)
        return [v for v in outcome.report.violations if v.rule != UNUSED_IGNORE]

    result = fix_until_stable(original, lint, unsafe=unsafe)
    return draft, original, result, channels[-1] if channels else "message"


def _write_fixed(path: Path, text: str) -> None:
    """Write the fixed text over ``path`` atomically, as it was encoded (BOM kept)."""
    from referral_lint.fix import write_atomically

    original = path.read_bytes()
    write_atomically(path, original, text, bom=original.startswith(b"\xef\xbb\xbf"))


def _unified_diff(name: str, before: str, after: str) -> str:
    import difflib

    old, new = (name, name) if os.path.isabs(name) else (f"a/{name}", f"b/{name}")
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), fromfile=old, tofile=new)
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def _enabled(config: Config) -> frozenset[str]:
    from referral_lint.suppress import rule_catalogue

    return rule_catalogue(config)[1]


def _rules_or_fail() -> tuple[RuleSpec, ...]:
    """The built-in rules, and the unused-ignore pseudo-rule (it can be selected and explained too)."""
    from referral_lint.suppress import unused_ignore_rule

    try:
        return (*load_rules(), unused_ignore_rule())
    except RuleError as error:
        _fail(str(error))


@main.command(context_settings=_CONTEXT)
def rules() -> None:
    """List the rules: id, severity, check kind and what each one wants."""
    specs = _rules_or_fail()
    width = max(len(rule.id) for rule in specs)
    click.echo(f"{'RULE':<{width}}  {'SEVERITY':<8}  {'CHECK':<7}  SUMMARY")
    for rule in specs:
        click.echo(f"{rule.id:<{width}}  {rule.severity.value:<8}  {rule.check:<7}  {rule.summary}")


@main.command(context_settings=_CONTEXT)
@click.argument("rule_id", metavar="RULE")
@click.option("--model", help="Say which patterns run with this trained pipeline.")
def explain(rule_id: str, model: str | None) -> None:
    """Explain a rule: what it checks, why, and good and bad examples."""
    specs = {rule.id: rule for rule in _rules_or_fail()}
    rule = specs.get(rule_id)
    if rule is None:
        _fail(f"unknown rule {rule_id!r} (see 'referral-lint rules')")
    click.echo(_explanation(rule, model))


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


@main.command(context_settings=_CONTEXT)
@click.option("--stdio", is_flag=True, help="Talk over stdin/stdout (the default and only transport; accepted for editors that pass it).")
@click.option(
    "--log-level", type=click.Choice(["debug", "info", "warning", "error"]), default="warning", show_default=True,
    help="What the server logs to stderr.",
)
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


if __name__ == "__main__":  # pragma: no cover
    main()
