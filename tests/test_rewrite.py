"""Suggested rewrites, from a message in to the text after applying the suggestion."""

from __future__ import annotations

import pytest

from referral_lint import Config
from referral_lint.engine.loader import load_rules
from referral_lint.fix import apply_edits
from referral_lint.engine.rule_schema import REWRITES
from referral_lint.linter import Linter
from referral_lint.rewrite import REWRITE_BUILDERS


@pytest.fixture(scope="module")
def every_rule() -> Linter:
    return Linter(Config(select=tuple(rule.id for rule in load_rules())))


def rewritten(linter: Linter, text: str, rule: str, *, match: str | None = None, choice: int = 0) -> str:
    """The text after applying suggestion ``choice`` of the ``rule`` violation (on ``match``)."""
    violations = [
        v for v in linter.lint(text).violations if v.rule == rule and (match is None or text[v.start : v.end] == match)
    ]
    assert violations, f"no {rule} violation on {match!r} in {text!r}"
    return apply_edits(text, violations[0].suggestions[choice].edits)


@pytest.mark.parametrize(
    ("text", "match", "expected"),
    [
        (
            "Refer me to the hiring manager.",
            "Refer me",
            "Would you be open to referring me to the hiring manager?",
        ),
        (
            "Please send my resume to your recruiter today.",
            "Please send",
            "Would you be open to sending my resume to your recruiter?",
        ),
        (
            "Hi Tom, we met at PyCon.\nSend my resume to Dana Park this week and tell her I'm a fit.",
            "Send my",
            "Hi Tom, we met at PyCon.\nWould you be open to sending my resume to Dana Park this week and telling her I'm a fit?",
        ),
        (
            "Kindly forward my CV to the Helios Health team!",
            "Kindly forward",
            "Would you be open to forwarding my CV to the Helios Health team?",
        ),
    ],
)
def test_an_imperative_becomes_a_question(every_rule, text, match, expected):
    assert rewritten(every_rule, text, "demanding-phrasing", match=match) == expected


@pytest.mark.parametrize(
    ("text", "match", "expected"),
    [
        # The question ends where the order's clause ends; what follows stays a sentence of its own.
        (
            "Send me the link, I really need this.",
            "Send me",
            "Would you be open to sending me the link? I really need this.",
        ),
        (
            "Please forward my CV to your manager ASAP, I really need this job.",
            "Please forward",
            "Would you be open to forwarding my CV to your manager? I really need this job.",
        ),
        ("Refer me \u2014 I need this job.", "Refer me", "Would you be open to referring me? I need this job."),
        (
            "Please refer me to your manager; the role closes soon!",
            "Please refer",
            "Would you be open to referring me to your manager? The role closes soon!",
        ),
        # A comma inside the order's clause is not a new clause.
        (
            "Please send my CV to Ana, Bo and Cy.",
            "Please send",
            "Would you be open to sending my CV to Ana, Bo and Cy?",
        ),
        # Rushing words go wherever they stand.
        (
            "Kindly forward my CV immediately to the hiring team.",
            "Kindly forward",
            "Would you be open to forwarding my CV to the hiring team?",
        ),
        ("Refer me ASAP for the Analyst role.", "Refer me", "Would you be open to referring me for the Analyst role?"),
        # "please" typed in a hurry, and a shorthand verb.
        ("plz fwd my cv to ur manager", "plz fwd", "Would you be open to forwarding my cv to ur manager?"),
    ],
)
def test_the_question_is_a_sentence_a_careful_writer_would_send(every_rule, text, match, expected):
    assert rewritten(every_rule, text, "demanding-phrasing", match=match) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("You need to submit the referral form this week.", "Would you be able to submit the referral form?"),
        ("You have to pass my resume along.", "Would you be able to pass my resume along?"),
        ("You need to send my CV ASAP, I really need this.", "Would you be able to send my CV? I really need this."),
        (
            "The posting closes Monday, so you need to submit it soon.",
            "The posting closes Monday, so it would help if you could submit it soon.",
        ),
    ],
)
def test_you_need_to_becomes_would_you_be_able_to(every_rule, text, expected):
    assert rewritten(every_rule, text, "demanding-phrasing", match=None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Could you refer me ASAP?", "Could you refer me?"),
        ("ASAP, could you refer me?", "Could you refer me?"),
        ("Could you, as soon as possible, refer me?", "Could you refer me?"),
        ("Could you refer me for the analyst role urgently, please?", "Could you refer me for the analyst role, please?"),
    ],
)
def test_urgency_is_removed_without_leaving_a_mess(every_rule, text, expected):
    result = rewritten(every_rule, text, "demanding-phrasing")
    assert result == expected
    assert "  " not in result and " ," not in result and ",," not in result


