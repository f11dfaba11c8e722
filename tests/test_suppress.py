"""Suppressing violations: comments in markdown drafts, the ignore file for plain text,
``--add-ignore``, and unused ignores (the unused-ignore pseudo-rule)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from helpers import write

import referral_lint
from referral_lint import settings
from referral_lint.config import Config
from referral_lint.fix import apply_fixes
from referral_lint.ignore_file import IGNORE_FILE, read_ignore_file, sentence_digest, sentence_span
from referral_lint.suppress import apply_suppressions, lint_draft
from referral_lint.suppress_comments import blank_directives, parse_directives

# Written for these tests. Line 2 carries the length warning (23 words is short for a
# message; it is reported where the body starts), line 3 two demanding-phrasing errors.
DRAFT = (
    "Hi Ana,\n"
    "We met at PyData in May.\n"
    "Refer me for the Data Engineer role (job 4410) ASAP. No worries if not. Thanks!\n"
)
REFER = "Refer me for the Data Engineer role (job 4410) ASAP."


@pytest.fixture(autouse=True)
def no_user_config(isolated_settings):
    """No test sees the developer's own configuration, nor another test's cached discovery."""


@pytest.fixture
def run(cli):
    return cli




def violations(run, *args) -> dict[str, list[tuple[str, int]]]:
    """path -> [(rule, line)] from --format json."""
    result = run("check", "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return {f["path"]: [(v["rule"], v["line"]) for v in f["violations"]] for f in json.loads(result.stdout)["files"]}


def rules(run, path: Path, *options) -> list[tuple[str, int]]:
    return violations(run, *options, path)[str(path)]


# --- markdown comments ---------------------------------------------------------------


def test_the_draft_without_comments(run, tmp_path):
    """The control for the tests below."""
    draft = write(tmp_path / "draft.md", DRAFT)
    assert rules(run, draft) == [("length", 2), ("demanding-phrasing", 3), ("demanding-phrasing", 3)]


def test_disable_next_line(run, tmp_path):
    text = DRAFT.replace("Refer me", "<!-- referral-lint disable-next-line demanding-phrasing -->\nRefer me")
    draft = write(tmp_path / "draft.md", text)
    assert rules(run, draft) == [("length", 2)]


def test_disable_line(run, tmp_path):
    text = DRAFT.replace("Thanks!", "Thanks! <!-- referral-lint disable-line demanding-phrasing -->")
    assert rules(run, write(tmp_path / "draft.md", text)) == [("length", 2)]


def test_disable_and_enable_a_region(run, tmp_path):
    text = (
        "Hi Ana,\n\nWe met at PyData in May.\n\n"
        "<!-- referral-lint disable demanding-phrasing -->\n"
        f"{REFER}\n"
        "<!-- referral-lint enable demanding-phrasing -->\n\n"
        "Send my resume to the hiring manager by tomorrow. No worries if not. Thanks!\n"
    )
    found = rules(run, write(tmp_path / "draft.md", text))
    assert [rule for rule, line in found if line == 6] == []  # inside the region
    assert [rule for rule, line in found if line == 9] == ["demanding-phrasing", "demanding-phrasing"]  # after it
    assert ("length", 3) in found  # another rule, untouched


def test_a_comment_without_rules_disables_every_rule_until_enable(run, tmp_path):
    text = "<!-- referral-lint disable -->\n" + DRAFT + "<!-- referral-lint enable -->\nSend my resume by Friday.\n"
    found = rules(run, write(tmp_path / "draft.md", text))
    assert found and all(line == 6 for _, line in found)


def test_enable_one_rule_inside_a_region_that_disables_all(run, tmp_path):
    text = DRAFT.replace("Hi Ana,\n", "Hi Ana,\n<!-- referral-lint disable -->\n<!-- referral-lint enable demanding-phrasing -->\n")
    assert rules(run, write(tmp_path / "draft.md", text)) == [("demanding-phrasing", 5), ("demanding-phrasing", 5)]


def test_a_comment_may_name_a_group_and_several_rules(run, tmp_path):
    group = DRAFT.replace("Hi Ana,\n", "Hi Ana,\n<!-- referral-lint disable core -->\n")
    assert rules(run, write(tmp_path / "group.md", group)) == []
    several = DRAFT.replace("Hi Ana,\n", "Hi Ana,\n<!-- referral-lint disable length, demanding-phrasing -->\n")
    assert rules(run, write(tmp_path / "several.md", several)) == []
    everything = DRAFT.replace("Hi Ana,\n", "Hi Ana,\n<!-- referral-lint: disable all -->\n")
    assert rules(run, write(tmp_path / "all.md", everything)) == []


def test_comments_do_not_count_as_text(tmp_path, linter):
    """In the language server's path (lint_draft) too: a comment is blanked before linting."""
    commented = "<!-- referral-lint disable-next-line gratitude -->\n" + DRAFT
    outcome = lint_draft(linter, commented, markdown=True)
    plain = linter.lint("\n" + DRAFT)
    assert [(v.rule, v.message) for v in outcome.report.violations if v.rule != "unused-ignore"] == [
        (v.rule, v.message) for v in plain.violations
    ]
    assert outcome.report.text == commented
    assert blank_directives(commented).startswith(" " * commented.index("\n") + "\n")


