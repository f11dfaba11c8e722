"""The result cache: a second ``check`` of unchanged drafts prints exactly what the first
printed, in every output format, without building a Linter or importing spaCy; anything
a draft's violations depend on, changed, lints it again; suppressions are applied fresh."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import HEAVY_MODULES_LOADED, write
from referral_lint import cache_settings, result_cache
from referral_lint.cli import main
from referral_lint.engine import loader
from referral_lint.formats import FORMATS
from referral_lint.session import LintSession
from test_config import BUZZ_DRAFT, TEAM_RULE

# Written for these tests: two drafts with problems, one clean enough to have few.
REFER_ME = "Hi Sam,\n\nrefer me for the Data Analyst role at Quillmark ASAP.\n\nAlex\n"
LONGER = (
    "Hi Dana,\n\nWe worked together at Orbitly on the billing team. I saw the Backend Engineer role "
    "(job 5520) on your careers page, and I have four years of Go behind me. Would you be open to "
    "referring me? No worries at all if it's not a fit.\n\nThank you for your time,\nRiley\n"
)


@pytest.fixture
def drafts(tmp_path: Path) -> Path:
    directory = tmp_path / "drafts"
    write(directory / "refer-me.txt", REFER_ME)
    write(directory / "longer.txt", LONGER)
    write(directory / "notes.md", "# Note to Sam\n\n" + REFER_ME)
    return directory


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv(cache_settings.CACHE_DIR_ENV, str(directory))
    monkeypatch.delenv(cache_settings.NO_CACHE_ENV, raising=False)
    return directory


@pytest.fixture
def lints(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The drafts linted by a Linter (not read from the cache) in this process, by text."""
    from referral_lint.linter import Linter

    linted: list[str] = []
    lint = Linter.lint

    def counting(self, text, **options):
        linted.append(text)
        return lint(self, text, **options)

    monkeypatch.setattr(Linter, "lint", counting)
    return linted


def check(*arguments: object, input: str | None = None):
    return CliRunner().invoke(main, ["check", "--isolated", "--jobs", "1", *map(str, arguments)], input=input)


def entries(cache: Path) -> list[tuple[str, str, int]]:
    """The result cache's rows: (key, entry, day last used)."""
    if not (cache / result_cache.DATABASE).exists():
        return []
    with closing(sqlite3.connect(cache / result_cache.DATABASE)) as database:
        return database.execute("SELECT key, entry, used FROM results ORDER BY key").fetchall()


@pytest.mark.parametrize("output_format", FORMATS)
def test_every_output_format_is_the_same_cached_and_uncached(drafts, cache, lints, output_format):
    first = check("--output-format", output_format, drafts)
    assert len(lints) == 3 and len(entries(cache)) == 3
    second = check("--output-format", output_format, drafts)
    assert len(lints) == 3  # nothing linted again
    uncached = check("--no-cache", "--output-format", output_format, drafts)
    assert len(lints) == 6
    assert first.exit_code == second.exit_code == uncached.exit_code == 1
    assert first.output == second.output == uncached.output
    assert "demanding-phrasing" in first.output or output_format == "statistics"


def test_a_second_check_of_an_unchanged_tree_imports_no_spacy(drafts, cache, tmp_path):
    code = (
        "import sys\nfrom referral_lint.cli import main\n"
        f"try:\n    main(['check', '--isolated', {str(drafts)!r}])\nexcept SystemExit:\n    pass\n"
        + HEAVY_MODULES_LOADED + "print(loaded, file=sys.stderr)\n"
    )
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120) for _ in range(2)]
    assert "spacy" in runs[0].stderr.splitlines()[-1]
    assert runs[1].stderr.splitlines()[-1] == "[]"
    assert runs[0].stdout == runs[1].stdout and "refer-me.txt" in runs[1].stdout


def test_what_a_report_depends_on_changed_lints_the_draft_again(drafts, cache, lints, tmp_path):
    check(drafts)
    assert len(lints) == 3
    write(drafts / "refer-me.txt", REFER_ME.replace("ASAP", "today"))  # the text
    check(drafts)
    assert lints[3:] == [REFER_ME.replace("ASAP", "today")]
    check("--channel", "email", drafts)  # the channel
    check("--ignore", "length", drafts)  # the configuration
    assert len(lints) == 10


