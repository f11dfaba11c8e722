"""Regular expressions that cannot hang the linter.

A rule file may come from anyone on a team, so its regexes are compiled with
RE2, which matches in time linear in the input: no pattern can backtrack
catastrophically. The price is RE2's syntax (no backreferences or
lookaround); such a pattern is rejected when the rule is loaded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import re2

MAX_PATTERN_LENGTH = 2000
# google-re2's binding, under its Python wrapper: on short texts the wrapper costs more than
# the search. Private names, so both have a fallback through the public API.
_ANCHOR = getattr(re2, "_Anchor", None)
UNANCHORED = _ANCHOR.UNANCHORED if _ANCHOR is not None else None


def raw_search(compiled: Any) -> Callable[[Any, bytes, int, int], list[tuple[int, int]]]:
    """``search(UNANCHORED, data, pos, endpos)`` -> [(start, end)] in bytes, (-1, -1) for none."""
    regexp = getattr(compiled, "_regexp", None)
    if regexp is not None and UNANCHORED is not None:
        return regexp.Match

    def search(anchor: Any, data: bytes, position: int, end: int) -> list[tuple[int, int]]:
        match = compiled.search(data, position, end)
        return [match.span()] if match is not None else [(-1, -1)]

    return search
_MAX_PROGRAM_MEMORY = 8 << 20


class RegexError(ValueError):
    pass


class SafeRegex:
    """A compiled RE2 pattern yielding character spans."""

    def __init__(self, expression: str, *, case_sensitive: bool = False, max_length: int = MAX_PATTERN_LENGTH) -> None:
        if len(expression) > max_length:
            raise RegexError(f"regex is longer than {max_length} characters")
        options = re2.Options()
        options.log_errors = False
        options.case_sensitive = case_sensitive
        options.max_mem = _MAX_PROGRAM_MEMORY
        try:
            self._compiled = re2.compile(expression, options)
        except re2.error as error:
            reason = error.args[0] if error.args else error
            if isinstance(reason, bytes):
                reason = reason.decode("utf-8", "replace")
            raise RegexError(
                f"regex does not compile under RE2 (no backreferences or lookaround): {reason}"
            ) from None
        self.expression = expression
        self.case_sensitive = case_sensitive
        self._search = raw_search(self._compiled)

    def found_in(self, text: str) -> bool:
        """Whether the pattern matches anywhere in ``text`` (an empty match counts, as in ``re.search``)."""
        return self._compiled.search(text) is not None

    def spans(self, text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
        end = len(text) if end is None else end
        if not text.isascii():
            for match in self._compiled.finditer(text, start, end):
                if match.end() > match.start():
                    yield match.span()
            return
        # ASCII text: byte offsets are character offsets, so RE2 is called directly, without
        # the module's per-call offset translation (most drafts are ASCII).
        data = text.encode("ascii")
        search = self._search
        position = start
        while position <= end:
            found_start, found_end = search(UNANCHORED, data, position, end)[0]
            if found_start < 0:
                return
            if found_end > found_start:
                yield found_start, found_end
                position = found_end
            else:
                position = found_end + 1


def verbose_source(source: str) -> str:
    """A regex laid out as ``re.VERBOSE`` reads it (whitespace and ``#`` comments outside
    character classes are layout), as the plain source RE2 takes."""
    plain, in_class, index = [], False, 0
    while index < len(source):
        char = source[index]
        if char == "\\":
            plain.append(source[index : index + 2])
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char.isspace():
            index += 1
            continue
        elif char == "#":
            index = source.find("\n", index) % (len(source) + 1) if "\n" in source[index:] else len(source)
            continue
        plain.append(char)
        index += 1
    return "".join(plain)


def compile_regex(expression: str, *, case_sensitive: bool = False) -> SafeRegex:
    return SafeRegex(expression, case_sensitive=case_sensitive)


class _PythonScan:
    """``re`` behind SafeRegex's interface, for a pattern RE2 cannot run (lookbehind)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self._pattern = pattern

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        return (match.span() for match in self._pattern.finditer(text))


def scan_with_re2(pattern: re.Pattern[str]) -> SafeRegex | _PythonScan:
    """The same regex under RE2, which scans big alternations many times faster than ``re``;
    under ``re`` when RE2 cannot run it."""
    try:
        return SafeRegex(verbose_source(pattern.pattern), case_sensitive=not pattern.flags & re.IGNORECASE)
    except RegexError:
        return _PythonScan(pattern)