def test_comments_in_a_plain_text_draft_are_just_text(run, tmp_path):
    text = DRAFT.replace("Refer me", "<!-- referral-lint disable-next-line demanding-phrasing -->\nRefer me")
    assert ("demanding-phrasing", 4) in rules(run, write(tmp_path / "draft.txt", text))


def test_parse_directives():
    text = "a\n<!-- referral-lint disable x, y -->\n<!--referral-lint enable-->\n<!-- other comment -->"
    [first, second] = parse_directives(text)
    assert (first.kind, first.names, first.line, text[first.start : first.end]) == (
        "disable", ("x", "y"), 2, "<!-- referral-lint disable x, y -->"
    )
    assert (second.kind, second.names, second.line) == ("enable", None, 3)


# --- unused comments -------------------------------------------------------------------


def test_an_unused_comment_is_reported_with_a_fix_that_removes_it(run, tmp_path):
    comment = "<!-- referral-lint disable-next-line gratitude -->"
    text = DRAFT.replace("Refer me", comment + "\nRefer me")
    draft = write(tmp_path / "draft.md", text)
    result = run("check", "--format", "json", draft)
    assert result.exit_code == 1
    [entry] = json.loads(result.stdout)["files"]
    [unused] = [v for v in entry["violations"] if v["rule"] == "unused-ignore"]
    assert (unused["line"], unused["column"], unused["severity"]) == (3, 1, "warning")
    assert text[unused["start"] : unused["end"]] == comment
    assert "'gratitude'" in unused["message"]
    [suggestion] = unused["suggestions"]
    [edit] = suggestion["edits"]
    assert text[: edit["start"]] + edit["replacement"] + text[edit["end"] :] == DRAFT


def test_a_partly_unused_comment_keeps_the_rules_it_needs(tmp_path, linter):
    text = DRAFT.replace("Refer me", "<!-- referral-lint disable-next-line gratitude, demanding-phrasing -->\nRefer me")
    outcome = lint_draft(linter, text, markdown=True)
    [unused] = [v for v in outcome.report.violations if v.rule == "unused-ignore"]
    assert "'gratitude'" in unused.message and "demanding-phrasing" not in unused.message
    fixed = apply_fixes(text, [unused])
    assert "<!-- referral-lint disable-next-line demanding-phrasing -->" in fixed
    assert {v.rule for v in outcome.suppressed} == {"demanding-phrasing"}


def test_unknown_comments_and_rules_are_reported(run, tmp_path):
    text = "<!-- referral-lint disabel length -->\n<!-- referral-lint disable no-such-rule -->\n" + DRAFT
    result = run("check", "--format", "json", write(tmp_path / "draft.md", text))
    unused = [v for v in json.loads(result.stdout)["files"][0]["violations"] if v["rule"] == "unused-ignore"]
    assert [(v["line"], "disabel" in v["message"], "no-such-rule" in v["message"]) for v in unused] == [
        (1, True, False), (2, False, True)
    ]


def test_an_ignore_for_a_rule_that_is_off_is_not_unused(run, tmp_path):
    text = DRAFT.replace("Refer me", "<!-- referral-lint disable-next-line gratitude -->\nRefer me")
    draft = write(tmp_path / "draft.md", text)
    assert "unused-ignore" not in {rule for rule, _ in rules(run, draft, "--ignore", "gratitude")}


def test_unused_ignore_is_selected_ignored_and_regraded_like_a_rule(run, tmp_path):
    text = DRAFT.replace("Refer me", "<!-- referral-lint disable-next-line gratitude -->\nRefer me")
    draft = write(tmp_path / "draft.md", text)
    assert "unused-ignore" not in {rule for rule, _ in rules(run, draft, "--ignore", "unused-ignore")}
    assert "unused-ignore" not in {rule for rule, _ in rules(run, draft, "--select", "core")}
    write(tmp_path / ".referral-lint.yaml", "severity: {unused-ignore: info}\nselect: [unused-ignore, gratitude]\n")
    settings.clear_cache()  # a new configuration file (the CLI is a new process each time; an editor calls this)
    result = run("check", "--format", "json", draft)
    assert result.exit_code == 0  # info does not fail the run
    assert [(v["rule"], v["severity"]) for v in json.loads(result.stdout)["files"][0]["violations"]] == [
        ("unused-ignore", "info")
    ]


