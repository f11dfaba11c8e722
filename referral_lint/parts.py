"""The parts of a message: greeting, body, asks, closing, sign-off, signature, subject line
and unfilled template placeholders, as character spans (``doc._.parts``).

The ``referral_message_parts`` component finds them, and the message kind (``kinds.py``).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from referral_lint.asks import THANKING_RE, THANKS_RE
from referral_lint.doc import WORD_COUNT, doc_text
from referral_lint.kinds import message_kind
from referral_lint.positions import CharSpan
from referral_lint.safe_regex import scan_with_re2
from referral_lint.sentences import sentence_spans
from referral_lint.token_columns import token_columns
from referral_lint.wording import load_wording, scan

_AFTER_ANY_END = 1 << 62  # sorts after any end offset, for bisecting (start, end) pairs


if not Doc.has_extension("parts"):
    Doc.set_extension("parts", default=None)


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
    kind: str = "other"  # what the message asks for: one of referral_lint.model.KINDS
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
_GREETING_WORDING = load_wording("greetings", ("greetings", "nobody"))
_GREETING_RE = re.compile(
    _GREETING_WORDING.alternation("greetings")
    + r"""\b(?P<name>(?:[ \t]+[^\s,!:;]+){0,4}?)[ \t]*(?:[,!:;\u2014\u2013]|[ \t]-[ \t]|$)""",
    re.IGNORECASE | re.VERBOSE,
)
_BARE_NAME_GREETING_RE = re.compile(r"[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*)?\s*,\s*$")
# "Hi there,", "Dear Sir or Madam,": a greeting to no one in particular.
_NOBODY_RE = re.compile(_GREETING_WORDING.alternation("nobody"), re.IGNORECASE)
_SIGN_OFF_WORDS = load_wording("sign-offs", ("sign_offs",)).alternation("sign_offs")
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
_ASK_WORDING = load_wording("asks", ("markers", "lead_ins", "orders"))
# One leading \b, then alternatives that each start with a word: sentences are scanned once
# per position, not once per alternative (this runs on every sentence of every message).
_ASK_PATTERN = rf"\b{_ASK_WORDING.alternation('markers')}\b"  # run by RE2 only (_ASK_SCAN)
_IMPERATIVE_ASK_RE = re.compile(
    rf"(?:{_ASK_WORDING.alternation('lead_ins')}\s+){{0,2}}{_ASK_WORDING.alternation('orders')}\b", re.IGNORECASE
)
# A question that opens with small talk ("How are you?") asks nothing.
_SMALL_TALK_RE = re.compile(load_wording("small-talk", ("openings",)).alternation("openings") + r"\b", re.IGNORECASE)
_PLACEHOLDER_RE = re.compile(
    r"""\[[^\[\]\n]{1,60}\]                       # [Name] (a markdown link "[text](url)" is skipped below)
    |\{\{?\s*[A-Za-z_][^{}\n]{0,40}\}\}?         # {company}, {{first_name}}
    |<[A-Za-z][^<>\n]{0,40}>                   # <role> (not <a@b.c> or <https://…>, skipped below)
    |\((?:[A-Z][a-z]+\s+){0,3}(?:Name|Company|Role|Title|Position)(?:\s+[A-Z][a-z]+){0,2}\)  # (Company Name)
    |\b[Xx]{3,}\b|\b_{3,}""",
    re.VERBOSE,
)


_ASK_SCAN = scan(_ASK_PATTERN)
_PLACEHOLDER_SCAN = scan_with_re2(_PLACEHOLDER_RE)


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
    parts.words = doc.user_data.get(WORD_COUNT, 0) or len(text.split())
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
    if body_sentences and THANKS_RE.search(text, *body_sentences[-1]):
        parts.closing = (body_sentences[-1][0], (parts.sign_off or body_sentences[-1])[1])
    else:
        parts.closing = parts.sign_off
    ask_markers = [start for start, _ in _ASK_SCAN.spans(text)]
    parts.asks = [s for s in body_sentences if _is_ask(text, s, ask_markers)]
    parts.kind = message_kind(text, parts)
    return parts


def _find_greeting(text: str, sentence: CharSpan) -> tuple[CharSpan | None, str | None, int]:
    """The greeting at the start of ``sentence``, the name it greets, and where the body starts."""
    start, end = sentence
    match = _GREETING_RE.match(text, start, end)
    if match:
        greeting_end = match.end()
        while greeting_end > start and text[greeting_end - 1].isspace():
            greeting_end -= 1
        name = match.group("name").strip()
        greeted = None if not name or _NOBODY_RE.fullmatch(name) else name
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
    """Whether a sentence makes a request; ``ask_markers``: where _ASK_PATTERN matches in the text."""
    start, end = sentence
    if THANKING_RE.match(text, start, end) and text[end - 1] != "?":
        return False  # "Thank you for the referral." thanks for a favour already done
    marker = bisect_left(ask_markers, start)
    if marker < len(ask_markers) and ask_markers[marker] < end:
        return True
    if _IMPERATIVE_ASK_RE.match(text, start, end):
        return True
    return text[end - 1] == "?" and not _SMALL_TALK_RE.match(text, start, end)
