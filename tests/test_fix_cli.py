"""`referral-lint fix`: what it writes, what it leaves, and that it loses nothing."""

from __future__ import annotations

import os
import stat

import pytest
from click.testing import CliRunner

from referral_lint.cli import main
from referral_lint.fix import ChangedOnDisk, write_atomically
from referral_lint.inputs import read

DEMANDING = "Hi Lee,\nWe met at PyCon. Refer me to the hiring manager ASAP.\n\nBest,\nAlex\n"
FIXED = "Hi Lee,\nWe met at PyCon. Would you be open to referring me to the hiring manager?\n\nBest,\nAlex\n"


@pytest.fixture
def run():
    def invoke(*args: str, stdin: str | None = None):
        return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)

    return invoke


def test_fix_writes_the_safe_fixes(run, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(DEMANDING, encoding="utf-8")
    result = run("fix", str(draft), "--isolated")
    assert draft.read_text(encoding="utf-8") == FIXED
    assert "Fixed 1 problem in 1 file" in result.stderr + result.stdout
    assert result.exit_code == 1  # other problems remain (gratitude, easy out, …)


def test_fixing_twice_changes_nothing(run, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(DEMANDING, encoding="utf-8")
    run("fix", str(draft), "--isolated")
    second = run("fix", str(draft), "--isolated")
    assert draft.read_text(encoding="utf-8") == FIXED
    assert "Fixed 0 problems in 0 files" in second.stderr + second.stdout


def test_diff_prints_and_writes_nothing(run, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(DEMANDING, encoding="utf-8")
    result = run("fix", str(draft), "--diff", "--isolated")
    assert draft.read_text(encoding="utf-8") == DEMANDING
    assert "-We met at PyCon. Refer me to the hiring manager ASAP." in result.stdout
    assert "+We met at PyCon. Would you be open to referring me to the hiring manager?" in result.stdout


def test_unsafe_fixes_insert_the_template_sentences(run, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(DEMANDING, encoding="utf-8")
    run("fix", str(draft), "--unsafe-fixes", "--isolated")
    text = draft.read_text(encoding="utf-8")
    assert "No worries at all if it's not a fit." in text
    assert "Thank you for your time, whatever you decide.\n\nBest," in text
    assert "<One sentence" not in text  # display-only: never inserted


def test_stdin_goes_to_stdout(run):
    result = run("fix", "-", "--isolated", stdin=DEMANDING)
    assert result.stdout == FIXED
    assert "Fixed 1 problem" in result.stderr


def test_crlf_bom_final_newline_and_permissions_are_kept(run, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_bytes(b"\xef\xbb\xbf" + DEMANDING.replace("\n", "\r\n").encode("utf-8"))
    draft.chmod(0o640)
    run("fix", str(draft), "--isolated")
    data = draft.read_bytes()
    assert data == b"\xef\xbb\xbf" + FIXED.replace("\n", "\r\n").encode("utf-8")
    assert stat.S_IMODE(os.stat(draft).st_mode) == 0o640
    assert not [p for p in tmp_path.iterdir() if p.name != "draft.txt"]  # no temporary file left behind


def test_a_file_changed_on_disk_is_left_untouched(tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(DEMANDING, encoding="utf-8")
    snapshot = read("draft.txt", draft).snapshot
    draft.write_text("edited elsewhere in the meantime\n", encoding="utf-8")
    with pytest.raises(ChangedOnDisk):
        write_atomically(draft, snapshot, FIXED, bom=False)
    assert draft.read_text(encoding="utf-8") == "edited elsewhere in the meantime\n"
    assert [p.name for p in tmp_path.iterdir()] == ["draft.txt"]


def test_an_edit_of_the_same_size_and_time_is_still_seen(tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(DEMANDING, encoding="utf-8")
    snapshot = read("draft.txt", draft).snapshot
    before = os.stat(draft)
    draft.write_text(DEMANDING.replace("Lee", "Kim"), encoding="utf-8")
    os.utime(draft, ns=(before.st_atime_ns, before.st_mtime_ns))
    with pytest.raises(ChangedOnDisk):
        write_atomically(draft, snapshot, FIXED, bom=False)
    assert "Kim" in draft.read_text(encoding="utf-8")


def test_an_edit_made_while_fix_lints_is_kept(run, tmp_path, monkeypatch):
    """The edit lands after fix read the file and before it writes: fix must not overwrite it."""
    from referral_lint.linter import Linter

    draft = tmp_path / "draft.txt"
    other = tmp_path / "other.txt"
    draft.write_text(DEMANDING, encoding="utf-8")
    other.write_text(DEMANDING, encoding="utf-8")
    real_lint = Linter.lint

    def lint_while_someone_types(self, text, **options):
        if draft.read_text(encoding="utf-8") == DEMANDING:
            with draft.open("a", encoding="utf-8") as file:
                file.write("P.S. typed during the fix\n")
        return real_lint(self, text, **options)

    monkeypatch.setattr(Linter, "lint", lint_while_someone_types)
    result = run("fix", str(draft), str(other), "--isolated")
    assert draft.read_text(encoding="utf-8") == DEMANDING + "P.S. typed during the fix\n"
    assert other.read_text(encoding="utf-8") == FIXED
    assert f"{draft}: changed while it was being fixed; left untouched" in result.stderr
    assert result.exit_code == 2


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root may give a file to another user")
def test_root_keeps_the_owner_and_group_of_the_file_it_fixes(run, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(DEMANDING, encoding="utf-8")
    os.chown(draft, 65534, 65534)
    draft.chmod(0o640)
    run("fix", str(draft), "--isolated")
    status = os.stat(draft)
    assert draft.read_text(encoding="utf-8") == FIXED
    assert (status.st_uid, status.st_gid, stat.S_IMODE(status.st_mode)) == (65534, 65534, 0o640)


def test_an_inserted_sentence_keeps_crlf_line_ends_whole(run, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_bytes(b"Hi Priya,\r\n\r\nRefer me to the hiring manager for the Data Engineer role ASAP.\r\n\r\nSam\r\n")
    run("fix", str(draft), "--isolated", "--unsafe-fixes")
    data = draft.read_bytes()
    assert b"No worries at all if it's not a fit." in data  # a sentence was inserted before a line end
    assert data.count(b"\r") == data.count(b"\n") == data.count(b"\r\n") == 5
    assert data.endswith(b"whatever you decide.\r\n\r\nSam\r\n")


def test_markdown_code_is_never_touched(run, tmp_path):
    draft = tmp_path / "draft.md"
    body = "Hi Lee,\n\nWe met at PyCon. Refer me to the hiring manager ASAP.\n\n```\nRefer me ASAP\n```\n"
    draft.write_text(body, encoding="utf-8")
    run("fix", str(draft), "--isolated")
    text = draft.read_text(encoding="utf-8")
    assert "```\nRefer me ASAP\n```" in text
    assert "Would you be open to referring me to the hiring manager?" in text


def test_a_missing_file_is_an_error_and_the_others_are_fixed(run, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(DEMANDING, encoding="utf-8")
    result = run("fix", str(tmp_path / "nope.txt"), str(draft), "--isolated")
    assert result.exit_code == 2
    assert "nope.txt: no such file or directory" in result.stderr
    assert draft.read_text(encoding="utf-8") == FIXED


def test_exit_zero_and_clean_files(run, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(DEMANDING, encoding="utf-8")
    assert run("fix", str(draft), "--isolated", "--exit-zero").exit_code == 0


def test_an_empty_stdin_or_an_unreadable_file_alone_prints_only_the_error(run, tmp_path):
    result = run("fix", "-", stdin="\n")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", "referral-lint: error: <stdin>: empty file, nothing to lint\n")
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    result = run("fix", str(empty))
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"referral-lint: error: {empty}: empty file, nothing to lint\n")


def test_diff_counts_lines_as_patch_does(run, tmp_path):
    """A form feed or U+2028 ends no line of the diff, and only the real end lacks a newline."""
    draft = tmp_path / "draft.txt"
    draft.write_text("Hi Lee,\n\f\nWe met at PyCon.\u2028Refer me to the hiring manager ASAP.\n\nBest,\nAlex", encoding="utf-8")
    result = run("fix", "--diff", "--select", "demanding-phrasing", str(draft))
    assert result.stdout.split("\n")[2:] == [
        "@@ -1,6 +1,6 @@",
        " Hi Lee,",
        " \f",
        "-We met at PyCon.\u2028Refer me to the hiring manager ASAP.",
        "+We met at PyCon.\u2028Would you be open to referring me to the hiring manager?",
        " ",
        " Best,",
        " Alex",
        "\\ No newline at end of file",
        "",
    ]
