"""One ``check`` run over many folders: each draft gets its own folder's configuration and
ignore file, though a run finds each folder's once; and a long-running session (the
language server, ``serve``) still sees a configuration file edited between two lints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import write

from referral_lint.cli import main
from referral_lint.ignore_file import entry_line, sentence_digest
from referral_lint.session import LintSession
from test_config import DRAFT


def check(*arguments: object, root: Path) -> dict[str, tuple[str, list[str]]]:
    """``check --output-format json``: (channel, rules of its violations) by file, named relative to ``root``."""
    result = CliRunner().invoke(main, ["check", "--no-cache", "--output-format", "json", *map(str, arguments)], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return {
        Path(record["path"]).relative_to(root).as_posix(): (record["channel"], [v["rule"] for v in record["violations"]])
        for record in json.loads(result.stdout)["files"]
    }


@pytest.fixture
def folders(tmp_path: Path, isolated_settings) -> Path:
    """Drafts of the same text in folders with different configurations."""
    root = tmp_path / "drafts"
    write(root / "quiet" / ".referral-lint.yaml", "ignore: [length]\n")
    write(root / "polite" / ".referral-lint.yaml", "ignore: [demanding-phrasing]\nper-path:\n  'note-*.txt':\n    channel: connection-note\n")
    for folder in ("quiet", "quiet/deeper", "polite", "plain"):
        for name in ("draft.txt", "note-1.txt"):
            write(root / folder / name, DRAFT)
    return root


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_each_draft_gets_its_folders_configuration_in_one_run(folders, jobs):
    together = check("--jobs", jobs, folders, root=folders)

    assert together == {name: check(folders / name, root=folders)[name] for name in together}  # as when checked alone
    assert together["plain/draft.txt"] == ("message", ["length", "demanding-phrasing", "demanding-phrasing"])
    assert together["quiet/draft.txt"] == ("message", ["demanding-phrasing", "demanding-phrasing"])
    assert together["quiet/deeper/note-1.txt"] == together["quiet/draft.txt"]  # the nearest file above
    assert together["polite/draft.txt"] == ("message", ["length"])
    assert together["polite/note-1.txt"] == ("connection-note", [])  # its per-path section: a short note is fine


def test_each_draft_gets_the_ignore_file_beside_it(folders):
    digest = sentence_digest(DRAFT, DRAFT.index("Refer me"))
    write(folders / "plain" / ".referral-lint-ignore", entry_line("demanding-phrasing", digest, "draft.txt"))
    write(folders / "quiet" / "deeper" / ".referral-lint-ignore", entry_line("demanding-phrasing", digest, "note-1.txt"))

    found = check("--jobs", "1", folders, root=folders)

    assert found["plain/draft.txt"][1] == ["length"]
    assert found["plain/note-1.txt"][1] == ["length", "demanding-phrasing", "demanding-phrasing"]  # not named in it
    assert found["quiet/deeper/note-1.txt"][1] == []
    assert found["quiet/note-1.txt"][1] == ["demanding-phrasing", "demanding-phrasing"]  # the file is not inherited


def test_a_long_running_session_sees_a_configuration_edited_between_lints(folders):
    session = LintSession()  # as the language server and serve make it: not one run
    draft = folders / "quiet" / "draft.txt"
    assert [v.rule for v in session.lint_path(draft).report.violations] == ["demanding-phrasing", "demanding-phrasing"]

    write(folders / "quiet" / ".referral-lint.yaml", "ignore: [demanding-phrasing, gratitude]\n")
    [length] = session.lint_path(draft).report.violations
    assert length.rule == "length"
    write(folders / "quiet" / ".referral-lint-ignore", entry_line("length", sentence_digest(DRAFT, length.start), "draft.txt"))
    assert [v.rule for v in session.lint_path(draft).report.violations] == []
