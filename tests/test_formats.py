"""The output formats: the registry, each format's shape, the schemas, and -o.

Most tests render hand-made reports, so that exact output does not depend on what the
rules find; the schema tests lint real drafts (text, markdown, email, stdin, a broken
input) and validate whatever comes out.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from referral_lint import __version__, formats
from referral_lint.cli import check, main
from referral_lint.engine.loader import load_rules
from referral_lint.formats import FORMATS, FileResult, Run, render, write_report
from referral_lint.formats.github import escape_data, escape_property
from referral_lint.inputs import Draft, InputError
from referral_lint.model import Applicability, Edit, Report, Severity, Suggestion, Violation

REPO = Path(__file__).resolve().parent.parent
SARIF_SCHEMA = json.loads((REPO / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
REPORT_SCHEMA = json.loads((REPO / "docs" / "schema" / "report-v2.json").read_text(encoding="utf-8"))

DEMANDING = (
    "Hi Ana,\n"
    "We met at PyData in May.\n"
    "Refer me for the Data Engineer role (job 4410) ASAP. No worries if not. Thanks!\n"
)
MARKDOWN = (
    "---\ntitle: for Ana\n---\n"
    "Hi Ana,\n\n"
    "We met at [PyData](https://pydata.org/) in May, where you showed `dbt test`.\n\n"
    "```\nRefer me ASAP\n```\n\n"
    "Refer me for the Data Engineer role (job 4410) ASAP. No worries if not. Thanks!\n"
)
EMAIL = (
    "From: Ana <ana@example.com>\n"
    "To: Tom <tom@example.org>\n"
    "Subject: Data Engineer role (job 4410)\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "\n"
    "Hi Tom,\n\nWe met at PyData in May. Refer me for the Data Engineer role (job 4410) ASAP. Thanks!\n"
)
QUOTED_PRINTABLE = (
    "Subject: Data Engineer role\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "Hi Tom, we met at PyData. Refer me for the Data Engineer role (job 4410) AS=\nAP. Caf=C3=A9 soon?\n"
)


def violation(
    rule="demanding-phrasing", severity=Severity.ERROR, message="\"Refer me\" is an order.", start=0, end=8,
    line=1, column=1, end_line=None, end_column=9, suggestions=None,
) -> Violation:
    end_line = line if end_line is None else end_line
    if suggestions is None:
        suggestions = (Suggestion("Ask instead", (Edit(start, end, "Would you"),), Applicability.SAFE),)
    return Violation(rule, severity, message, start, end, line, column, tuple(suggestions), end_line, end_column)


def result(text: str, *violations: Violation, name: str = "draft.txt", channel: str = "message", **extra) -> FileResult:
    return FileResult(name, Report(text=text, channel=channel, violations=list(violations)), **extra)


@pytest.fixture
def run_cli(linter):
    def invoke(*args: str, input: bytes | None = None, env: dict[str, str | None] | None = None):
        environment = {"NO_COLOR": None, "FORCE_COLOR": None, **(env or {})}
        return CliRunner().invoke(main, [str(a) for a in args], input=input, env=environment, catch_exceptions=False)

    return invoke


@pytest.fixture
def drafts(tmp_path: Path) -> dict[str, Path]:
    """One draft of each input kind, written for these tests."""
    files = {
        "text": ("draft.txt", DEMANDING.encode("utf-8")),
        "markdown": ("draft.md", MARKDOWN.encode("utf-8")),
        "email": ("draft.eml", EMAIL.encode("utf-8")),
        "decoded": ("encoded.eml", QUOTED_PRINTABLE.encode("utf-8")),
        "crlf": ("windows.txt", DEMANDING.replace("\n", "\r\n").encode("utf-8")),
        "unicode": ("zoë 🙂.txt", ("Hi Zoë 🙂, " + DEMANDING).encode("utf-8")),
    }
    paths = {}
    for kind, (name, data) in files.items():
        paths[kind] = tmp_path / name
        paths[kind].write_bytes(data)
    return paths


# --- the registry -------------------------------------------------------------------------


def test_the_formats_are_the_modules_of_the_package():
    assert FORMATS[0] == "text"
    assert set(FORMATS) == {"text", "concise", "json", "json-lines", "sarif", "github", "statistics"}
    for name in FORMATS:
        assert callable(formats.get(name).render)
        assert formats.describe(name)


def test_the_cli_offers_exactly_the_registered_formats():
    option = next(p for p in check.params if p.name == "output_format")
    assert tuple(option.type.choices) == FORMATS
    assert option.default == "text"


def test_a_new_module_is_a_new_format(tmp_path, monkeypatch):
    (tmp_path / "shout.py").write_text(
        '"""Every message in capitals."""\n'
        "def render(run):\n"
        "    return ''.join(v.message.upper() + '\\n' for r in run.results for v in r.report.violations)\n",
        encoding="utf-8",
    )
    (tmp_path / "_helper.py").write_text("", encoding="utf-8")
    monkeypatch.setattr(formats, "__path__", [*formats.__path__, str(tmp_path)])
    monkeypatch.delitem(sys.modules, "referral_lint.formats.shout", raising=False)
    names = formats._discover()
    assert "shout" in names and "_helper" not in names and "-helper" not in names
    monkeypatch.setattr(formats, "FORMATS", names)
    assert formats.describe("shout") == "Every message in capitals."
    assert render("shout", Run([result("Refer me.", violation())])) == '"REFER ME" IS AN ORDER.\n'
    sys.modules.pop("referral_lint.formats.shout", None)


def test_an_unknown_format_is_a_value_error():
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        formats.get("xml")


def test_unknown_format_on_the_command_line_is_a_usage_error(run_cli, drafts):
    outcome = run_cli("check", "--output-format", "xml", drafts["text"])
    assert outcome.exit_code == 2
    assert "xml" in outcome.stderr


# --- concise ---------------------------------------------------------------------------------


def test_concise_is_one_line_per_violation():
    text = "Refer me now.\nThanks ASAP\n"
    report = result(
        text,
        violation(),
        violation(message="multi\nline   message", start=21, end=25, line=2, column=8, end_column=12, severity=Severity.WARNING),
        name="dir/a b.txt",
    )
    assert render("concise", Run([report])) == (
        'dir/a b.txt:1:1: demanding-phrasing [error] "Refer me" is an order.\n'
        "dir/a b.txt:2:8: demanding-phrasing [warning] multi line message\n"
    )


def test_concise_prints_nothing_for_a_clean_run():
    assert render("concise", Run([result("Fine.")])) == ""


def test_concise_escapes_a_newline_in_a_file_name():
    assert render("concise", Run([result("x", violation(end=1), name="two\nlines.txt")])).startswith("two\\nlines.txt:1:1: ")


# --- json ------------------------------------------------------------------------------------


def test_json_document_shape():
    text = "Hi.\r\nRefer me now.\n"
    report = result(text, violation(start=5, end=13, line=2, column=1, end_column=9))
    document = json.loads(render("json", Run([report], [InputError("gone.txt", "no such file or directory")])))
    assert document["version"] == 2
    assert document["$schema"] == "https://referral-lint.readthedocs.io/en/latest/schema/report-v2.json"
    assert document["tool"] == {"name": "referral-lint", "version": __version__}
    [entry] = document["files"]
    assert (entry["path"], entry["input"], entry["positions"], entry["channel"]) == ("draft.txt", "text", "file", "message")
    [v] = entry["violations"]
    assert v["context"] == "Refer me now."  # the whole line, without its CRLF
    assert v["fixable"] is True
    assert (v["start"], v["end"], v["line"], v["column"], v["end_line"], v["end_column"]) == (5, 13, 2, 1, 2, 9)
    assert v["suggestions"] == [
        {"description": "Ask instead", "applicability": "safe", "edits": [{"start": 5, "end": 13, "replacement": "Would you"}]}
    ]
    assert document["errors"] == [{"path": "gone.txt", "error": "no such file or directory"}]
    assert document["summary"] == {
        "files": 1, "violations": 1, "by_severity": {"error": 1, "warning": 0, "info": 0}, "fixable": 1, "input_errors": 1,
    }
    jsonschema.validate(document, REPORT_SCHEMA, cls=jsonschema.Draft202012Validator)


def test_json_context_is_the_files_line_for_markdown():
    """Positions are the file's; the context shows the file's line, code and all."""
    source = "Use `x` here. Refer me.\n"
    linted = "Use     here. Refer me.\n"
    report = result(linted, violation(start=14, end=22, column=15, end_column=23), source=source, kind="markdown")
    [v] = json.loads(render("json", Run([report])))["files"][0]["violations"]
    assert v["context"] == "Use `x` here. Refer me."
    assert source[v["start"] : v["end"]] == "Refer me"


def test_the_report_schema_is_a_valid_schema_and_strict():
    jsonschema.Draft202012Validator.check_schema(REPORT_SCHEMA)
    document = json.loads(render("json", Run([result("Refer me.", violation())])))
    document["files"][0]["violations"][0]["surprise"] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, REPORT_SCHEMA, cls=jsonschema.Draft202012Validator)


def test_the_schema_knows_every_applicability_severity_and_channel():
    from referral_lint.config import CHANNELS

    defs = REPORT_SCHEMA["$defs"]
    assert set(defs["suggestion"]["properties"]["applicability"]["enum"]) == {a.value for a in Applicability}
    assert set(defs["violationFields"]["properties"]["severity"]["enum"]) == {s.value for s in Severity}
    assert set(defs["file"]["properties"]["channel"]["enum"]) == set(CHANNELS)


def test_real_json_output_validates_against_the_schema(run_cli, drafts, tmp_path):
    paths = [*drafts.values(), tmp_path / "missing.txt"]
    outcome = run_cli("check", "--output-format", "json", *paths)
    assert outcome.exit_code == 2  # the missing file
    document = json.loads(outcome.stdout)
    jsonschema.validate(document, REPORT_SCHEMA, cls=jsonschema.Draft202012Validator)
    by_path = {Path(entry["path"]).name: entry for entry in document["files"]}
    assert by_path["draft.md"]["input"] == "markdown"
    assert by_path["draft.eml"]["input"] == "email" and by_path["draft.eml"]["channel"] == "email"
    assert by_path["encoded.eml"]["positions"] == "decoded"
    assert document["summary"]["files"] == len(drafts)
    # Every span indexes the file itself, for every kind read in place.
    for kind in ("text", "markdown", "email", "crlf", "unicode"):
        file_text = drafts[kind].read_bytes().decode("utf-8")  # read_text() would turn CRLF into LF
        lines = file_text.replace("\r\n", "\n").split("\n")
        for v in by_path[drafts[kind].name]["violations"]:
            assert v["context"] == lines[v["line"] - 1], (kind, v)
            before = file_text[: v["start"]]
            assert v["line"] == before.count("\n") + 1, (kind, v)
            assert v["column"] == len(before) - (before.rfind("\n") + 1) + 1, (kind, v)


def test_json_of_a_violation_on_stdin(run_cli):
    outcome = run_cli("check", "--output-format", "json", "-", input=DEMANDING.encode("utf-8"))
    document = json.loads(outcome.stdout)
    jsonschema.validate(document, REPORT_SCHEMA, cls=jsonschema.Draft202012Validator)
    assert document["files"][0]["path"] == "<stdin>"


# --- json-lines ----------------------------------------------------------------------------------


def test_json_lines_is_one_object_per_violation():
    first = violation()
    second = violation(rule="easy-out", severity=Severity.WARNING, message="No easy out.", start=9, end=9, column=10, end_column=10)
    out = render("json-lines", Run([result("Refer me. Please.", first, second), result("Fine.", name="b.txt")]))
    lines = out.splitlines()
    assert len(lines) == 2 and out.endswith("\n")
    records = [json.loads(line) for line in lines]
    assert [r["path"] for r in records] == ["draft.txt", "draft.txt"]
    assert [r["rule"] for r in records] == ["demanding-phrasing", "easy-out"]
    assert list(records[0])[0] == "path"
    line_schema = {"$ref": "#/$defs/jsonLine", "$defs": REPORT_SCHEMA["$defs"]}
    for record in records:
        jsonschema.validate(record, line_schema, cls=jsonschema.Draft202012Validator)


def test_json_lines_records_never_split_at_unicode_line_breaks():
    text = "Refer\u2028me\x85now\u2029."
    v = violation(message="a\u2028b\x85c\u2029d", end=len(text), end_column=len(text) + 1)
    out = render("json-lines", Run([result(text, v)]))
    assert len(out.splitlines()) == 1  # str.splitlines splits at U+2028, U+0085 and U+2029
    record = json.loads(out)
    assert record["message"] == "a\u2028b\x85c\u2029d"
    assert record["context"] == text


def test_json_lines_of_real_drafts_validate(run_cli, drafts):
    outcome = run_cli("check", "--output-format", "json-lines", drafts["text"], drafts["email"])
    assert outcome.exit_code == 1
    line_schema = {"$ref": "#/$defs/jsonLine", "$defs": REPORT_SCHEMA["$defs"]}
    records = [json.loads(line) for line in outcome.stdout.splitlines()]
    assert records and {r["path"] for r in records} == {str(drafts["text"]), str(drafts["email"])}
    for record in records:
        jsonschema.validate(record, line_schema, cls=jsonschema.Draft202012Validator)


# --- github ----------------------------------------------------------------------------------------


def test_github_annotation_line():
    v = violation(end_line=1, end_column=9)
    assert render("github", Run([result("Refer me.", v, name="drafts/ana.txt")])) == (
        "::error file=drafts/ana.txt,line=1,col=1,endLine=1,endColumn=9,title=demanding-phrasing::"
        '"Refer me" is an order.%0Ahelp: Ask instead\n'
    )


def test_github_commands_by_severity():
    results = [
        result("x", violation(severity=severity, end=1, end_column=2, suggestions=()))
        for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO)
    ]
    commands = [line.split(" ", 1)[0] for line in render("github", Run(results)).splitlines()]
    assert commands == ["::error", "::warning", "::notice"]


def test_github_escaping_follows_the_workflow_command_rules():
    assert escape_data("100% sure\r\nnext: a, b") == "100%25 sure%0D%0Anext: a, b"
    assert escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"
    v = violation(message="50% off: now, today\nsecond line", suggestions=())
    out = render("github", Run([result("Refer me.", v, name="odd,name:50%.txt")]))
    assert out == (
        "::error file=odd%2Cname%3A50%25.txt,line=1,col=1,endLine=1,endColumn=9,title=demanding-phrasing::"
        "50%25 off: now, today%0Asecond line\n"
    )
    assert out.count("\n") == 1


def test_github_unsafe_and_display_suggestions_say_so():
    suggestions = (
        Suggestion("Add a thank-you", (Edit(9, 9, " Thanks!"),), Applicability.UNSAFE),
        Suggestion("Fill it in", (), Applicability.DISPLAY),
    )
    out = render("github", Run([result("Refer me.", violation(suggestions=suggestions))]))
    assert "%0Ahelp: Add a thank-you (unsafe: check it before sending)" in out
    assert "%0Ahelp: Fill it in (" in out


def test_github_input_errors_are_annotations_too():
    out = render("github", Run([], [InputError("gone.txt", "no such file or directory")]))
    assert out == "::error file=gone.txt,title=referral-lint::cannot lint gone.txt: no such file or directory\n"


# --- sarif -------------------------------------------------------------------------------------------


def sarif_validator() -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(SARIF_SCHEMA)


def test_sarif_of_real_drafts_is_valid(run_cli, drafts, tmp_path):
    outcome = run_cli("check", "--output-format", "sarif", *drafts.values(), tmp_path / "missing.txt")
    document = json.loads(outcome.stdout)
    errors = sorted(sarif_validator().iter_errors(document), key=str)
    assert not errors, errors[0]
    [run] = document["runs"]
    assert document["version"] == "2.1.0"
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["results"]
    [invocation] = run["invocations"]
    assert invocation["executionSuccessful"] is False
    [notification] = invocation["toolExecutionNotifications"]
    assert "no such file or directory" in notification["message"]["text"]


def test_sarif_describes_every_rule():
    rules = load_rules()
    document = json.loads(render("sarif", Run([result("Refer me.", violation())], rules=rules)))
    driver = document["runs"][0]["tool"]["driver"]
    assert driver["name"] == "referral-lint" and driver["version"] == __version__
    descriptors = {d["id"]: d for d in driver["rules"]}
    assert set(descriptors) == {rule.id for rule in rules}
    for rule in rules:
        descriptor = descriptors[rule.id]
        assert descriptor["shortDescription"]["text"] == " ".join(rule.summary.split())
        assert descriptor["fullDescription"]["text"] == " ".join(rule.why.split())
        assert descriptor["help"]["text"].startswith(" ".join(rule.why.split()))
        assert descriptor["helpUri"] == f"https://referral-lint.readthedocs.io/en/latest/rules/{rule.id}/"
        level = {"error": "error", "warning": "warning", "info": "note"}[rule.severity.value]
        assert descriptor["defaultConfiguration"]["level"] == level
    [sarif_result] = document["runs"][0]["results"]
    assert driver["rules"][sarif_result["ruleIndex"]]["id"] == sarif_result["ruleId"] == "demanding-phrasing"
    assert not list(sarif_validator().iter_errors(document))


def test_sarif_result_location_and_fixes():
    text = "Hi Zoë 🙂,\r\nRefer me now.\n"
    start = text.index("Refer me")
    edits = (Edit(start, start + 8, "Would you refer me"), Edit(start + 12, start + 13, "?"))
    suggestions = (
        Suggestion("Ask", edits, Applicability.SAFE),
        Suggestion("Remove it", (Edit(start, start + 9, ""),), Applicability.UNSAFE),
    )
    v = violation(start=start, end=start + 8, line=2, column=1, end_line=2, end_column=9, suggestions=suggestions)
    document = json.loads(render("sarif", Run([result(text, v, name="drafts/zoë.txt")])))
    [sarif_result] = document["runs"][0]["results"]
    assert sarif_result["level"] == "error"
    assert sarif_result["message"]["text"] == v.message
    location = sarif_result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "drafts/zo%C3%AB.txt", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {
        "startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 9,
        "charOffset": start, "charLength": 8, "snippet": {"text": "Refer me"},
    }
    assert location["contextRegion"]["snippet"]["text"] == "Refer me now."
    ask, remove = sarif_result["fixes"]
    assert ask["description"]["text"] == "Ask" and ask["properties"]["applicability"] == "safe"
    [change] = ask["artifactChanges"]
    assert change["artifactLocation"] == location["artifactLocation"]
    first, second = change["replacements"]
    assert first["deletedRegion"]["charOffset"] == start and first["deletedRegion"]["charLength"] == 8
    assert first["insertedContent"] == {"text": "Would you refer me"}
    assert (second["deletedRegion"]["startLine"], second["deletedRegion"]["startColumn"]) == (2, 13)
    [deletion] = remove["artifactChanges"][0]["replacements"]
    assert "insertedContent" not in deletion  # a pure deletion
    assert remove["properties"]["applicability"] == "unsafe"
    # The charOffsets count code points, as the run's columnKind says: "🙂" is one.
    assert text[first["deletedRegion"]["charOffset"] :].startswith("Refer me")
    assert document["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"].endswith("/")
    assert not list(sarif_validator().iter_errors(document))


def test_sarif_absolute_paths_are_file_uris_and_stdin_has_no_uri(tmp_path):
    absolute = tmp_path / "a b.txt"
    document = json.loads(
        render("sarif", Run([result("Refer me.", violation(), name=str(absolute)), result("Refer me.", violation(), name="<stdin>")]))
    )
    first, second = (r["locations"][0]["physicalLocation"]["artifactLocation"] for r in document["runs"][0]["results"])
    assert first == {"uri": absolute.as_uri()}
    assert "uri" not in second and second["description"]["text"] == "standard input"
    assert not list(sarif_validator().iter_errors(document))


def test_sarif_offers_no_fixes_when_positions_refer_to_a_decoded_body():
    document = json.loads(render("sarif", Run([result("Refer me.", violation(), positions="decoded", kind="email")])))
    [sarif_result] = document["runs"][0]["results"]
    assert "fixes" not in sarif_result
    assert sarif_result["properties"] == {"positions": "decoded"}


def test_sarif_multi_line_context_holds_the_region():
    text = "one\ntwo three\nfour\n"
    v = violation(start=4, end=18, line=2, column=1, end_line=3, end_column=5, suggestions=())
    location = json.loads(render("sarif", Run([result(text, v)])))["runs"][0]["results"][0]["locations"][0]
    context = location["physicalLocation"]["contextRegion"]
    assert (context["startLine"], context["endLine"]) == (2, 3)
    assert context["snippet"]["text"] == "two three\nfour"


# --- text ---------------------------------------------------------------------------------------------


def test_text_shows_the_files_line_not_the_blanked_one():
    source = "Try `pip install` then. Refer me.\n"
    linted = "Try " + " " * len("`pip install`") + " then. Refer me.\n"
    assert len(linted) == len(source)
    start = source.index("Refer me")
    v = violation(start=start, end=start + 8, column=start + 1, end_column=start + 9)
    out = render("text", Run([result(linted, v, source=source, kind="markdown")]))
    assert "1 | Try `pip install` then. Refer me." in out


# --- FileResult.from_draft -------------------------------------------------------------------------------


def test_from_draft_recounts_lines_in_the_files_text():
    """An unfolded Subject has one line fewer than the file: lines and columns are the file's."""
    source = "Subject: a long\n subject\n\nRefer me.\n"
    linted = "Subject: a long  subject\n\nRefer me.\n"
    assert len(source) == len(linted)
    start = linted.index("Refer me")
    v = violation(start=start, end=start + 8, line=3, column=1, end_line=3, end_column=9)
    draft = Draft("a.eml", linted, source=source, kind="email", channel="email")
    fixed = FileResult.from_draft(draft, Report(text=linted, channel="email", violations=[v]))
    [moved] = fixed.report.violations
    assert (moved.line, moved.column, moved.end_line, moved.end_column) == (4, 1, 4, 9)
    assert (moved.start, moved.end) == (start, start + 8)
    assert fixed.text == source and fixed.kind == "email"


