"""Word patterns as one RE2 automaton over an encoded token stream.

Phrases, lemma phrases and spaCy-style token patterns all ask the same
question: does this run of tokens have these words and these properties?
Asking it pattern by pattern in Python cost more than parsing the message, so
every such pattern is translated into a regular expression over a byte string
that spells out a sentence's tokens, and all of them go into one RE2 set: one
pass in C per sentence tells which patterns match in it, and a pattern's own
regex then finds where, only in those sentences and only when a check asks.

A token is encoded as a *record*::

    <word code>  <flag bytes>

The word code says what the patterns can ask of the word's lowercase form and
its lemma in one number: each lowercase word a pattern names has its own code
(which fixes its lemma too), each lemma a pattern names has one code for every
other word with that lemma, and every remaining word shares code 0. A test on
LOWER or LEMMA -- one word, IN or NOT_IN a list -- is then the set of codes
that pass it, worked out when the rules are compiled. The first 63 codes (code
0 and the most frequent words) are one byte, 0x01-0x3f; the others a lead byte,
0x40-0x7f, and base-128 digits, 0x80-0xff. The flag bytes carry seven predicate
bits each, 0x80-0xff: the flags patterns test (IS_ALPHA, IS_TITLE, ...), REGEX
tests and exact-text (ORTH/TEXT) tests on cased words, each evaluated once per
distinct word and cached. So a record's first byte is its only byte below 0x80,
and records need no delimiter. RE2's automaton reads a record per token, and in
a lint run its states are mostly not in the CPU's caches: the cost is about a
cache miss per byte, so records are kept as short as the patterns allow.

Each sentence is its own byte string, 0x00 and then its records, so no match
crosses a sentence boundary ("...I'm José.\\nRefer me..." is two thoughts),
and what the set says is already by sentence. A pattern whose first token must
start a sentence (IS_SENT_START) begins with 0x00; one whose first token must
not reads any record before it.

A token pattern becomes the concatenation of its tokens' record expressions,
each with its operator (?, *, +, {n,m}). RE2 runs in leftmost-longest mode, so
for every token where a match can begin the longest match from there is
found: the matches spaCy's Matcher would give, less the shorter ones that share
a start with a longer one (no check needs those: a check keeps the longest of
overlapping matches, and an exception cancels whatever it overlaps).

What this cannot express (POS, DEP, MORPH, NORM, "!" and other operators, a
sentence start on a later token, a pattern that can match nothing) raises
``Unsupported``; ``compiler.py`` then gives the pattern to spaCy's Matcher.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from spacy.tokens import Doc
from spacy.vocab import Vocab

from referral_lint.lemmas import is_bare_verb, lemma_of
from referral_lint.safe_regex import UNANCHORED, SafeRegex, byte_search, compile_regex, search_set
from referral_lint.token_columns import token_columns
from referral_lint.word_table import WordTable

SENTENCE = b"\x00"
LOWER, LEMMA, EXACT = 0, 1, 2  # the strings a pattern can test, as WordTest arguments
_FIELDS = {"LOWER": LOWER, "LEMMA": LEMMA, "ORTH": EXACT, "TEXT": EXACT}
_FLAGS = frozenset(
    {"IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT", "IS_SPACE",
     "IS_STOP", "LIKE_NUM", "LIKE_URL", "LIKE_EMAIL", "IS_BRACKET", "IS_QUOTE"}
)
# Word classes the project computes, beyond spaCy's flags: each a test of the lowercase form.
WORD_CLASSES: dict[str, Callable[[str], bool]] = {"IS_BARE_VERB": is_bare_verb}
_OPERATOR = re.compile(r"\{(\d*)(,?)(\d*)\}")
# Tokens with an operator one pattern may have: more is no phrasing a rule needs, and each
# adds states to the set's automaton, which every sentence of every message runs through.
MAX_OPERATOR_TOKENS = 100
# A large budget for RE2's lazily built automata: the set holds every word pattern of every rule.
_MAX_MEMORY = 256 << 20
# Records are kept for this many distinct words at most (a long-running language server).
_MAX_CACHED_WORDS = 200_000
# A record begins with the only byte of it below 0x80, so records need no delimiter: the
# first 63 word codes are one byte (0x01-0x3f), the others a lead byte (0x40-0x7f) and
# trailing base-128 digits (0x80-0xff); flag bytes carry seven bits each (0x80-0xff).
_SINGLE_BASE = 0x01
_SINGLE_CODES = 0x40 - _SINGLE_BASE
_LEAD_BASE = 0x40
_LEADS = 0x80 - _LEAD_BASE
_TRAIL_BASE = 0x80
_TRAIL_RADIX = 0x80
_NOT_RECORD_STARTS = bytes(range(0x80, 0x100))
_BITS_PER_BYTE = 7
_FLAG_BASE = 0x80
# Words that make up most of any message, given the one-byte codes when a pattern names them:
# each token is then a byte shorter, and the RE2 automaton reads one byte less.
_FREQUENT_WORDS = (
    ",", ".", "the", "i", "to", "a", "and", "you", "my", "for", "of", "in", "your", "is", "at",
    "on", "me", "it", "with", "be", "that", "this", "would", "?", "!", "'m", "have", "we", "if",
    "as", "am", "are", "was", "so", "an", "about", "can", "could", "any", "our", "from", "or",
    "not", "do", "will", "all", "but", "by", "'s", "there", "what", "'d", "just", "'ve", "-",
    "up", "out", "time", "know", "love", "happy", "help",
)


class Unsupported(Exception):
    """The pattern uses something this translation does not do; use spaCy's Matcher."""


