"""Token patterns for spaCy's Matcher, made safe to run on any message.

Patterns the RE2 translation cannot express (FUZZY, NORM, "!", or tags and dependencies with a
trained pipeline) run in spaCy's Matcher, which has three ways to take more than linear time:

- It tests ``REGEX`` with Python's ``re``: ``(a+)+$`` takes seconds on a 25-letter word. Each
  REGEX test (alone, in an IN or NOT_IN list, or under FUZZY) becomes a custom token attribute
  computed with RE2, in linear time.
- It follows every way a pattern can match from every token, and reports each: ``OP: "+"``
  over a run of matching words makes a number of matches quadratic in the run (a FUZZY word
  with "+" over 2,800 words took 36 s), and each optional token doubles the ways. Unbounded
  repetition is refused, and a pattern may match in at most ``MAX_WAYS`` ways from a token.
- It compares every word with every FUZZY word, in Python: 1,000 FUZZY words took 16 s on a
  message at the input cap. A pattern may name at most ``MAX_FUZZY_WORDS``.

A refused pattern raises ``UnsafePattern``, which the compiler reports with the rule file's
name, line and key.
"""

from __future__ import annotations

from hashlib import sha1
from math import prod
from typing import Any

from spacy.tokens import Token

from referral_lint.engine.tokenregex import Unsupported, operator_bounds
from referral_lint.safe_regex import SafeRegex, compile_regex

# Ways a pattern may match from one token (the product of its tokens' choices of length):
# spaCy's Matcher follows each way from every token of the message.
MAX_WAYS = 4
# FUZZY words a pattern may name: each is compared with every word of the message.
MAX_FUZZY_WORDS = 16

# The token attributes a REGEX may test in a pattern, and how to read each from a Token.
_ATTRIBUTES = {
    "ORTH": lambda token: token.orth_,
    "TEXT": lambda token: token.text,
    "LOWER": lambda token: token.lower_,
    "LEMMA": lambda token: token.lemma_,
    "NORM": lambda token: token.norm_,
    "SHAPE": lambda token: token.shape_,
    "POS": lambda token: token.pos_,
    "TAG": lambda token: token.tag_,
    "DEP": lambda token: token.dep_,
    "MORPH": lambda token: str(token.morph),
    "ENT_TYPE": lambda token: token.ent_type_,
}


class UnsafePattern(ValueError):
    """A token pattern spaCy's Matcher could not run in linear time."""


def matcher_pattern(token_pattern: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``token_pattern`` as spaCy's Matcher is to run it: every REGEX test run by RE2.

    Raises UnsafePattern for a pattern that could take more than linear time."""
    _check_bounded(token_pattern)
    return [_token(token) for token in token_pattern]


def _check_bounded(token_pattern: list[dict[str, Any]]) -> None:
    lengths = []
    for token in token_pattern:
        operator = token.get("OP")
        if operator == "!":
            lengths.append(1)
            continue
        try:
            minimum, maximum = operator_bounds(operator)
        except Unsupported:
            continue  # not an operator at all: spaCy's own validation reports it
        if maximum is None:
            raise UnsafePattern(
                f"OP {operator!r} repeats a token without bound; in a pattern that runs in spaCy's Matcher"
                " (FUZZY, NORM, '!', tags) that takes time quadratic in the message: give a bound, e.g. OP: '{1,3}'"
            )
        lengths.append(maximum - minimum + 1)
    if prod(lengths) > MAX_WAYS:
        raise UnsafePattern(
            f"the optional and counted tokens let this pattern match in {prod(lengths)} ways from one word;"
            f" a pattern that runs in spaCy's Matcher (FUZZY, NORM, '!', tags) may have at most {MAX_WAYS}:"
            " split it into several patterns"
        )
    fuzzy_words = sum(_fuzzy_words(value) for token in token_pattern for value in token.values())
    if fuzzy_words > MAX_FUZZY_WORDS:
        raise UnsafePattern(
            f"{fuzzy_words} FUZZY words in one pattern, over the limit of {MAX_FUZZY_WORDS}"
            " (each is compared with every word of a message)"
        )


def _fuzzy_words(condition: Any) -> int:
    if not isinstance(condition, dict):
        return 0
    count = 0
    for operator, operand in condition.items():
        if str(operator).upper().startswith("FUZZY"):
            if isinstance(operand, dict):
                count += sum(len(words) for words in operand.values() if isinstance(words, list)) or 1
            else:
                count += 1
    return count


def _token(token: dict[str, Any]) -> dict[str, Any]:
    rewritten: dict[str, Any] = {}
    extensions: dict[str, bool] = {}
    for key, value in token.items():
        name = str(key).upper()
        if name == "_":
            # Python's re would test a REGEX on them, and a name no component sets fails mid-lint.
            raise UnsafePattern("custom attributes ('_') are not available in rule files")
        if not (isinstance(value, dict) and name in _ATTRIBUTES):
            rewritten[key] = value
            continue
        rest = {}
        for operator, operand in value.items():
            if str(operator).upper() == "REGEX":
                extension, wanted = _regex_test(name, operand)
                extensions[extension] = wanted
                continue
            if str(operator).upper().startswith("FUZZY") and isinstance(operand, dict) and "REGEX" in operand:
                # spaCy's Matcher reads a REGEX under FUZZY as a plain REGEX test.
                extension, wanted = _regex_test(name, operand["REGEX"])
                extensions[extension] = wanted
                operand = {inner: words for inner, words in operand.items() if inner != "REGEX"}
                if not operand:
                    continue
            rest[operator] = operand
        if rest:
            rewritten[key] = rest
    if extensions:
        rewritten["_"] = extensions
    return rewritten


def _regex_test(attribute: str, operand: Any) -> tuple[str, bool]:
    """The custom attribute and the value it must have for ``{attribute: {REGEX: operand}}``:
    one regex, or an IN or NOT_IN list of them (any of them found, or none)."""
    if isinstance(operand, str):
        return _extension(attribute, compile_regex(operand, case_sensitive=True)), True
    if isinstance(operand, dict) and len(operand) == 1:
        (operator, expressions), = operand.items()
        if operator in ("IN", "NOT_IN") and isinstance(expressions, list) and expressions:
            either = "|".join(f"(?:{expression})" for expression in expressions)
            return _extension(attribute, compile_regex(either, case_sensitive=True)), operator == "IN"
    raise UnsafePattern(f"REGEX takes a regex or an IN or NOT_IN list of regexes, not {operand!r}")


def _extension(attribute: str, regex: SafeRegex) -> str:
    """A Token attribute (registered once) saying whether ``regex`` finds ``attribute``'s text."""
    name = "referral_re2_" + sha1(f"{attribute}\0{regex.expression}".encode()).hexdigest()[:16]
    if not Token.has_extension(name):
        read = _ATTRIBUTES[attribute]
        Token.set_extension(name, getter=lambda token: regex.found_in(read(token)))
    return name
