"""Word patterns as one RE2 automaton over an encoded token stream.

Phrases, lemma phrases and spaCy-style token patterns all ask the same
question: does this run of tokens have these words and these properties?
Asking it pattern by pattern in Python cost more than parsing the message, so
every such pattern is translated into a regular expression over a byte string
that spells out the message's tokens, and all of them go into one RE2 set: one
pass in C tells which patterns match anywhere, and only those are then looked
up one by one.

A token is encoded as a fixed-width *record*::

    0x1e  <lower code>  <lemma code>  <flag bytes>

Word codes number the words the patterns name (two bytes, base 224); every
other word shares code 0, so a record is short whatever the word. The flag
bytes carry seven predicate bits each: whether the token starts a sentence,
the flags patterns test (IS_ALPHA, IS_TITLE, ...), and the NOT_IN, REGEX and
exact-text (ORTH/TEXT) tests, each evaluated once per distinct word and cached.
The words come first so that RE2's automaton narrows on them before anything
else: fewer partial matches stay alive, and the automaton stays small. Records
of one sentence follow each other; 0x1d starts every sentence, so no match
crosses a sentence boundary ("...I'm José.\nRefer me..." is two thoughts), and
whitespace between sentences is not encoded at all.

A token pattern becomes the concatenation of its tokens' record expressions,
each with its operator (?, *, +, {n,m}). RE2 runs in leftmost-longest mode, so
for every token where a match can begin the longest match from there is
found: the matches spaCy's Matcher would give, less the shorter ones that share
a start with a longer one (no check needs those: a check keeps the longest of
overlapping matches, and an exception cancels whatever it overlaps).

What this cannot express (POS, DEP, MORPH, NORM, "!" and other operators, a
pattern that can match nothing) raises ``Unsupported``; ``compiler.py`` then
gives the pattern to spaCy's Matcher.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import re2
from spacy.attrs import ORTH
from spacy.tokens import Doc
from spacy.vocab import Vocab

from referral_lint.engine.regex import UNANCHORED, SafeRegex, compile_regex, raw_search
from referral_lint.lemmas import lemma_of

RECORD = b"\x1e"
SENTENCE = b"\x1d"
# Pattern attribute -> record field (TEXT and ORTH are the same field, as in spaCy).
_FIELDS = {"LOWER": 0, "LEMMA": 1, "ORTH": 2, "TEXT": 2}
# Fields spelled as word codes in a record; the exact text (ORTH), which few patterns test,
# is tested through predicate bits instead, keeping records two bytes shorter.
_CODED_FIELDS = 2
_FLAGS = frozenset(
    {"IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT", "IS_SPACE",
     "IS_STOP", "LIKE_NUM", "LIKE_URL", "LIKE_EMAIL", "IS_BRACKET", "IS_QUOTE"}
)
_OPERATOR = re.compile(r"\{(\d*)(,?)(\d*)\}")
# A large budget for RE2's lazily built automata: the set holds every word pattern of every rule.
_MAX_MEMORY = 256 << 20
# Cached records are dropped past this many distinct words (a long-running language server).
_MAX_CACHED_WORDS = 200_000
# Flag bytes carry seven bits each, with the high bit set (0x80-0xff); word codes are digits
# in base 224 (0x20-0xff). No byte of either is a delimiter, and records stay short: RE2's
# automaton reads a record per token, so fewer bytes is faster (more than a smaller alphabet).
_BITS_PER_BYTE = 7
_FLAG_BASE = 0x80
_CODE_BASE = 0x20
_CODE_RADIX = 0x100 - _CODE_BASE
_SENTENCE_START_BIT = 0


class Unsupported(Exception):
    """The pattern uses something this translation does not do; use spaCy's Matcher."""


def _options(*, longest: bool) -> Any:
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1  # a byte is a character
    options.longest_match = longest
    options.max_mem = _MAX_MEMORY
    options.log_errors = False
    return options


# A test of one word, evaluated once per distinct word: (orth, lower, lemma, lexeme) -> bool.
WordTest = Callable[[str, str, str, Any], bool]