def test_explain_and_rules_know_the_pseudo_rule(run):
    explained = run("explain", "unused-ignore")
    assert explained.exit_code == 0 and explained.stdout.startswith("unused-ignore: ")
    assert any(line.split()[0] == "unused-ignore" for line in run("rules").stdout.splitlines()[1:])


# --- sentences -----------------------------------------------------------------------


def test_sentence_hash_ignores_case_spacing_and_curly_quotes():
    plain = "Hi Ana. I'm sure you'd refer me ASAP. Thanks!"
    messy = "Hi Ana.   i\u2019m  SURE you\u2019d refer me\nasap. Thanks!"
    assert sentence_digest(plain, plain.index("ASAP")) == sentence_digest(messy, messy.index("asap"))
    assert sentence_digest(plain, plain.index("ASAP")) != sentence_digest(plain, plain.index("Thanks"))
    assert sentence_digest(plain, plain.index("ASAP")) != sentence_digest(plain.replace("ASAP", "soon"), plain.index("sure"))


def test_sentence_span_for_a_violation_at_the_end_or_on_a_blank_line():
    text = "Hi Ana,\n\nWe met at PyData. Would you refer me?\n"
    start, end = sentence_span(text, len(text))
    assert text[start:end].strip() == "Would you refer me?"
    start, end = sentence_span(text, text.index("\n\n") + 1)
    assert text[start:end].strip() == "Hi Ana,"


def test_an_entry_covers_the_sentence_the_rule_reported(run, tmp_path):
    """The hashed sentence is the linter's own. A greeting line without a comma is a sentence of its
    own, so rewriting it keeps the entry for the ask below it."""
    before = "Hi Ana\nAs we discussed, refer me for the Data Engineer role ASAP.\nThanks, Sam\n"
    draft = write(tmp_path / "draft.txt", before)
    run("check", "--add-ignore", draft)
    assert "demanding-phrasing" not in dict(rules(run, draft))
    write(tmp_path / "draft.txt", before.replace("Hi Ana", "Hello Ana Lopez"))
    assert "demanding-phrasing" not in dict(rules(run, draft))


def test_a_title_before_a_name_is_part_of_the_sentence(run, tmp_path):
    """"Dr." ends no sentence: changing it changes the ask's sentence, so the entry stops holding."""
    before = "Hi Ana,\nAs Dr. Lee said, refer me for the Data Engineer role ASAP.\nThanks, Sam\n"
    draft = write(tmp_path / "draft.txt", before)
    run("check", "--add-ignore", draft)
    assert "demanding-phrasing" not in dict(rules(run, draft))
    write(tmp_path / "draft.txt", before.replace("Dr. Lee", "Prof. Lee"))
    assert ("demanding-phrasing", 2) in rules(run, draft)


def test_a_crlf_draft_hashes_as_its_lf_copy():
    lf = "Hi Ana,\nWe met at PyData and you told me about the\nanalytics team. Refer me ASAP.\n"
    crlf = lf.replace("\n", "\r\n")
    for word in ("Hi", "PyData", "analytics", "Refer"):
        assert sentence_digest(lf, lf.index(word)) == sentence_digest(crlf, crlf.index(word)), word
    assert sentence_digest(lf, lf.index("PyData")) == sentence_digest(lf, lf.index("analytics"))  # a wrapped line


# --- the ignore file ---------------------------------------------------------------------