class TooManyOperators(ValueError):
    """A pattern with more tokens bearing an ``OP`` than ``MAX_OPERATOR_TOKENS``."""


def check_operator_count(pattern: list[dict[str, Any]]) -> None:
    """Refuse a pattern with absurdly many repeated or optional tokens (whichever matcher runs it)."""
    count = sum(1 for token in pattern if isinstance(token, dict) and token.get("OP") is not None)
    if count > MAX_OPERATOR_TOKENS:
        raise TooManyOperators(
            f"{count} tokens with an OP in one pattern, over the limit of {MAX_OPERATOR_TOKENS}: split it into several patterns"
        )


# A test of one word, evaluated once per distinct word: (orth, lower, lemma, lexeme) -> bool.
WordTest = Callable[[str, str, str, Any], bool]
# A test of the word code: the LOWER or LEMMA field, whether the word must be in or out of the list.
WordCondition = tuple[int, bool, frozenset[str]]


class Codebook:
    """The numbers behind a record, collected while translating: which words and lemmas the
    patterns name (the word codes) and which per-word tests they need (the predicate bits).

    Codes are numbered once every pattern is translated (``freeze``): a code is a class of
    words that every pattern tells apart from every other class, so testing LOWER or LEMMA
    against a list is testing the code against a set of numbers.
    """

    def __init__(self) -> None:
        self._predicate_keys: dict[tuple[Any, ...], int] = {}
        self.tests: list[WordTest] = []
        self._named: tuple[set[str], set[str]] = (set(), set())  # LOWER words, LEMMA words
        self._classes: list[tuple[str | None, str | None]] = []  # code -> (lower, lemma); None: unnamed
        self._lower_codes: dict[str, int] = {}
        self._lemma_codes: dict[str, int] = {}  # codes of unnamed words with a named lemma
        self._codes_by_lemma: dict[str, list[int]] = {}
        self._code_classes: dict[tuple[WordCondition, ...], bytes] = {}
        self._code_count = 0  # how many word codes; 0 until frozen

    @classmethod
    def restored(cls, words: CompiledWords) -> Codebook:
        """The frozen codebook that ``words`` were compiled with: what encoding a token needs
        (its per-word tests and word codes), without the classes only compiling needs."""
        codebook = cls()
        for key in words.predicates:
            codebook.bit(_predicate_key(key))
        codebook._lower_codes, codebook._lemma_codes = dict(words.lower_codes), dict(words.lemma_codes)
        codebook._code_count = words.codes
        return codebook

    def bit(self, key: tuple[Any, ...]) -> int:
        """The number of the predicate bit ``key`` names (see ``_word_test``)."""
        number = self._predicate_keys.get(key)
        if number is None:
            test = _word_test(key)
            number = self._predicate_keys[key] = len(self.tests)
            self.tests.append(test)
        return number

    def name(self, field: int, words: frozenset[str]) -> None:
        if self._code_count:
            raise RuntimeError("the codebook is frozen: every pattern must be translated first")
        self._named[field].update(words)

    def freeze(self) -> None:
        """Number the codes: 0 for unnamed words, then each named word (frequent ones first,
        for the one-byte codes), then each named lemma."""
        if self._code_count:
            return
        lowers, lemmas = self._named
        frequent = [word for word in _FREQUENT_WORDS if word in lowers]
        self._classes = [(None, None)]
        self._classes += [(lower, lemma_of(lower)) for lower in frequent]
        self._classes += [(lower, lemma_of(lower)) for lower in sorted(lowers.difference(frequent))]
        self._classes += [(None, lemma) for lemma in sorted(lemmas)]
        codes_by_lemma = defaultdict(list)
        for code, (lower, lemma) in enumerate(self._classes):
            if lower is not None:
                self._lower_codes[lower] = code
                codes_by_lemma[lemma].append(code)
            elif lemma is not None:
                self._lemma_codes[lemma] = code
                codes_by_lemma[lemma].append(code)
        self._codes_by_lemma = dict(codes_by_lemma)
        self._code_count = len(self._classes)

    @property
    def flag_bytes(self) -> int:
        return -(-len(self.tests) // _BITS_PER_BYTE)

    @property
    def trail_digits(self) -> int:
        """How many base-128 digits follow the lead byte of a code past the one-byte ones."""
        digits, capacity = 1, _LEADS * _TRAIL_RADIX
        while _SINGLE_CODES + capacity < self._code_count:
            digits, capacity = digits + 1, capacity * _TRAIL_RADIX
        return digits

    def code(self, lower: str, lemma: str) -> bytes:
        """A word's code, from its lowercase form and its lemma."""
        number = self._lower_codes.get(lower)
        if number is None:
            number = self._lemma_codes.get(lemma, 0)
        if number < _SINGLE_CODES:
            return bytes((_SINGLE_BASE + number,))
        number -= _SINGLE_CODES
        digits = []
        for _ in range(self.trail_digits):
            number, digit = divmod(number, _TRAIL_RADIX)
            digits.append(_TRAIL_BASE + digit)
        return bytes((_LEAD_BASE + number, *reversed(digits)))

    def code_class(self, conditions: tuple[WordCondition, ...]) -> bytes:
        """A regex for the codes of the words that meet every condition."""
        found = self._code_classes.get(conditions)
        if found is None:
            found = self._code_classes[conditions] = _code_regex(
                self._passing_codes(conditions), self._code_count, self.trail_digits
            )
        return found

    def _passing_codes(self, conditions: tuple[WordCondition, ...]) -> list[int]:
        candidates: set[int] | None = None
        for field, wanted, words in conditions:
            if wanted:  # narrow to the codes that can hold these words first
                if field == LOWER:
                    codes = {self._lower_codes[word] for word in words}
                else:
                    codes = {code for word in words for code in self._codes_by_lemma[word]}
                candidates = codes if candidates is None else candidates & codes
        pool = range(len(self._classes)) if candidates is None else sorted(candidates)
        return [
            code
            for code in pool
            if all((self._classes[code][field] in words) == wanted for field, wanted, words in conditions)
        ]


def _code_regex(codes: list[int], total: int, trail_digits: int) -> bytes:
    """A regex for word ``codes`` (of ``total``): one-byte codes as a byte class, the others as
    lead bytes that share their trailing digits' regex."""
    if not codes:
        raise Unsupported("a token no word can match")
    singles = [code for code in codes if code < _SINGLE_CODES]
    alternatives = [_byte_class([_SINGLE_BASE + code for code in singles])] if singles else []
    span = _TRAIL_RADIX**trail_digits
    by_lead: dict[int, list[int]] = defaultdict(list)
    for code in codes:
        if code >= _SINGLE_CODES:
            by_lead[(code - _SINGLE_CODES) // span].append(code - _SINGLE_CODES)
    leads_by_rest: dict[bytes, list[int]] = defaultdict(list)
    for lead, group in by_lead.items():
        rest = _digits_regex(group, trail_digits, lead * span, total - _SINGLE_CODES)
        leads_by_rest[rest].append(_LEAD_BASE + lead)
    alternatives += [_byte_class(leads) + rest for rest, leads in sorted(leads_by_rest.items())]
    return alternatives[0] if len(alternatives) == 1 else b"(?:" + b"|".join(alternatives) + b")"


def _digits_regex(codes: list[int], digits: int, offset: int, total: int) -> bytes:
    """A regex for ``codes``, fixed-width base-128 numbers of ``digits`` trailing digits in
    [offset, offset + 128**digits); numbers from ``total`` on never occur."""
    span = _TRAIL_RADIX**digits
    present = max(0, min(total, offset + span) - offset)
    if len(codes) == present:
        return b"[\\x%02x-\\xff]" % _TRAIL_BASE + (b"{%d}" % digits if digits > 1 else b"")
    if digits == 1:
        return _byte_class([_TRAIL_BASE + code - offset for code in codes])
    lower_span = span // _TRAIL_RADIX
    by_high: dict[int, list[int]] = defaultdict(list)
    for code in codes:
        by_high[(code - offset) // lower_span].append(code)
    highs_by_rest: dict[bytes, list[int]] = defaultdict(list)
    for high, group in by_high.items():
        rest = _digits_regex(group, digits - 1, offset + high * lower_span, total)
        highs_by_rest[rest].append(_TRAIL_BASE + high)
    alternatives = [_byte_class(highs) + rest for rest, highs in sorted(highs_by_rest.items())]
    return alternatives[0] if len(alternatives) == 1 else b"(?:" + b"|".join(alternatives) + b")"


def _byte_class(values: list[int]) -> bytes:
    """A character class of byte values, with runs written as ranges."""
    values = sorted(values)
    if len(values) == 1:
        return b"\\x%02x" % values[0]
    ranges = []
    first = previous = values[0]
    for value in values[1:] + [-1]:
        if value != previous + 1:
            ranges.append(b"\\x%02x" % first + (b"-\\x%02x" % previous if previous != first else b""))
            first = value
        previous = value
    return b"[" + b"".join(ranges) + b"]"


@dataclass(frozen=True)
class TokenExpression:
    """One pattern token: what its word code must be, the bits it requires, its repetition."""

    conditions: tuple[WordCondition, ...]
    bits: tuple[tuple[int, bool], ...]
    minimum: int
    maximum: int | None  # None: unbounded

    def regex(self, codebook: Codebook) -> bytes:
        flags = b"".join(_flag_byte_class(self.bits, index) for index in range(codebook.flag_bytes))
        record = codebook.code_class(self.conditions) + flags
        return b"(?:" + record + b")" + _quantifier(self.minimum, self.maximum)


@dataclass(frozen=True)
class WordPattern:
    """A translated pattern: its tokens, and whether the first must (not) start a sentence."""

    tokens: tuple[TokenExpression, ...]
    sentence_start: bool | None = None

    def regex(self, codebook: Codebook) -> bytes:
        # Not a sentence start: some record comes before the first token's (``lead_records``).
        start = {None: b"", True: _escape(SENTENCE), False: _ANY_TOKEN.regex(codebook)}[self.sentence_start]
        return start + b"".join(token.regex(codebook) for token in self.tokens)

    def for_existence(self) -> WordPattern:
        """A pattern that matches in the same sentences, for the set: an optional token at
        either end dropped, an end token's repetition read once (``A* B C+`` matches where
        ``B C`` does). A token repeated without bound at an end keeps every pattern that saw
        it alive in the set's automaton to the end of the sentence: 200 rules shaped
        ``A* w A+ B*`` took 1.7 s on one 19,000-word sentence."""
        if self.sentence_start is not None:
            return self
        tokens = list(self.tokens)
        for end in (0, -1):
            while tokens[end].minimum == 0:
                tokens.pop(end)
            token = tokens[end]
            tokens[end] = TokenExpression(token.conditions, token.bits, token.minimum, token.minimum)
        return WordPattern(tuple(tokens))

    @property
    def unbounded(self) -> bool:
        """Whether a token repeats without bound (OP "+", "*", "{n,}"): a match may then run
        to the end of its sentence."""
        return any(token.maximum is None for token in self.tokens)

    @property
    def lead_records(self) -> int:
        """Records a match reads before the pattern's first token."""
        return 1 if self.sentence_start is False else 0


_ANY_TOKEN = TokenExpression((), (), 1, 1)


def _escape(data: bytes) -> bytes:
    return b"".join(b"\\x%02x" % byte for byte in data)


@lru_cache(maxsize=4096)  # a few distinct ones, asked for by thousands of pattern tokens at start-up
def _flag_byte_class(bits: tuple[tuple[int, bool], ...], index: int) -> bytes:
    """The flag byte ``index`` of a record whose required bits are ``bits``, as a character class."""
    low = index * _BITS_PER_BYTE
    mask = value = 0
    for number, wanted in bits:
        if low <= number < low + _BITS_PER_BYTE:
            mask |= 1 << (number - low)
            value |= (1 << (number - low)) if wanted else 0
    return _byte_class([_FLAG_BASE + bits for bits in range(1 << _BITS_PER_BYTE) if bits & mask == value])


def _quantifier(minimum: int, maximum: int | None) -> bytes:
    if (minimum, maximum) == (1, 1):
        return b""
    if maximum is None:
        return b"*" if minimum == 0 else (b"+" if minimum == 1 else b"{%d,}" % minimum)
    if (minimum, maximum) == (0, 1):
        return b"?"
    return b"{%d}" % minimum if minimum == maximum else b"{%d,%d}" % (minimum, maximum)


class TokenPatternTranslator:
    """Turns spaCy token patterns into WordPatterns, filling the codebook they share."""

    def __init__(self) -> None:
        self.codebook = Codebook()

    def translate(self, pattern: list[dict[str, Any]]) -> WordPattern:
        check_operator_count(pattern)
        translated = [self._token(token) for token in pattern]
        tokens = tuple(token for token, _ in translated)
        if not tokens or not any(token.minimum for token in tokens):
            raise Unsupported("a pattern that can match nothing")
        sentence_start = None
        for index, (token, starts) in enumerate(translated):
            if starts is None:
                continue
            if index == 0 and (token.minimum, token.maximum) == (1, 1):
                sentence_start = starts
            elif starts is False and any(earlier.minimum for earlier in tokens[:index]):
                continue  # it follows a token of its own sentence: never a sentence start
            else:
                raise Unsupported("IS_SENT_START on a token that is not first")
        return WordPattern(tokens, sentence_start)

    def words(self, attribute: str, phrase: list[str]) -> WordPattern:
        """A phrase: one word per token, on the LOWER or LEMMA attribute."""
        return WordPattern(tuple(self._token({attribute: word})[0] for word in phrase))

    def _token(self, token: dict[str, Any]) -> tuple[TokenExpression, bool | None]:
        minimum, maximum = operator_bounds(token.get("OP"))
        conditions: list[WordCondition] = []
        bits: dict[int, bool] = {}
        sentence_start = None
        for key, value in token.items():
            name = str(key).upper()
            if name == "OP":
                continue
            if name == "IS_SENT_START" and isinstance(value, bool):
                sentence_start = value
            elif name in _FLAGS and isinstance(value, bool):
                bits[self.codebook.bit(("flag", name))] = value
            elif name in WORD_CLASSES and isinstance(value, bool):
                bits[self.codebook.bit(("class", name))] = value
            elif name in _FIELDS:
                field = _FIELDS[name]
                for wanted, words, test_key in self._string_tests(field, value):
                    if words is not None and field == EXACT and all(_caseless(word) for word in words):
                        field = LOWER  # punctuation and digits: the exact text is the lowercase text
                    if words is not None and field != EXACT:
                        self.codebook.name(field, words)
                        conditions.append((field, wanted, words))
                    elif words is not None:
                        bits[self.codebook.bit(("in", wanted, words))] = True
                    else:
                        bits[self.codebook.bit(test_key)] = True
            else:
                raise Unsupported(name)
        expression = TokenExpression(tuple(sorted(conditions, key=repr)), tuple(sorted(bits.items())), minimum, maximum)
        return expression, sentence_start

    def _string_tests(self, field: int, value: Any) -> Iterator[tuple[bool, frozenset[str] | None, Any]]:
        """(wanted, words, None) for a test against a list; (True, None, predicate key) otherwise."""
        if isinstance(value, str):
            yield True, frozenset({value}), None
            return
        if not isinstance(value, dict) or not value:
            raise Unsupported("value")
        for operator, operand in value.items():
            if operator in ("IN", "NOT_IN") and isinstance(operand, list):
                yield operator == "IN", frozenset(str(word) for word in operand), None
            elif operator == "REGEX" and isinstance(operand, str):
                yield True, None, ("regex", field, operand)
            else:
                raise Unsupported(str(operator))


def _caseless(word: str) -> bool:
    return word.lower() == word == word.upper()


def _word_test(key: tuple[Any, ...]) -> WordTest:
    """The per-word test a predicate key names: ("flag", attribute), ("in", wanted, words) on
    the exact text, or ("regex", field, regex)."""
    kind = key[0]
    if kind == "flag":
        return _flag(key[1].lower())
    if kind == "class":
        word_class = WORD_CLASSES[key[1]]
        return lambda orth, lower, lemma, lexeme: word_class(lower)
    if kind == "in":
        return _in(EXACT, key[2], key[1])
    if kind == "regex":
        return _regex(key[1], compile_regex(key[2], case_sensitive=True))
    raise ValueError(f"unknown predicate {kind!r}")


def _predicate_data(key: tuple[Any, ...]) -> list[Any]:
    """A predicate key as JSON data (its word list sorted); ``_predicate_key`` reads it back."""
    return [key[0], key[1], sorted(key[2])] if key[0] == "in" else list(key)


def _predicate_key(data: list[Any]) -> tuple[Any, ...]:
    if not isinstance(data, list) or not data:
        raise ValueError("a predicate key is a list")
    return (data[0], data[1], frozenset(data[2])) if data[0] == "in" else tuple(data)


def _flag(attribute: str) -> WordTest:
    return lambda orth, lower, lemma, lexeme: bool(getattr(lexeme, attribute))


def _in(field: int, words: frozenset[str], wanted: bool) -> WordTest:
    return lambda orth, lower, lemma, lexeme: ((lower, lemma, orth)[field] in words) == wanted


def _regex(field: int, regex: SafeRegex) -> WordTest:
    return lambda orth, lower, lemma, lexeme: next(regex.spans((lower, lemma, orth)[field]), None) is not None


def operator_bounds(operator: Any) -> tuple[int, int | None]:
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
    """A Doc's sentences as records, one byte string each, and the way back to tokens."""

    def __init__(self, sentences: list[bytes], first_tokens: list[int]) -> None:
        self.sentences = sentences
        self._first_tokens = first_tokens

    def token_spans(self, sentence: int, matches: list[tuple[int, int]], lead_records: int = 0) -> list[tuple[int, int]]:
        """The tokens (start, end) each match of bytes [start, end) of a sentence covers, less
        the ``lead_records`` it read before its first token. ``matches`` come in the order of
        their starts, and records are counted on from one start to the next: one pass over the
        sentence, however many matches it has."""
        data = self.sentences[sentence]
        first_token = self._first_tokens[sentence]
        spans = []
        counted, records = 1, 0  # the records in data[1:counted] (byte 0 marks the sentence)
        for start, end in matches:
            start = max(start, 1)  # a sentence-start pattern's match begins on the sentence mark
            # Each record has one byte below 0x80, its first: count them.
            records += len(data[counted:start].translate(None, _NOT_RECORD_STARTS))
            counted = start
            last = records + len(data[start:end].translate(None, _NOT_RECORD_STARTS))
            spans.append((first_token + records + lead_records, first_token + last))
        return spans


class TokenEncoder:
    """Encodes Docs; a word's record is built the first time it is seen, then reused."""

    def __init__(self, codebook: Codebook) -> None:
        codebook.freeze()
        self._codebook = codebook
        self._records: WordTable[bytes] = WordTable(_MAX_CACHED_WORDS)  # orth -> record

    def _records_of(self, vocab: Vocab, orth_ids: set[int]) -> dict[int, bytes]:
        codebook = self._codebook
        records = {}
        for orth_id in orth_ids:
            lexeme = vocab[orth_id]
            orth, lower = lexeme.orth_, lexeme.lower_
            lemma = lemma_of(lower)
            bits = 0
            for number, test in enumerate(codebook.tests):
                if test(orth, lower, lemma, lexeme):
                    bits |= 1 << number
            records[orth_id] = codebook.code(lower, lemma) + _flag_bytes(bits, codebook.flag_bytes)
        return records

    def encode(self, doc: Doc, sentence_tokens: list[tuple[int, int]]) -> EncodedDoc:
        """``sentence_tokens``: each sentence's (first token, end token); the encoded sentences
        are numbered as these are."""
        if not len(doc):
            return EncodedDoc([], [])
        records = self._records.values_for(
            token_columns(doc).orths, lambda missing, _kept: self._records_of(doc.vocab, missing)
        )
        join = b"".join
        return EncodedDoc(
            [SENTENCE + join(records[first:end]) for first, end in sentence_tokens],
            [first for first, _ in sentence_tokens],
        )


def _flag_bytes(bits: int, count: int) -> bytes:
    mask = (1 << _BITS_PER_BYTE) - 1
    return bytes(_FLAG_BASE | (bits >> (index * _BITS_PER_BYTE)) & mask for index in range(count))


@dataclass(frozen=True)
class CompiledWords:
    """Word patterns compiled, as data (what the rule cache keeps between runs): each pattern's
    RE2 sources, as latin-1 text (a character per byte), and the codebook's state that encoding
    a token needs. Building them is most of compiling a rule set; RE2 then compiles the sources
    in a fraction of that time."""

    predicates: tuple[Any, ...]  # the codebook's predicate keys by bit number (``_predicate_data``)
    lower_codes: dict[str, int]  # the word code of each word a pattern names
    lemma_codes: dict[str, int]  # the code of other words with a lemma a pattern names
    codes: int  # how many word codes there are
    patterns: tuple[str, ...]  # each pattern's regex, that locates its matches
    # (number, regex in the set) of the few patterns whose regex in the set is another
    # (``WordPattern.for_existence``); the others are in the set as they are.
    existence: tuple[tuple[int, str], ...]
    lead_records: tuple[int, ...]
    unbounded: tuple[bool, ...]

    @classmethod
    def build(cls, patterns: list[WordPattern], codebook: Codebook) -> CompiledWords:
        codebook.freeze()

        def text(pattern: WordPattern) -> str:
            return pattern.regex(codebook).decode("latin-1")

        sources = tuple(text(pattern) for pattern in patterns)
        in_set = [text(pattern.for_existence()) for pattern in patterns]
        return cls(
            predicates=tuple(_predicate_data(key) for key in codebook._predicate_keys),
            lower_codes=dict(codebook._lower_codes),
            lemma_codes=dict(codebook._lemma_codes),
            codes=codebook._code_count,
            patterns=sources,
            existence=tuple((number, source) for number, source in enumerate(in_set) if source != sources[number]),
            lead_records=tuple(pattern.lead_records for pattern in patterns),
            unbounded=tuple(pattern.unbounded for pattern in patterns),
        )


class PatternSet:
    """Every word pattern of a rule set, matched sentence by sentence: one RE2 set pass per
    sentence says which patterns match in it, so a pattern's matches are then looked for
    only in those sentences."""

    def __init__(self, words: CompiledWords) -> None:
        self._sources = [source.encode("latin-1") for source in words.patterns]
        self._lead_records = words.lead_records
        self._unbounded = words.unbounded
        existence = list(self._sources)
        for number, source in words.existence:
            existence[number] = source.encode("latin-1")
        self._match = search_set(existence, bytes_only=True, max_memory=_MAX_MEMORY)
        # Each pattern's own regex, to locate its matches, is compiled the first time it is
        # needed: most patterns never match, and start-up stays short.
        self._searches: list[Any] = [None] * len(self._sources)

    def matching(self, encoded: EncodedDoc) -> dict[int, list[int]]:
        """The patterns that match, each with the sentences it matches in."""
        found: dict[int, list[int]] = defaultdict(list)
        match = self._match
        for sentence, data in enumerate(encoded.sentences):
            for number in match(data):
                found[number].append(sentence)
        return found

    def spans(self, number: int, encoded: EncodedDoc, sentence: int) -> list[tuple[int, int]]:
        """The token spans of pattern ``number`` in a sentence: the longest match from each
        token where one begins; for a pattern that repeats a token without bound, the longest
        match from each token where one begins outside the previous match.

        A bounded pattern's search from the token after a match start reads a bounded number
        of records past it; an unbounded one's may read to the end of the sentence, so
        searching again from every token of a long match would be quadratic in the sentence
        (19,999 words matched by one ``OP: "+"`` took 0.84 s, two of them 1.5 s): it goes on
        after the match instead. A check keeps the longest of overlapping matches anyway."""
        search = self._searches[number]
        if search is None:
            search = self._searches[number] = byte_search(self._sources[number], longest=True, max_memory=_MAX_MEMORY)
        data = encoded.sentences[sentence]
        end = len(data)
        unbounded, lead = self._unbounded[number], self._lead_records[number]
        found = []
        position = 0
        while True:
            start, stop = search(UNANCHORED, data, position, end)[0]
            if start < 0:
                return encoded.token_spans(sentence, found, self._lead_records[number])
            found.append((start, stop))
            if not unbounded:
                position = start + 1
            elif lead:  # the next match may read the last record of this one before its first token
                position = stop - 1
                while data[position] >= 0x80:
                    position -= 1
            else:
                position = stop