def test_an_edited_rule_file_lints_the_drafts_again(tmp_path, cache, lints, monkeypatch):
    team = write(tmp_path / "team-rules" / "no-buzzwords.yaml", TEAM_RULE)
    write(tmp_path / ".referral-lint.yaml", "rule-dirs: [team-rules]\n")
    draft = write(tmp_path / "draft.txt", BUZZ_DRAFT)
    runner = CliRunner()
    first = runner.invoke(main, ["check", "--config", str(tmp_path / ".referral-lint.yaml"), str(draft)])
    assert "Skip the buzzwords" in first.output or "no-buzzwords" in first.output
    write(team, TEAM_RULE.replace("severity: warning", "severity: error"))
    monkeypatch.setattr(loader, "_LOADED", {})  # as a new process: the rules read again
    second = runner.invoke(main, ["check", "--config", str(tmp_path / ".referral-lint.yaml"), "--output-format", "json", str(draft)])
    assert len(lints) == 2
    severities = {v["rule"]: v["severity"] for v in json.loads(second.output)["files"][0]["violations"]}
    assert severities["no-buzzwords"] == "error"


def test_suppressions_are_applied_fresh(drafts, cache, lints):
    draft = drafts / "refer-me.txt"
    first = check("--output-format", "concise", draft)
    assert "refer-me.txt:3:1: demanding-phrasing" in first.output
    check("--add-ignore", draft)  # an ignore file changes no draft: its violations come from the cache
    ignored = check("--output-format", "concise", draft)
    assert ignored.exit_code == 0 and "demanding-phrasing" not in ignored.output
    (drafts / ".referral-lint-ignore").unlink()
    assert check("--output-format", "concise", draft).output == first.output
    assert len(lints) == 1


def test_stdin_fix_and_no_cache_neither_read_nor_write_it(drafts, cache, lints):
    check("-", input=REFER_ME)
    check("--stdin-filename", str(drafts / "refer-me.txt"), "-", input=REFER_ME)
    check("--no-cache", drafts)
    CliRunner().invoke(main, ["fix", "--isolated", "--jobs", "1", "--diff", str(drafts)])
    assert entries(cache) == []
    check(drafts)
    assert len(entries(cache)) == 3


