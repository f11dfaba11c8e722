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
from dataclasses import dataclass, field

from spacy.language import Language
from spacy.tokens import Doc

from referral_lint.lemmas import lemma_of

CharSpan = tuple[int, int]

_TERMINAL = frozenset(".!?…")
_CLOSERS = frozenset(")]}\"'")

if not Doc.has_extension("parts"):
    Doc.set_extension("parts", default=None)


# --- sentences ---------------------------------------------------------------


@Language.component("referral_sentences")
def set_sentence_starts(doc: Doc) -> Doc:
    start_next = True
    previous_word_text = ""
    for token in doc:
        text = token.text
        if token.is_space:
            if "\n" in text and not _continues_previous_line(token, previous_word_text):
                start_next = True
            if token.i:
                token.is_sent_start = False
            continue
        if start_next and text in _CLOSERS and previous_word_text[-1:] in _TERMINAL:
            # A quote or bracket closing the sentence that just ended belongs to it.
            token.is_sent_start = False
            continue
        if start_next:
            token.is_sent_start = True
            start_next = False
        elif token.i:
            token.is_sent_start = False
        if text[-1] in _TERMINAL and all(ch in _TERMINAL for ch in text):
            start_next = True
        previous_word_text = text
    return doc


def _continues_previous_line(space: object, previous_word_text: str) -> bool:
    """A single line break inside a hard-wrapped paragraph does not end a sentence."""
    doc_token = space  # a spaCy Token; typed loosely to keep the hot loop cheap
    if doc_token.text.count("\n") != 1 or not previous_word_text:  # type: ignore[attr-defined]
        return False
    if not (previous_word_text[-1].isalnum()):
        return False
    following = doc_token.nbor(1) if doc_token.i + 1 < len(doc_token.doc) else None  # type: ignore[attr-defined]
    return following is not None and following.text[:1].islower()


# --- lemmas ------------------------------------------------------------------


@Language.component("referral_lemmas")
def set_lemmas(doc: Doc) -> Doc:
    for token in doc:
        token.lemma_ = lemma_of(token.lower_)
    return doc


# --- message parts -----------------------------------------------------------


@dataclass
class MessageParts:
    """Where each part of a message is, as character spans of the normalised text."""

    sentences: list[CharSpan] = field(default_factory=list)
    subject: CharSpan | None = None
    greeting: CharSpan | None = None
    greeting_name: str | None = None
    body: CharSpan = (0, 0)
    asks: list[CharSpan] = field(default_factory=list)
    closing: CharSpan | None = None
    sign_off: CharSpan | None = None
    signature: CharSpan | None = None
    placeholders: list[CharSpan] = field(default_factory=list)

    def body_sentences(self) -> list[CharSpan]:
        start, end = self.body
        return [s for s in self.sentences if s[0] >= start and s[1] <= end]

    def scope(self, name: str) -> list[CharSpan]:
        """The spans a rule's ``scope`` names; empty when the part is absent."""
        if name == "message":
            return [(0, self.sentences[-1][1])] if self.sentences else []
        if name == "body":
            return [self.body] if self.body[1] > self.body[0] else []
        if name == "ask":
            return list(self.asks)
        single = {
            "greeting": self.greeting,
            "closing": self.closing,
            "subject": self.subject,
            "signature": self.signature,
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
_ASK_RE = re.compile(
    r"""\b(?:would|could|can|will|might)\s+(?:you|it\s+be\s+possible)\b
    |\bany\s+chance\b|\bwould\s+you\s+mind\b|\b(?:hoping|wondering)\b
    |\b(?:i'd|i\s+would)\s+(?:love|appreciate|be\s+grateful|be\s+thankful|welcome)\b
    |\brefer(?:ral|ring|red)?\b|\bintroduc(?:e|tion)\b|\bput\s+in\s+a\s+(?:good\s+)?word\b
    |\bconnect\s+me\b|\brecommend\s+me\b|\bpass\s+(?:my|it|this|along)\b|\bforward\s+(?:my|it|this)\b
    |\byou(?:'d|\s+would)?(?:\s+be)?\s+(?:open|willing)\s+to\b|\bplease\b|\bkindly\b""",
    re.IGNORECASE | re.VERBOSE,
)
_IMPERATIVE_ASK_RE = re.compile(
    r"""(?:please\s+|kindly\s+|just\s+)?(?:refer|send|forward|pass|introduce|connect|submit|recommend
    |share|put|tell|give|get|schedule|arrange|set\s+up|reply|respond|review|hire|contact)\b""",
    re.IGNORECASE | re.VERBOSE,
)
_THANKING_RE = re.compile(
    r"(?:many\s+)?(?:thanks|thank\s+you|i\s+(?:really\s+|truly\s+)?appreciate|i'm\s+(?:so\s+|really\s+)?grateful)\b",
    re.IGNORECASE,
)
_SMALL_TALK_RE = re.compile(r"(?:how\s+(?:are|have|is|was)\b|hope\b)", re.IGNORECASE)
_PLACEHOLDER_RE = re.compile(
    r"""\[[^\[\]\n]{1,60}\](?!\()                # [Name], but not a markdown link
    |\{\{?\s*[A-Za-z_][^{}\n]{0,40}\}\}?         # {company}, {{first_name}}
    |<(?![a-z][a-z0-9+.-]*:)(?![^<>\n]*@)[A-Za-z][^<>\n]{0,40}>  # <role>, not <a@b.c> or <https://…>
    |\bX{3,}\b|\b_{3,}""",
    re.VERBOSE,
)


@Language.component("referral_message_parts")
def set_message_parts(doc: Doc) -> Doc:
    doc._.parts = find_message_parts(doc)
    return doc


def find_message_parts(doc: Doc) -> MessageParts:
    text = doc.text
    parts = MessageParts()
    parts.sentences = sentences = [_trimmed(sent) for sent in doc.sents]
    sentences = [s for s in sentences if s[1] > s[0]]
    parts.sentences = sentences
    parts.placeholders = [m.span() for m in _PLACEHOLDER_RE.finditer(text)]
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

    last = _find_sign_off(text, sentences, first, parts)
    body_end = sentences[last - 1][1] if last > first else body_start
    parts.body = (body_start, max(body_start, body_end))

    body_sentences = [s for s in sentences[first:last]]
    if body_sentences and _THANKS_RE.search(text, *body_sentences[-1]):
        parts.closing = (body_sentences[-1][0], (parts.sign_off or body_sentences[-1])[1])
    else:
        parts.closing = parts.sign_off
    parts.asks = [s for s in body_sentences if _is_ask(text, s)]
    return parts


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


def _is_ask(text: str, sentence: CharSpan) -> bool:
    start, end = sentence
    if _THANKING_RE.match(text, start, end) and text[end - 1] != "?":
        return False  # "Thank you for the referral." thanks for a favour already done
    if _ASK_RE.search(text, start, end) or _IMPERATIVE_ASK_RE.match(text, start, end):
        return True
    return text[end - 1] == "?" and not _SMALL_TALK_RE.match(text, start, end)
