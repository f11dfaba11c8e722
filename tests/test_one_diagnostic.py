"""One problem, one diagnostic: a template slot, a cold referral ask and a channel's length cap
are each reported once, by the most useful rule, and unsafe fixes respect the cap (issue 11)."""

from __future__ import annotations

import pytest

from referral_lint import Applicability, Config
from referral_lint.fix import fix_text
from referral_lint.linter import Linter

# Written for these tests.
COLD_ASK = "Hi Dana, I came across your profile. Would you be open to referring me for the Payroll Analyst role? Thanks!"
CALL_FIRST = "If a referral is too much to ask, would you have 15 minutes to tell me about your experience on the team?"
ROLE_SLOT = "Hi [Name], we met at the Leeds data meetup. Would you refer me for the [Role] position? Thanks, no worries if not!"
MUTUAL_SLOT = "Hi Dana, [Mutual name] suggested we connect. Would you refer me for the Payroll Analyst role? Thanks!"
# 178 characters, no connection, no easy out, no role: several unsafe inserts want to go in.
SHORT_NOTE = (
    "Hi Dana, I came across your profile and saw you lead the data team at Corvo. I am a data analyst "
    "with four years in retail forecasting. Would you be open to referring me? Thanks."
)


@pytest.fixture(scope="module")
def default_linter() -> Linter:
    return Linter()


def _rules(linter: Linter, text: str, channel: str | None = None) -> list[str]:
    return [v.rule for v in linter.lint(text, channel=channel).violations]


def test_a_cold_referral_ask_is_one_diagnostic_with_the_call_first_suggestion(default_linter):
    violations = default_linter.lint(COLD_ASK).violations
    assert "cold-referral-ask" not in [v.rule for v in violations]
    (connection,) = [v for v in violations if v.rule == "stated-connection"]
    assert COLD_ASK[connection.start : connection.end] == "I came across your profile."
    assert [s.description for s in connection.suggestions] == [
        'Add "we met at <where you met> and talked about <what you talked about>."',
        'Add "<Mutual contact> suggested I reach out to you."',
        f'Add "{CALL_FIRST}"',
    ]


def test_cold_referral_ask_selected_alone_reports_on_its_own():
    alone = Linter(Config(select=("cold-referral-ask",)))
    (violation,) = alone.lint(COLD_ASK).violations
    assert violation.rule == "cold-referral-ask"
    assert COLD_ASK[violation.start : violation.end] == "referring me"
    assert [s.description for s in violation.suggestions] == [f'Add "{CALL_FIRST}"']


def test_cold_referral_ask_alone_stays_quiet_when_a_connection_is_stated():
    alone = Linter(Config(select=("cold-referral-ask",)))
    assert alone.lint(COLD_ASK.replace("I came across your profile.", "We met at the Leeds data meetup.")).violations == []


def test_a_role_slot_is_reported_by_placeholder_only(default_linter):
    rules = _rules(default_linter, ROLE_SLOT)
    assert rules.count("placeholder") == 2  # [Name] and [Role]
    assert "named-role" not in rules


def test_a_mutual_contact_slot_is_reported_by_placeholder_only(default_linter):
    rules = _rules(default_linter, MUTUAL_SLOT)
    assert rules.count("placeholder") == 1
    assert "stated-connection" not in rules
    assert "cold-referral-ask" not in rules


def test_unsafe_fixes_keep_a_connection_note_within_300_characters(default_linter):
    assert len(SHORT_NOTE) == 178
    result = fix_text(default_linter, SHORT_NOTE, channel="connection-note", unsafe=True)
    assert result.text != SHORT_NOTE  # some inserts fit
    assert len(result.text) <= 300
    assert "length" not in [v.rule for v in result.remaining if v.severity.value == "error"]


def test_an_insert_that_does_not_fit_is_shown_not_applied(default_linter):
    # 287 characters: no insert fits in the 13 left.
    note = SHORT_NOTE + " I can send my resume, a short blurb and two work samples from my forecasting projects whenever it suits you."
    assert len(note) == 287
    violations = default_linter.lint(note, channel="connection-note").violations
    grown = [s for v in violations for s in v.suggestions if any(e.replacement for e in s.edits) and s.description.startswith("Add")]
    assert grown
    assert all(s.applicability is Applicability.DISPLAY for s in grown)
    assert all(s.description.endswith("(it would take the message past 300 characters)") for s in grown)
    assert fix_text(default_linter, note, channel="connection-note", unsafe=True).text == note


def test_other_channels_keep_their_unsafe_inserts(default_linter):
    violations = default_linter.lint(SHORT_NOTE, channel="email").violations
    inserts = [s for v in violations for s in v.suggestions if s.description.startswith("Add")]
    assert any(s.applicability is Applicability.UNSAFE for s in inserts)


def test_the_cli_with_select_cold_referral_ask_alone_reports_it(linter):  # the session linter warms the pipeline
    from click.testing import CliRunner

    from referral_lint.cli import main

    result = CliRunner().invoke(
        main, ["check", "--select", "cold-referral-ask", "--output-format", "concise", "-"],
        input=COLD_ASK, env={"NO_COLOR": "1"}, catch_exceptions=False,
    )
    assert result.exit_code == 1
    assert [line.split(" ", 2)[1] for line in result.output.splitlines() if line.startswith("<stdin>:")] == ["cold-referral-ask"]
