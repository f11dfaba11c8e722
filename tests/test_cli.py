"""The command line as a user meets it: exit codes, output, bad input, colour.

Most tests use click's CliRunner (in-process, fast: the pipeline is built once per
session). A subprocess is used only where a real process matters: exit codes and
what gets imported.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import HEAVY_MODULES_LOADED, run_python

from referral_lint.engine.loader import builtin_rules_dir

from referral_lint.cli import main
from referral_lint.engine.loader import load_rules

REPO = Path(__file__).resolve().parent.parent
GOOD_NOTE = REPO / "examples" / "connection-note" / "good-meetup-data-engineer.txt"
BAD_NOTE = REPO / "examples" / "connection-note" / "bad-came-across-profile.txt"

ANSI = re.compile(r"\x1b\[[0-9;]*m")
HEADER = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<column>\d+): (?P<rule>[a-z][a-z0-9-]*)(?P<fix> \[\*\])? (?P<message>.+)$")
RULE_IDS = {path.stem for path in builtin_rules_dir().glob("*.yaml")}

# Written for these tests: two errors on line 3, both with a safe fix, and nothing else.
DEMANDING = (
    "Hi Ana,\n"
    "We met at PyData in May.\n"
    "Refer me for the Data Engineer role (job 4410) ASAP. No worries if not. Thanks!\n"
)
# Only a warning: 27 words is under the 50 words a message should have.
ONLY_WARNING = (
    "Hi Ana,\n"
    "We met at PyData in May. Would you be open to referring me for the Data Engineer role "
    "(job 4410)? No worries if not. Thanks!\n"
)


@pytest.fixture
def run(linter):  # the session linter: the pipeline and rules are built before the first call
    """Invoke the CLI in-process, with no colour settings inherited from the environment."""

    def invoke(*args: str, input: str | bytes | None = None, env: dict[str, str | None] | None = None):
        environment = {"NO_COLOR": None, "FORCE_COLOR": None, **(env or {})}
        return CliRunner().invoke(main, [str(a) for a in args], input=input, env=environment, catch_exceptions=False)

    return invoke


def headers(output: str) -> list[str]:
    return [line for line in output.splitlines() if HEADER.match(line)]


def stderr_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


# --- exit status -------------------------------------------------------------------


def test_good_example_is_clean(run):
    result = run("check", "--channel", "connection-note", GOOD_NOTE)
    assert result.exit_code == 0, result.output
    assert headers(result.stdout) == []
    assert result.stdout.strip() == "No problems found."
    assert result.stderr == ""


def test_bad_example_fails(run):
    result = run("check", "--channel", "connection-note", BAD_NOTE)
    assert result.exit_code == 1
    rules = {HEADER.match(line)["rule"] for line in headers(result.stdout)}
    assert {"named-role", "stated-connection", "gratitude", "easy-out"} <= rules
    assert result.stdout.splitlines()[-1].startswith(("Found ", "[*] "))


def test_exit_codes_of_a_real_process(tmp_path):
    """0 clean, 1 violations, 2 bad input: as a shell or CI job sees them."""
    missing = tmp_path / "missing.txt"
    commands = {
        0: ["check", "--channel", "connection-note", str(GOOD_NOTE)],
        1: ["check", "--channel", "connection-note", str(BAD_NOTE)],
        2: ["check", str(missing)],
    }
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    processes = {
        expected: subprocess.Popen(
            [sys.executable, "-m", "referral_lint.cli", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=env,
        )
        for expected, args in commands.items()
    }
    errors = {}
    for expected, process in processes.items():
        stdout, errors[expected] = process.communicate(timeout=120)
        assert process.returncode == expected, (expected, stdout, errors[expected])
        assert "Traceback" not in errors[expected]
    assert errors[0] == errors[1] == ""
    # The missing file's error is one line naming the file.
    assert errors[2].splitlines() == [f"referral-lint: error: {missing}: no such file or directory"]


def test_fail_on_error_ignores_warnings(run, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(ONLY_WARNING, encoding="utf-8")
    default = run("check", draft)
    assert default.exit_code == 1
    assert [HEADER.match(line)["rule"] for line in headers(default.stdout)] == ["length"]
    assert run("check", "--fail-on", "error", draft).exit_code == 0
    assert run("check", "--fail-on", "warning", draft).exit_code == 1
    assert run("check", "--fail-on", "info", draft).exit_code == 1
    # The warning is still shown, it just does not fail the run.
    assert headers(run("check", "--fail-on", "error", draft).stdout) == headers(default.stdout)


def test_fail_on_error_still_fails_on_errors(run, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(DEMANDING, encoding="utf-8")
    assert run("check", "--fail-on", "error", draft).exit_code == 1


def test_channel_changes_the_verdict(run, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(ONLY_WARNING, encoding="utf-8")
    assert run("check", "--channel", "connection-note", draft).exit_code == 0
    assert run("check", "--channel", "message", draft).exit_code == 1


# --- text output ---------------------------------------------------------------------


def test_text_output_header_lines_are_exact(run, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(DEMANDING, encoding="utf-8")
    result = run("check", "--channel", "connection-note", draft)
    assert result.exit_code == 1
    assert headers(result.stdout) == [
        f'{draft}:3:1: demanding-phrasing [*] "Refer me" is an order, not a request; '
        "asking as a question leaves the choice with the reader.",
        f'{draft}:3:48: demanding-phrasing [*] "ASAP" rushes the reader; '
        "a referral is a favour they fit around their own work.",
    ]
    assert "Found 2 problems (2 errors)." in result.stdout
    assert "[*] 2 with a safe suggested fix." in result.stdout


def test_text_output_shows_the_source_line_and_underlines_the_span(run, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(DEMANDING, encoding="utf-8")
    lines = run("check", "--channel", "connection-note", draft).stdout.splitlines()
    block = lines[lines.index(next(line for line in lines if ":3:48:" in line)) :][:6]
    assert block[1] == "  |"
    assert block[2] == "3 | Refer me for the Data Engineer role (job 4410) ASAP. No worries if not. Thanks!"
    assert block[3] == "  | " + " " * 47 + "^^^^ error"
    assert block[5] == '  = help: Remove "ASAP"'


def test_text_output_line_numbers_match_the_shown_line_with_unusual_line_breaks(run, tmp_path):
    """A form feed or U+2028 is not a line end for the linter, so the shown line must not split there."""
    draft = tmp_path / "draft.txt"
    draft.write_text("Hi Ana,\u2028we met once.\x0c\nRefer me for the Data Engineer role ASAP.\n", encoding="utf-8")
    lines = run("check", "--channel", "connection-note", draft).stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"{draft}:2:1: demanding-phrasing"))
    assert lines[at + 2] == "2 | Refer me for the Data Engineer role ASAP."
    assert lines[at + 3] == "  | ^^^^^^^^ error"


def test_clean_file_among_others_is_silent(run, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(GOOD_NOTE.read_text(encoding="utf-8"), encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text(DEMANDING, encoding="utf-8")
    result = run("check", "--channel", "connection-note", good, bad)
    assert result.exit_code == 1
    assert {HEADER.match(line)["path"] for line in headers(result.stdout)} == {str(bad)}


# --- json output ------------------------------------------------------------------------


def test_json_output_structure(run, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(DEMANDING, encoding="utf-8")
    result = run("check", "--output-format", "json", "--channel", "connection-note", draft)
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["version"] == 2  # version 2 added context, fixable, input, positions, summary
    assert document["tool"]["name"] == "referral-lint"
    assert isinstance(document["tool"]["version"], str) and document["tool"]["version"]
    assert document["errors"] == []
    [entry] = document["files"]
    assert entry["path"] == str(draft)
    assert entry["channel"] == "connection-note"
    violations = entry["violations"]
    assert [v["rule"] for v in violations] == ["demanding-phrasing", "demanding-phrasing"]
    for violation in violations:
        assert {"rule", "severity", "message", "start", "end", "line", "column", "suggestions"} <= set(violation)
        assert violation["severity"] in ("error", "warning", "info")
        assert isinstance(violation["start"], int) and isinstance(violation["end"], int)
        assert violation["line"] >= 1 and violation["column"] >= 1
        assert violation["suggestions"], "every violation carries a suggestion"
        for suggestion in violation["suggestions"]:
            assert suggestion["applicability"] in ("safe", "unsafe")
            assert isinstance(suggestion["description"], str)
            for edit in suggestion["edits"]:
                assert set(edit) == {"start", "end", "replacement"}
    asap = violations[1]
    assert DEMANDING[asap["start"] : asap["end"]] == "ASAP"
    assert (asap["line"], asap["column"], asap["severity"]) == (3, 48, "error")


def test_format_is_an_alias_of_output_format(run, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(DEMANDING, encoding="utf-8")
    long = run("check", "--output-format", "json", draft).stdout
    short = run("check", "--format", "json", draft).stdout
    assert json.loads(long) == json.loads(short)


def test_json_output_lists_input_errors_and_still_lints_the_rest(run, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(DEMANDING, encoding="utf-8")
    missing = tmp_path / "gone.txt"
    result = run("check", "--output-format", "json", missing, draft)
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert [f["path"] for f in document["files"]] == [str(draft)]
    assert document["files"][0]["violations"]
    assert document["errors"] == [{"path": str(missing), "error": "no such file or directory"}]


def test_json_output_is_utf8_not_escaped(run, tmp_path):
    draft = tmp_path / "zoë.txt"
    draft.write_text("Hi Zoë, refer me for the Data Engineer role ASAP.", encoding="utf-8")
    result = run("check", "--format", "json", draft)
    assert "zoë.txt" in result.stdout
    assert json.loads(result.stdout)["files"][0]["path"] == str(draft)


# --- what gets linted -----------------------------------------------------------------------


def test_directories_are_searched_for_txt_and_md(run, tmp_path):
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".git").mkdir()
    (tmp_path / "node_modules").mkdir()
    for relative in ("a.txt", "b.md", "sub/c.txt", "sub/deeper/d.md"):
        (tmp_path / relative).write_text(DEMANDING, encoding="utf-8")
    for relative in ("notes.rst", "draft.txt.bak", "sub/e.html", ".hidden/f.txt", ".git/g.md", "node_modules/h.txt", "sub/.i.txt"):
        (tmp_path / relative).write_text(DEMANDING, encoding="utf-8")
    if sys.platform != "win32":
        (tmp_path / ".#a.txt").symlink_to("user@host.1234")  # an Emacs lock file: a dangling link
    result = run("check", "--format", "json", tmp_path)
    assert result.exit_code == 1, result.stderr
    found = {Path(entry["path"]).relative_to(tmp_path).as_posix() for entry in json.loads(result.stdout)["files"]}
    assert found == {"a.txt", "b.md", "sub/c.txt", "sub/deeper/d.md"}


def test_a_hidden_file_named_explicitly_is_linted(run, tmp_path):
    draft = tmp_path / ".draft.txt"
    draft.write_text(DEMANDING, encoding="utf-8")
    assert run("check", draft).exit_code == 1


def test_directory_files_are_linted_in_a_stable_order(run, tmp_path):
    for name in ("c.txt", "a.txt", "b.md"):
        (tmp_path / name).write_text(DEMANDING, encoding="utf-8")
    result = run("check", "--format", "json", tmp_path)
    paths = [Path(entry["path"]).name for entry in json.loads(result.stdout)["files"]]
    assert paths == ["a.txt", "b.md", "c.txt"]


def test_stdin(run):
    result = run("check", "--channel", "connection-note", "-", input=DEMANDING.encode("utf-8"))
    assert result.exit_code == 1
    assert [line.split(": ", 1)[0] for line in headers(result.stdout)] == ["<stdin>:3:1", "<stdin>:3:48"]


def test_stdin_json_and_channel_detection(run):
    email = "Subject: Data Engineer role (job 4410)\n\n" + DEMANDING
    document = json.loads(run("check", "--format", "json", "-", input=email.encode("utf-8")).stdout)
    assert document["files"][0]["path"] == "<stdin>"
    assert document["files"][0]["channel"] == "email"


def test_stdin_with_a_bom_and_crlf(run):
    data = "\ufeff".encode("utf-8") + DEMANDING.replace("\n", "\r\n").encode("utf-8")
    result = run("check", "--channel", "connection-note", "-", input=data)
    assert result.exit_code == 1
    assert [line.split(": ", 1)[0] for line in headers(result.stdout)] == ["<stdin>:3:1", "<stdin>:3:48"]


def test_stdin_and_files_together(run, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text(DEMANDING, encoding="utf-8")
    result = run("check", "--format", "json", draft, "-", input=DEMANDING.encode("utf-8"))
    assert [f["path"] for f in json.loads(result.stdout)["files"]] == [str(draft), "<stdin>"]


# --- bad input: one line each, exit 2, the other files still linted -------------------------


def _bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """name -> (path, the cause the error line must state)."""
    empty_dir = tmp_path / "nothing-here"
    empty_dir.mkdir()
    (empty_dir / "readme.rst").write_text("not a draft", encoding="utf-8")
    files = {
        "missing": (tmp_path / "no-such-draft.txt", "no such file or directory"),
        "empty-directory": (empty_dir, "directory has no .txt, .md or .eml files to lint"),
        "binary": (tmp_path / "photo.txt", "binary file"),
        "latin-1": (tmp_path / "latin.txt", "not valid UTF-8"),
        "empty": (tmp_path / "empty.txt", "empty file"),
        "whitespace": (tmp_path / "blank.md", "empty file"),
        "too-long": (tmp_path / "novel.txt", "100,000"),
    }
    files["binary"][0].write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    files["latin-1"][0].write_bytes("Hi José, we met at the café. Refer me for the Analyst role.".encode("latin-1"))
    files["empty"][0].write_bytes(b"")
    files["whitespace"][0].write_text(" \n\t\n   \r\n", encoding="utf-8")
    files["too-long"][0].write_text("We met at PyData. " * 6000, encoding="utf-8")  # 108,000 characters
    return files


BAD_INPUT_KINDS = ["missing", "empty-directory", "binary", "latin-1", "empty", "whitespace", "too-long"]


@pytest.mark.parametrize("kind", BAD_INPUT_KINDS)
def test_bad_input_gives_one_line_and_the_rest_is_still_linted(run, tmp_path, kind):
    path, cause = _bad_inputs(tmp_path)[kind]
    before = tmp_path / "before.txt"
    after = tmp_path / "after.txt"
    for draft in (before, after):
        draft.write_text(DEMANDING, encoding="utf-8")
    result = run("check", "--channel", "connection-note", before, path, after)
    assert result.exit_code == 2
    lines = stderr_lines(result)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"referral-lint: error: {path}: "), lines[0]
    assert cause in lines[0]
    assert "Traceback" not in result.output
    linted = {HEADER.match(line)["path"] for line in headers(result.stdout)}
    assert linted == {str(before), str(after)}


def test_all_bad_inputs_at_once(run, tmp_path):
    bad = _bad_inputs(tmp_path)
    draft = tmp_path / "fine.txt"
    draft.write_text(DEMANDING, encoding="utf-8")
    result = run("check", "--format", "json", *(path for path, _ in bad.values()), draft)
    assert result.exit_code == 2
    lines = stderr_lines(result)
    assert len(lines) == len(bad)
    for (path, cause), line in zip(bad.values(), lines):
        assert line.startswith(f"referral-lint: error: {path}: ") and cause in line
    document = json.loads(result.stdout)
    assert [f["path"] for f in document["files"]] == [str(draft)]
    assert [e["path"] for e in document["errors"]] == [str(path) for path, _ in bad.values()]


def test_bad_files_inside_a_directory_are_reported_and_the_rest_linted(run, tmp_path):
    (tmp_path / "a.txt").write_text(DEMANDING, encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(b"caf\xe9")
    (tmp_path / "c.md").write_text("   \n", encoding="utf-8")
    (tmp_path / "d.txt").write_text(DEMANDING, encoding="utf-8")
    result = run("check", tmp_path)
    assert result.exit_code == 2
    assert stderr_lines(result) == [
        f"referral-lint: error: {tmp_path / 'b.txt'}: not valid UTF-8 (byte 0xe9 at offset 3); save it as UTF-8",
        f"referral-lint: error: {tmp_path / 'c.md'}: empty file, nothing to lint",
    ]
    assert {HEADER.match(line)["path"] for line in headers(result.stdout)} == {
        str(tmp_path / "a.txt"),
        str(tmp_path / "d.txt"),
    }


def test_exactly_100000_characters_is_allowed(run, tmp_path):
    draft = tmp_path / "long.txt"
    draft.write_text(("We met at PyData. " * 6000)[:100_000], encoding="utf-8")
    result = run("check", draft)
    assert result.exit_code == 1  # far too long a message, but linted
    assert result.stderr == ""
    over = tmp_path / "longer.txt"
    over.write_text(("We met at PyData. " * 6000)[:100_001], encoding="utf-8")
    result = run("check", over)
    assert result.exit_code == 2
    assert stderr_lines(result) == [
        f"referral-lint: error: {over}: over the 100,000-character limit for one draft (100,001 characters); is this really a message?"
    ]


def test_limit_counts_characters_not_bytes(run, tmp_path):
    draft = tmp_path / "accents.txt"
    draft.write_text("Zoë, we met at PyData. " * 4000, encoding="utf-8")  # 92,000 characters, 96,000 bytes
    result = run("check", draft)
    assert result.stderr == ""
    assert result.exit_code == 1


def test_a_nul_byte_late_in_the_file_is_still_binary(run, tmp_path):
    draft = tmp_path / "late-nul.txt"
    draft.write_bytes(b"We met at PyData. " * 1000 + b"\x00")
    result = run("check", draft)
    assert result.exit_code == 2
    assert stderr_lines(result) == [f"referral-lint: error: {draft}: binary file (contains NUL bytes), not a text draft"]


def test_utf16_file_is_named_as_such(run, tmp_path):
    draft = tmp_path / "notepad.txt"
    draft.write_bytes(DEMANDING.encode("utf-16"))  # with a BOM, as Windows Notepad saves "Unicode"
    result = run("check", draft)
    assert result.exit_code == 2
    [line] = stderr_lines(result)
    assert line.startswith(f"referral-lint: error: {draft}: ") and "UTF-16" in line and "UTF-8" in line


def test_invisible_characters_only_is_empty(run, tmp_path):
    draft = tmp_path / "invisible.txt"
    draft.write_text("\ufeff\u200b \n\u200b\n", encoding="utf-8")
    result = run("check", draft)
    assert result.exit_code == 2
    assert stderr_lines(result) == [f"referral-lint: error: {draft}: empty file, nothing to lint"]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_device_does_not_hang(run):
    result = run("check", "/dev/zero")
    assert result.exit_code == 2
    [line] = stderr_lines(result)
    assert line.startswith("referral-lint: error: /dev/zero: binary file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_skipped_and_the_other_files_are_linted(run, tmp_path):
    """Reading a FIFO nobody writes to waits forever: given directly or found in a directory."""
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "draft.txt").write_text("Refer me ASAP.\n", encoding="utf-8")
    for args in ([tmp_path / "pipe.txt", tmp_path / "draft.txt"], [tmp_path]):
        result = run("check", "--isolated", *args)
        assert result.exit_code == 2
        assert stderr_lines(result) == [f"referral-lint: error: {tmp_path / 'pipe.txt'}: a named pipe (FIFO), not a file: skipped"]
        assert "demanding-phrasing" in result.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX symbolic links")
def test_a_looping_symbolic_link_is_named_as_such(run, tmp_path):
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    result = run("check", tmp_path / "loop.txt")
    assert stderr_lines(result) == [f"referral-lint: error: {tmp_path / 'loop.txt'}: broken or looping symbolic link"]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file names")
def test_a_newline_in_a_file_name_does_not_break_the_one_line_error(run, tmp_path):
    draft = tmp_path / "two\nlines.txt"
    draft.write_bytes(b"")
    result = run("check", draft)
    assert result.exit_code == 2
    assert stderr_lines(result) == [f"referral-lint: error: {tmp_path}/two\\nlines.txt: empty file, nothing to lint"]


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(run, tmp_path):
    draft = tmp_path / "secret.txt"
    draft.write_text(DEMANDING, encoding="utf-8")
    draft.chmod(0)
    try:
        result = run("check", draft)
    finally:
        draft.chmod(0o644)
    assert result.exit_code == 2
    assert stderr_lines(result) == [f"referral-lint: error: {draft}: permission denied"]


def test_stdin_errors_name_stdin(run):
    binary = run("check", "-", input=b"\x00\x01\x02")
    assert binary.exit_code == 2
    assert stderr_lines(binary) == ["referral-lint: error: <stdin>: binary file (contains NUL bytes), not a text draft"]
    empty = run("check", "-", input=b"")
    assert stderr_lines(empty) == ["referral-lint: error: <stdin>: empty file, nothing to lint"]
    latin = run("check", "-", input="José".encode("latin-1"))
    [line] = stderr_lines(latin)
    assert line.startswith("referral-lint: error: <stdin>: not valid UTF-8")


# --- usage errors --------------------------------------------------------------------------


def test_usage_errors_exit_2(run):
    assert run("check").exit_code == 2
    bad_channel = run("check", "--channel", "sms", str(GOOD_NOTE))
    assert bad_channel.exit_code == 2
    assert "sms" in bad_channel.stderr
    assert run("check", "--fail-on", "fatal", str(GOOD_NOTE)).exit_code == 2
    assert run("frobnicate").exit_code == 2


def test_model_that_is_not_installed(run):
    result = run("check", "--model", "no_such_pipeline_xyz", str(GOOD_NOTE))
    assert result.exit_code == 2
    [line] = stderr_lines(result)
    assert line.startswith("referral-lint: error: ") and "no_such_pipeline_xyz" in line
    assert "Traceback" not in result.output


# --- rules and explain ----------------------------------------------------------------------------


def test_rules_lists_every_rule(run):
    result = run("rules")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["RULE", "SEVERITY", "CHECK", "SUMMARY"]
    rows = {line.split()[0]: line.split()[1:3] for line in lines[1:]}
    assert set(rows) == RULE_IDS | {"unused-ignore", "mass-message"}  # the pseudo-rules of referral_lint.suppress and .mass
    assert rows["named-role"] == ["error", "require"]
    assert rows["gratitude"] == ["warning", "require"]
    assert rows["demanding-phrasing"] == ["error", "forbid"]
    assert rows["length"][1] == "limit"


def test_explain_named_role(run):
    result = run("explain", "named-role")
    assert result.exit_code == 0
    out = result.stdout
    assert out.startswith("named-role: ")
    assert "\nWhy\n" in out and "\nBad\n" in out and "\nGood\n" in out
    assert "referral form" in out  # from the rule's reasoning
    rule = next(r for r in load_rules() if r.id == "named-role")
    for example in (*rule.bad_examples, *rule.good_examples):
        assert " ".join(example.text.split()) in out
    assert out.index("\nBad\n") < out.index("\nGood\n")


def test_explain_length_shows_bounds_per_channel(run):
    out = run("explain", "length").stdout
    assert "connection-note" in out and "max 300 (error)" in out and "min 50 (warning)" in out


def test_explain_unknown_rule(run):
    result = run("explain", "nope")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert stderr_lines(result) == ["referral-lint: error: unknown rule 'nope' (see 'referral-lint rules')"]


def test_help_and_version(run):
    help_text = run("--help")
    assert help_text.exit_code == 0
    assert "check" in help_text.stdout and "rules" in help_text.stdout and "explain" in help_text.stdout
    assert run("check", "-h").exit_code == 0
    version = run("--version")
    assert version.exit_code == 0 and "referral-lint" in version.stdout


def test_help_rules_and_explain_do_not_import_spacy():
    code = (
        "import sys\n"
        "from referral_lint.cli import main\n"
        "for args in (['--help'], ['check', '--help'], ['rules'], ['explain', 'named-role'], ['explain', 'nope']):\n"
        "    try:\n"
        "        main(args)\n"
        "    except SystemExit:\n"
        "        pass\n"
        + HEAVY_MODULES_LOADED
        + "print('LOADED', loaded, file=sys.stderr)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    assert "named-role" in run_python(code).stdout


# --- colour ----------------------------------------------------------------------------------


def _coloured(run, tmp_path, *options: str, env: dict[str, str | None] | None = None) -> str:
    draft = tmp_path / "draft.txt"
    draft.write_text(DEMANDING, encoding="utf-8")
    result = run("check", *options, draft, env=env)
    assert result.exit_code == 1
    return result.stdout


def test_no_colour_when_not_a_tty(run, tmp_path):
    assert not ANSI.search(_coloured(run, tmp_path))


def test_force_color_shows_colour(run, tmp_path):
    """The control for the tests below: colour does show up when asked for."""
    out = _coloured(run, tmp_path, env={"FORCE_COLOR": "1"})
    assert ANSI.search(out)
    assert headers(ANSI.sub("", out)) == headers(_coloured(run, tmp_path))


def test_no_color_option(run, tmp_path):
    assert not ANSI.search(_coloured(run, tmp_path, "--no-color", env={"FORCE_COLOR": "1"}))


def test_no_color_environment_variable(run, tmp_path):
    assert not ANSI.search(_coloured(run, tmp_path, env={"NO_COLOR": "1", "FORCE_COLOR": "1"}))


def test_json_is_never_coloured(run, tmp_path):
    out = _coloured(run, tmp_path, "--format", "json", env={"FORCE_COLOR": "1"})
    assert not ANSI.search(out)
    json.loads(out)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_colour_on_a_terminal(tmp_path):
    import pty

    draft = tmp_path / "draft.txt"
    draft.write_text(DEMANDING, encoding="utf-8")

    def output_on_a_tty(**extra_env: str) -> str:
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
        env.update(extra_env)
        leader, follower = pty.openpty()
        process = subprocess.Popen(
            [sys.executable, "-m", "referral_lint.cli", "check", str(draft)],
            stdout=follower, stderr=subprocess.PIPE, env=env,
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(leader)
        process.wait(timeout=120)
        return b"".join(chunks).decode("utf-8", "replace")

    # Colour on a terminal; NO_COLOR and --no-color are covered in-process above.
    out = output_on_a_tty()
    assert ANSI.search(out)
    assert "demanding-phrasing" in ANSI.sub("", out)


def test_rules_and_explain_report_a_broken_rule_file_in_one_line(run, monkeypatch):
    import referral_lint.cli as cli
    from referral_lint.yamlsource import RuleError

    def broken(*args, **kwargs):
        raise RuleError("rules/gratitude.yaml", 4, "check", "expected one of forbid, require, limit, got 'ban'")

    monkeypatch.setattr(cli, "load_rules", broken)
    for args in (("rules",), ("explain", "gratitude")):
        result = run(*args)
        assert result.exit_code == 2
        assert result.stderr.splitlines() == [
            "referral-lint: error: rules/gratitude.yaml:4: check: expected one of forbid, require, limit, got 'ban'"
        ]


def test_a_huge_file_is_refused_without_reading_it_all(run, tmp_path):
    draft = tmp_path / "huge.txt"
    draft.write_bytes(b"We met at PyData. " * 300_000)  # 5.4 MB
    result = run("check", draft)
    assert result.exit_code == 2
    [line] = stderr_lines(result)
    assert line.startswith(f"referral-lint: error: {draft}: ") and "100,000" in line


def test_an_internal_error_on_one_draft_does_not_stop_the_others(run, tmp_path, monkeypatch):
    from referral_lint.linter import Linter

    original = Linter.lint

    def flaky(self, text, **kwargs):
        if "BOOM" in text:
            raise RuntimeError("simulated failure\nwith a second line")
        return original(self, text, **kwargs)

    monkeypatch.setattr(Linter, "lint", flaky)
    broken = tmp_path / "a-broken.txt"
    broken.write_text("BOOM " + DEMANDING, encoding="utf-8")
    fine = tmp_path / "b-fine.txt"
    fine.write_text(DEMANDING, encoding="utf-8")
    result = run("check", broken, fine)
    assert result.exit_code == 2
    assert stderr_lines(result) == [
        f"referral-lint: error: {broken}: internal error while linting "
        "(RuntimeError: simulated failure with a second line); please report it"
    ]
    assert {HEADER.match(line)["path"] for line in headers(result.stdout)} == {str(fine)}


# --- what a new user tripped on ----------------------------------------------------------


def test_an_empty_stdin_prints_only_the_error(run):
    result = run("check", "-", input="\n")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == "referral-lint: error: <stdin>: empty file, nothing to lint\n"


def test_clean_files_beside_an_unreadable_one_do_not_read_as_all_clean(run, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(GOOD_NOTE.read_text(encoding="utf-8"), encoding="utf-8")
    result = run("check", "--select", "placeholder", good, tmp_path / "missing.txt")
    assert result.exit_code == 2
    assert result.stdout == "No problems found; 1 file could not be linted.\n"


def test_python_dash_m_runs_the_command_line():
    process = subprocess.run(
        [sys.executable, "-m", "referral_lint", "check", "--select", "placeholder", str(GOOD_NOTE)],
        capture_output=True, text=True, timeout=60,
    )
    assert (process.returncode, process.stdout, process.stderr) == (0, "No problems found.\n", "")
    usage = subprocess.run([sys.executable, "-m", "referral_lint", "nonsense"], capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2 and "Usage: referral-lint" in usage.stderr


def test_check_and_fix_share_their_linting_options():
    from referral_lint.cli import check, fix

    shared = {"channel", "select", "extend_select", "ignore", "fail_on", "exit_zero", "model", "quiet", "stdin_filename", "config_file", "isolated", "no_colour"}
    assert shared <= {p.name for p in check.params} and shared <= {p.name for p in fix.params}
    assert [p.help for p in check.params if p.name in shared] == [p.help for p in fix.params if p.name in shared]


def test_a_path_is_shown_as_it_was_given(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "draft.txt").write_text(DEMANDING, encoding="utf-8")
    result = run("check", "--select", "demanding-phrasing", "--format", "concise", "./draft.txt")
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["./draft.txt", "./draft.txt"]


def test_a_directory_that_cannot_be_listed_says_so(run, tmp_path, monkeypatch):
    """Not "has no .txt, .md or .eml files": the cause (root lists anything, so the walk is made to fail)."""
    import referral_lint.inputs as inputs

    real_walk = os.walk

    def walk(top, onerror=None, **options):
        if onerror is not None:
            onerror(PermissionError(13, "Permission denied", str(top)))
        return iter(())

    monkeypatch.setattr(inputs.os, "walk", walk)
    result = run("check", tmp_path)
    monkeypatch.setattr(inputs.os, "walk", real_walk)
    assert result.exit_code == 2
    assert stderr_lines(result) == [f"referral-lint: error: {tmp_path}: cannot list the directory: Permission denied"]


def test_check_imports_nothing_of_the_other_commands(tmp_path):
    """A one-draft check loads no language server, web server, Spark or mass-message stack."""
    draft = tmp_path / "draft.txt"
    draft.write_text("Hi Sam,\nRefer me to your manager ASAP.\n", encoding="utf-8")
    process = run_python(
        "import sys\n"
        "from referral_lint.cli import main\n"
        f"try:\n    main(['check', '--isolated', {str(draft)!r}])\nexcept SystemExit:\n    pass\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pygls', 'lsprotocol', 'starlette', 'uvicorn', 'pyspark', 'datasketch'}))\n"
    )
    assert process.stdout.splitlines()[-1] == "[]"