def test_cache_dir_says_where(drafts, cache, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    check("--cache-dir", elsewhere, drafts)
    assert len(entries(elsewhere)) == 3 and not cache.exists()
    assert os.environ[cache_settings.CACHE_DIR_ENV] == str(cache)  # chosen for the run, not written into the environment
    assert cache_settings.current().directory == cache  # and not kept after it
    check("--no-cache", drafts)
    assert cache_settings.NO_CACHE_ENV not in os.environ and cache_settings.current().enabled


def test_a_corrupt_entry_is_a_miss_and_written_again(drafts, cache, lints):
    first = check(drafts / "refer-me.txt")
    [(key, entry, _)] = entries(cache)
    with closing(sqlite3.connect(cache / result_cache.DATABASE)) as database, database:
        database.execute("UPDATE results SET entry = ?", ('{"channel": "message", "violations": [{"rule": 1}]',))
    second = check(drafts / "refer-me.txt")
    assert len(lints) == 2 and second.output == first.output
    assert entries(cache) == [(key, entry, entries(cache)[0][2])]  # whole again


def test_a_cache_that_is_no_database_costs_nothing_but_time(drafts, cache, lints):
    write(cache / result_cache.DATABASE, "not a database, but some text that is long enough to look like a header" * 20)
    first, second = check(drafts / "refer-me.txt"), check(drafts / "refer-me.txt")
    assert first.exit_code == second.exit_code == 1 and first.output == second.output
    assert len(lints) == 2


def test_entries_unused_for_a_month_are_pruned(drafts, cache):
    check(drafts)
    (old, *_), *kept = entries(cache)
    with closing(sqlite3.connect(cache / result_cache.DATABASE)) as database, database:
        database.execute("UPDATE results SET used = used - ? WHERE key = ?", (result_cache.MAX_AGE_DAYS + 1, old))
        database.execute("UPDATE pruned SET day = day - 1")  # last pruned yesterday
    result_cache.ResultCache(cache_settings.current())._database()  # the next run opens it: pruned
    assert [key for key, _, _ in entries(cache)] == [key for key, _, _ in kept]


def test_past_the_most_entries_the_least_recently_used_go(drafts, cache, monkeypatch):
    check(drafts)
    used_last = entries(cache)[1][0]
    with closing(sqlite3.connect(cache / result_cache.DATABASE)) as database, database:
        database.execute("UPDATE results SET used = used - 1 WHERE key != ?", (used_last,))
        database.execute("UPDATE pruned SET day = day - 1")
    monkeypatch.setattr(result_cache, "MAX_ENTRIES", 1)
    result_cache.ResultCache(cache_settings.current())._database()
    assert [key for key, _, _ in entries(cache)] == [used_last]


def test_the_api_session_uses_no_result_cache_unless_asked(drafts, cache, lints):
    LintSession(isolated=True).lint_path(drafts / "longer.txt")
    assert entries(cache) == []
    session = LintSession(isolated=True, cache_results=True)
    first = session.lint_path(drafts / "longer.txt")
    again = LintSession(isolated=True, cache_results=True).lint_path(drafts / "longer.txt")
    assert len(lints) == 2
    assert again.report == first.report and again.rules == first.rules


def test_workers_read_and_fill_the_cache_with_the_same_output(tmp_path, cache, monkeypatch):
    """Some drafts cached, some not, linted on two workers a few at a time: the output of one
    process with no cache, and every draft cached afterwards."""
    from referral_lint import cli

    monkeypatch.setattr(cli, "FILES_PER_CHUNK", 2)
    directory = tmp_path / "many"
    for index in range(12):
        write(directory / f"note-{index:02}.txt", REFER_ME.replace("Sam", f"Sam {index}") if index % 2 else LONGER.replace("Dana", f"Dana {index}"))
    check("--output-format", "json", directory / "note-03.txt", directory / "note-04.txt")
    mixed = CliRunner().invoke(main, ["check", "--isolated", "--jobs", "2", "--output-format", "json", str(directory)])
    alone = check("--no-cache", "--output-format", "json", directory)
    assert mixed.output == alone.output and mixed.exit_code == alone.exit_code == 1
    assert len(entries(cache)) == 12


def test_a_spawned_worker_gets_the_command_lines_cache_settings(tmp_path, cache):
    """Where workers are spawned (macOS, Windows) they get the session pickled: its cache choice comes with it."""
    import pickle

    chosen = cache_settings.CacheSettings(enabled=False, directory=tmp_path / "chosen")
    session = LintSession(isolated=True, cache=chosen, cache_results=True)
    try:
        copy = pickle.loads(pickle.dumps(session))
        assert cache_settings.current() == chosen
        assert copy.results is not None and not copy.results.enabled
    finally:
        cache_settings.use(None)


@pytest.fixture
def batched(monkeypatch):
    """Result cache entries written three to a transaction, and two files to a worker's chunk."""
    from referral_lint import cli, session

    monkeypatch.setattr(session, "RESULTS_PER_TRANSACTION", 3)
    monkeypatch.setattr(cli, "FILES_PER_CHUNK", 2)


def many_drafts(directory: Path, count: int) -> Path:
    for index in range(count):
        write(directory / f"note-{index:02}.txt", REFER_ME.replace("Sam", f"Sam {index}"))
    return directory


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_every_draft_is_in_the_cache_after_a_run_written_in_batches(tmp_path, cache, batched, jobs):
    directory = many_drafts(tmp_path / "many", 11)  # batches of three and a last one of two; chunks of two
    first = CliRunner().invoke(main, ["check", "--isolated", "--jobs", jobs, str(directory)])
    assert first.exit_code == 1
    assert len(entries(cache)) == 11


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_what_was_linted_before_an_error_ended_the_run_is_in_the_cache(tmp_path, cache, batched, jobs):
    directory = many_drafts(tmp_path / "many", 5)
    write(directory / "zz-team" / ".referral-lint.yaml", "ignore: [no-such-rule]\n")
    write(directory / "zz-team" / "draft.txt", LONGER)

    result = CliRunner().invoke(main, ["check", "--jobs", jobs, str(directory)])

    assert result.exit_code == 2 and "no-such-rule" in result.stderr
    assert len(entries(cache)) == 5  # with one job, a batch of three and the two kept back when the run ended


def test_an_input_error_ending_in_exit_2_loses_no_entry(tmp_path, cache, batched):
    directory = many_drafts(tmp_path / "many", 4)
    write(directory / "empty.txt", "")
    assert check(directory).exit_code == 2
    assert len(entries(cache)) == 4


def _write_entries(directory: str, prefix: str) -> None:
    from referral_lint.model import Report

    results = result_cache.ResultCache(cache_settings.CacheSettings(True, Path(directory)), batch=10)
    for index in range(300):
        results.put(f"{prefix}{index}", Report(text="", channel="message", violations=[]))
    results.flush()


def test_processes_writing_batches_at_once_wait_for_each_other_and_lose_nothing(cache):
    import multiprocessing

    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    writers = [context.Process(target=_write_entries, args=(str(cache), prefix)) for prefix in "abc"]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(60)
    assert [writer.exitcode for writer in writers] == [0, 0, 0]
    assert len(entries(cache)) == 900