def test_from_draft_of_plain_text_changes_nothing():
    v = violation()
    draft = Draft("a.txt", "Refer me.")
    fixed = FileResult.from_draft(draft, Report(text="Refer me.", channel="message", violations=[v]))
    assert fixed.report.violations == [v] and fixed.source is None


# --- -o / --output-file --------------------------------------------------------------------------------


def test_output_file_gets_the_report_and_stdout_stays_empty(run_cli, drafts, tmp_path):
    target = tmp_path / "out" / "report.json"
    target.parent.mkdir()
    outcome = run_cli("check", "--output-format", "json", "-o", target, drafts["text"])
    assert outcome.exit_code == 1  # the exit status is the same as without -o
    assert outcome.stdout == ""
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["files"][0]["violations"]
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]  # no temporary file left behind


def test_output_file_is_never_coloured(run_cli, drafts, tmp_path):
    target = tmp_path / "report.txt"
    outcome = run_cli("check", "--output-file", target, drafts["text"], env={"FORCE_COLOR": "1"})
    assert outcome.exit_code == 1
    written = target.read_text(encoding="utf-8")
    assert "demanding-phrasing" in written and "\x1b[" not in written


def test_output_file_replaces_an_existing_file_keeping_its_mode(drafts, run_cli, tmp_path):
    target = tmp_path / "report.txt"
    target.write_text("old report\n" * 1000, encoding="utf-8")
    if os.name == "posix":
        target.chmod(0o640)
    run_cli("check", "-o", target, "--output-format", "concise", drafts["text"])
    written = target.read_text(encoding="utf-8")
    assert "old report" not in written and written.startswith(str(drafts["text"]))
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_output_file_in_a_missing_directory_is_one_error_line(run_cli, drafts, tmp_path):
    target = tmp_path / "no" / "such" / "dir" / "report.json"
    outcome = run_cli("check", "-o", target, drafts["text"])
    assert outcome.exit_code == 2
    [line] = [line for line in outcome.stderr.splitlines() if line.strip()]
    assert line.startswith("referral-lint: error: ") and str(target) in line
    assert not target.parent.exists()


def test_write_report_is_atomic_when_the_write_fails(tmp_path, monkeypatch):
    target = tmp_path / "report.txt"
    target.write_text("the old report\n", encoding="utf-8")

    def broken_replace(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(formats.OutputError, match="No space left on device"):
        write_report(target, "the new report\n")
    assert target.read_text(encoding="utf-8") == "the old report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.txt"]


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_write_report_follows_a_symbolic_link(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    write_report(link, "new\n")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new\n"


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_writes_the_same_to_a_file_as_to_stdout(run_cli, drafts, tmp_path, name):
    target = tmp_path / f"report.{name}"
    to_stdout = run_cli("check", "--output-format", name, drafts["text"], drafts["markdown"]).stdout
    run_cli("check", "--output-format", name, "-o", target, drafts["text"], drafts["markdown"])
    assert target.read_text(encoding="utf-8") == to_stdout
