"""The message parts the rules read: greeting, sign-off, signature, subject, asks,
placeholders and sentences, as character spans of the normalised text."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def parse(linter):
    """text -> (normalised text, MessageParts)."""

    def run(text: str):
        doc = linter.parse(text)
        return doc.text, doc._.parts

    return run


def cut(text: str, span) -> str | None:
    return None if span is None else text[span[0] : span[1]]


def sentences(parse, text: str) -> list[str]:
    normalised, parts = parse(text)
    return [cut(normalised, s) for s in parts.sentences]


def asks(parse, text: str) -> list[str]:
    normalised, parts = parse(text)
    return [cut(normalised, s) for s in parts.asks]


# --- greeting ----------------------------------------------------------------------


def test_greeting_on_its_own_line(parse):
    text, parts = parse("Hi Sarah,\n\nWe met at the PyData meetup in May.\nThanks!")
    assert cut(text, parts.greeting) == "Hi Sarah,"
    assert parts.greeting_name == "Sarah"
    assert cut(text, parts.body) == "We met at the PyData meetup in May."


def test_greeting_at_the_start_of_a_line_that_goes_on(parse):
    text, parts = parse("Hi Sarah, we met at the PyData meetup in May. Could you refer me for the Analyst role?")
    assert cut(text, parts.greeting) == "Hi Sarah,"
    assert parts.greeting_name == "Sarah"
    # The rest of the line is its own unit, and the body starts there.
    assert [cut(text, s) for s in parts.sentences][:2] == ["Hi Sarah,", "we met at the PyData meetup in May."]
    assert cut(text, parts.body).startswith("we met at")


def test_to_whom_it_may_concern_greets_nobody(parse):
    text, parts = parse("To whom it may concern,\n\nI am applying for the Staff Accountant role.")
    assert cut(text, parts.greeting) == "To whom it may concern,"
    assert parts.greeting_name is None


@pytest.mark.parametrize(
    ("draft", "greeting", "name"),
    [
        ("Hello Mr. Becker,\nWe met in Munich.", "Hello Mr. Becker,", "Mr. Becker"),
        ("Dear Dr. Patel,\nWe met in Leeds.", "Dear Dr. Patel,", "Dr. Patel"),
        ("Hey Marcus! We were in the same cohort.", "Hey Marcus!", "Marcus"),
        ("Hi there,\nWe met in Leeds.", "Hi there,", None),
        ("Hi team,\nWe met in Leeds.", "Hi team,", None),
        ("Hi, I came across your profile.", "Hi,", None),
        ("Good morning Ana,\nWe met in Leeds.", "Good morning Ana,", "Ana"),
        ("Ana,\nWe met in Leeds.", "Ana,", "Ana"),
    ],
)
def test_greeting_forms(parse, draft, greeting, name):
    text, parts = parse(draft)
    assert cut(text, parts.greeting) == greeting
    assert parts.greeting_name == name


def test_no_greeting(parse):
    text, parts = parse("We met at the PyData meetup in May. Could you refer me for the Analyst role?")
    assert parts.greeting is None
    assert parts.greeting_name is None
    assert cut(text, parts.body).startswith("We met")


# --- sign-off and signature ------------------------------------------------------------


def test_sign_off_and_signature(parse):
    text, parts = parse("Hi Sarah,\n\nWe met at PyData. Could you refer me for the Analyst role?\n\nBest,\nAlex Kim")
    assert cut(text, parts.sign_off) == "Best,"
    assert cut(text, parts.signature) == "Alex Kim"
    assert cut(text, parts.closing) == "Best,"
    assert cut(text, parts.body) == "We met at PyData. Could you refer me for the Analyst role?"


def test_thanks_sign_off_and_dashed_signature(parse):
    text, parts = parse("Hi Sarah,\nWe met at PyData. Could you refer me for the Analyst role?\nThanks!\n\u2013 Priya")
    assert cut(text, parts.sign_off) == "Thanks!"
    assert cut(text, parts.signature) == "\u2013 Priya"
    assert "Thanks" not in cut(text, parts.body)


def test_closing_takes_in_a_thank_you_sentence_before_the_sign_off(parse):
    text, parts = parse("Hi Sarah,\nCould you refer me for the Analyst role?\nThank you for your time.\n\nBest,\nAlex")
    assert cut(text, parts.closing) == "Thank you for your time.\n\nBest,"
    assert cut(text, parts.sign_off) == "Best,"


def test_multi_word_sign_off_with_name_on_one_line(parse):
    text, parts = parse("Hi Sarah,\nCould you refer me for the Analyst role?\nKind regards, Tuan Nguyen")
    assert cut(text, parts.sign_off) == "Kind regards, Tuan Nguyen"


def test_no_sign_off(parse):
    _, parts = parse("Hi Sarah, could you refer me for the Analyst role?")
    assert parts.sign_off is None
    assert parts.signature is None


def test_signature_with_title_line(parse):
    text, parts = parse("Hi Sarah,\nWe met at PyData.\n\nBest,\nAlex Kim\nData Analyst | Fernway")
    assert cut(text, parts.sign_off) == "Best,"
    assert cut(text, parts.signature) == "Alex Kim\nData Analyst | Fernway"


@pytest.mark.parametrize("contact", ["alex@example.com", "linkedin.com/in/alexkim"])
def test_signature_with_a_lowercase_contact_line(parse, contact):
    text, parts = parse(f"Hi Sarah,\nWe met at PyData.\n\nBest,\nAlex Kim\n{contact}")
    assert cut(text, parts.sign_off) == "Best,"
    assert cut(text, parts.signature) == f"Alex Kim\n{contact}"
    assert cut(text, parts.body) == "We met at PyData."


# --- subject -------------------------------------------------------------------------------


def test_subject_line(parse):
    text, parts = parse("Subject: Referral for the Analyst role (R-1234)\n\nHi Tom,\n\nCould you refer me?\n\nBest,\nAlex")
    assert cut(text, parts.subject) == "Subject: Referral for the Analyst role (R-1234)"
    assert cut(text, parts.greeting) == "Hi Tom,"
    assert parts.greeting_name == "Tom"
    assert cut(text, parts.body) == "Could you refer me?"


def test_subject_is_case_insensitive_and_only_first(parse):
    text, parts = parse("SUBJECT: Analyst role\n\nHi Tom,\nThe subject: data.")
    assert cut(text, parts.subject) == "SUBJECT: Analyst role"
    _, parts = parse("Hi Tom,\nSubject: this is not a subject line.")
    assert parts.subject is None


# --- asks ----------------------------------------------------------------------------------


def test_a_polite_question_is_an_ask(parse):
    draft = "Hi Ana,\nWe met at PyData. Would you be open to referring me for the Data Engineer role?\nThanks!"
    assert asks(parse, draft) == ["Would you be open to referring me for the Data Engineer role?"]


def test_an_imperative_is_an_ask(parse):
    draft = "Hi Ana,\nWe met at PyData. Please refer me for the Data Engineer role.\nThanks!"
    assert asks(parse, draft) == ["Please refer me for the Data Engineer role."]


def test_a_bare_imperative_is_an_ask(parse):
    assert asks(parse, "Hi Ana,\nRefer me for the Data Engineer role.") == ["Refer me for the Data Engineer role."]


@pytest.mark.parametrize(
    "sentence",
    [
        "Thank you for considering my referral.",
        "Thanks for the referral!",
        "I really appreciate any help you can give.",
        "How are you?",
        "We met at PyData in May.",
    ],
)
def test_not_an_ask(parse, sentence):
    assert asks(parse, f"Hi Ana,\n{sentence}") == []


@pytest.mark.parametrize(
    "sentence",
    [
        "Could you refer me for the Analyst role?",
        "Would you mind passing my resume along?",
        "I would be grateful if you could refer me.",
        "Any chance you could introduce me to the hiring manager?",
        "Thanks, could you refer me?",
    ],
)
def test_ask_forms(parse, sentence):
    assert asks(parse, f"Hi Ana,\n{sentence}") == [sentence]


def test_asks_are_body_sentences_only(parse):
    _, parts = parse("Subject: Could you refer me?\n\nHi Ana,\nWe met at PyData.\n\nBest,\nAlex")
    assert parts.asks == []


# --- placeholders ------------------------------------------------------------------------------


def test_placeholders(parse):
    text, parts = parse(
        "Hi [Name],\nI saw {company} is hiring a <role>. Dear {{first_name}}, job XXX, team ___."
    )
    assert [cut(text, p) for p in parts.placeholders] == [
        "[Name]", "{company}", "<role>", "{{first_name}}", "XXX", "___",
    ]


@pytest.mark.parametrize(
    "draft",
    [
        "Write to me at <alex@example.com> any time.",
        "The posting is [here](https://x.example/jobs/1).",
        "The posting is at <https://x.example/jobs/1>.",
        "I wear XXL shirts and loved the XXXL ones.",
        "We met at PyData.",
    ],
)
def test_not_placeholders(parse, draft):
    _, parts = parse(draft)
    assert parts.placeholders == []


def test_placeholder_spans_point_into_the_normalised_text(parse):
    text, parts = parse("Hi [Name],\r\nI\u2019m writing about the <role>.")
    assert [cut(text, p) for p in parts.placeholders] == ["[Name]", "<role>"]


# --- sentences ---------------------------------------------------------------------------------


def test_line_breaks_split_sentences(parse):
    assert sentences(parse, "Hi Ana,\nWe met at PyData\nYou gave a talk") == [
        "Hi Ana,", "We met at PyData", "You gave a talk",
    ]


def test_list_items_are_sentences(parse):
    draft = "Hi Ana,\nSome background:\n- five years of SQL\n- led a team of four\n\u2022 shipped dbt models\n* on call for two years"
    assert sentences(parse, draft) == [
        "Hi Ana,", "Some background:", "- five years of SQL", "- led a team of four",
        "\u2022 shipped dbt models", "* on call for two years",
    ]


def test_numbered_list_items_are_sentences(parse):
    assert sentences(parse, "Hi Ana,\n1. I have five years of SQL.\n2. I led a team.") == [
        "Hi Ana,", "1. I have five years of SQL.", "2. I led a team.",
    ]


def test_terminal_punctuation_splits_within_a_line(parse):
    assert sentences(parse, "We met at PyData. Would you refer me? Thanks!") == [
        "We met at PyData.", "Would you refer me?", "Thanks!",
    ]


def test_abbreviations_do_not_split(parse):
    assert sentences(parse, "I met Dr. Lee at 5 p.m. at the U.S. office. She told me about the role.") == [
        "I met Dr. Lee at 5 p.m. at the U.S. office.", "She told me about the role.",
    ]


def test_hard_wrapped_paragraph_is_one_sentence(parse):
    draft = "We met at the PyData meetup and you told me about the\nanalytics team at Fernway. It sounded great."
    assert sentences(parse, draft) == [
        "We met at the PyData meetup and you told me about the\nanalytics team at Fernway.", "It sounded great.",
    ]


def test_a_lowercase_line_after_a_full_stop_is_a_new_sentence(parse):
    assert sentences(parse, "We met at PyData.\nthe talk was great.") == ["We met at PyData.", "the talk was great."]


def test_a_blank_line_always_splits(parse):
    assert sentences(parse, "We met at the meetup and\n\nyou told me about it") == [
        "We met at the meetup and", "you told me about it",
    ]


def test_closing_quote_and_bracket_stay_with_their_sentence(parse):
    assert sentences(parse, 'She said "apply now." (I did.) Then I wrote.') == [
        'She said "apply now."', "(I did.)", "Then I wrote.",
    ]


@pytest.mark.parametrize("ending", ["?!", "!?", "!!", "..."])
def test_stacked_punctuation_is_one_ending(parse, ending):
    assert sentences(parse, f'Really{ending} "Yes." Then I applied.') == [f"Really{ending}", '"Yes."', "Then I applied."]


def test_ellipsis_ends_a_sentence(parse):
    assert sentences(parse, "I was not sure... Then I applied.") == ["I was not sure...", "Then I applied."]


def test_sentence_spans_have_no_surrounding_whitespace(parse):
    text, parts = parse("  Hi Ana,  \n\n  We met at PyData.   \n\n  Thanks!  \n")
    for start, end in parts.sentences:
        assert text[start : end] == text[start:end].strip()
    assert [cut(text, s) for s in parts.sentences] == ["Hi Ana,", "We met at PyData.", "Thanks!"]


def test_empty_message_has_no_parts(parse):
    _, parts = parse("")
    assert parts.sentences == [] and parts.greeting is None and parts.asks == [] and parts.placeholders == []


def test_normalisation_keeps_one_character_for_one(parse):
    """Curly quotes and no-break spaces are replaced in place; spans stay comparable to the original."""
    original = "Hi Zo\u00eb,\nI\u2019m applying\u00a0for the \u201cAnalyst\u201d role."
    text, _ = parse(original)
    assert len(text) == len(original)
    assert text == "Hi Zo\u00eb,\nI'm applying for the \"Analyst\" role."


def test_filling_the_tokenizer_cache_keeps_spacys_tokens(linter):
    """make_doc tokenizes new chunks alone first (spaCy otherwise stops caching after "I'm");
    the tokens must be exactly the ones spaCy's tokenizer gives the whole text."""
    import spacy

    reference = spacy.blank("en").tokenizer
    text = "I'm Dana (a recruiter?), it's the role: Data-Engineer, req #123... can't wait!! e.g. Mr. Li:)"
    for _ in range(2):  # the second time, every chunk comes from the cache
        doc = linter.parse(text)
        assert [(t.text, t.whitespace_) for t in doc] == [(t.text, t.whitespace_) for t in reference(text)]


def test_the_parts_count_the_words_of_the_whole_text(parse):
    text = "Subject: Data Engineer role\n\nHi Ana,\n\nWe met at PyData — great talk!\n\nBest,\nLi"
    _, parts = parse(text)
    assert parts.words == len(text.split()) == 15