class Codebook:
    """The numbers behind a record: word codes and predicate bits, collected while translating."""

    def __init__(self) -> None:
        self._predicate_keys: dict[tuple[Any, ...], int] = {("sentence-start",): _SENTENCE_START_BIT}
        self.tests: list[WordTest | None] = [None]  # bit 0 is per token, not per word
        self.words: dict[str, int] = {}

    def bit(self, key: tuple[Any, ...], test: WordTest) -> int:
        number = self._predicate_keys.get(key)
        if number is None:
            number = self._predicate_keys[key] = len(self.tests)
            self.tests.append(test)
        return number

    def word(self, word: str) -> int:
        return self.words.setdefault(word, len(self.words) + 1)

    @property
    def flag_bytes(self) -> int:
        return -(-len(self.tests) // _BITS_PER_BYTE)

    @property
    def code_digits(self) -> int:
        digits, capacity = 1, _CODE_RADIX
        while capacity <= len(self.words):
            digits, capacity = digits + 1, capacity * _CODE_RADIX
        return digits

    def code(self, word: str) -> bytes:
        """A word's code; code 0 is every word no pattern names."""
        number = self.words.get(word, 0)
        digits = []
        for _ in range(self.code_digits):
            number, digit = divmod(number, _CODE_RADIX)
            digits.append(_CODE_BASE + digit)
        return bytes(reversed(digits))


@dataclass(frozen=True)
class TokenExpression:
    """One pattern token: the words each field allows, the bits it requires, its repetition."""

    fields: tuple[frozenset[str] | None, frozenset[str] | None]  # LOWER, LEMMA
    bits: tuple[tuple[int, bool], ...]
    minimum: int
    maximum: int | None  # None: unbounded

    def regex(self, codebook: Codebook) -> bytes:
        flags = b"".join(_flag_byte_class(self.bits, index) for index in range(codebook.flag_bytes))
        words = b"".join(
            rb"[\x20-\xff]{%d}" % codebook.code_digits if allowed is None else _alternatives(codebook.code(w) for w in allowed)
            for allowed in self.fields
        )
        return b"(?:" + _escape(RECORD) + words + flags + b")" + _quantifier(self.minimum, self.maximum)


def _escape(data: bytes) -> bytes:
    return b"".join(b"\\x%02x" % byte for byte in data)


def _alternatives(codes: Iterator[bytes]) -> bytes:
    escaped = sorted({_escape(code) for code in codes})
    return escaped[0] if len(escaped) == 1 else b"(?:" + b"|".join(escaped) + b")"


def _flag_byte_class(bits: tuple[tuple[int, bool], ...], index: int) -> bytes:
    """The flag byte ``index`` of a record whose required bits are ``bits``, as a character class."""
    low = index * _BITS_PER_BYTE
    mask = value = 0
    for number, wanted in bits:
        if low <= number < low + _BITS_PER_BYTE:
            mask |= 1 << (number - low)
            value |= (1 << (number - low)) if wanted else 0
    allowed = [_FLAG_BASE + bits for bits in range(1 << _BITS_PER_BYTE) if bits & mask == value]
    ranges = []
    first = previous = allowed[0]
    for byte in allowed[1:] + [-1]:
        if byte != previous + 1:
            ranges.append(b"\\x%02x" % first + (b"-\\x%02x" % previous if previous != first else b""))
            first = byte
        previous = byte
    return b"[" + b"".join(ranges) + b"]"


def _quantifier(minimum: int, maximum: int | None) -> bytes:
    if (minimum, maximum) == (1, 1):
        return b""
    if maximum is None:
        return b"*" if minimum == 0 else (b"+" if minimum == 1 else b"{%d,}" % minimum)
    if (minimum, maximum) == (0, 1):
        return b"?"
    return b"{%d}" % minimum if minimum == maximum else b"{%d,%d}" % (minimum, maximum)


class TokenPatternTranslator:
    """Turns spaCy token patterns into TokenExpressions, filling the codebook they share."""

    def __init__(self) -> None:
        self.codebook = Codebook()

    def translate(self, pattern: list[dict[str, Any]]) -> list[TokenExpression]:
        tokens = [self._token(token) for token in pattern]
        if not tokens or not any(token.minimum for token in tokens):
            raise Unsupported("a pattern that can match nothing")
        return tokens

    def words(self, attribute: str, phrase: list[str]) -> list[TokenExpression]:
        """A phrase: one word per token, on the LOWER or LEMMA attribute."""
        return [self._token({attribute: word}) for word in phrase]

    def _token(self, token: dict[str, Any]) -> TokenExpression:
        minimum, maximum = _operator_bounds(token.get("OP"))
        fields: list[frozenset[str] | None] = [None] * _CODED_FIELDS
        bits: dict[int, bool] = {}
        for key, value in token.items():
            name = str(key).upper()
            if name == "OP":
                continue
            if name == "IS_SENT_START" and isinstance(value, bool):
                bits[_SENTENCE_START_BIT] = value
            elif name in _FLAGS and isinstance(value, bool):
                bits[self.codebook.bit(("flag", name), _flag(name.lower()))] = value
            elif name in _FIELDS:
                field = _FIELDS[name]
                for allowed, test_key, test in self._string_tests(field, value):
                    if allowed is not None and field >= _CODED_FIELDS:
                        bits[self.codebook.bit(("in", field, allowed), _in(field, allowed))] = True
                    elif allowed is not None:
                        fields[field] = allowed if fields[field] is None else fields[field] & allowed
                        for word in allowed:
                            self.codebook.word(word)
                    else:
                        bits[self.codebook.bit(test_key, test)] = True
            else:
                raise Unsupported(name)
        if any(allowed is not None and not allowed for allowed in fields):
            raise Unsupported("a token no word can match")
        return TokenExpression(tuple(fields), tuple(sorted(bits.items())), minimum, maximum)  # type: ignore[arg-type]

    def _string_tests(self, field: int, value: Any) -> Iterator[tuple[frozenset[str] | None, Any, Any]]:
        if isinstance(value, str):
            yield frozenset({value}), None, None
            return
        if not isinstance(value, dict) or not value:
            raise Unsupported("value")
        for operator, operand in value.items():
            if operator == "IN" and isinstance(operand, list):
                yield frozenset(str(word) for word in operand), None, None
            elif operator == "NOT_IN" and isinstance(operand, list):
                excluded = frozenset(str(word) for word in operand)
                yield None, ("not_in", field, excluded), _not_in(field, excluded)
            elif operator == "REGEX" and isinstance(operand, str):
                regex = compile_regex(operand, case_sensitive=True)
                yield None, ("regex", field, operand), _regex(field, regex)
            else:
                raise Unsupported(str(operator))


def _flag(attribute: str) -> WordTest:
    return lambda orth, lower, lemma, lexeme: bool(getattr(lexeme, attribute))


def _in(field: int, allowed: frozenset[str]) -> WordTest:
    return lambda orth, lower, lemma, lexeme: (lower, lemma, orth)[field] in allowed


def _not_in(field: int, excluded: frozenset[str]) -> WordTest:
    return lambda orth, lower, lemma, lexeme: (lower, lemma, orth)[field] not in excluded


def _regex(field: int, regex: SafeRegex) -> WordTest:
    return lambda orth, lower, lemma, lexeme: next(regex.spans((lower, lemma, orth)[field]), None) is not None


def _operator_bounds(operator: Any) -> tuple[int, int | None]:
    if operator is None:
        return 1, 1
    if operator == "?":
        return 0, 1
    if operator == "*":
        return 0, None
    if operator == "+":
        return 1, None
    match = _OPERATOR.fullmatch(str(operator))
    if not match:
        raise Unsupported(f"OP {operator}")
    low, comma, high = match.groups()
    minimum = int(low) if low else 0
    maximum = int(high) if high else (None if comma else minimum)
    return minimum, maximum


class EncodedDoc:
    """A Doc's sentences as records, and the way back from byte offsets to tokens."""

    def __init__(self, data: bytes, record_tokens: list[int]) -> None:
        self.data = data
        self._record_tokens = record_tokens

    def token_span(self, start: int, end: int) -> tuple[int, int]:
        """The tokens (start, end) a match of bytes [start, end) covers."""
        first = self.data.count(RECORD, 0, start + 1) - 1
        last = self.data.count(RECORD, first and start, end) + first - 1
        return self._record_tokens[first], self._record_tokens[last] + 1


class TokenEncoder:
    """Encodes Docs; a word's records are built the first time it is seen, then reused."""

    def __init__(self, codebook: Codebook) -> None:
        self._codebook = codebook
        # orth -> its record inside a sentence, and at a sentence's start
        self._inner: dict[int, bytes] = {}
        self._head: dict[int, bytes] = {}

    def _add_records(self, vocab: Vocab, orth_ids: set[int]) -> None:
        if len(self._inner) + len(orth_ids) > _MAX_CACHED_WORDS:
            self._inner.clear()
            self._head.clear()
        codebook = self._codebook
        for orth_id in orth_ids:
            lexeme = vocab[orth_id]
            orth, lower = lexeme.orth_, lexeme.lower_
            lemma = lemma_of(lower)
            bits = 0
            for number, test in enumerate(codebook.tests):
                if test is not None and test(orth, lower, lemma, lexeme):
                    bits |= 1 << number
            words = codebook.code(lower) + codebook.code(lemma)
            self._inner[orth_id] = RECORD + words + _flag_bytes(bits, codebook.flag_bytes)
            self._head[orth_id] = (
                RECORD + words + _flag_bytes(bits | 1 << _SENTENCE_START_BIT, codebook.flag_bytes)
            )

    def encode(self, doc: Doc, sentence_tokens: list[tuple[int, int]]) -> EncodedDoc:
        """``sentence_tokens``: each sentence's (first token, end token)."""
        if not len(doc):
            return EncodedDoc(b"", [])
        orths = doc.to_array(ORTH).tolist()
        inner, head = self._inner, self._head
        unseen = set(orths).difference(inner)
        if unseen:
            self._add_records(doc.vocab, unseen)
        # itemgetter looks every token up in one call; one token gives a bare value, not a tuple.
        records = itemgetter(*orths)(inner) if len(orths) > 1 else (inner[orths[0]],)
        pieces: list[bytes] = []
        record_tokens: list[int] = []
        for first, end in sentence_tokens:
            if end > first:
                pieces.append(SENTENCE + head[orths[first]] + b"".join(records[first + 1 : end]))
                record_tokens.extend(range(first, end))
        return EncodedDoc(b"".join(pieces), record_tokens)


def _flag_bytes(bits: int, count: int) -> bytes:
    mask = (1 << _BITS_PER_BYTE) - 1
    return bytes(_FLAG_BASE | (bits >> (index * _BITS_PER_BYTE)) & mask for index in range(count))


class PatternSet:
    """Every word pattern of a rule set, matched in one pass over the whole message (one
    pass is faster than one per sentence: RE2's per-call cost outweighs the shorter
    searches for locating matches later)."""

    def __init__(self, expressions: list[list[TokenExpression]], codebook: Codebook) -> None:
        self._set = re2.Set.SearchSet(_options(longest=False))
        self._sources = [b"".join(token.regex(codebook) for token in tokens) for tokens in expressions]
        for source in self._sources:
            self._set.Add(source)
        # Each pattern's own regex, to locate its matches, is compiled the first time it is
        # needed: most patterns never match, and start-up stays short.
        self._searches: list[Any] = [None] * len(self._sources)
        self._empty = not expressions
        if not self._empty:
            self._set.Compile()
        # The binding's own Match (the module's wrapper only adds a type check per call).
        self._match = getattr(self._set, "_set", self._set).Match

    def matching(self, encoded: EncodedDoc) -> list[int]:
        """The numbers of the patterns that match somewhere."""
        if self._empty or not encoded.data:
            return []
        return self._match(encoded.data) or []

    def spans(self, number: int, encoded: EncodedDoc) -> list[tuple[int, int]]:
        """The token spans of pattern ``number``: the longest match from each token where one begins."""
        search = self._searches[number]
        if search is None:
            search = self._searches[number] = raw_search(re2.compile(self._sources[number], _options(longest=True)))
        data = encoded.data
        end = len(data)
        found = []
        position = 0
        while True:
            start, stop = search(UNANCHORED, data, position, end)[0]
            if start < 0:
                return found
            found.append(encoded.token_span(start, stop))
            position = start + 1
