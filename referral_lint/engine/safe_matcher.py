"""Token patterns for spaCy's Matcher, with their REGEX tests run by RE2.

Patterns the RE2 translation cannot express (FUZZY, or tags and dependencies with a
trained pipeline) run in spaCy's Matcher, which would test ``REGEX`` with Python's
``re``: ``(a+)+$`` takes seconds on a 25-letter word. Each such test becomes a custom
token attribute computed with RE2 (linear time), so no rule file can hang the linter.
"""

from __future__ import annotations

from hashlib import sha1
from typing import Any

from spacy.tokens import Token

from referral_lint.engine.regex import SafeRegex, compile_regex

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


def with_re2_regexes(token_pattern: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``token_pattern`` with every ``{ATTR: {REGEX: expression}}`` test run by RE2."""
    return [_token(token) for token in token_pattern]


def _token(token: dict[str, Any]) -> dict[str, Any]:
    rewritten: dict[str, Any] = {}
    extensions: dict[str, bool] = {}
    for key, value in token.items():
        name = str(key).upper()
        if isinstance(value, dict) and "REGEX" in value and name in _ATTRIBUTES:
            expression = value["REGEX"]
            extensions[_extension(name, compile_regex(str(expression), case_sensitive=True))] = True
            rest = {operator: operand for operator, operand in value.items() if operator != "REGEX"}
            if rest:
                rewritten[key] = rest
        else:
            rewritten[key] = value
    if extensions:
        rewritten["_"] = {**rewritten.get("_", {}), **extensions}
    return rewritten


def _extension(attribute: str, regex: SafeRegex) -> str:
    """A Token attribute (registered once) saying whether ``regex`` finds ``attribute``'s text."""
    name = "referral_re2_" + sha1(f"{attribute}\0{regex.expression}".encode()).hexdigest()[:16]
    if not Token.has_extension(name):
        read = _ATTRIBUTES[attribute]
        Token.set_extension(name, getter=lambda token: regex.found_in(read(token)))
    return name
