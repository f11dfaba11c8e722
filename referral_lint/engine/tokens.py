"""An anchored matcher for spaCy-style token patterns.

spaCy's Matcher tries every pattern at every token and builds a Python Token
object per token on every call; with dozens of rule patterns that cost more
than parsing the message. Rule patterns almost always name words ("you",
"need", a list of verbs), so this matcher looks those words up first and tries
a pattern only where its rarest required word occurs, with a small
backtracking search over the token attribute arrays.

It understands the part of the token-pattern language rules use: LOWER, ORTH,
TEXT, NORM and LEMMA (a string, IN, NOT_IN, REGEX), boolean flags (IS_ALPHA,
IS_PUNCT, IS_SENT_START, LIKE_NUM, …) and the operators ?, *, + and {n,m}.
Anything else (POS, DEP, "!", extensions) goes to spaCy's Matcher instead;
``compiler.py`` decides. Matches are the same as spaCy's: every (start, end)
pair the pattern can match.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from spacy import attrs
from spacy.lang.en.stop_words import STOP_WORDS
from spacy.tokens import Doc

from referral_lint.engine.regex import SafeRegex, compile_regex

_STRING_ATTRIBUTES = {"LOWER": "LOWER", "ORTH": "ORTH", "TEXT": "ORTH", "NORM": "NORM", "LEMMA": "LEMMA"}
_FLAG_ATTRIBUTES = frozenset(
    {"IS_ALPHA", "IS_ASCII", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_PUNCT", "IS_SPACE",
     "IS_STOP", "IS_SENT_START", "LIKE_NUM", "LIKE_URL", "LIKE_EMAIL", "IS_BRACKET", "IS_QUOTE"}
)
_OPERATOR = re.compile(r"\{(\d*)(,?)(\d*)\}")
_UNBOUNDED = 1 << 30


class Unsupported(Exception):
    """The pattern uses something this matcher does not do; use spaCy's Matcher."""


class TokenTable:
    """A Doc's token attributes as lists, read once per Doc and only as needed."""

    def __init__(self, doc: Doc, indexed: dict[str, frozenset[int]]) -> None:
        """``indexed``: per attribute, the values whose positions anyone will ask for."""
        self.doc = doc
        self.length = len(doc)
        self._indexed = indexed
        self._columns: dict[str, list[Any]] = {}
        self._positions: dict[str, dict[int, list[int]]] = {}
        self._present: dict[str, set[int]] = {}

    def column(self, name: str) -> list[int]:
        values = self._columns.get(name)
        if values is None:
            attribute = "SENT_START" if name == "IS_SENT_START" else name
            values = self.doc.to_array(getattr(attrs, attribute)).tolist() if self.length else []
            if name == "IS_SENT_START":
                values = [value == 1 for value in values]
            self._columns[name] = values
        return values

    def load(self, names: set[str]) -> dict[str, list[Any]]:
        """The columns a pattern reads, loaded."""
        for name in names:
            if name not in self._columns:
                self.column(name)
        return self._columns

    def present(self, name: str) -> set[int]:
        """Which of the indexed values of a string attribute occur in this Doc."""
        values = self._present.get(name)
        if values is None:
            values = self._present[name] = self._indexed.get(name, frozenset()).intersection(self.column(name))
        return values

    def positions(self, name: str) -> dict[int, list[int]]:
        """Where each indexed value of a string attribute occurs."""
        index = self._positions.get(name)
        if index is None:
            present = self.present(name)
            index = {value: [] for value in present}
            if present:
                for position, value in enumerate(self.column(name)):
                    if value in present:
                        index[value].append(position)
            self._positions[name] = index
        return index


# A test of one token: (the Doc's columns by attribute name, token position) -> bool.
Predicate = Callable[[dict[str, list[Any]], int], bool]


@dataclass(frozen=True)
class _TokenSpec:
    test: Predicate
    min: int
    max: int
    # For anchoring: the attribute and the values this token must have, if it names them.
    anchor: tuple[str, frozenset[int]] | None


