"""The ``referral-lint`` command line.

``--help``, ``rules`` and ``explain`` never import spaCy: only ``check`` builds
the pipeline, and it does so once for all the files it lints.
"""

from __future__ import annotations

import os
import sys
import textwrap
from typing import NoReturn

import click

from referral_lint import __version__
from referral_lint.config import CHANNELS, Config, ConfigError
from referral_lint.engine.loader import load_rules
from referral_lint.engine.schema import RuleSpec
from referral_lint.engine.yamlsource import RuleError
from referral_lint.formats import FORMATS, FileResult
from referral_lint.inputs import Draft, InputError, expand, read
from referral_lint.model import Severity

EXIT_CLEAN, EXIT_VIOLATIONS, EXIT_ERROR = 0, 1, 2

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _fail(message: str) -> NoReturn:
    click.echo(f"referral-lint: error: {message}", err=True)
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


@main.command(context_settings=_CONTEXT)
@click.argument("paths", nargs=-1, required=True, metavar="PATH... | -")
@click.option("--channel", type=click.Choice(CHANNELS), help="Where the message will be sent (default: email if it starts with 'Subject:', else message).")
@click.option(
    "--output-format", "--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True,
    help="How to print the results.",
)
@click.option(
    "--fail-on", type=click.Choice([s.value for s in Severity]), default=Severity.WARNING.value, show_default=True,
    help="Exit 1 when a violation is at least this severe.",
)
@click.option("--model", help="A trained spaCy pipeline to use (e.g. en_core_web_sm), if installed.")
@click.option("--no-color", "no_colour", is_flag=True, help="Never colour the output (also: NO_COLOR=1).")
def check(
    paths: tuple[str, ...], channel: str | None, output_format: str, fail_on: str, model: str | None, no_colour: bool
) -> None:
    """Lint drafts: files, directories (searched for .txt and .md) or - for stdin.

    Exit status: 0 clean, 1 violations at or above --fail-on, 2 a usage,
    configuration or input error (the other files are still linted).
    """
    try:
        config = Config(channel=channel, fail_on=Severity(fail_on), model=model)
        from referral_lint.linter import Linter  # spaCy loads here, once

        linter = Linter(config)
    except (RuleError, ConfigError) as error:
        _fail(str(error))
    except Exception as error:  # a broken trained pipeline must not end in a traceback
        _fail(f"cannot load the pipeline: {error}")

    results: list[FileResult] = []
    errors: list[InputError] = []
    for item in expand(paths):
        if isinstance(item, InputError):
            errors.append(item)
            click.echo(f"referral-lint: error: {item}", err=True)
            continue
        draft = read(*item)
        if isinstance(draft, InputError):
            errors.append(draft)
            click.echo(f"referral-lint: error: {draft}", err=True)
            continue
        results.append(FileResult(draft.name, linter.lint(draft.text)))

    _emit(results, errors, output_format, _use_colour(no_colour))
    if errors:
        sys.exit(EXIT_ERROR)
    failing = any(result.report.failing(config.fail_on) for result in results)
    sys.exit(EXIT_VIOLATIONS if failing else EXIT_CLEAN)


def _emit(results: list[FileResult], errors: list[InputError], output_format: str, colour: bool) -> None:
    if output_format == "json":
        from referral_lint.formats import json as json_format

        click.echo(json_format.render(results, [{"path": e.name, "error": e.cause} for e in errors]), nl=False)
    else:
        from referral_lint.formats import text as text_format

        click.echo(text_format.render(results, colour=colour), nl=False, color=colour)


def _rules_or_fail() -> tuple[RuleSpec, ...]:
    try:
        return load_rules()
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


if __name__ == "__main__":  # pragma: no cover
    main()
