"""Reading drafts: markdown prose, email files, stdin, unknown extensions, directories.

The readers' promise is that nothing moves: the text the linter reads is as long as
the file, with its line ends in the same places, and what is not linted is spaces. The
markdown and email tests check what is blanked and what stays; the CLI tests check that
violations point into the file itself.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from referral_lint.cli import main
from referral_lint.inputs import Draft, InputError, decode_email, kind_of, prepare, read
from referral_lint.readers.eml import EmailError, read_email
from referral_lint.readers.markdown import prose

BODY = "Hi Tom,\n\nWe met at PyData in May. Refer me for the Data Engineer role (job 4410) ASAP. Thanks!\n"


def blanked(text: str, *pieces: str) -> str:
    """``text`` with each piece (its first occurrence after the previous one) blanked."""
    out = text
    position = 0
    for piece in pieces:
        start = text.index(piece, position)
        out = out[:start] + re.sub(r"[^\r\n]", " ", piece) + out[start + len(piece) :]
        position = start + len(piece)
    return out


def same_shape(text: str, result: str) -> bool:
    return len(result) == len(text) and all(
        r == t or (r == " " and t not in "\r\n") for r, t in zip(result, text)
    )


@pytest.fixture
def run(linter):
    def invoke(*args: str, input: bytes | None = None):
        env = {"NO_COLOR": None, "FORCE_COLOR": None}
        return CliRunner().invoke(main, [str(a) for a in args], input=input, env=env, catch_exceptions=False)

    return invoke


def json_entries(outcome) -> dict[str, dict]:
    return {Path(entry["path"]).name: entry for entry in json.loads(outcome.stdout)["files"]}


# --- markdown: what is blanked -------------------------------------------------------------------


def test_plain_prose_is_untouched():
    text = "Hi Ana,\n\nWould you be open to referring me? *Thanks* for your time.\n- a list item\n> quoted\n"
    assert prose(text) == text


def test_a_title_is_not_prose_but_a_setext_underline_stays():
    text = "# Referral note\n\nHi Ana,\n## Why me\nThanks.\n---\n"
    assert prose(text) == blanked(text, "# Referral note", "## Why me")


def test_a_title_is_not_the_messages_opening(run, tmp_path):
    draft = tmp_path / "note.md"
    draft.write_text(
        "# Referral note for the Data Engineer role\n\nHi Ana,\n\nWe met at PyData in May. Would you be open to referring me "
        "for the Data Engineer role (job 4410)? No worries if not. Thanks for your time!\n\nSam\n",
        encoding="utf-8",
    )
    result = run("check", "--isolated", "--select", "missing-greeting,length", "--format", "concise", draft)
    assert result.stdout.splitlines() == [  # no missing-greeting at the title; the length counts the message only
        f"{draft}:5:1: length [warning] 31 words is too short to say who you are, how you know the reader and which role;"
        " 50 to 125 words get the most replies."
    ]


def test_yaml_and_toml_front_matter():
    yaml = "---\ntitle: Draft\ntags: [a]\n---\nHi Ana,\n"
    assert prose(yaml) == blanked(yaml, "---\ntitle: Draft\ntags: [a]\n---")
    closed_by_dots = "---\ntitle: Draft\n...\nHi Ana,\n"
    assert prose(closed_by_dots) == blanked(closed_by_dots, "---\ntitle: Draft\n...")
    toml = "+++\ntitle = 'Draft'\n+++\nHi Ana,\n"
    assert prose(toml) == blanked(toml, "+++\ntitle = 'Draft'\n+++")


def test_front_matter_only_at_the_start_and_only_when_closed():
    later = "Hi Ana,\n---\ntitle: no\n---\n"
    assert prose(later) == later
    unclosed = "---\nHi Ana, refer me.\n"
    assert prose(unclosed) == unclosed


def test_fenced_code_blocks():
    text = "Hi.\n```python\nrefer_me(asap=True)\n```\nThanks.\n~~~~\ncode\n~~~\nstill code\n~~~~\nBye.\n"
    assert prose(text) == blanked(text, "```python\nrefer_me(asap=True)\n```", "~~~~\ncode\n~~~\nstill code\n~~~~")


def test_an_unclosed_fence_runs_to_the_end():
    text = "Hi.\n```\nRefer me ASAP\n"
    assert prose(text) == blanked(text, "```\nRefer me ASAP")


def test_a_fence_in_a_block_quote():
    text = "> ```\n> code here\n> ```\nHi.\n"
    assert prose(text) == blanked(text, "> ```\n> code here\n> ```")


def test_indented_code_after_a_blank_line():
    text = "Hi Ana,\n\n    pip install referral-lint\n    referral-lint check\n\nThanks.\n"
    assert prose(text) == blanked(text, "    pip install referral-lint\n    referral-lint check")


def test_an_indented_line_continuing_a_paragraph_is_prose():
    text = "Hi Ana, we met at\n    PyData in May.\n"
    assert prose(text) == text


def test_indented_text_in_a_list_item_is_prose_and_deeper_is_code():
    text = "- We met at PyData.\n\n  A second paragraph.\n\n      code in the item\n"
    assert prose(text) == blanked(text, "      code in the item")


def test_a_tab_indents_code():
    text = "Hi.\n\n\tcode\n"
    assert prose(text) == blanked(text, "\tcode")


def test_inline_code_spans():
    text = "Run `pip install` and ``a ` inside``, then `unclosed.\n"
    assert prose(text) == blanked(text, "`pip install`", "``a ` inside``")


def test_a_code_span_does_not_cross_a_blank_line():
    text = "A `tick here.\n\nAnother` there.\n"
    assert prose(text) == text


def test_an_escaped_backtick_opens_nothing():
    text = "A \\`literal` and `code`.\n"
    assert prose(text) == blanked(text, "` and `")  # "` and `" is the span: the escaped one is skipped
    text = "Price \\` then `x`.\n"
    assert prose(text) == blanked(text, "`x`")


def test_html_comments_even_across_lines():
    text = "Hi <!-- remember: ASAP --> Ana,\n<!--\nnote to self\n\nmore\n-->\nThanks.\n"
    assert prose(text) == blanked(text, "<!-- remember: ASAP -->", "<!--\nnote to self\n\nmore\n-->")


def test_link_text_and_its_web_address_stay_and_the_markup_goes():
    """The reader gets the link's address (a posting link names the role), so the linter reads
    "PyData London https://…" as it would in a plain-text draft; the title is not shown."""
    text = 'We met at [PyData London](https://pydata.org/london "the conference") in May.\n'
    assert prose(text) == blanked(text, "[", "](", ' "the conference")')


def test_a_link_to_a_path_keeps_only_its_text():
    text = "See [the team](/team.html) and [this](<a b.html>).\n"
    assert prose(text) == blanked(text, "[", "](/team.html)", "[", "](<a b.html>)")


def test_link_destinations_with_parentheses_and_angle_brackets():
    text = "See [the post](https://en.wikipedia.org/wiki/Foo_(bar)) and [this](<https://example.com/jobs/1>).\n"
    assert prose(text) == "See  the post  https://en.wikipedia.org/wiki/Foo_(bar)  and  this   https://example.com/jobs/1  .\n"


def test_reference_links_and_their_definitions():
    text = (
        "Here is [the posting][job], the [Role][] and [Team].\n"
        "\n"
        "[job]: https://careers.example.com/4410\n"
        "[role]: <https://example.com/role> 'Role'\n"
        "[team]: /team.html\n"
    )
    expected = blanked(
        text, "[", "][job]", "[", "][]", "[", "]",
        "[job]: https://careers.example.com/4410", "[role]: <https://example.com/role> 'Role'", "[team]: /team.html",
    )
    assert prose(text) == expected


def test_brackets_that_are_not_links_stay():
    """A template blank such as [Name] is for the placeholder rule to see."""
    text = "Hi [Name], I'm applying for [role] at {company}; see <job title>.\n"
    assert prose(text) == text
    definition_like = "[Role]: TBD\n"
    assert prose(definition_like) == definition_like


def test_images_go_entirely():
    text = "Me: ![a photo of me](me.png) and ![logo][l].\n\n[l]: logo.png\n"
    assert prose(text) == blanked(text, "![a photo of me](me.png)", "![logo][l]", "[l]: logo.png")


def test_autolinks_keep_their_address_and_lose_their_angle_brackets():
    text = "Write to <ana@example.com> or see <https://example.com/a?b=c>.\n"
    assert prose(text) == blanked(text, "<", ">", "<", ">")


def test_bare_urls_stay_and_nothing_in_them_opens_markup():
    text = "The posting: https://careers.example.com/jobs/4410. Or www.example.com/a_(b)`x`, or (http://x.io/y)!\n"
    assert prose(text) == text  # the backtick inside the address opens no code span


def test_a_url_inside_a_word_is_not_a_bare_url():
    text = "a.https://x is odd, and so is foohttp://x\n"
    assert prose(text) == text


def test_crlf_line_ends_are_kept():
    text = "Hi.\r\n\r\n```\r\ncode\r\n```\r\nUse `x`.\r\n"
    result = prose(text)
    assert result == blanked(text, "```\r\ncode\r\n```", "`x`")
    assert [m.start() for m in re.finditer("\r\n", result)] == [m.start() for m in re.finditer("\r\n", text)]


MARKDOWNISH = st.lists(
    st.sampled_from(list("ab \n\r\t`[]()<>!-:#*~_\\>/.h") + ["http://", "www.", "<!--", "-->", "```", "---", "    ", "- ", "]: "]),
    max_size=80,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(MARKDOWNISH)
def test_prose_keeps_length_and_line_ends_and_only_blanks(text):
    assert same_shape(text, prose(text))


# --- markdown through the command line -----------------------------------------------------------------


def test_markdown_violations_point_into_the_file(run, tmp_path):
    text = (
        "---\ntitle: Refer me ASAP\n---\n"
        "Hi Ana,\n\nWe met at [PyData](https://pydata.org/asap) in May.\n\n"
        "```\nRefer me ASAP\n```\n\n"
        "Refer me for the Data Engineer role (job 4410) ASAP. No worries if not. Thanks!\n"
    )
    draft = tmp_path / "draft.md"
    draft.write_text(text, encoding="utf-8")
    entry = json_entries(run("check", "--format", "json", draft))["draft.md"]
    assert entry["input"] == "markdown"
    demands = [v for v in entry["violations"] if v["rule"] == "demanding-phrasing"]
    # Only the prose's "Refer me" and "ASAP": not those in the front matter, the URL or the code.
    assert [text[v["start"] : v["end"]] for v in demands] == ["Refer me", "ASAP"]
    assert {v["line"] for v in demands} == {text.count("\n", 0, demands[0]["start"]) + 1}


def test_markdown_of_only_code_is_an_input_error(run, tmp_path):
    draft = tmp_path / "code.md"
    draft.write_text("```\nRefer me ASAP\n```\n", encoding="utf-8")
    outcome = run("check", draft)
    assert outcome.exit_code == 2
    assert outcome.stderr.strip() == f"referral-lint: error: {draft}: no prose to lint (only code, front matter, comments or links)"


def test_a_posting_link_in_markdown_names_the_role(run, tmp_path):
    text = (
        "Hi Priya,\n\nWe worked together at Orbitly on the payments team in 2021. Here is the posting: "
        "https://careers.example.com/jobs/4821 - would you be open to a referral? No worries at all if not.\n\n"
        "Thanks for your time,\nAmaka\n"
    )
    (tmp_path / "link.txt").write_text(text, encoding="utf-8")
    (tmp_path / "link.md").write_text(text, encoding="utf-8")
    entries = json_entries(run("check", "--format", "json", tmp_path / "link.txt", tmp_path / "link.md"))
    rules = {name: {v["rule"] for v in entry["violations"]} for name, entry in entries.items()}
    assert "named-role" not in rules["link.txt"]
    assert rules["link.md"] == rules["link.txt"]


# --- email: what is kept ----------------------------------------------------------------------------------


def simple_email(body: str = BODY, *, headers: str = "", newline: str = "\n") -> str:
    text = (
        "Return-Path: <ana@example.com>\n"
        "Received: from mail.example.com\n\tby mx.example.org; Tue, 5 Mar 2024 10:00:00 +0000\n"
        "From: Ana <ana@example.com>\n"
        "Subject: Data Engineer role (job 4410)\n"
        "To: Tom <tom@example.org>\n"
        f"{headers}"
        "\n" + body
    )
    return text.replace("\n", newline)


def test_email_keeps_the_subject_and_the_body_in_place():
    text = simple_email()
    found = read_email(text.encode("utf-8"))
    assert found.positions == "file"
    assert found.source == text
    subject_line = "Subject: Data Engineer role (job 4410)"
    others = [line for line in text.split("\n\n", 1)[0].split("\n") if line != subject_line]
    assert found.text == blanked(text, *others)
    assert same_shape(text, found.text)
    assert found.text.lstrip().startswith("Subject: Data Engineer role")


def test_email_with_crlf_line_ends():
    text = simple_email(newline="\r\n")
    found = read_email(text.encode("utf-8"))
    assert same_shape(text, found.text) and found.positions == "file"
    assert found.text.endswith(BODY.replace("\n", "\r\n"))


def test_a_folded_subject_is_unfolded_in_place():
    text = "From: a@example.com\nSubject: Data Engineer role (job 4410) -- would you be\n open to referring me?\n\nHi Tom,\n"
    found = read_email(text.encode("utf-8"))
    assert "Subject: Data Engineer role (job 4410) -- would you be  open to referring me?\n" in found.text
    assert len(found.text) == len(text) and found.source == text


def test_an_encoded_subject_is_decoded_and_padded():
    text = "Subject: =?utf-8?q?Caf=C3=A9_meetup_=E2=80=93_Data_Engineer?=\n\nHi Tom,\n"
    found = read_email(text.encode("utf-8"))
    first_line = found.text.split("\n")[0]
    assert first_line.rstrip() == "Subject: Café meetup – Data Engineer"
    assert len(found.text) == len(text)
    assert found.positions == "decoded"


def test_an_email_without_headers_is_all_body():
    found = read_email(BODY.encode("utf-8"))
    assert found.text == BODY and found.positions == "file"


def test_an_mbox_from_line_is_a_header():
    text = "From ana@example.com Tue Mar  5 10:00:00 2024\nSubject: Hello\n\nHi Tom,\n"
    found = read_email(text.encode("utf-8"))
    assert found.text == blanked(text, "From ana@example.com Tue Mar  5 10:00:00 2024")


MULTIPART = (
    "From: Ana <ana@example.com>\n"
    "Subject: Data Engineer role (job 4410)\n"
    "MIME-Version: 1.0\n"
    'Content-Type: multipart/mixed; boundary="outer"\n'
    "\n"
    "This is a multi-part message in MIME format.\n"
    "--outer\n"
    'Content-Type: text/plain; name="notes.txt"\n'
    'Content-Disposition: attachment; filename="notes.txt"\n'
    "\n"
    "An attachment: Refer me ASAP, not linted.\n"
    "--outer\n"
    'Content-Type: multipart/alternative; boundary="inner"\n'
    "\n"
    "--inner\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: 7bit\n"
    "\n"
    + BODY
    + "--inner\n"
    "Content-Type: text/html; charset=utf-8\n"
    "\n"
    "<p>Refer me ASAP</p>\n"
    "--inner--\n"
    "--outer\n"
    "Content-Type: application/pdf\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "JVBERi0xLjQK\n"
    "--outer--\n"
)


def test_multipart_lints_the_first_text_plain_part_that_is_not_an_attachment():
    found = read_email(MULTIPART.encode("utf-8"))
    body_start = MULTIPART.index(BODY)
    body_end = body_start + len(BODY) - 1  # the line end before the boundary belongs to the boundary
    assert found.positions == "file"
    assert found.text[body_start:] == BODY[:-1]
    assert len(found.text) == body_end  # what follows the part is left off
    before = found.text[:body_start]
    assert before.split() == ["Subject:", "Data", "Engineer", "role", "(job", "4410)"]
    assert found.source == MULTIPART[:body_end]


def test_a_quoted_printable_body_is_decoded_where_the_body_starts():
    text = (
        "Subject: Data Engineer role\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: quoted-printable\n"
        "\n"
        "Hi Tom, we met at the caf=C3=A9. Refer me for the Data Engineer role (job 4410) AS=\nAP.\n"
    )
    found = read_email(text.encode("utf-8"))
    assert found.positions == "decoded"
    body_start = text.index("Hi Tom")
    assert found.text[body_start:] == "Hi Tom, we met at the café. Refer me for the Data Engineer role (job 4410) ASAP.\n"
    assert found.source[body_start:] == found.text[body_start:]
    assert found.source[:body_start] == text[:body_start]
    assert found.text[:body_start].lstrip().startswith("Subject: Data Engineer role")


def test_a_base64_body_is_decoded():
    encoded = base64.encodebytes(BODY.encode("utf-8")).decode("ascii")
    text = "Subject: Hello\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n" + encoded
    found = read_email(text.encode("utf-8"))
    assert found.positions == "decoded"
    assert found.text.endswith(BODY)


def test_a_latin1_body_is_read_in_place():
    text = "Subject: Caf\xe9\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\nHi Jos\xe9, refer me.\n"
    found = read_email(text.encode("latin-1"))
    assert found.positions == "file"
    assert found.text.endswith("Hi José, refer me.\n") and len(found.text) == len(text)


def test_an_email_with_only_html_has_nothing_to_lint():
    text = "Subject: Hi\nContent-Type: text/html\n\n<p>Refer me</p>\n"
    with pytest.raises(EmailError, match="no text/plain part"):
        read_email(text.encode("utf-8"))
    assert decode_email("a.eml", text.encode("utf-8")) == InputError("a.eml", "email has no text/plain part to lint (it is text/html)")


def test_an_empty_email_is_an_input_error():
    error = decode_email("a.eml", b"From: a@example.com\nTo: b@example.com\n\n   \n")
    assert isinstance(error, InputError) and "empty email" in error.cause


def test_email_draft_fields():
    draft = decode_email("a.eml", simple_email().encode("utf-8"))
    assert isinstance(draft, Draft)
    assert (draft.kind, draft.channel, draft.positions) == ("email", "email", "file")
    assert draft.source == simple_email()


# --- email through the command line --------------------------------------------------------------------------


def test_an_eml_is_linted_as_an_email(run, tmp_path):
    path = tmp_path / "draft.eml"
    path.write_text(simple_email(), encoding="utf-8")
    entry = json_entries(run("check", "--format", "json", path))["draft.eml"]
    assert entry["channel"] == "email" and entry["input"] == "email"
    text = simple_email()
    spans = [text[v["start"] : v["end"]] for v in entry["violations"] if v["rule"] == "demanding-phrasing"]
    assert spans == ["Refer me", "ASAP"]


def test_an_eml_without_a_subject_is_still_an_email(run, tmp_path):
    path = tmp_path / "draft.eml"
    path.write_text("From: a@example.com\n\n" + BODY, encoding="utf-8")
    assert json_entries(run("check", "--format", "json", path))["draft.eml"]["channel"] == "email"


def test_channel_option_overrides_the_email_channel(run, tmp_path):
    path = tmp_path / "draft.eml"
    path.write_text(simple_email(), encoding="utf-8")
    entry = json_entries(run("check", "--format", "json", "--channel", "connection-note", path))["draft.eml"]
    assert entry["channel"] == "connection-note"


def test_an_eml_finds_what_the_same_text_finds(run, tmp_path):
    """The headers are blanked, not lint: an .eml and its Subject plus body give the same violations."""
    eml = tmp_path / "draft.eml"
    eml.write_text(simple_email(), encoding="utf-8")
    plain = tmp_path / "draft.txt"
    plain.write_text("Subject: Data Engineer role (job 4410)\n\n" + BODY, encoding="utf-8")
    entries = json_entries(run("check", "--format", "json", "--channel", "email", eml, plain))
    def found(name: str, text: str) -> list[tuple[str, str, str]]:
        return [(v["rule"], v["message"], text[v["start"] : v["end"]]) for v in entries[name]["violations"]]
    assert found("draft.eml", simple_email()) == found("draft.txt", plain.read_text(encoding="utf-8"))


def test_a_folded_subject_is_reported_on_the_files_lines(run, tmp_path):
    text = "From: a@example.com\nSubject: URGENT: REFERRAL\n FOR THE DATA ENGINEER ROLE\n\n" + BODY
    path = tmp_path / "draft.eml"
    path.write_text(text, encoding="utf-8")
    entry = json_entries(run("check", "--format", "json", path))["draft.eml"]
    for v in entry["violations"]:
        before = text[: v["start"]]
        assert v["line"] == before.count("\n") + 1
        assert v["column"] == len(before) - (before.rfind("\n") + 1) + 1
        assert v["context"] == text.split("\n")[v["line"] - 1]
    body_line = text.split("\n").index(BODY.split("\n")[2]) + 1
    assert any(v["line"] == body_line for v in entry["violations"])


def test_a_decoded_body_is_reported_in_the_decoded_text(run, tmp_path):
    text = (
        "Subject: Data Engineer role\nContent-Transfer-Encoding: quoted-printable\n\n"
        "Hi Tom, we met at PyData. Refer me for the Data Engineer role (job 4410) AS=\nAP. Thanks!\n"
    )
    path = tmp_path / "qp.eml"
    path.write_text(text, encoding="utf-8")
    entry = json_entries(run("check", "--format", "json", path))["qp.eml"]
    assert entry["positions"] == "decoded"
    [asap] = [v for v in entry["violations"] if v["rule"] == "demanding-phrasing" and "ASAP" in v["message"]]
    assert asap["context"].endswith("(job 4410) ASAP. Thanks!")


def test_an_html_only_eml_is_one_error_line(run, tmp_path):
    path = tmp_path / "html.eml"
    path.write_text("Subject: Hi\nContent-Type: text/html\n\n<p>Refer me</p>\n", encoding="utf-8")
    outcome = run("check", path)
    assert outcome.exit_code == 2
    assert outcome.stderr.strip() == f"referral-lint: error: {path}: email has no text/plain part to lint (it is text/html)"


def test_a_binary_eml_is_refused(run, tmp_path):
    path = tmp_path / "bin.eml"
    path.write_bytes(b"Subject: x\n\n\x00\x01")
    outcome = run("check", path)
    assert outcome.exit_code == 2 and "binary file" in outcome.stderr


# --- which reader: extensions, stdin, directories ----------------------------------------------------------------


def test_kind_by_extension():
    assert kind_of("a.txt") == kind_of("A.TXT") == "text"
    assert kind_of("notes") == "text"  # no extension: plain text, nothing to say
    assert kind_of("a.md") == kind_of("a.markdown") == "markdown"
    assert kind_of("a.eml") == "email"
    assert kind_of("a.rst") is None


def test_unknown_extension_is_linted_as_text_with_a_note(run, tmp_path):
    path = tmp_path / "draft.rst"
    path.write_text("Refer me for the Data Engineer role (job 4410) ASAP.\n", encoding="utf-8")
    outcome = run("check", "--format", "json", path)
    assert outcome.exit_code == 1
    assert outcome.stderr.splitlines() == [f"referral-lint: note: {path}: unknown extension '.rst', linted as plain text"]
    assert json_entries(outcome)["draft.rst"]["input"] == "text"


def test_no_extension_means_text_without_a_note(run, tmp_path):
    path = tmp_path / "DRAFT"
    path.write_text("Refer me for the Data Engineer role (job 4410) ASAP.\n", encoding="utf-8")
    outcome = run("check", path)
    assert outcome.exit_code == 1 and outcome.stderr == ""


def test_an_unreadable_file_with_an_unknown_extension_gets_the_error_only(run, tmp_path):
    path = tmp_path / "empty.rst"
    path.write_text("", encoding="utf-8")
    outcome = run("check", path)
    assert outcome.stderr.splitlines() == [f"referral-lint: error: {path}: empty file, nothing to lint"]


def test_stdin_is_plain_text(run):
    markdown = "Use `Refer me ASAP` as a bad example.\n"
    entry = json.loads(run("check", "--format", "json", "-", input=markdown.encode()).stdout)["files"][0]
    assert entry["input"] == "text"


def test_stdin_filename_chooses_the_reader(run):
    markdown = "Hi Ana,\n\n```\nRefer me ASAP\n```\n\nWould you be open to referring me for the Data Engineer role (job 4410)?\n"
    outcome = run("check", "--format", "json", "--stdin-filename", "drafts/ana.md", "-", input=markdown.encode())
    [entry] = json.loads(outcome.stdout)["files"]
    assert entry["input"] == "markdown"
    assert entry["path"] == "drafts/ana.md"
    assert not [v for v in entry["violations"] if v["rule"] == "demanding-phrasing"]


def test_stdin_filename_eml(run):
    outcome = run("check", "--format", "json", "--stdin-filename", "a.eml", "-", input=simple_email().encode())
    [entry] = json.loads(outcome.stdout)["files"]
    assert (entry["input"], entry["channel"]) == ("email", "email")


def test_directories_are_searched_for_eml_too(run, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text(BODY, encoding="utf-8")
    (tmp_path / "sub" / "b.eml").write_text(simple_email(), encoding="utf-8")
    (tmp_path / "c.md").write_text(BODY, encoding="utf-8")
    (tmp_path / "d.rst").write_text(BODY, encoding="utf-8")
    outcome = run("check", "--format", "json", tmp_path)
    assert set(json_entries(outcome)) == {"a.txt", "b.eml", "c.md"}
    assert outcome.stderr == ""


def test_an_empty_directory_names_every_suffix(run, tmp_path):
    outcome = run("check", tmp_path)
    assert outcome.exit_code == 2
    assert outcome.stderr.strip() == f"referral-lint: error: {tmp_path}: directory has no .txt, .md or .eml files to lint"


def test_read_and_prepare_api(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("Hi `x`.\n", encoding="utf-8")
    draft = read(str(path), path)
    assert isinstance(draft, Draft)
    assert (draft.text, draft.source, draft.kind, draft.channel) == ("Hi    .\n", "Hi `x`.\n", "markdown", None)
    again = prepare(Draft("b.md", "Hi `x`.\n"), "markdown")
    assert isinstance(again, Draft) and again.text == draft.text
    assert prepare(Draft("c.txt", "Hi `x`."), "text") == Draft("c.txt", "Hi `x`.")


# --- no input makes a reader slow ----------------------------------------------------------------------------------

ADVERSARIAL = {
    "open brackets": "[" * 100_000,
    "unclosed links": "[a](" * 25_000,
    "escaped parens": "[a](\\)" * 16_000,
    "backticks": "`a" * 50_000,
    "comment openers": "<!--" * 25_000,
    "image openers": "![" * 50_000,
    "unclosed titles": "[a](x '" * 14_000,
    "autolink openers": "<a:" * 30_000,
    "list and code": "- a\n\n      b\n" * 8_000,
}


@pytest.mark.parametrize("kind", list(ADVERSARIAL))
def test_markdown_is_fast_on_adversarial_input(kind):
    import time

    text = ADVERSARIAL[kind]
    started = time.perf_counter()
    result = prose(text)
    assert time.perf_counter() - started < 3.0  # about 0.1 s here; quadratic would be minutes
    assert same_shape(text, result)


def test_deeply_nested_multipart_is_not_a_crash():
    parts = "".join(f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n' for i in range(300))
    text = "Subject: deep\n" + parts + "Content-Type: text/plain\n\nHi.\n"
    outcome = decode_email("deep.eml", text.encode("utf-8"))
    assert isinstance(outcome, InputError) and "no text/plain part" in outcome.cause
