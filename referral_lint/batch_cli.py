"""The ``batch`` command (registered in cli.py); the work is in referral_lint.batch."""

from __future__ import annotations

import sys

import click

from referral_lint.config import CHANNELS
from referral_lint.launcher import no_daemon_option
from referral_lint.model import Severity
from referral_lint.records import INPUT_FORMATS

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.command(context_settings=_CONTEXT)
@click.argument("path", metavar="FILE | -")
@click.option("--input-format", type=click.Choice(INPUT_FORMATS), help="How FILE is written  [default: csv for a .csv file, else jsonl].")
@click.option("--text-field", default="text", show_default=True, metavar="NAME", help="The field (JSON key or CSV column) holding the draft.")
@click.option("--id-field", metavar="NAME", help="The field holding each record's id  [default: the record's number, from 1].")
@click.option("--channel-field", metavar="NAME", help="The field holding each record's channel (empty: judged from the text).")
@click.option("--channel", type=click.Choice(CHANNELS), help="The channel of records that name none.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Worker processes  [default: the machine's cores].")
@click.option("-o", "--output-file", metavar="PATH", help="Write the results to PATH (replaced when the run ends) instead of stdout.")
@click.option("--no-mass-messages", is_flag=True, help="Do not look for drafts that are copies of one message with names swapped.")
@click.option("--fail-on", type=click.Choice([s.value for s in Severity]), help="Exit 1 when a violation is at least this severe  [default: warning].")
@click.option("--select", multiple=True, metavar="RULES", help="Run only these rules or groups (comma-separated; 'all' for every rule).")
@click.option("--ignore", multiple=True, metavar="RULES", help="Skip these rules or groups.")
@click.option("--config", "config_file", metavar="PATH", help="Use this configuration file (default: the one found from the current directory).")
@click.option("--isolated", is_flag=True, help="Ignore all configuration files.")
@no_daemon_option
def batch(
    path: str, input_format: str | None, text_field: str, id_field: str | None, channel_field: str | None,
    channel: str | None, jobs: int | None, output_file: str | None, no_mass_messages: bool, fail_on: str | None,
    select: tuple[str, ...], ignore: tuple[str, ...], config_file: str | None, isolated: bool,
) -> None:
    """Lint many drafts from a JSON Lines or CSV file (or - for stdin), on every core.

    Writes one JSON result per record, in input order: {"id", "channel", "violations"},
    or {"id", "record", "error"} for a record that cannot be linted (the run goes on). Then one
    {"rule": "mass-message", "ids": [...]} line per group of drafts that are one message
    with the names swapped. A summary goes to stderr.

    Exit status: 0 clean, 1 problems found (a violation at or above --fail-on, or a mass
    message), 2 a usage or input error, or any record that could not be linted.
    See docs/scale.md.
    """
    from concurrent.futures.process import BrokenProcessPool

    from referral_lint import batch as batch_run
    from referral_lint import mass
    from referral_lint.cli import _fail, lint_session
    from referral_lint.config import ConfigError
    from referral_lint.yamlsource import RuleError
    from referral_lint.parallel import default_jobs
    from referral_lint.records import Fields, InputFormatError, format_of, open_input, read_records

    session = lint_session({
        "channel": channel, "fail_on": fail_on, "model": None, "select": select, "extend_select": (), "ignore": ignore,
        "config_file": config_file, "isolated": isolated,
    })
    mass_messages = not no_mass_messages and mass.available()
    if not no_mass_messages and not mass_messages:
        from referral_lint.extras import install_hint

        click.echo(f"referral-lint: note: not looking for mass messages: it needs datasketch ({install_hint('batch')})", err=True)
    try:
        stream = open_input(path)
        records = read_records(stream, format_of(path, input_format), Fields(text_field, id_field, channel_field))
        try:  # the configuration of the directory batch runs in; spaCy loads here, once, before the workers fork
            linter = session.linter_for(session.config_for(None))
        except (ConfigError, RuleError) as error:
            _fail(str(error))
        with batch_run.output(output_file) as out, batch_run.progress_bar(batch_run.count_lines(path)) as progress:
            summary = batch_run.run(records, linter, out, jobs=jobs or default_jobs(), mass_messages=mass_messages, progress=progress)
    except InputFormatError as error:
        _fail(f"{path}: {error}" if path != "-" and not str(error).startswith(path) else str(error))
    except BrokenProcessPool:
        _fail("a worker process died (out of memory?); run again with fewer --jobs")
    except OSError as error:
        _fail(f"{output_file or 'stdout'}: cannot write: {error.strerror or error}")
    click.echo(summary.text(), err=True, nl=False)
    sys.exit(summary.exit_status)
