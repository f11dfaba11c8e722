"""The Python API: lint(), Report, Violation, Linter, apply_fixes."""

from __future__ import annotations

import re
from dataclasses import fields

import pytest
from helpers import HEAVY_MODULES_LOADED, run_python

import referral_lint
from referral_lint import (
    Applicability,
    Config,
    ConfigError,
    Edit,
    Report,
    Severity,
    Suggestion,
    Violation,
    apply_fixes,
    lint,
)
from referral_lint.positions import LineIndex

# Written for these tests. Line 3 holds two demanding phrases, each with a safe fix.
DRAFT = (
    "Hi Ana,\n"
    "We met at PyData in May.\n"
    "Refer me for the Data Engineer role (job 4410) ASAP. No worries if not. Thanks!\n"
)
CLEAN_NOTE = (
    "Hi Priya, we met at the PyData meetup in May. Would you be open to referring me for the "
    "Data Engineer role (job 4410)? No worries if it's not a fit. Thanks!"
)


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset``, counting CRLF, CR and LF as line ends."""
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    line = max(i for i, start in enumerate(starts) if start <= offset)
    return line + 1, offset - starts[line] + 1


def by_rule(report: Report, rule: str) -> list[Violation]:
    return [v for v in report.violations if v.rule == rule]


# --- lint() and the Report ------------------------------------------------------------------


def test_lint_returns_a_report():
    report = lint(DRAFT, channel="connection-note")
    assert isinstance(report, Report)
    assert report.text == DRAFT
    assert report.channel == "connection-note"
    assert [(v.rule, DRAFT[v.start : v.end]) for v in report.violations] == [
        ("demanding-phrasing", "Refer me"),
        ("demanding-phrasing", "ASAP"),
    ]


def test_a_good_note_has_no_violations():
    assert lint(CLEAN_NOTE, channel="connection-note").violations == []


def test_violation_fields():
    assert [f.name for f in fields(Violation)][:8] == [
        "rule", "severity", "message", "start", "end", "line", "column", "suggestions",
    ]
    violation = lint(DRAFT, channel="connection-note").violations[1]
    assert violation.rule == "demanding-phrasing"
    assert violation.severity is Severity.ERROR
    assert violation.message == '"ASAP" rushes the reader; a referral is a favour they fit around their own work.'
    assert (violation.start, violation.end) == (DRAFT.index("ASAP"), DRAFT.index("ASAP") + 4)
    assert (violation.line, violation.column) == (3, 48)
    assert (violation.end_line, violation.end_column) == (3, 52)
    assert isinstance(violation.suggestions, tuple) and violation.suggestions
    first = violation.suggestions[0]
    assert isinstance(first, Suggestion)
    assert first.applicability is Applicability.SAFE
    assert all(isinstance(edit, Edit) for edit in first.edits)


def test_violations_are_sorted_by_position():
    violations = lint(DRAFT, channel="message").violations
    keys = [(v.start, v.end, v.rule) for v in violations]
    assert keys == sorted(keys)


def test_every_violation_has_a_suggestion_with_edits_inside_the_text():
    report = lint("Refer me to your manager ASAP, you owe me.", channel="email")
    assert report.violations
    for violation in report.violations:
        assert violation.suggestions, violation
        for suggestion in violation.suggestions:
            assert suggestion.description
            for edit in suggestion.edits:
                assert 0 <= edit.start <= edit.end <= len(report.text)


def test_failing_by_severity():
    report = lint(DRAFT, channel="message")
    severities = {v.severity for v in report.violations}
    assert Severity.WARNING in severities and Severity.ERROR in severities
    assert report.failing(Severity.ERROR) == [v for v in report.violations if v.severity is Severity.ERROR]
    assert report.failing() == report.failing(Severity.WARNING) == report.violations
    assert report.failing(Severity.INFO) == report.violations


def test_severity_is_ordered_and_prints_as_its_value():
    assert Severity.ERROR.rank > Severity.WARNING.rank > Severity.INFO.rank
    assert str(Severity.ERROR) == "error"
    assert str(Applicability.UNSAFE) == "unsafe"


def test_report_to_dict():
    report = lint(DRAFT, channel="connection-note")
    data = report.to_dict()
    assert set(data) == {"channel", "violations", "skipped"}
    assert data["channel"] == "connection-note"
    assert data["skipped"] == []  # no built-in pattern needs a trained pipeline
    asap = data["violations"][1]
    assert asap == {
        "rule": "demanding-phrasing",
        "severity": "error",
        "message": '"ASAP" rushes the reader; a referral is a favour they fit around their own work.',
        "start": DRAFT.index("ASAP"),
        "end": DRAFT.index("ASAP") + 4,
        "line": 3,
        "column": 48,
        "end_line": 3,
        "end_column": 52,
        "suggestions": [
            {
                "description": 'Remove "ASAP"',
                "applicability": "safe",
                "edits": [{"start": DRAFT.index(" ASAP"), "end": DRAFT.index("ASAP") + 4, "replacement": ""}],
            },
            {
                "description": 'Replace with "when you have a moment"',
                "applicability": "safe",
                "edits": [{"start": DRAFT.index("ASAP"), "end": DRAFT.index("ASAP") + 4, "replacement": "when you have a moment"}],
            },
        ],
    }


def test_to_dict_is_plain_data():
    import json

    data = lint(DRAFT).to_dict()
    assert json.loads(json.dumps(data)) == data


# --- channels and configuration ---------------------------------------------------------------


def test_channel_is_detected_from_a_subject_line():
    assert lint("Subject: Analyst role\n\n" + DRAFT).channel == "email"
    assert lint("  subject : Analyst role\n\n" + DRAFT).channel == "email"
    assert lint(DRAFT).channel == "message"


def test_channel_argument_wins_over_detection_and_config():
    config = Config(channel="inmail")
    assert lint("Subject: Analyst role\n\n" + DRAFT, channel="followup").channel == "followup"
    assert lint(DRAFT, config=config).channel == "inmail"
    assert lint(DRAFT, channel="email", config=config).channel == "email"


def test_connection_note_length_is_in_characters():
    long_note = CLEAN_NOTE + " " + "I have built data pipelines for six years at two startups." * 3
    assert len(long_note) > 300
    [violation] = by_rule(lint(long_note, channel="connection-note"), "length")
    assert violation.severity is Severity.ERROR
    assert f"{len(long_note)} characters" in violation.message
    assert not by_rule(lint(long_note, channel="inmail"), "length")


def test_unknown_channel_is_a_config_error():
    with pytest.raises(ConfigError, match="sms"):
        lint(DRAFT, channel="sms")
    with pytest.raises(ConfigError, match="sms"):
        Config(channel="sms")
    with pytest.raises(ConfigError):
        referral_lint.Linter().lint(DRAFT, channel="LinkedIn")


def test_config_selects_and_ignores_rules():
    only = lint(DRAFT, config=Config(select=("demanding-phrasing",)))
    assert {v.rule for v in only.violations} == {"demanding-phrasing"}
    without = lint(DRAFT, config=Config(ignore=("demanding-phrasing",)))
    assert "demanding-phrasing" not in {v.rule for v in without.violations}
    with pytest.raises(ConfigError, match="no-such-rule"):
        lint(DRAFT, config=Config(select=("no-such-rule",)))


def test_config_overrides_severity():
    config = Config(severity=(("demanding-phrasing", Severity.INFO),))
    assert {v.severity for v in by_rule(lint(DRAFT, config=config), "demanding-phrasing")} == {Severity.INFO}


# --- offsets index the original string ------------------------------------------------------------


OFFSET_CASES = {
    "crlf": "Hi Ana,\r\nWe met at PyData.\r\nRefer me for the Data Engineer role ASAP.\r\nThanks!",
    "cr-only": "Hi Ana,\rWe met at PyData.\rRefer me for the Data Engineer role ASAP.\rThanks!",
    "curly-apostrophes": "Hi Ana,\nWe met at PyData, and I\u2019m sure you\u2019ll like it. Refer me for the Data Engineer role ASAP. Thanks!",
    "zero-width-space": "Hi Ana,\nWe met at PyData.\u200b\u200b Refer me for the Data Engineer role \u200bASAP. Thanks!",
    "bom": "\ufeffHi Ana,\nWe met at PyData.\nRefer me for the Data Engineer role ASAP. Thanks!",
    "emoji": "Hi Ana \U0001F44B,\nWe met at PyData \U0001F389\U0001F389. Refer me for the Data Engineer role ASAP. Thanks!",
    "emoji-zwj": "Hi Ana,\nWe met at PyData \U0001F469\u200d\U0001F4BB. Refer me for the Data Engineer role ASAP. Thanks!",
    "accents": "Hi Zo\u00eb,\nJos\u00e9 and I met at the caf\u00e9 in M\u00fcnchen. Refer me for the Data Engineer role ASAP. Thanks!",
    "combining-accents": "Hi Zoe\u0308,\nJose\u0301 and I met at PyData. Refer me for the Data Engineer role ASAP. Thanks!",
    "no-break-spaces": "Hi\u00a0Ana,\nWe\u00a0met at PyData.\u202fRefer me for the Data Engineer role ASAP. Thanks!",
    "everything": "\ufeffHi Zo\u00eb \U0001F44B,\r\n\r\nWe met at the caf\u00e9\u00a0\u2014 it\u2019s Jos\u00e9.\u200b\r\nRefer me for the Data Engineer role ASAP. Thanks!\r\n",
}


@pytest.mark.parametrize("name", OFFSET_CASES)
def test_offsets_index_the_original_string(name):
    text = OFFSET_CASES[name]
    found = {text[v.start : v.end]: v for v in by_rule(lint(text), "demanding-phrasing")}
    assert set(found) == {"Refer me", "ASAP"}, name
    for phrase, violation in found.items():
        assert violation.start == text.index(phrase)
        assert (violation.line, violation.column) == line_and_column(text, violation.start)
        assert (violation.end_line, violation.end_column) == line_and_column(text, violation.end)


@pytest.mark.parametrize("name", OFFSET_CASES)
def test_every_span_and_edit_lies_on_character_boundaries_of_the_original(name):
    text = OFFSET_CASES[name]
    for violation in lint(text).violations:
        assert 0 <= violation.start <= violation.end <= len(text)
        assert (violation.line, violation.column) == line_and_column(text, violation.start)
        # A span never starts or ends in the middle of a CRLF pair.
        assert not (text[violation.start - 1 : violation.start + 1] == "\r\n")
        assert not (text[violation.end - 1 : violation.end + 1] == "\r\n")
        for suggestion in violation.suggestions:
            for edit in suggestion.edits:
                assert 0 <= edit.start <= edit.end <= len(text)


def test_a_short_sentence_about_the_writer_does_not_excuse_the_next_one():
    text = "Hi Ana,\n\nI'm Jose.\nRefer me for the Data Engineer role ASAP. Thanks!\n"
    assert [text[v.start : v.end] for v in by_rule(lint(text), "demanding-phrasing")] == ["Refer me", "ASAP"]


def test_an_invisible_character_inside_a_phrase_is_inside_the_span():
    text = "Hi Ana,\nWe met at PyData. Refer me for the Data Engineer role AS\u200bAP. Thanks!"
    spans = [text[v.start : v.end] for v in by_rule(lint(text), "demanding-phrasing")]
    assert spans == ["Refer me", "AS\u200bAP"]


def test_a_curly_apostrophe_phrase_matches_and_maps_back():
    text = "Hi Ana,\nWe met at PyData. I expect you\u2019ll put in a good word for the Data Engineer role. Thanks!"
    [violation] = by_rule(lint(text), "demanding-phrasing")
    assert text[violation.start : violation.end] == "I expect you\u2019ll"
    assert (violation.line, violation.column) == (2, 19)


def test_bold_letters_from_a_text_formatter_read_as_plain_ones_and_map_back():
    # LinkedIn posts fake bold with Unicode's mathematical letters: "𝗥𝗲𝗳𝗲𝗿 𝗺𝗲" is still "Refer me".
    text = "Hi Ana,\nWe met at PyData. \U0001d5e5\U0001d5f2\U0001d5f3\U0001d5f2\U0001d5ff \U0001d5fa\U0001d5f2 for the Data Engineer role. Thanks!"
    [violation] = by_rule(lint(text), "demanding-phrasing")
    assert text[violation.start : violation.end] == "\U0001d5e5\U0001d5f2\U0001d5f3\U0001d5f2\U0001d5ff \U0001d5fa\U0001d5f2"
    assert (violation.line, violation.column) == (2, 19)


def test_line_and_column_on_the_first_line_after_a_bom():
    text = "\ufeffRefer me for the Data Engineer role ASAP."
    refer = by_rule(lint(text), "demanding-phrasing")[0]
    assert text[refer.start : refer.end] == "Refer me"
    assert (refer.start, refer.line, refer.column) == (1, 1, 2)  # the BOM is a character of the string passed in


def test_violations_at_the_end_of_the_text_are_in_range():
    for text in ("Refer me for the Data Engineer role", "Refer me for the Data Engineer role\r\n", "Hi Ana,\n\n\n"):
        for violation in lint(text).violations:
            assert 0 <= violation.start <= violation.end <= len(text)
            assert (violation.line, violation.column) == line_and_column(text, violation.start)


def test_line_and_column_of_every_offset_whatever_the_line_ends():
    # The first lookups scan the text, later ones use the line tables: both count the same way
    # (CRLF, CR and LF end a line; a form feed or U+2028 does not).
    for text in ("Hi Ana,\nRefer me.\n\nSam", "Hi,\r\nRefer\rme\n\r\n", "\u00e9\n\U0001f600 x\u2028y\fz\n", "", "one line"):
        index = LineIndex(text)
        for offset in range(len(text) + 1):
            assert index.position(offset) == line_and_column(text, offset), (text, offset)


def test_line_and_column_of_many_violations():
    text = "".join(f"Line {n}: refer me ASAP, I need this role.\n" for n in range(40))
    violations = lint(text).violations
    assert len(violations) > 16  # past the lookups answered by scanning
    for violation in violations:
        assert (violation.line, violation.column) == line_and_column(text, violation.start)
        assert (violation.end_line, violation.end_column) == line_and_column(text, violation.end)


def test_empty_text_lints_without_error():
    report = lint("")
    assert all(v.start == v.end == 0 and (v.line, v.column) == (1, 1) for v in report.violations)


# --- Linter reuse ---------------------------------------------------------------------------------


def test_linter_reuse_gives_identical_results(linter):
    first = linter.lint(DRAFT, channel="message").to_dict()
    for other in (CLEAN_NOTE, OFFSET_CASES["everything"], "Subject: x\n\nRefer me ASAP.", ""):
        linter.lint(other)
    again = linter.lint(DRAFT, channel="message").to_dict()
    assert again == first
    assert referral_lint.Linter().lint(DRAFT, channel="message").to_dict() == first
    assert lint(DRAFT, channel="message").to_dict() == first


def test_linter_with_a_config():
    linter = referral_lint.Linter(Config(channel="connection-note", ignore=("length",)))
    report = linter.lint(DRAFT)
    assert report.channel == "connection-note"
    assert "length" not in {v.rule for v in report.violations}


def test_lint_does_not_change_its_input():
    text = OFFSET_CASES["everything"]
    copy = str(text)
    lint(text)
    assert text == copy


# --- import cost -------------------------------------------------------------------------------


def test_import_does_not_import_spacy():
    code = (
        "import sys\n"
        "import referral_lint\n"
        "from referral_lint import lint, apply_fixes, Config, Report, Violation, Severity\n"
        + HEAVY_MODULES_LOADED
        + "assert not loaded, loaded\n"
        "referral_lint.Linter\n"
        "assert 'spacy' in sys.modules\n"
    )
    run_python(code)


def test_unknown_attribute():
    with pytest.raises(AttributeError):
        referral_lint.no_such_thing  # noqa: B018


# --- apply_fixes ----------------------------------------------------------------------------------


def test_apply_fixes_applies_safe_suggestions_only():
    report = lint(DRAFT, channel="message")
    assert any(v.suggestions[0].applicability is not Applicability.SAFE for v in report.violations)
    fixed = apply_fixes(report.text, report.violations)
    assert fixed == (
        "Hi Ana,\n"
        "We met at PyData in May.\n"
        "Would you be open to referring me for the Data Engineer role (job 4410)? No worries if not. Thanks!\n"
    )
    assert "<" not in fixed  # no unsafe template sentence was inserted
    assert not by_rule(lint(fixed, channel="message"), "demanding-phrasing")


def test_apply_fixes_unsafe_adds_the_template_sentences():
    draft = DRAFT.replace(" No worries if not.", "")
    report = lint(draft, channel="message")
    safe = apply_fixes(report.text, report.violations)
    unsafe = apply_fixes(report.text, report.violations, unsafe=True)
    assert unsafe != safe
    assert "No worries at all if it's not a fit." in unsafe
    assert "Would you be open to referring me for the Data Engineer role (job 4410)?" in unsafe
    # What only the writer can write (the too-short message's missing sentence) is never inserted.
    assert "<One sentence on why you fit the role" not in unsafe


def test_apply_fixes_with_nothing_to_fix():
    assert apply_fixes(CLEAN_NOTE, []) == CLEAN_NOTE
    report = lint(CLEAN_NOTE, channel="connection-note")
    assert apply_fixes(CLEAN_NOTE, report.violations) == CLEAN_NOTE


def test_apply_fixes_keeps_crlf_and_other_text():
    text = OFFSET_CASES["crlf"]
    fixed = apply_fixes(text, lint(text).violations)
    assert fixed.startswith("Hi Ana,\r\nWe met at PyData.\r\n")
    assert fixed.endswith("\r\nThanks!")
    assert "ASAP" not in fixed and "Refer me" not in fixed


def _violation(start: int, end: int, *edits: Edit, applicability=Applicability.SAFE, rule="demanding-phrasing"):
    return Violation(
        rule=rule, severity=Severity.ERROR, message="m", start=start, end=end, line=1, column=start + 1,
        suggestions=(Suggestion("d", tuple(edits), applicability),),
    )


def test_apply_fixes_never_applies_overlapping_edits():
    text = "abcdefghij"
    first = _violation(2, 6, Edit(2, 6, "XY"))
    overlapping = _violation(4, 8, Edit(4, 8, "ZZ"))
    inside = _violation(3, 4, Edit(3, 4, "Q"))
    after = _violation(8, 9, Edit(8, 9, "!"))
    assert apply_fixes(text, [overlapping, after, inside, first]) == "abXYgh!j"


def test_apply_fixes_drops_a_violation_whose_any_edit_conflicts():
    text = "abcdefghij"
    first = _violation(0, 1, Edit(0, 1, "A"))
    two_edits = _violation(5, 6, Edit(5, 6, "F"), Edit(0, 1, "?"))
    assert apply_fixes(text, [first, two_edits]) == "Abcdefghij"


def test_apply_fixes_two_insertions_at_one_point_keep_only_one():
    text = "Hello."
    one = _violation(6, 6, Edit(6, 6, " One."), applicability=Applicability.UNSAFE, rule="a")
    two = _violation(6, 6, Edit(6, 6, " Two."), applicability=Applicability.UNSAFE, rule="b")
    assert apply_fixes(text, [two, one], unsafe=True) == "Hello. One."
    assert apply_fixes(text, [two, one]) == "Hello."


def test_apply_fixes_adjacent_edits_both_apply():
    text = "abcdef"
    assert apply_fixes(text, [_violation(0, 2, Edit(0, 2, "X")), _violation(2, 4, Edit(2, 4, "Y"))]) == "XYef"
    insert_after = _violation(4, 4, Edit(4, 4, "+"), applicability=Applicability.UNSAFE)
    assert apply_fixes(text, [_violation(2, 4, Edit(2, 4, "Y")), insert_after], unsafe=True) == "abY+ef"


def test_apply_fixes_uses_the_first_allowed_suggestion():
    text = "abcdef"
    violation = Violation(
        rule="r", severity=Severity.ERROR, message="m", start=0, end=1, line=1, column=1,
        suggestions=(
            Suggestion("unsafe first", (Edit(0, 1, "U"),), Applicability.UNSAFE),
            Suggestion("safe second", (Edit(0, 1, "S"),), Applicability.SAFE),
        ),
    )
    assert apply_fixes(text, [violation]) == "Sbcdef"
    assert apply_fixes(text, [violation], unsafe=True) == "Ubcdef"


def test_apply_fixes_on_real_overlaps():
    """"Refer me … ASAP.": the question rewrite covers ASAP, so ASAP's own deletion is left out."""
    text = "Hi Ana,\nWe met at PyData. Refer me for the Data Engineer role ASAP. Thanks!"
    report = lint(text)
    refer, asap = by_rule(report, "demanding-phrasing")
    refer_edit = refer.suggestions[0].edits[0]
    asap_edit = asap.suggestions[0].edits[0]
    assert refer_edit.start < asap_edit.end and asap_edit.start < refer_edit.end  # they do overlap
    fixed = apply_fixes(text, report.violations)
    assert fixed == "Hi Ana,\nWe met at PyData. Would you be open to referring me for the Data Engineer role? Thanks!"


# --- a property: offsets hold for any mix of the awkward characters -------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from referral_lint.normalize import NormalizedText  # noqa: E402

_PIECES = [
    "Hi Zo\u00eb,", "Refer me for the Data Engineer role", " ASAP", ".", "!", "?", " ", "\n", "\r\n", "\r",
    "\u200b", "\ufeff", "\u00a0", "\u2019", "I\u2019m", " you owe me", " \U0001F389", "\U0001F469\u200d\U0001F4BB",
    "We met at PyData", " Thanks", "Subject: x", "Best,", "Jos\u00e9", "e\u0301", "\t", "by tomorrow",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_PIECES), max_size=14))
def test_offsets_property(linter, pieces):
    text = "".join(pieces)
    for violation in linter.lint(text).violations:
        assert 0 <= violation.start <= violation.end <= len(text)
        assert (violation.line, violation.column) == line_and_column(text, violation.start)
        assert (violation.end_line, violation.end_column) == line_and_column(text, violation.end)
        quoted = re.match(r'"([^"]+)"', violation.message)
        if quoted and violation.end > violation.start:
            # The phrase a message quotes is the original span, normalised.
            assert NormalizedText.from_original(text[violation.start : violation.end]).text == quoted.group(1)
