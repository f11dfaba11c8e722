"""Sentences that fit messages: the splitter and the spaCy component that sets them.

Every line is its own unit (a greeting line, a sign-off, a list item), except a hard-wrapped
line that continues in lowercase; inside a line, the usual terminal punctuation ends a
sentence, but not the period of "Dr.", "e.g.", an initial or a list number.
The component writes all sentence starts with one ``Doc.from_array`` call.
"""

from __future__ import annotations

import re
from bisect import bisect_left

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from referral_lint.doc import doc_text
from referral_lint.positions import CharSpan
from referral_lint.safe_regex import SafeRegex
from referral_lint.token_columns import token_columns

_SENTENCE_SPANS = "referral_lint.sentence_spans"


# Where a sentence may end: terminal punctuation (with any closing quotes or
# brackets) before whitespace, or a line break.
_SENTENCE_END = re.compile(r"""[.!?\u2026]+["')\]}]*(?=\s|$)|\n""")
_ABBREVIATIONS = (
    "mr mrs ms dr prof sr jr st vs etc e.g i.e inc ltd co corp dept univ approx no mt ft jan feb mar apr "
    "jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun a.m p.m u.s u.k".split()
)
# Periods that end no sentence: "Dr." and "e.g." and an initial such as "J." (a word of their
# own), and the number of a list item at the start of a line ("1. I have…"). One RE2 scan
# finds them all; the loop below only looks them up.
_NOT_SENTENCE_ENDS = SafeRegex(
    r"""(?:^|[\s("'])(?:(?i:%s)|\p{Lu})\.|(?m:^)\pN+\."""
    % "|".join(re.escape(word) for word in sorted(_ABBREVIATIONS, key=len, reverse=True)),
    case_sensitive=True,
)
# Line breaks after a letter or digit: a hard-wrapped paragraph may go on after them.
_MAY_WRAP = SafeRegex(r"[\pL\pN][ \t]*\n", case_sensitive=True)


def split_sentences(text: str) -> list[CharSpan]:
    """Sentence spans (without surrounding whitespace) of a message."""
    not_ends = {end - 1 for _, end in _NOT_SENTENCE_ENDS.spans(text)}
    may_wrap = {end - 1 for _, end in _MAY_WRAP.spans(text)}
    spans: list[CharSpan] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        position, boundary = match.span()
        if text[position] == "\n":
            if position in may_wrap and _continues_on_next_line(text, position):
                continue
            _add_trimmed(spans, text, start, position)
        elif boundary != position + 1 or position not in not_ends:
            _add_trimmed(spans, text, start, boundary)
        else:
            continue
        start = boundary
    _add_trimmed(spans, text, start, len(text))
    return spans


def _add_trimmed(spans: list[CharSpan], text: str, start: int, end: int) -> None:
    piece = text[start:end].lstrip()
    if piece:
        first = end - len(piece)
        spans.append((first, first + len(piece.rstrip())))


def _continues_on_next_line(text: str, newline: int) -> bool:
    """A single line break inside a hard-wrapped paragraph does not end a sentence: the line
    before ends in a letter or digit (``_MAY_WRAP``) and the next goes on in lowercase."""
    if not text[newline + 1 : newline + 2].islower():
        return False
    # An email address or a URL on the next line is a line of its own, not wrapped prose.
    next_line_end = text.find("\n", newline + 1)
    next_line = text[newline + 1 : next_line_end if next_line_end >= 0 else len(text)]
    return " " in next_line.strip()


@Language.component("referral_sentences")
def set_sentence_starts(doc: Doc) -> Doc:
    """Sentence starts, and the sentences' character spans in ``doc.user_data``."""
    spans = split_sentences(doc_text(doc))
    doc.user_data[_SENTENCE_SPANS] = spans
    if len(doc):
        token_starts = token_columns(doc).starts
        starts = numpy.full(len(doc), -1, dtype="int64")
        # Sentences begin after whitespace, so each begins at a token.
        starts[[bisect_left(token_starts, start) for start, _ in spans]] = 1
        starts[0] = 1
        doc.from_array([SENT_START], starts.view("uint64"))
    return doc


@Language.component("referral_parsed_sentences")
def read_parsed_sentences(doc: Doc) -> Doc:
    """After a trained parser, which may split sentences further: the sentences it settled on."""
    doc.user_data[_SENTENCE_SPANS] = [_trimmed(sent) for sent in doc.sents]
    return doc


def sentence_spans(doc: Doc) -> list[CharSpan]:
    """The sentences' character spans, without surrounding whitespace."""
    spans = doc.user_data.get(_SENTENCE_SPANS)
    if spans is None:  # a Doc from another pipeline
        spans = [_trimmed(sent) for sent in doc.sents]
    return [span for span in spans if span[1] > span[0]]



def _trimmed(sent: object) -> CharSpan:
    """A sentence's character span without surrounding whitespace."""
    tokens = [t for t in sent if not t.is_space]  # type: ignore[attr-defined]
    if not tokens:
        return (0, 0)
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)

