"""The spaCy components that read a draft as a message.

Three components, in pipeline order:

``referral_sentences``
    Sentence boundaries that fit messages: every line is its own unit (a
    greeting line, a sign-off, a list item), except a hard-wrapped line that
    continues in lowercase; inside a line, the usual terminal punctuation.
``referral_lemmas``
    Case-insensitive lemmas (see ``lemmas.py``).
``referral_message_parts``
    Marks the greeting, body, ask, closing, sign-off, signature, subject line
    and unfilled template placeholders as character spans on ``doc._.parts``.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy
from spacy.attrs import IDX, LEMMA, LENGTH, LOWER, ORTH, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from referral_lint.asks import is_favour_ask, is_thank_you_note
from referral_lint.engine.regex import RegexError, SafeRegex, verbose_source
from referral_lint.lemmas import lemma_of
from referral_lint.tokenizer import LONG_RUN, tokenize
from referral_lint.word_table import WordTable

CharSpan = tuple[int, int]
_AFTER_ANY_END = 1 << 62  # sorts after any end offset, for bisecting (start, end) pairs


if not Doc.has_extension("parts"):
    Doc.set_extension("parts", default=None)


# --- sentences ---------------------------------------------------------------
#
# These components run on every message, so they read token attributes as
# arrays and write them back with one ``Doc.from_array`` call each, instead of
# setting attributes token by token (which costs far more in spaCy).

_SENTENCE_SPANS = "referral_lint.sentence_spans"
_TEXT = "referral_lint.text"
_WORD_COUNT = "referral_lint.word_count"


def make_doc(nlp: Language, text: str) -> Doc:
    """Run ``nlp`` on ``text``, telling the components the text (``Doc.text`` rebuilds it)
    and how many words it has (as ``wc -w`` counts them: runs of non-space characters)."""
    chunks = text.split()
    _fill_tokenizer_cache(nlp.tokenizer, [chunk for chunk in chunks if len(chunk) < LONG_RUN])
    doc = tokenize(nlp, text)
    doc.user_data[_TEXT] = text
    doc.user_data[_WORD_COUNT] = len(chunks)
    for _, component in nlp.pipeline:
        doc = component(doc)
    return doc


# Per tokenizer: the whitespace-separated chunks already offered to its cache.
_CACHE_OFFERED: dict[int, set[str]] = {}


def _fill_tokenizer_cache(tokenizer: object, chunks: list[str]) -> None:
    """Tokenize each chunk (whitespace-separated piece) of a text not seen before on its own,
    so that spaCy caches it.

    spaCy's tokenizer stops caching chunks for the rest of a text once one chunk
    hits a special case ("I'm", "it's"; explosion/spaCy#13950), so in most
    messages every later word with punctuation ("role?", "Dana,") ran through the
    prefix, suffix and infix regexes on every call: over half of the tokenizer's
    time. Tokenizing a chunk alone caches the tokens the text would get.
    """
    offered = _CACHE_OFFERED.setdefault(id(tokenizer), set())
    if len(offered) >= tokenizer.max_cache_size:  # type: ignore[attr-defined]
        return  # the cache is full: spaCy keeps no more chunks
    new = set(chunks).difference(offered)
    if new:
        for chunk in new:
            tokenizer(chunk)  # type: ignore[operator]
        offered.update(new)


def doc_text(doc: Doc) -> str:
    text = doc.user_data.get(_TEXT)
    if text is None:
        text = doc.user_data[_TEXT] = doc.text
    return text


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


@dataclass(frozen=True)
class TokenColumns:
    """The token attributes the components and the matcher read, taken from the Doc in one
    ``to_array`` call (each call costs about as much as reading four attributes)."""

    orths: list[int]
    lowers: list[int]
    starts: list[int]  # character offsets
    ends: list[int]


_COLUMNS = "referral_lint.token_columns"


def token_columns(doc: Doc) -> TokenColumns:
    """The Doc's token columns, read once (no component here changes the tokens)."""
    columns = doc.user_data.get(_COLUMNS)
    if columns is None or len(columns.orths) != len(doc):
        if len(doc):
            array = doc.to_array([ORTH, LOWER, IDX, LENGTH])
            array[:, 3] += array[:, 2]
            columns = TokenColumns(*array.T.tolist())
        else:
            columns = TokenColumns([], [], [], [])
        doc.user_data[_COLUMNS] = columns
    return columns


# --- lemmas ------------------------------------------------------------------

# Lowercase form -> lemma, as string-store hashes; one table per vocabulary,
# because a lemma string must be added to the store of the Doc it is set on.
_LEMMA_IDS: dict[int, WordTable[int]] = {}
# Words whose lemmas are kept (the lemma strings stay in the store for good, so that the
# kept hashes always resolve); the lemmas of rarer words are computed per Doc.
MAX_KEPT_LEMMAS = 100_000


@Language.component("referral_lemmas")
def set_lemmas(doc: Doc) -> Doc:
    if not len(doc):
        return doc
    strings = doc.vocab.strings
    lemma_ids = _LEMMA_IDS.setdefault(id(strings), WordTable(MAX_KEPT_LEMMAS))

    def lemmas_of(lowers: set[int], kept: bool) -> dict[int, int]:
        # A kept lemma's string must outlive a spaCy memory zone the Doc may be made in.
        return {lower: strings.add(lemma_of(strings[lower]), allow_transient=not kept) for lower in lowers}

    lowers = token_columns(doc).lowers
    lemmas = lemma_ids.values_for(lowers, lemmas_of)
    doc.from_array([LEMMA], numpy.fromiter(lemmas, dtype="uint64", count=len(lowers)))
    return doc


# --- message parts -----------------------------------------------------------


@dataclass
class MessageParts:
    """Where each part of a message is, as character spans of the normalised text."""

    sentences: list[CharSpan] = field(default_factory=list)
    words: int = 0  # how many words the whole text has (runs of non-space characters)
    # The same sentences as token ranges (first token, end token) of the Doc.
    sentence_tokens: list[tuple[int, int]] = field(default_factory=list, repr=False)
    subject: CharSpan | None = None
    greeting: CharSpan | None = None
    greeting_name: str | None = None
    body: CharSpan = (0, 0)
    asks: list[CharSpan] = field(default_factory=list)
    closing: CharSpan | None = None
    sign_off: CharSpan | None = None
    signature: CharSpan | None = None
    placeholders: list[CharSpan] = field(default_factory=list)
    kind: str = "other"  # what the message asks for: one of referral_lint.config.KINDS
    _body_sentences: tuple[Any, list[CharSpan]] | None = field(default=None, repr=False, compare=False)

    def sentence_at(self, offset: int) -> CharSpan:
        """The sentence holding ``offset``; an empty span at it when it is between sentences."""
        index = bisect_right(self.sentences, (offset, _AFTER_ANY_END)) - 1 if self.sentences else -1
        if index >= 0 and self.sentences[index][0] <= offset < self.sentences[index][1]:
            return self.sentences[index]
        return (offset, offset)

    def body_sentences(self) -> list[CharSpan]:
        """The sentences of the body (a shared list: do not change it)."""
        # Asked once per suggestion: worked out once per body (a long message has thousands).
        key = (self.body, len(self.sentences))
        if self._body_sentences is None or self._body_sentences[0] != key:
            start, end = self.body
            self._body_sentences = (key, [s for s in self.sentences if s[0] >= start and s[1] <= end])
        return self._body_sentences[1]

    def scope(self, name: str) -> list[CharSpan]:
        """The spans a rule's ``scope`` names; empty when the part is absent."""
        if name == "message":
            return [(0, self.sentences[-1][1])] if self.sentences else []
        if name == "body":
            return [self.body] if self.body[1] > self.body[0] else []
        if name == "ask":
            return list(self.asks)
        if name == "opening":
            # The first two sentences after the greeting: where a reader decides to read on.
            return self.body_sentences()[:2]
        if name == "placeholders":
            return list(self.placeholders)
        single = {
            "greeting": self.greeting,
            "closing": self.closing,
            "subject": self.subject,
            "signature": self.signature,
            "sign_off": self.sign_off,
        }[name]
        return [single] if single else []


_SUBJECT_RE = re.compile(r"subject\s*:", re.IGNORECASE)
_GREETING_RE = re.compile(
    r"""(?:hi|hello|hey|hiya|heya|yo|dear|greetings|howdy|good\s+(?:morning|afternoon|evening|day)
        |to\s+whom\s+it\s+may\s+concern)\b
        (?P<name>(?:[ \t]+[^\s,!:;]+){0,4}?)[ \t]*(?:[,!:;\u2014\u2013]|[ \t]-[ \t]|$)""",
    re.IGNORECASE | re.VERBOSE,
)
_BARE_NAME_GREETING_RE = re.compile(r"[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*)?\s*,\s*$")
_GENERIC_NAMES = frozenset(
    {"", "there", "all", "everyone", "team", "sir", "madam", "sir or madam", "friend", "folks"}
)
_SIGN_OFF_WORDS = r"""(?:best(?:\s+(?:regards|wishes))?|regards|kind\s+regards|warm(?:est)?\s+regards
    |warmly|cheers|thanks(?:\s+(?:again|so\s+much|a\s+lot|in\s+advance))?
    |thank\s+you(?:\s+(?:so\s+much|again|in\s+advance))?|many\s+thanks|sincerely(?:\s+yours)?
    |yours(?:\s+(?:truly|sincerely))?|all\s+the\s+best|respectfully|take\s+care|talk\s+soon
    |with\s+(?:gratitude|thanks|appreciation)|gratefully|cordially|thx|ty)"""
_SIGN_OFF_RE = re.compile(
    _SIGN_OFF_WORDS + r"""\s*[,!.]*\s*(?:[-\u2013\u2014~]?\s*[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,2})?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_SIGNATURE_LINE_RE = re.compile(
    r"""[-\u2013\u2014~]*\s*(?:[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3}   # a name
        |\S+@\S+|\+?[\d()][\d\s().-]{6,}|(?:https?://)?(?:www\.)?linkedin\.com/\S+  # contact lines
        |[^\n|]{1,40}\|[^\n]{1,80})\s*$""",
    re.VERBOSE,
)
_THANKS_RE = re.compile(r"\b(?:thank|thanks|thx|appreciate|grateful)", re.IGNORECASE)
# One leading \b, then alternatives that each start with a word: sentences are scanned once
# per position, not once per alternative (this runs on every sentence of every message).
_ASK_RE = re.compile(
    r"""\b(?:(?:would|could|can|will|might)\s+(?:you|it\s+be\s+possible)\b
    |any\s+chance\b|would\s+you\s+mind\b|(?:hoping|wondering)\b
    |i(?:'d|\s+would)\s+(?:(?:really|so|truly|greatly|also|very|most|much|deeply|sincerely|be)\s+){0,3}(?:love|appreciate|grateful|thankful|welcome|value|obliged)\b
    |would\s+(?:(?:really|so|truly|greatly|also|very|most|much|deeply|sincerely|be)\s+){0,3}(?:value|appreciate|appreciated|grateful|thankful|obliged|love)\b
    |it(?:'d|\s+would)\s+be\s+(?:so\s+|really\s+|very\s+)?(?:great|wonderful|amazing|helpful|fantastic|awesome|lovely|ideal|brilliant)\s+(?:to|if)\b
    |(?:keen|eager|curious)\s+to\s+(?:hear|know|learn|find\s+out)\s+(?:if|whether)\b
    |i\s+(?:(?:need|want|expect|require)\s+you\b|expect\b|need\s+(?:a|an|your)\s+(?:response|reply|answer|decision|referral|intro)
        |(?:humbly\s+|kindly\s+|respectfully\s+)?request\b)
    |i(?:'ll|\s+will|'m|\s+am)\s+(?:be\s+)?expecting\b|if\s+you\s+could\b|make\s+(?:it|this)\s+happen\b|make\s+sure\s+you\b
    |since\s+i\s+(?:first\s+|last\s+)?(?:asked|messaged|emailed|wrote\s+to\s+you|reached\s+out|pinged|contacted)\b|heard\s+back\b
    |refer(?:ral|ring)?\b|(?:be|being|get|getting)\s+referred\b|introduc(?:e|tion)\b|put\s+in\s+a\s+(?:good\s+)?word\b
    |connect\s+me\b|recommend\s+me\b|pass\s+(?:my|it|this|along)\b|forward\s+(?:my|it|this)\b
    |you(?:(?:'d|\s+would)?(?:\s+be)?\s+(?:open|willing)\s+to\b
        |\s+(?:need|have|gotta)\s+to\b  # a demand is still a request
        |\s+must\s+(?:refer|send|forward|pass|introduce|connect|submit|give|put|help|reply|respond|call)\b)
    |(?:want|wanted|wanting|would\s+like|'d\s+like)\s+to\s+(?:know|ask|see|check|find\s+out)\s+(?:if|whether)\b|curious\s+(?:if|whether)\b
    |(?:would|'d)\s+(?:like|love)\s+to\s+(?:chat|talk|speak|meet|ask\s+you|hear\s+(?:about|from|your|more)|get\s+your|pick\s+your)\b
    |i\s+trust\s+you(?:'ll|\s+will)\b|hook\s+(?:me|us)\s+up\b|seek(?:ing)?\s+(?:your|any)\s+(?:advice|guidance|help|input|support|referral|thoughts)\b|you(?:'ve|\s+have)?\s+(?:gotta|got\s+to)\b
    |please\b|kindly\s+(?:forward|refer|recommend|consider|share|send|revert|help|let|advise|guide|look|check|review
        |pass|introduce|connect|do|provide|request|confirm|reply|respond|put|submit|arrange|schedule|give|tell|spare)\b  # not "she has kindly agreed"
    |(?:follow|check|circle|touch)(?:ing)?[\s-]+(?:up|in|back|base)\b|(?:float|bump|resurfac)(?:e|ing)?\s+(?:this|it|my)\b)  # a follow-up nudge asks again
    """,
    re.IGNORECASE | re.VERBOSE,
)
_IMPERATIVE_ASK_RE = re.compile(
    r"""(?:(?:now|so|then|and)\s+)?(?:please\s+|kindly\s+|just\s+|pls\s+)?(?:refer|send|forward|pass|introduce|connect|submit|recommend
    |share|put|tell|give|get|schedule|arrange|set\s+up|reply|respond|review|hire|contact|make\s+sure|ensure|call|email
    |text|ping|let\s+me\s+know|lmk|consider|guide|revert|help|ask|jump\s+on|hop\s+on|grab|book|find\s+(?:me|us|a\s+time|time|some\s+time)
    |shoot\s+me|drop\s+me|take\s+a\s+look|have\s+a\s+look|look\s+over|mention\s+(?:me|my)|vouch|loop\s+me|do\s+the\s+needful|make\s+it\s+happen)\b""",
    re.IGNORECASE | re.VERBOSE,
)
_THANKING_RE = re.compile(
    r"(?:(?:i\s+)?(?:just\s+)?(?:wanted|want)\s+to\s+(?:say\s+)?)?"
    r"(?:many\s+)?(?:thanks|thank\s+you|i\s+(?:really\s+|truly\s+)?appreciate|i'm\s+(?:so\s+|really\s+)?grateful)\b",
    re.IGNORECASE,
)
_SMALL_TALK_RE = re.compile(r"(?:how\s+(?:are|have|is|was)\b|hope\b)", re.IGNORECASE)
_PLACEHOLDER_RE = re.compile(
    r"""\[[^\[\]\n]{1,60}\]                       # [Name] (a markdown link "[text](url)" is skipped below)
    |\{\{?\s*[A-Za-z_][^{}\n]{0,40}\}\}?         # {company}, {{first_name}}
    |<[A-Za-z][^<>\n]{0,40}>                   # <role> (not <a@b.c> or <https://…>, skipped below)
    |\((?:[A-Z][a-z]+\s+){0,3}(?:Name|Company|Role|Title|Position)(?:\s+[A-Z][a-z]+){0,2}\)  # (Company Name)
    |\b[Xx]{3,}\b|\b_{3,}""",
    re.VERBOSE,
)


class _PythonScan:
    """``re`` behind SafeRegex's interface, for a pattern RE2 cannot run (lookbehind)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self._pattern = pattern

    def spans(self, text: str) -> Iterator[CharSpan]:
        return (match.span() for match in self._pattern.finditer(text))


def _fast(pattern: re.Pattern[str]) -> SafeRegex | _PythonScan:
    """The same regex under RE2, which scans big alternations many times faster than ``re``."""
    try:
        return SafeRegex(verbose_source(pattern.pattern), case_sensitive=not pattern.flags & re.IGNORECASE)
    except RegexError:
        return _PythonScan(pattern)


_ASK_SCAN = _fast(_ASK_RE)
_PLACEHOLDER_SCAN = _fast(_PLACEHOLDER_RE)


def _placeholders(text: str) -> list[CharSpan]:
    found = []
    for start, end in _PLACEHOLDER_SCAN.spans(text):
        if text[start] == "[" and (text[end : end + 1] == "(" or text[start + 1 : end - 1].isdigit()):
            continue  # a markdown link, or a footnote mark such as [1]
        if text[start] == "<" and ("@" in text[start:end] or ":" in text[start:end]):
            continue  # an email address or a URL in angle brackets
        found.append((start, end))
    return found


_PARTS = "referral_lint.parts"


@Language.component("referral_message_parts")
def set_message_parts(doc: Doc) -> Doc:
    doc._.parts = doc.user_data[_PARTS] = find_message_parts(doc)
    return doc


def message_parts(doc: Doc) -> MessageParts:
    """``doc._.parts``, read without spaCy's extension machinery (which costs more than the
    read, and the engine reads it several times per message)."""
    parts = doc.user_data.get(_PARTS)
    return parts if parts is not None else doc._.parts


def find_message_parts(doc: Doc) -> MessageParts:
    text = doc_text(doc)
    parts = MessageParts()
    parts.words = doc.user_data.get(_WORD_COUNT, 0) or len(text.split())
    parts.sentences = sentences = sentence_spans(doc)
    parts.placeholders = _placeholders(text)
    if not sentences:
        return parts

    first = 0
    if _SUBJECT_RE.match(text, sentences[0][0]):
        parts.subject = sentences[0]
        first = 1
    body_start = sentences[first][0] if first < len(sentences) else len(text)
    if first < len(sentences):
        parts.greeting, parts.greeting_name, body_start = _find_greeting(text, sentences[first])
        if parts.greeting:
            sentence_end = sentences[first][1]
            if body_start < sentence_end:
                # "Hi Sam, we met at…": the greeting and the rest become separate units.
                sentences[first : first + 1] = [parts.greeting, (body_start, sentence_end)]
            first += 1
            body_start = sentences[first][0] if first < len(sentences) else len(text)

    token_starts = token_columns(doc).starts
    parts.sentence_tokens = [(bisect_left(token_starts, start), bisect_left(token_starts, end)) for start, end in sentences]
    last = _find_sign_off(text, sentences, first, parts)
    body_end = sentences[last - 1][1] if last > first else body_start
    parts.body = (body_start, max(body_start, body_end))

    body_sentences = [s for s in sentences[first:last]]
    if body_sentences and _THANKS_RE.search(text, *body_sentences[-1]):
        parts.closing = (body_sentences[-1][0], (parts.sign_off or body_sentences[-1])[1])
    else:
        parts.closing = parts.sign_off
    ask_markers = [start for start, _ in _ASK_SCAN.spans(text)]
    parts.asks = [s for s in body_sentences if _is_ask(text, s, ask_markers)]
    parts.kind = _message_kind(text, parts)
    return parts


# --- what the message asks for ------------------------------------------------


_FOLLOWUP_RE = re.compile(
    r"""\b(?:follow(?:ing)?[\s-]+up(?:\s+(?:on|about|regarding|again|here|with\s+you)\b|\s*[.,!;:\u2014-]|$)|circl(?:e|ing)\s+back|check(?:ing)?\s+in|bump(?:ing)?\s+(?:this|my)
    |(?:my|the)\s+(?:previous|last|earlier|first)\s+(?:message|note|email|e-mail|inmail)
    |(?:wanted|want)\s+to\s+resurface|(?:float|bump|bring)(?:ing)?\s+(?:this|it|my\s+(?:message|note|email))\s+(?:back\s+)?up
    |(?:didn't|did\s+not|don't)\s+want\s+(?:it|this|my\s+(?:message|note|email))\s+to\s+get\s+(?:buried|lost)|in\s+case\s+(?:it|my\s+(?:message|note|email))\s+(?:got|was)\s+(?:buried|lost))""",
    re.IGNORECASE | re.VERBOSE,
)
_REFERRAL_RE = re.compile(
    r"\brefer(?:ral|ring|red)?\b|\bput\s+in\s+a\s+(?:good\s+)?word\b|\b(?:pass|forward)\s+(?:along\s+)?my\s+(?:resume|cv|résumé)",
    re.IGNORECASE,
)
_INTRODUCTION_RE = re.compile(
    r"\bintro(?:duce|ducing|duction)?\b|\bconnect(?:ing)?\s+(?:me|us)\b|\bput(?:ting)?\s+me\s+in\s+touch\b", re.IGNORECASE
)
_JOB_RE = re.compile(r"\b(?:job|role|position|posting|opening|req|requisition|vacancy|hiring)\b", re.IGNORECASE)
_CALL_RE = re.compile(
    r"""\b(?:call|chat|coffee|zoom|meet(?:ing)?|conversation|talk|speak|tips|pointers|guidance)\b|\badvice\b
    |\bpick\s+your\s+brain\b|\blearn\s+(?:more\s+)?(?:about|from)\b|\bquestions?\s+about\b
    |\b\d+\s*(?:-\s*)?(?:min|mins|minutes)\b|\binformational\s+interview\b|\byour\s+(?:time|notes|perspective|thoughts)\b
    |\bhow\s+you\s+(?:made|got|moved|switched)\b|\bwhat(?:'s|\s+is)\s+the\s+best\s+way\b""",
    re.IGNORECASE | re.VERBOSE,
)


def _message_kind(text: str, parts: MessageParts) -> str:
    """The kind of request, judged from the asks (or the body when nothing is asked)."""
    asks = " ".join(text[start:end] for start, end in parts.asks)
    body = text[parts.body[0] : parts.body[1]]
    # A follow-up says so up front ("Just following up on my note…"), not in passing later.
    opening = " ".join(text[start:end] for start, end in parts.scope("opening"))
    favour_asks = [ask for ask in parts.asks if is_favour_ask(text, ask)]
    if _FOLLOWUP_RE.search(opening) or (parts.subject and _FOLLOWUP_RE.search(text, *parts.subject)):
        # "Following up to say thank you for the coffee": a thank-you note all the same.
        return "thank-you" if is_thank_you_note(text, parts.body, favour_asks) else "followup"
    if not parts.asks:
        return "thank-you" if _THANKS_RE.search(body) else "other"
    if is_thank_you_note(text, parts.body, favour_asks):
        return "thank-you"
    if not favour_asks:
        return "networking"  # "I'd love to connect and learn from your experience": no favour asked
    if _REFERRAL_RE.search(asks):
        return "referral"
    if _INTRODUCTION_RE.search(asks):
        return "introduction"
    if _CALL_RE.search(asks):
        return "call-or-advice"
    return "referral" if _REFERRAL_RE.search(body) or _JOB_RE.search(body) else "other"


def _trimmed(sent: object) -> CharSpan:
    """A sentence's character span without surrounding whitespace."""
    tokens = [t for t in sent if not t.is_space]  # type: ignore[attr-defined]
    if not tokens:
        return (0, 0)
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)


def _find_greeting(text: str, sentence: CharSpan) -> tuple[CharSpan | None, str | None, int]:
    """The greeting at the start of ``sentence``, the name it greets, and where the body starts."""
    start, end = sentence
    match = _GREETING_RE.match(text, start, end)
    if match:
        greeting_end = match.end()
        while greeting_end > start and text[greeting_end - 1].isspace():
            greeting_end -= 1
        name = match.group("name").strip()
        greeted = None if name.lower() in _GENERIC_NAMES else name
        if text[start:].lower().startswith("to whom"):
            greeted = None
        body_start = greeting_end
        while body_start < end and text[body_start].isspace():
            body_start += 1
        return (start, greeting_end), greeted, body_start
    if _BARE_NAME_GREETING_RE.fullmatch(text, start, end) and "\n" in text[end : end + 2]:
        return (start, end), text[start:end].rstrip(", "), end
    return None, None, start


def _find_sign_off(text: str, sentences: list[CharSpan], first: int, parts: MessageParts) -> int:
    """Mark the sign-off and signature; return the index of the first sentence after the body."""
    index = len(sentences)
    signature_start = None
    # Up to four short lines of name, title, email or phone end a message.
    while index - 1 > first and len(sentences) - index < 4:
        start, end = sentences[index - 1]
        if _SIGN_OFF_RE.fullmatch(text, start, end):
            break
        if not _SIGNATURE_LINE_RE.fullmatch(text, start, end) or not _starts_line(text, start):
            break
        index -= 1
        signature_start = start
    if index - 1 >= first and _is_sign_off(text, sentences[index - 1], signature_start is not None):
        parts.sign_off = sentences[index - 1]
        if signature_start is not None:
            parts.signature = (signature_start, sentences[-1][1])
        return index - 1
    if signature_start is not None and index < len(sentences) and _ends_sentence(text, sentences[index - 1]):
        parts.signature = (signature_start, sentences[-1][1])
        return index
    return len(sentences)


def _is_sign_off(text: str, sentence: CharSpan, before_signature: bool) -> bool:
    """"Best," or "Thanks, Alex"; or any short line ending in a comma above a signature."""
    start, end = sentence
    if _SIGN_OFF_RE.fullmatch(text, start, end):
        return True
    return before_signature and text[end - 1] == "," and text.count(" ", start, end) < 8


def _starts_line(text: str, offset: int) -> bool:
    before = text[:offset].rstrip(" \t")
    return not before or before.endswith("\n") or before[-1:] in "-\u2013\u2014"


def _ends_sentence(text: str, sentence: CharSpan) -> bool:
    return text[sentence[1] - 1] in ".!?)"


def _is_ask(text: str, sentence: CharSpan, ask_markers: list[int]) -> bool:
    """Whether a sentence makes a request; ``ask_markers``: where _ASK_RE matches in the text."""
    start, end = sentence
    if _THANKING_RE.match(text, start, end) and text[end - 1] != "?":
        return False  # "Thank you for the referral." thanks for a favour already done
    marker = bisect_left(ask_markers, start)
    if marker < len(ask_markers) and ask_markers[marker] < end:
        return True
    if _IMPERATIVE_ASK_RE.match(text, start, end):
        return True
    return text[end - 1] == "?" and not _SMALL_TALK_RE.match(text, start, end)