def test_add_ignore_records_every_violation_and_then_the_draft_is_clean(run, tmp_path):
    draft = write(tmp_path / "draft.txt", DRAFT)
    added = run("check", "--add-ignore", draft)
    assert added.exit_code == 0
    assert added.stdout == ""
    assert added.stderr.strip() == "Added 2 ignore entries to 1 file."
    ignore = tmp_path / IGNORE_FILE
    entries = [line for line in ignore.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    assert [line.split()[0] for line in entries] == ["length", "demanding-phrasing"]  # two ASAP/Refer violations, one sentence
    assert all(re.fullmatch(r"[a-z-]+ [0-9a-f]{12} draft\.txt  # .+", line) for line in entries)
    assert entries[1].endswith(f"# {REFER}")
    again = run("check", draft)
    assert again.exit_code == 0
    assert again.stdout.strip() == "No problems found."
    # Nothing is left behind but the ignore file.
    assert sorted(p.name for p in tmp_path.iterdir()) == [IGNORE_FILE, "draft.txt"]


def test_an_ignore_survives_edits_elsewhere_and_ends_when_its_sentence_changes(run, tmp_path):
    draft = write(tmp_path / "draft.txt", DRAFT)
    run("check", "--add-ignore", draft)
    # Other sentences change: the ignores still hold.
    write(draft, DRAFT.replace("Hi Ana,", "Hello Ana,").replace("Thanks!", "Thank you so much!"))
    assert run("check", draft).exit_code == 0
    # Case and spacing of the sentence itself do not matter either.
    write(draft, DRAFT.replace("(job 4410) ASAP.", "(job  4410)   ASAP."))
    assert run("check", draft).exit_code == 0
    # The sentence changes: its violations are back, and the entry is reported as unused.
    write(draft, DRAFT.replace("ASAP", "by Friday"))
    result = run("check", "--format", "json", draft)
    assert result.exit_code == 1
    found = {f["path"]: f["violations"] for f in json.loads(result.stdout)["files"]}
    assert {v["rule"] for v in found[str(draft)]} == {"demanding-phrasing"}  # length's sentence did not change
    ignore = tmp_path / IGNORE_FILE
    [unused] = found[str(ignore)]
    text = ignore.read_text(encoding="utf-8")
    assert unused["rule"] == "unused-ignore"
    assert text.splitlines()[unused["line"] - 1].startswith("demanding-phrasing ")
    assert "draft.txt" in unused["message"]
    [edit] = unused["suggestions"][0]["edits"]
    remaining = text[: edit["start"]] + text[edit["end"] :]
    assert "demanding-phrasing" not in remaining and "length" in remaining


def test_add_ignore_keeps_existing_entries_and_adds_each_once(run, tmp_path):
    first = write(tmp_path / "a.txt", DRAFT)
    second = write(tmp_path / "b.txt", DRAFT.replace("ASAP", "by Friday"))
    ignore = write(tmp_path / IGNORE_FILE, "# my notes\ngratitude 0123456789ab old-draft.txt\n")
    assert run("check", "--add-ignore", first, second).stderr.strip() == "Added 4 ignore entries to 1 file."
    text = ignore.read_text(encoding="utf-8")
    assert text.startswith("# my notes\ngratitude 0123456789ab old-draft.txt\n")
    entries = read_ignore_file(ignore).entries
    assert [(e.file, e.rule) for e in entries] == [
        ("old-draft.txt", "gratitude"), ("a.txt", "length"), ("a.txt", "demanding-phrasing"),
        ("b.txt", "length"), ("b.txt", "demanding-phrasing"),
    ]
    assert run("check", "--add-ignore", first, second).stderr.strip() == "Added 0 ignore entries to 0 files."
    assert ignore.read_text(encoding="utf-8") == text


def test_each_directory_has_its_own_ignore_file(run, tmp_path):
    first = write(tmp_path / "one" / "draft.txt", DRAFT)
    second = write(tmp_path / "two" / "draft.txt", DRAFT)
    run("check", "--add-ignore", first)
    assert (tmp_path / "one" / IGNORE_FILE).exists() and not (tmp_path / "two" / IGNORE_FILE).exists()
    assert run("check", first).exit_code == 0
    assert run("check", second).exit_code == 1


def test_an_entry_is_for_one_draft_only(run, tmp_path):
    draft = write(tmp_path / "draft.txt", DRAFT)
    run("check", "--add-ignore", draft)
    other = write(tmp_path / "other.txt", DRAFT)
    assert {rule for rule, _ in rules(run, other)} >= {"demanding-phrasing", "length"}


def test_file_names_with_spaces_are_quoted(run, tmp_path):
    draft = write(tmp_path / "my draft #2.txt", DRAFT)
    run("check", "--add-ignore", draft)
    assert '"my draft #2.txt"' in (tmp_path / IGNORE_FILE).read_text(encoding="utf-8")
    assert run("check", draft).exit_code == 0


def test_unknown_rules_in_the_ignore_file_are_reported_and_disabled_rules_are_not(run, tmp_path):
    draft = write(tmp_path / "draft.txt", DRAFT)
    digest = sentence_digest(DRAFT, DRAFT.index("Thanks"))
    ignore = write(tmp_path / IGNORE_FILE, f"no-such-rule {digest} draft.txt\ngratitude {digest} draft.txt\n")
    found = violations(run, draft)
    assert [(rule, line) for rule, line in found[str(ignore)]] == [("unused-ignore", 1), ("unused-ignore", 2)]
    found = violations(run, "--ignore", "gratitude", draft)
    assert found[str(ignore)] == [("unused-ignore", 1)]


def test_a_broken_ignore_file_is_one_error_line_and_other_drafts_are_still_linted(run, tmp_path):
    draft = write(tmp_path / "bad" / "draft.txt", DRAFT)
    write(tmp_path / "bad" / IGNORE_FILE, "# ok\nlength draft.txt\n")
    fine = write(tmp_path / "fine" / "draft.txt", DRAFT)
    result = run("check", "--format", "json", draft, fine)
    assert result.exit_code == 2
    assert [line for line in result.stderr.splitlines() if line] == [
        f"referral-lint: error: {tmp_path / 'bad' / IGNORE_FILE}:2: expected '<rule> <sentence hash> <draft file>', "
        "e.g. 'gratitude 0123456789ab draft.txt'"
    ]
    assert [f["path"] for f in json.loads(result.stdout)["files"]] == [str(fine)]


def test_a_broken_ignore_file_names_the_line_an_editor_shows(run, tmp_path):
    """A form feed or U+2028 in a comment ends no line (as in editors): the bad entry is on line 2."""
    draft = write(tmp_path / "draft.txt", DRAFT)
    write(tmp_path / IGNORE_FILE, "# one\f# two\u2028# three\nlength draft.txt\n")
    result = run("check", draft)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"referral-lint: error: {tmp_path / IGNORE_FILE}:2: expected ")


