"""stated-connection by message kind (issue 11): a thank-you for a favour already done is not asked
how the writer knows the reader; a follow-up to one's own note gets a hint (info), not an error."""

from __future__ import annotations

from referral_lint.fix import apply_edits

# Written for these tests.
THANK_YOU = "Hi Nell, thank you so much for putting my name forward at Ferrow! The recruiter called this morning."
THANKS_AFTER_CALL = "Hi Nell, thank you for your time today. Your notes on the sourcing team were a great help."
FOLLOW_UP = "Hi Pat, just following up on my note about the Analyst role (job 2231). Would you refer me? Thanks!"
COLD_REFERRAL = "Hi Pat, I came across your profile. Would you refer me for the Analyst role (job 2231)? Thanks!"
FOLLOW_UP_HINT = (
    "If your first note did not say how you know the reader, say it here too: a follow-up is often read on its own."
)


def _connection(lint, text: str, channel: str | None = None):
    return [v for v in lint(text, channel) if v.rule == "stated-connection"]


def test_a_thank_you_note_is_not_asked_for_a_connection(lint):
    assert _connection(lint, THANK_YOU) == []
    assert _connection(lint, THANKS_AFTER_CALL, "followup") == []


def test_a_follow_up_gets_a_hint_at_info_severity(lint):
    [hint] = _connection(lint, FOLLOW_UP, "followup")
    assert (hint.severity.value, hint.message) == ("info", FOLLOW_UP_HINT)
    assert FOLLOW_UP[hint.start : hint.end] == "just following up on my note about the Analyst role (job 2231)."
    # The inserted sentence continues the greeting's line; what followed it now begins a sentence.
    assert [apply_edits(FOLLOW_UP, s.edits) for s in hint.suggestions] == [
        "Hi Pat, we met at <where you met> and talked about <what you talked about>. Just following up on my note"
        " about the Analyst role (job 2231). Would you refer me? Thanks!",
        "Hi Pat, <Mutual contact> suggested I reach out to you. Just following up on my note about the Analyst role"
        " (job 2231). Would you refer me? Thanks!",
    ]


def test_a_first_referral_ask_without_a_connection_is_still_an_error(lint):
    [error] = _connection(lint, COLD_REFERRAL)
    assert error.severity.value == "error"
    assert error.message == "The message does not say how you know the reader, so it reads like a message sent to anyone."