def test_urgency_can_be_softened_instead(every_rule):
    assert (
        rewritten(every_rule, "Could you refer me ASAP?", "demanding-phrasing", choice=1)
        == "Could you refer me when you have a moment?"
    )


def test_a_vague_role_gets_the_specific_form_with_blanks(every_rule):
    text = "Hi Ana, we met at PyCon. Do you know of any openings at Northwind? Thanks, no worries if not."
    assert rewritten(every_rule, text, "named-role") == (
        "Hi Ana, we met at PyCon. Do you know of the <role> position (job ID <id>) at Northwind? Thanks, no worries if not."
    )


MESSAGE = (
    "Hi Lee,\n\n"
    "I'm applying for the Data Engineer role (job 4410). Would you be open to referring me?\n\n"
    "Best,\nAlex"
)


def test_gratitude_goes_just_before_the_sign_off(every_rule):
    assert rewritten(every_rule, MESSAGE, "gratitude") == MESSAGE.replace(
        "referring me?\n\nBest", "referring me? Thank you for your time, whatever you decide.\n\nBest"
    )


def test_the_easy_out_goes_right_after_the_ask(every_rule):
    assert rewritten(every_rule, MESSAGE, "easy-out") == MESSAGE.replace(
        "referring me?", "referring me? No worries at all if it's not a fit."
    )


def test_the_connection_goes_right_after_the_greeting(every_rule):
    assert rewritten(every_rule, MESSAGE, "stated-connection") == MESSAGE.replace(
        "Hi Lee,\n\nI'm", "Hi Lee,\n\nWe met at <where you met> and talked about <what you talked about>. I'm"
    )


@pytest.mark.parametrize(
    ("text", "description", "expected"),
    [
        (  # the greeting runs on: the connection continues its line, the ask begins a sentence
            "Hi Ana, would you be open to referring me for the Data Engineer role? Thanks, Sam",
            'Add "we met at <where you met> and talked about <what you talked about>."',
            "Hi Ana, we met at <where you met> and talked about <what you talked about>. Would you be open to"
            " referring me for the Data Engineer role? Thanks, Sam",
        ),
        (  # the writer's lowercase sentence below the greeting
            "Hi Ana,\nwould you be open to referring me for the Data Engineer role?\nThanks,\nSam",
            'Add "We met at <where you met> and talked about <what you talked about>."',
            "Hi Ana,\nWe met at <where you met> and talked about <what you talked about>. Would you be open to"
            " referring me for the Data Engineer role?\nThanks,\nSam",
        ),
    ],
)
def test_an_inserted_connection_leaves_the_next_sentence_starting_with_a_capital(every_rule, text, description, expected):
    [violation] = [v for v in every_rule.lint(text).violations if v.rule == "stated-connection"]
    first = violation.suggestions[0]
    assert first.description == description
    assert apply_edits(text, first.edits) == expected


def test_insertions_are_unsafe_and_have_blanks(every_rule):
    for violation in every_rule.lint(MESSAGE).violations:
        for suggestion in violation.suggestions:
            if any(edit.start == edit.end for edit in suggestion.edits):
                assert suggestion.applicability.value in ("unsafe", "display"), violation.rule


def test_leading_with_need_suggests_moving_it(every_rule):
    text = "Hi Ana,\nI've been job hunting for eight months. We met at PyCon. Would you refer me for the analyst role?"
    violation = next(v for v in every_rule.lint(text).violations if v.rule == "leads-with-need")
    suggestion = violation.suggestions[0]
    assert "lead with how you know the reader" in suggestion.description
    assert apply_edits(text, suggestion.edits) == (
        "Hi Ana,\nWe met at PyCon. Would you refer me for the analyst role?"
    )


def test_an_imperative_can_also_become_willing_to(every_rule):
    text = "Please send my resume to your recruiter today."
    assert rewritten(every_rule, text, "demanding-phrasing", match="Please send", choice=1) == (
        "Would you be willing to send my resume to your recruiter?"
    )


def test_every_rewrite_name_a_rule_file_may_use_has_a_builder():
    assert set(REWRITE_BUILDERS) == set(REWRITES)