class TokenPattern:
    """One compiled token pattern."""

    def __init__(self, pattern: list[dict[str, Any]], strings: Any) -> None:
        self._strings = strings
        self.source = pattern
        self.columns: set[str] = set()  # the attributes its tests read
        self._specs = [self._compile_token(token) for token in pattern]
        if not any(spec.min for spec in self._specs):
            raise Unsupported("a pattern that can match nothing")
        self._anchors = [(i, spec.anchor) for i, spec in enumerate(self._specs) if spec.anchor and spec.min >= 1]
        self._anchors_by_column = [anchor for _, anchor in self._anchors]
        self._key_anchor = (
            min(self._anchors, key=lambda item: (self._common_words(item[1][1]), len(item[1][1])))
            if self._anchors
            else None
        )
        # For each token, the fewest and most tokens the ones before it can cover.
        self._prefix_lengths = []
        shortest = longest = 0
        for spec in self._specs:
            self._prefix_lengths.append((shortest, longest))
            shortest += spec.min
            longest = min(_UNBOUNDED, longest + spec.max)

    def anchor_words(self) -> list[tuple[str, frozenset[int]]]:
        """The (attribute, values) this pattern may look up in a TokenTable."""
        return list(self._anchors_by_column)

    def key_anchor(self) -> tuple[str, frozenset[int]] | None:
        """The required word set least likely to occur: a Doc lacking all of it cannot match."""
        return self._key_anchor[1] if self._key_anchor else None

    def _common_words(self, words: frozenset[int]) -> int:
        return sum(1 for word in words if self._strings[word] in STOP_WORDS)

    # compiling ------------------------------------------------------------------
    def _compile_token(self, token: dict[str, Any]) -> _TokenSpec:
        low, high = _operator_bounds(token.get("OP"))
        tests: list[Predicate] = []
        anchor = None
        for key, value in token.items():
            name = str(key).upper()
            if name == "OP":
                continue
            if name in _STRING_ATTRIBUTES:
                column = _STRING_ATTRIBUTES[name]
                test, allowed = self._string_test(column, value)
                tests.append(test)
                if allowed is not None and (anchor is None or len(allowed) < len(anchor[1])):
                    anchor = (column, allowed)
            elif name in _FLAG_ATTRIBUTES and isinstance(value, bool):
                self.columns.add(name)
                tests.append(_flag_test(name, value))
            else:
                raise Unsupported(name)
        return _TokenSpec(_all(tests), low, high, anchor)

    def _string_test(self, column: str, value: Any) -> tuple[Predicate, frozenset[int] | None]:
        add = self._strings.add
        if isinstance(value, str):
            wanted = add(value)
            self.columns.add(column)
            return (lambda columns, i: columns[column][i] == wanted), frozenset({wanted})
        if not isinstance(value, dict) or not value:
            raise Unsupported("value")
        tests: list[Predicate] = []
        allowed = None
        self.columns.add(column)
        for operator, operand in value.items():
            if operator == "IN" and isinstance(operand, list):
                allowed = frozenset(add(str(word)) for word in operand)
                tests.append(_member_test(column, allowed, True))
            elif operator == "NOT_IN" and isinstance(operand, list):
                tests.append(_member_test(column, frozenset(add(str(word)) for word in operand), False))
            elif operator == "REGEX" and isinstance(operand, str):
                tests.append(_regex_test(column, compile_regex(operand, case_sensitive=True), self._strings))
            else:
                raise Unsupported(operator)
        return _all(tests), allowed

    # matching -------------------------------------------------------------------
    def starts(self, table: TokenTable) -> list[int]:
        """The token positions where a match could begin, from where its key word occurs."""
        if self._key_anchor is None:
            return list(range(table.length))
        index, (column, allowed) = self._key_anchor
        first = self._specs[0]
        if first.anchor is not None and first.min >= 1 and self._prefix_lengths[index][0] != self._prefix_lengths[index][1]:
            # A variable-length stretch before the key word would mean trying every start in
            # a range; the first token's own words give the exact starts instead.
            index, (column, allowed) = 0, first.anchor
        occurrences = table.positions(column)
        found = [p for value in allowed.intersection(table.present(column)) for p in occurrences[value]]
        shortest, longest = self._prefix_lengths[index]
        if shortest == longest:
            return sorted({p - shortest for p in found if p >= shortest})
        starts: set[int] = set()
        for position in found:
            lowest = max(0, position - longest) if longest < _UNBOUNDED else 0
            starts.update(range(lowest, position - shortest + 1))
        return sorted(starts)

    @property
    def longest(self) -> int:
        """The most tokens a match can cover (very large when unbounded)."""
        return sum(spec.max for spec in self._specs)

    def find(self, table: TokenTable, near: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
        """Every (start, end) token span the pattern matches; with ``near``, only matches
        that could overlap one of those token spans."""
        present = table.present
        for column, allowed in self._anchors_by_column:
            if allowed.isdisjoint(present(column)):
                return []  # a word the pattern cannot do without is absent
        starts = self.starts(table)
        if near is not None and self.longest < _UNBOUNDED:
            reach = self.longest
            starts = [start for start in starts if any(low - reach < start < high for low, high in near)]
        if not starts:
            return []
        columns = table.load(self.columns)
        matches: set[tuple[int, int]] = set()
        specs = self._specs
        last_spec = len(specs)
        length = table.length

        def extend(spec_index: int, position: int, start: int) -> None:
            if spec_index == last_spec:
                if position > start:
                    matches.add((start, position))
                return
            spec = specs[spec_index]
            test = spec.test
            count = 0
            while count < spec.max and position + count < length and test(columns, position + count):
                count += 1
            for taken in range(count, spec.min - 1, -1):
                extend(spec_index + 1, position + taken, start)

        for start in starts:
            extend(0, start, start)
        return sorted(matches)


def _operator_bounds(operator: Any) -> tuple[int, int]:
    if operator is None:
        return 1, 1
    if operator == "?":
        return 0, 1
    if operator == "*":
        return 0, _UNBOUNDED
    if operator == "+":
        return 1, _UNBOUNDED
    match = _OPERATOR.fullmatch(str(operator))
    if not match:
        raise Unsupported(f"OP {operator}")
    low, comma, high = match.groups()
    minimum = int(low) if low else 0
    maximum = int(high) if high else (_UNBOUNDED if comma else minimum)
    return minimum, maximum


def _all(tests: list[Predicate]) -> Predicate:
    if len(tests) == 1:
        return tests[0]
    if len(tests) == 2:
        first, second = tests
        return lambda columns, i: first(columns, i) and second(columns, i)
    return lambda columns, i: all(test(columns, i) for test in tests)


def _member_test(column: str, values: frozenset[int], inside: bool) -> Predicate:
    if inside:
        return lambda columns, i: columns[column][i] in values
    return lambda columns, i: columns[column][i] not in values


def _flag_test(name: str, expected: bool) -> Predicate:
    return lambda columns, i: bool(columns[name][i]) is expected


def _regex_test(column: str, expression: SafeRegex, strings: Any) -> Predicate:
    cache: dict[int, bool] = {}

    def test(columns: dict[str, list[Any]], i: int) -> bool:
        value = columns[column][i]
        result = cache.get(value)
        if result is None:
            result = cache[value] = next(expression.spans(strings[value]), None) is not None
        return result

    return test