def test_stdin_uses_the_ignore_file_of_its_stdin_filename(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    draft = write(tmp_path / "drafts" / "ana.txt", DRAFT)
    run("check", "--add-ignore", draft)
    named = run("check", "--stdin-filename", "drafts/ana.txt", "-", input=DRAFT.encode())
    assert named.exit_code == 0
    unnamed = run("check", "-", input=DRAFT.encode())
    assert unnamed.exit_code == 1
    warned = run("check", "--add-ignore", "-", input=DRAFT.encode())
    assert "name it with --stdin-filename" in warned.stderr


def test_statistics_count_unused_ignores(run, tmp_path):
    draft = write(tmp_path / "draft.txt", DRAFT)
    write(tmp_path / IGNORE_FILE, f"gratitude {sentence_digest(DRAFT, 0)} draft.txt\n")
    rows = [line.split("\t") for line in run("check", "--output-format", "statistics", draft).stdout.splitlines()]
    assert ["1", "unused-ignore"] in [[count, rule.strip()] for count, rule, _ in rows]


# --- the library -------------------------------------------------------------------------


def test_lint_itself_never_suppresses(tmp_path, monkeypatch):
    """referral_lint.lint() reads no file: ignore files and comments are the front ends' business."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path / IGNORE_FILE, f"demanding-phrasing {sentence_digest(DRAFT, DRAFT.index('Refer'))} draft.txt\n")
    commented = "<!-- referral-lint disable -->\n" + DRAFT
    assert "demanding-phrasing" in {v.rule for v in referral_lint.lint(DRAFT).violations}
    assert "demanding-phrasing" in {v.rule for v in referral_lint.lint(commented).violations}


def test_apply_suppressions_for_an_editor(tmp_path):
    """What the language server calls: a report of the unsaved text, and where the file is."""
    draft = tmp_path / "draft.txt"  # need not exist
    write(tmp_path / IGNORE_FILE, f"demanding-phrasing {sentence_digest(DRAFT, DRAFT.index('Refer'))} draft.txt\n")
    report = referral_lint.lint(DRAFT)
    outcome = apply_suppressions(report, config=Config(), path=draft)
    assert {v.rule for v in outcome.suppressed} == {"demanding-phrasing"}
    assert "demanding-phrasing" not in {v.rule for v in outcome.report.violations}
    assert outcome.stale == []
    assert report.violations != outcome.report.violations  # the input report is not changed
    assert os.listdir(tmp_path) == [IGNORE_FILE]


def test_the_documented_markdown_example(run, tmp_path):
    text = (Path(__file__).resolve().parent.parent / "docs" / "suppression.md").read_text(encoding="utf-8")
    example = text.split("```markdown\n", 1)[1].split("```", 1)[0]
    assert run("check", write(tmp_path / "with.md", example)).exit_code == 0
    without = example.replace("<!-- referral-lint disable-next-line demanding-phrasing -->\n", "")
    assert rules(run, write(tmp_path / "without.md", without)) == [("demanding-phrasing", 6)]
