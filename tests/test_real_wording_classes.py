"""The failure classes issue 11 found on real messages, one case per kind of wording.

Every sentence here was written for these tests (the real messages stay in ../shared/eval/):
each case says whether one check reports the message, so a class that regresses names itself.
"""

from __future__ import annotations

import pytest

# (why, message, channel or None, rule, whether the rule reports it)
CASES = [
    # Template slots stand for what they name: the placeholder rule reports the slot, nothing else does.
    ("role slot in brackets", "Hi [Name], I'm applying for the [Role] position at [Company]. Would you refer me? Thanks, no worries if not.", None, "named-role", False),
    ("posting-link slot", "Hi Tess, here is the posting: {job_link}. Would you refer me? Thanks, no worries if not.", None, "named-role", False),
    ("position slot", "Hi Tess, I'd like to apply for the {position} opening on your team. Would you refer me? Thanks!", None, "named-role", False),
    ("angle-bracket title slot", "Hi Tess, I'm applying for the <Role Title> job at Vexa. Would you refer me? Thanks!", None, "named-role", False),
    ("xxx before the opening", "Hi Tess, I saw the xxx job opening at Vexa. Would you refer me? Thanks!", None, "named-role", False),
    ("school slot after fellow", "Hi Tess, fellow [Bootcamp] grad here! Would you refer me for the Analyst role? Thanks!", None, "stated-connection", False),
    ("mutual-contact slot", "Hi Tess, [Mutual Friend] suggested we connect. Would you refer me for the Analyst role? Thanks!", None, "stated-connection", False),
    ("shared-employer slot", "Hi Tess, given our time together at [Previous Employer], would you refer me for the Analyst role? Thanks!", None, "stated-connection", False),
    # Job titles are an open class...
    ("applying as an intern", "Hi Tess, I'm applying to Vexa this spring as a data science intern. Would you refer me? Thanks!", None, "named-role", False),
    ("title with a team after a comma", "Hi Tess, I saw the Staff Designer, Payments posting at Vexa. Would you refer me? Thanks!", None, "named-role", False),
    ("hiring for a title, misspelt article", "Hi Tess, I hear Vexa is hiring for an Solutions Architect. Would you refer me? Thanks!", None, "named-role", False),
    ("lower-case title after 'the open'", "Hi Tess, would you refer me for the open warehouse lead position at Vexa? Thanks!", None, "named-role", False),
    # ...but not the writer's own title, a third person's, or a kind of job.
    ("the writer's own title", "Hi Tess, I'm a solutions architect with eight years at Dorne. Would you refer me to Vexa? Thanks!", None, "named-role", True),
    ("a third person's title", "Hi Tess, my cousin is a staff designer at Vexa. Would you refer me to the design team? Thanks!", None, "named-role", True),
    ("kinds of job", "Hi Tess, is Vexa hiring any designers or researchers? Would you refer me? Thanks!", None, "named-role", True),
    # Where named-role applies: job asks, not a networking note, a call about experience, a thank-you or a bump.
    ("networking note", "Hi Tess, I'd love to connect and hear more about your work in climate tech.", None, "named-role", False),
    ("connection-only note", "Hi Tess, I'd like to connect. I'm a surveyor looking for my next role.", "connection-note", "named-role", False),
    ("call about experience", "Hi Tess, could we have a 20-minute call about how you moved from teaching into UX? Thanks!", None, "named-role", False),
    ("thank-you note", "Hi Tess, thank you so much for referring me to Vexa. I have my first interview on Monday!", None, "named-role", False),
    ("plain bump", "Hi Tess, just bumping my note from last week in case it got buried.", "followup", "named-role", False),
    # easy-out applies to every favour, in any wording.
    ("favour as wondering", "Hi Tess, we met at the Leeds meetup. I was wondering whether you might refer me for the Analyst role (job 7). Thanks!", None, "easy-out", True),
    ("call as a wish", "Hi Tess, we met at the Leeds meetup. I'd love to hear about your time at Vexa on a short call. Thanks!", None, "easy-out", True),
    ("openings as wanting to know", "Hi Tess, we met at the Leeds meetup. I wanted to know if your team is hiring this year. Thanks!", None, "easy-out", True),
    ("an invitation to act is an ask", "Hi Tess, I'm applying for the Analyst role (job 7) at Vexa. Feel free to reach out if you can put in a referral for me. Thanks!", None, "easy-out", True),
    # Message kinds: a thank-you note is not asked how you know the reader.
    ("thank-you note, no connection", "Hi Tess, thank you so much for referring me for the Analyst role! I start next month.", None, "stated-connection", False),
    # Demanding wording anywhere in a sentence...
    ("order after a clause", "Hi Tess, I'm a strong fit, so just send my resume to your hiring manager today. Thanks!", None, "demanding-phrasing", True),
    ("gotta", "Hi Tess, you've gotta get me an interview at Vexa.", None, "demanding-phrasing", True),
    ("don't leave me on read", "Hi Tess, please don't leave me on read this time.", None, "demanding-phrasing", True),
    ("urgency inside a question", "Hi Tess, could you send my referral over right away? Thanks!", None, "demanding-phrasing", True),
    ("presuming the referral", "Hi Tess, please let me know as soon as you have referred me.", None, "demanding-phrasing", True),
    ("a prompt reply", "Hi Tess, I'd appreciate a prompt reply about the Analyst role.", None, "demanding-phrasing", True),
    ("won't regret it", "Hi Tess, refer me for the Analyst role. I promise you won't regret it!", None, "demanding-phrasing", True),
    ("plz", "Hi Tess, plz pass my CV to your recruiter for the Analyst role.", None, "demanding-phrasing", True),
    ("pls", "Hi Tess, pls send my portfolio to the design lead.", None, "demanding-phrasing", True),
    # ...and not the polite forms.
    ("kindly inside a polite request", "Hi Tess, I would be very grateful if you could kindly share my CV with the Analyst team. Thanks!", None, "demanding-phrasing", False),
    ("I want you to know", "Hi Tess, I want you to know how much your talk at the Leeds meetup helped me. Thanks!", None, "demanding-phrasing", False),
    # Connections in real words...
    ("a prior conversation", "Hi Tess, thank you for chatting with me on Thursday. Would you refer me for the Analyst role? Thanks!", None, "stated-connection", False),
    ("an offer taken up", "Hi Tess, I'd like to take you up on the referral you offered for the Analyst role. Thanks!", None, "stated-connection", False),
    ("friendship", "Hi Tess, on top of being friends since school, would you refer me for the Analyst role? Thanks!", None, "stated-connection", False),
    ("mentoring in a shared past", "Hi Tess, your mentoring during my placement at Harlow shaped how I work. Would you refer me for the Analyst role?", None, "stated-connection", False),
    # ...and not the reader's company or posting, their work in general, a greeting, a shared field.
    ("the reader's company", "Hi Tess, I see you work at Vexa. Would you refer me for the Analyst role? Thanks!", None, "stated-connection", True),
    ("the reader's posting", "Hi Tess, I saw the Analyst role you posted. Would you refer me? Thanks!", None, "stated-connection", True),
    ("reading the reader's blog", "Hi Tess, I've been reading your blog for years. Would you refer me for the Analyst role? Thanks!", None, "stated-connection", True),
    ("the reader's projects", "Hi Tess, I'm a new nurse and I'd love to learn about your projects at the clinic.", None, "stated-connection", True),
    ("long time no talk", "Hi Tess, long time no talk! Would you refer me for the Analyst role? Thanks!", None, "stated-connection", True),
    ("a shared field", "Hi Tess, we both work in healthcare analytics. Would you refer me for the Analyst role? Thanks!", None, "stated-connection", True),
    # Easy outs: a fallback ask is no way to decline; thanks in the first line do not hide the ask.
    ("fallback ask", "Hi Tess, we met at the Leeds meetup. Could you refer me for the Analyst role? If not, could you pass my CV to your recruiter? Thanks!", None, "easy-out", True),
    ("thanks before the ask", "Thanks for connecting, Tess! Could you refer me for the Analyst role (job 7)?", None, "easy-out", True),
]


@pytest.mark.parametrize(("why", "text", "channel", "rule", "reported"), CASES, ids=[case[0] for case in CASES])
def test_the_class_is_judged_right(lint, why, text, channel, rule, reported):
    assert (rule in {violation.rule for violation in lint(text, channel)}) is reported


@pytest.mark.parametrize(
    "text",
    [case[1] for case in CASES if "slot" in case[0] or case[0] == "xxx before the opening"],
)
def test_a_slot_is_reported_by_the_placeholder_rule(lint, text):
    assert "placeholder" in {violation.rule for violation in lint(text)}
