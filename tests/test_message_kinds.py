"""What a message asks for (its kind), and the channel detected when none is given."""

from __future__ import annotations

import pytest

KINDS = [
    ("Hi Ana, we met at PyCon. Would you be open to referring me for the Data Engineer role?", "referral"),
    ("Hi Ana, we met at PyCon. Could you introduce me to Marta on the platform team?", "introduction"),
    ("Hi Ana, we met at PyCon. Would you have 15 minutes to tell me about your team?", "call-or-advice"),
    ("Hi Ana, just following up on my note from last week. Would you still be open to a referral?", "followup"),
    ("Hi Ana, thank you so much for referring me last week. I got an interview!", "thank-you"),
    ("Hi Ana, hope the move went well.", "other"),
    # A thank-you note stays one when all it "asks" is an offer back...
    ("Hi Ana, thank you for referring me! I got the offer, and I'd love to buy you lunch to celebrate.", "thank-you"),
    ("Hi Ana, your referral landed me an interview. Let me know if I can ever return the favour!", "thank-you"),
    # ...but thanks in the first line do not hide a new favour asked after them.
    ("Hi Ana, thanks for the intro to Sam! Could you also refer me for the Analyst role?", "referral"),
    # A note that only wishes to connect and learn asks no favour.
    ("Hi Ana, I'm exploring design roles and I'd love to connect and learn from your path.", "networking"),
    ("Hi Ana, we met at PyCon. Could you connect me with your friend on the data team?", "introduction"),
    ("Hi Ana, I'm exploring data work; would you be open to connecting me with your hiring manager?", "introduction"),
    # A follow-up to one's own note, however it is put.
    ("Hi Ana, just floating this back up in case it got buried. Would you still be open to a referral?", "followup"),
    ("Hi Ana, I know things get busy, so I wanted to circle back on the Analyst role.", "followup"),
    ("Hi Ana, didn't want my note to get buried. Any thoughts on the Analyst role?", "followup"),
    # Thanks in advance close a follow-up; thanks for a favour done make a follow-up a thank-you note.
    ("Hi Ana, just checking in on my note about the Analyst role. Thanks so much for your help!", "followup"),
    ("Hi Ana, following up to say thank you for the coffee last week. I applied for the role last night.", "thank-you"),
    # A connection note that asks nothing and only wishes to connect is networking, whatever it says about jobs.
    ("Hi Ana, I'd like to add you to my network. I'm a surveyor in Hull.", "networking"),
    ("Hi Ana, I'd like to connect. I'm a surveyor looking for my next role.", "networking"),
    # "checking into" something is not checking in on an earlier note.
    ("Hi Ana, I've been checking into the Harlow graduate scheme and the Planner role fits. Could you refer me?", "referral"),
    ("Hi Ana, I'm checking into a hotel near your office on Friday. Could we grab a coffee to talk about your team?", "call-or-advice"),
]


@pytest.mark.parametrize(("text", "kind"), KINDS)
def test_message_kind(linter, text, kind):
    assert linter.parse(text)._.parts.kind == kind


def test_a_connection_only_note_is_not_asked_to_name_a_role(linter):
    text = "Hi Ana, I'd like to connect. I'm a surveyor looking for my next role."
    assert "named-role" not in {violation.rule for violation in linter.lint(text, channel="connection-note").violations}


def test_checking_into_something_is_a_first_ask_not_a_follow_up(linter):
    # A follow-up would get only an info hint to state the connection; a first ask gets the error.
    text = "Hi Ana, I've been checking into the Planner role (job 118) at Harlow. Could you refer me? Thanks!"
    [connection] = [v for v in linter.lint(text, channel="inmail").violations if v.rule == "stated-connection"]
    assert connection.severity == "error"


def test_following_up_in_passing_is_not_a_follow_up(linter):
    text = (
        "Hi Ana, we met at PyCon. I run events, which means following up with a lot of people. "
        "Would you refer me for the Event Manager role?"
    )
    assert linter.parse(text)._.parts.kind == "referral"


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("Subject: PyCon follow-up\n\nHi Ana, would you refer me?", "email"),
        ("Hi Ana, just following up on my last message about the analyst role. Thanks!", "followup"),
        ("Hi Ana, would you refer me for the analyst role? Thanks!", "message"),
    ],
)
def test_channel_detection(linter, text, channel):
    assert linter.lint(text).channel == channel


def test_an_explicit_channel_wins(linter):
    assert linter.lint("Subject: Hi\n\nHi Ana, would you refer me?", channel="inmail").channel == "inmail"


def test_a_short_thank_you_note_is_not_asked_for_fifty_words(linter):
    note = "Hi Ana, thank you so much for the referral! I heard from the recruiter this morning."
    assert "length" not in {v.rule for v in linter.lint(note, channel="message").violations}
    request = "Hi Ana, could you refer me for the Analyst role (job 4410)? Thanks so much!"
    [length] = [v for v in linter.lint(request, channel="message").violations if v.rule == "length"]
    assert length.message.startswith("15 words is too short")


def test_a_thank_you_note_is_still_held_to_the_maximum(linter):
    note = "Hi Ana, thank you so much for the referral! " + "It meant a great deal to me. " * 50
    assert "length" in {v.rule for v in linter.lint(note, channel="message").violations}


@pytest.mark.parametrize(
    "note", ["Hi Ana, we met at the Hull meetup. I'd like to connect.", "Hi Ana, we met at the Hull meetup. I'd like to add you to my professional network."]
)
def test_a_request_to_connect_is_a_clear_ask_that_needs_no_easy_out(linter, note):
    rules = {v.rule for v in linter.lint(note, channel="connection-note").violations}
    assert linter.parse(note)._.parts.kind == "networking"
    assert not rules & {"clear-ask", "easy-out", "named-role"}
