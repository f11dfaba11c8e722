"""Positions for the language server: code-point offsets <-> LSP positions.

The linter's offsets index the Python string (code points). An LSP position is a line
(lines end at ``\n``, ``\r\n`` or ``\r``, nothing else) and a character offset counted
in the code units of the encoding negotiated at ``initialize``: UTF-16 by default,
UTF-8 or UTF-32 when the client prefers them. An emoji is 1 code point, 2 UTF-16 units
and 4 UTF-8 bytes; ``é`` is 1, 1 and 2; ``東`` is 1, 1 and 3.
"""

from __future__ import annotations

import bisect
import re

from lsprotocol import types as lsp

ENCODINGS = ("utf-8", "utf-16", "utf-32")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # the only line breaks LSP knows


def code_units(text: str, encoding: str) -> int:
    """How many code units ``text`` takes in ``encoding`` (utf-8, utf-16 or utf-32)."""
    if encoding == "utf-32":
        return len(text)
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class PositionMap:
    """Converts between code-point offsets into ``text`` and LSP positions.

    An LSP position is a 0-based line (lines end at ``\\n``, ``\\r\\n`` or ``\\r`` and
    nothing else) and a character offset counted in the negotiated encoding's code
    units: an emoji is 1 code point, 2 UTF-16 units and 4 UTF-8 units.
    """

    def __init__(self, text: str, encoding: str = "utf-16") -> None:
        if encoding not in ENCODINGS:
            raise ValueError(f"unknown position encoding {encoding!r}")
        self.text = text
        self.encoding = encoding
        self._starts = [0]  # offset where each line starts
        self._ends = []  # offset where each line's content ends (before its break)
        for match in _LINE_BREAK.finditer(text):
            self._ends.append(match.start())
            self._starts.append(match.end())
        self._ends.append(len(text))

    def position(self, offset: int) -> lsp.Position:
        """The LSP position of code-point ``offset`` (clamped to the text)."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._starts, offset) - 1
        start = self._starts[line]
        end = min(offset, self._ends[line])  # inside a \r\n: the end of the line
        return lsp.Position(line=line, character=code_units(self.text[start:end], self.encoding))

    def range(self, start: int, end: int) -> lsp.Range:
        return lsp.Range(start=self.position(start), end=self.position(end))

    def offset(self, position: lsp.Position) -> int:
        """The code-point offset of an LSP position.

        As the protocol says, a line past the end means the end of the text and a
        character past the end of its line means the end of that line; a position inside
        a character (half of a UTF-16 surrogate pair) means the start of that character.
        """
        if position.line >= len(self._starts):
            return len(self.text)
        start, end = self._starts[position.line], self._ends[position.line]
        if self.encoding == "utf-32":
            return min(start + position.character, end)
        units = 0
        for index in range(start, end):
            units += code_units(self.text[index], self.encoding)
            if units > position.character:
                return index
        return end
