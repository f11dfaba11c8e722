"""Properties of fixing, over generated drafts (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referral_lint import Config
from referral_lint.engine.loader import load_rules
from referral_lint.fix import apply_edits, fix_text, plan_fixes
from referral_lint.linter import Linter

# Pieces of drafts, written for these tests: greetings, sentences with and without
# problems, sign-offs, and the odd characters people paste.
GREETINGS = ["Hi Ana,", "Hello Mr. Okafor,", "To whom it may concern,", "Hey [Name]!", "", "Dear Zoë,"]
SENTENCES = [
    "We met at the PyData meetup in May.",
    "Refer me to the hiring manager ASAP.",
    "Please send my resume to your recruiter today.",
    "You need to submit the referral by tomorrow.",
    "Could you, as soon as possible, pass my CV along?",
    "I've been job hunting for eight months.",
    "Would you be open to referring me for the Data Engineer role (job 4410)?",
    "Do you know of any openings at {company}?",
    "Thanks to my team, I shipped the billing rewrite.",
    "No worries if it's not a fit.",
    "I expect you'll put in a good word.",
    "You owe me one, honestly.",
    "Help me find a job there?",
    "It\u2019s been a while \u2014 hope you\u2019re well! \U0001F44B",
]
SIGN_OFFS = ["", "Best,\nAlex", "Thanks!\n\u2013 Priya", "Regards,\nKim Lee\nkim@example.com"]
SEPARATORS = [" ", "\n", "\n\n", "\r\n", "  "]

drafts = st.builds(
    lambda greeting, body, separators, sign_off: greeting
    + "".join(sep + sentence for sep, sentence in zip(separators, body))
    + ("\n\n" + sign_off if sign_off else ""),
    st.sampled_from(GREETINGS),
    st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=6),
    st.lists(st.sampled_from(SEPARATORS), min_size=6, max_size=6),
    st.sampled_from(SIGN_OFFS),
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def every_rule() -> Linter:
    return Linter(Config(select=tuple(rule.id for rule in load_rules())))


@SETTINGS
@given(draft=drafts, unsafe=st.booleans())
def test_fixing_never_raises_and_is_idempotent(every_rule, draft, unsafe):
    once = fix_text(every_rule, draft, unsafe=unsafe)
    twice = fix_text(every_rule, once.text, unsafe=unsafe)
    assert twice.text == once.text
    assert not twice.fixed


@SETTINGS
@given(draft=drafts, unsafe=st.booleans())
def test_planned_edits_never_overlap_and_touch_only_their_spans(every_rule, draft, unsafe):
    plan = plan_fixes(every_rule.lint(draft).violations, unsafe=unsafe)
    edits = sorted(plan.edits, key=lambda e: (e.start, e.end))
    for before, after in zip(edits, edits[1:]):
        assert before.end <= after.start
        assert not (before.start == before.end == after.start == after.end)
    fixed = apply_edits(draft, edits)
    # Outside the edited spans, the text is the original, piece by piece.
    position = 0
    cursor = 0
    for edit in edits:
        gap = draft[position : edit.start]
        assert fixed[cursor : cursor + len(gap)] == gap
        cursor += len(gap) + len(edit.replacement)
        position = edit.end
    assert fixed[cursor:] == draft[position:]


@SETTINGS
@given(draft=drafts)
def test_fixed_violations_are_gone_after_a_safe_fix(every_rule, draft):
    result = fix_text(every_rule, draft)
    fixed_rules_and_text = {(v.rule, draft[v.start : v.end]) for v in result.fixed}
    remaining = {(v.rule, result.text[v.start : v.end]) for v in result.remaining}
    # A safe fix removes what it fixed; the same rule may still fire elsewhere, on other text.
    for rule, text in fixed_rules_and_text:
        if rule == "demanding-phrasing":
            assert (rule, text) not in remaining
