"""The domain wording the message parts are found by, read from ``rules/wording/*.yaml``.

What counts as an ask, a thank-you, a sign-off, a greeting or small talk is knowledge about
messages, not code: it lives in YAML beside the rules, one file per kind of wording, so that
changing it needs no Python. The Python modules keep the mechanism (where in a message each
list is looked for); this module reads the lists, checks them as completely as a rule file
is checked (an error names the file, the line and the key), and turns each list into a
regex alternation. docs/rules.md ("What counts as an ask…") describes the format.

A pattern is an RE2 regular expression, matched case-insensitively, in which a space stands
for any run of whitespace and a parenthesis groups without capturing, so that the lists read
as the phrases they are: ``(would|could|can) you``, ``i('d| would) (really )?love``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from referral_lint.builtin_rules import builtin_rules_dir
from referral_lint.safe_regex import RegexError, SafeRegex, source_pieces
from referral_lint.yamlsource import LocatedDocument, Path_, RuleError, load_located

_FILE_KEYS = {"about", "lists", "examples"}
MAX_SCAN_LENGTH = 20_000
_LIST_KEYS = {"about", "patterns"}
_EXAMPLE_KEYS = {"match", "no_match"}


@dataclass(frozen=True)
class Wording:
    """One wording file: named lists of patterns, and examples the tests check."""

    file: str
    lists: dict[str, tuple[str, ...]]  # list name -> regex sources, as written
    matching_examples: tuple[str, ...] = ()
    other_examples: tuple[str, ...] = ()

    def alternation(self, name: str) -> str:
        """The list ``name`` as one non-capturing regex group: ``(?:first|second|…)``."""
        return "(?:" + "|".join(regex_source(pattern) for pattern in self.lists[name]) + ")"


def scan(expression: str) -> SafeRegex:
    """An expression built from wording lists, under RE2 (linear time, and many times faster than
    ``re`` on long alternations), case-insensitive. The lists are the project's own, so they
    may make a longer regex than a team's rule file may hold."""
    return SafeRegex(expression, max_length=MAX_SCAN_LENGTH)


def wording_dir() -> Path:
    return builtin_rules_dir() / "wording"


@lru_cache(maxsize=None)
def load_wording(name: str, lists: tuple[str, ...]) -> Wording:
    """``rules/wording/<name>.yaml``, which must hold exactly the lists ``lists``."""
    return read_wording(wording_dir() / f"{name}.yaml", lists)


def read_wording(path: Path, lists: tuple[str, ...]) -> Wording:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RuleError(path, None, "", f"cannot read wording file: {error}") from None
    return _validated(load_located(path, text), lists)


def regex_source(pattern: str) -> str:
    """A pattern as written in a wording file -> plain regex source: a space outside a
    character class is ``\\s+`` (inside one, ``\\s``), and ``(`` not followed by ``?``
    groups without capturing (capturing costs RE2 time and nothing reads the groups)."""
    out: list[str] = []
    for index, piece, in_class in source_pieces(pattern):
        if piece == " ":
            if in_class:
                out.append(r"\s")
            elif out[-1:] != [r"\s+"]:  # a run of spaces is one
                out.append(r"\s+")
        elif piece == "(" and not in_class and pattern[index + 1 : index + 2] != "?":
            out.append("(?:")
        else:
            out.append(piece)
    return "".join(out)


def _validated(document: LocatedDocument, expected_lists: tuple[str, ...]) -> Wording:
    value = document.value
    if not isinstance(value, dict):
        raise document.error((), "a wording file is a mapping with 'about', 'lists' and 'examples'")
    _no_unknown_keys(document, (), value, _FILE_KEYS)
    if not isinstance(value.get("about"), str) or not value["about"].strip():
        raise document.error(("about",), "say in a sentence what the lists decide and where they are looked for")
    lists = value.get("lists")
    if not isinstance(lists, dict):
        raise document.error(("lists",), "a mapping of list names to lists")
    for name in lists:
        if name not in expected_lists:
            raise document.error(("lists", name), f"unknown list (this file has: {', '.join(expected_lists)})")
    for name in expected_lists:
        if name not in lists:
            raise document.error(("lists",), f"missing the list {name!r}")
    patterns = {name: _patterns(document, ("lists", name), lists[name]) for name in expected_lists}
    examples = value.get("examples", {})
    if not isinstance(examples, dict):
        raise document.error(("examples",), "a mapping with 'match' and 'no_match' lists of sentences")
    _no_unknown_keys(document, ("examples",), examples, _EXAMPLE_KEYS)
    return Wording(
        document.file,
        patterns,
        _strings(document, ("examples", "match"), examples.get("match", [])),
        _strings(document, ("examples", "no_match"), examples.get("no_match", [])),
    )


def _patterns(document: LocatedDocument, path: Path_, entry: object) -> tuple[str, ...]:
    if not isinstance(entry, dict):
        raise document.error(path, "a mapping with 'about' and 'patterns'")
    _no_unknown_keys(document, path, entry, _LIST_KEYS)
    patterns = _strings(document, path + ("patterns",), entry.get("patterns"))
    if not patterns:
        raise document.error(path + ("patterns",), "a list of at least one pattern")
    for index, pattern in enumerate(patterns):
        try:
            SafeRegex(regex_source(pattern))
            re.compile(regex_source(pattern))
        except (RegexError, re.error) as error:
            raise document.error(path + ("patterns", index), str(error)) from None
        if SafeRegex(regex_source(pattern)).found_in(""):
            raise document.error(path + ("patterns", index), "matches an empty string, so it would match everywhere")
    return patterns


def _strings(document: LocatedDocument, path: Path_, items: object) -> tuple[str, ...]:
    if not isinstance(items, list):
        raise document.error(path, "a list of strings")
    for index, item in enumerate(items):
        if isinstance(item, bool):
            raise document.error(path + (index,), "YAML reads an unquoted no/yes/on/off as true or false; quote the word")
        if not isinstance(item, str) or not item.strip():
            raise document.error(path + (index,), "a non-empty string")
    return tuple(items)


def _no_unknown_keys(document: LocatedDocument, path: Path_, mapping: dict, known: set[str]) -> None:
    for key in mapping:
        if key not in known:
            raise document.error(path + (key,), f"unknown key (expected one of: {', '.join(sorted(known))})")
