"""Regular expressions that cannot hang the linter: the one module that touches google-re2.

A rule file may come from anyone on a team, so its regexes are compiled with RE2, which
matches in time linear in the input: no pattern can backtrack catastrophically. The price
is RE2's syntax (no backreferences or lookaround); such a pattern is rejected when the rule
is loaded. The project's own patterns (wording lists, the message parts' layouts) run under
RE2 too, for speed on long alternations.

Everything that knows google-re2's options, its logging, its sets and the private binding
under its Python wrapper is here; the rest of the project asks for a :class:`SafeRegex`, a
:func:`search_set` or a :func:`byte_search`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import re2

MAX_PATTERN_LENGTH = 2000
_MAX_PROGRAM_MEMORY = 8 << 20
# google-re2's binding, under its Python wrapper: on short texts the wrapper costs more than
# the search. Private names, so each has a fallback through the public API.
_ANCHOR = getattr(re2, "_Anchor", None)
UNANCHORED = _ANCHOR.UNANCHORED if _ANCHOR is not None else None

# A search of bytes: (anchor, data, position, end) -> [(start, end)], (-1, -1) for none.
ByteSearch = Callable[[Any, bytes, int, int], list[tuple[int, int]]]


class RegexError(ValueError):
    pass


def _options(*, case_sensitive: bool = True, latin1: bool = False, longest: bool = False, max_memory: int) -> Any:
    """RE2's options; errors are never logged (they are raised, and reported by whoever asked)."""
    options = re2.Options()
    options.log_errors = False
    options.case_sensitive = case_sensitive
    options.longest_match = longest
    options.max_mem = max_memory
    if latin1:
        options.encoding = re2.Options.Encoding.LATIN1  # a byte is a character
    return options


def _raw_search(compiled: Any) -> ByteSearch:
    regexp = getattr(compiled, "_regexp", None)
    if regexp is not None and UNANCHORED is not None:
        return regexp.Match

    def search(anchor: Any, data: bytes, position: int, end: int) -> list[tuple[int, int]]:
        match = compiled.search(data, position, end)
        return [match.span()] if match is not None else [(-1, -1)]

    return search


def byte_search(source: str | bytes, *, longest: bool, max_memory: int) -> ByteSearch:
    """A regex over bytes (each byte one character), as a raw search function:
    ``search(UNANCHORED, data, position, end)`` -> [(start, end)]."""
    return _raw_search(re2.compile(source, _options(latin1=True, longest=longest, max_memory=max_memory)))


def search_set(
    sources: Iterable[str | bytes], *, bytes_only: bool = False, max_memory: int = _MAX_PROGRAM_MEMORY
) -> Callable[[bytes], list[int]]:
    """One RE2 pass for many regexes: a function from UTF-8 bytes (or, ``bytes_only``, bytes
    of one character each) to the numbers of the regexes that match somewhere in them."""
    regex_set = re2.Set.SearchSet(_options(latin1=bytes_only, max_memory=max_memory))
    count = 0
    for source in sources:
        regex_set.Add(source)
        count += 1
    if not count:
        return lambda data: []
    regex_set.Compile()
    # The binding's own Match: the module's wrapper only adds a type check per call.
    match = getattr(regex_set, "_set", regex_set).Match
    return lambda data: match(data) or []


class SafeRegex:
    """A compiled RE2 pattern yielding character spans."""

    def __init__(self, expression: str, *, case_sensitive: bool = False, max_length: int = MAX_PATTERN_LENGTH) -> None:
        if len(expression) > max_length:
            raise RegexError(f"regex is longer than {max_length} characters")
        try:
            self._compiled = re2.compile(
                expression, _options(case_sensitive=case_sensitive, max_memory=_MAX_PROGRAM_MEMORY)
            )
        except re2.error as error:
            reason = error.args[0] if error.args else error
            if isinstance(reason, bytes):
                reason = reason.decode("utf-8", "replace")
            raise RegexError(
                f"regex does not compile under RE2 (no backreferences or lookaround): {reason}"
            ) from None
        self.expression = expression
        self.case_sensitive = case_sensitive
        self._search = _raw_search(self._compiled)

    @property
    def set_source(self) -> str:
        """The expression as a :func:`search_set` member, with its case sensitivity."""
        return self.expression if self.case_sensitive else f"(?i){self.expression}"

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


def compile_regex(expression: str, *, case_sensitive: bool = False) -> SafeRegex:
    return SafeRegex(expression, case_sensitive=case_sensitive)


# --- regex sources, read piece by piece ----------------------------------------------


def source_pieces(source: str, *, verbose: bool = False) -> Iterator[tuple[int, str, bool]]:
    """A regex source as (index, piece, in a character class): a piece is an escape (``\\s``)
    or one character; a class's brackets count as in it. ``verbose``: laid out as
    ``re.VERBOSE`` reads it, whitespace and ``#`` comments outside classes are left out."""
    in_class, index = False, 0
    while index < len(source):
        char = source[index]
        if char == "\\":
            yield index, source[index : index + 2], in_class
            index += 2
            continue
        if in_class:
            yield index, char, True
            in_class = char != "]"
        elif char == "[":
            in_class = True
            yield index, char, True
        elif verbose and char.isspace():
            pass
        elif verbose and char == "#":
            newline = source.find("\n", index)
            index = len(source) if newline < 0 else newline
            continue
        else:
            yield index, char, False
        index += 1


def verbose_source(source: str) -> str:
    """A regex laid out as ``re.VERBOSE`` reads it, as the plain source RE2 takes."""
    return "".join(piece for _, piece, _ in source_pieces(source, verbose=True))


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
