"""Positions for the language server: code-point offsets <-> LSP positions.

The linter's offsets index the Python string (code points). An LSP position is a line
(lines end at ``\\n``, ``\\r\\n`` or ``\\r``, nothing else: :class:`referral_lint.positions.LineIndex`)
and a character offset counted in the code units of the encoding negotiated at
``initialize``: UTF-16 by default, UTF-8 or UTF-32 when the client prefers them. An
emoji is 1 code point, 2 UTF-16 units and 4 UTF-8 bytes; ``é`` is 1, 1 and 2; ``東`` is
1, 1 and 3. Code units are counted by pygls' position codec. The way back is the
project's own: pygls' ``position_from_client_units`` reads a character past a line's end
as its last character and one inside a UTF-16 surrogate pair as the next character,
where the protocol wants the line's end and the character itself.
"""

from __future__ import annotations

from lsprotocol import types as lsp
from pygls.workspace import PositionCodec

from referral_lint.positions import LineIndex

ENCODINGS = ("utf-8", "utf-16", "utf-32")


def code_units(text: str, encoding: str) -> int:
    """How many code units ``text`` takes in ``encoding`` (utf-8, utf-16 or utf-32)."""
    return PositionCodec(lsp.PositionEncodingKind(encoding)).client_num_units(text)


class PositionMap:
    """Converts between code-point offsets into ``text`` and LSP positions.

    An LSP position is a 0-based line and a character offset counted in the negotiated
    encoding's code units: an emoji is 1 code point, 2 UTF-16 units and 4 UTF-8 units.
    """

    def __init__(self, text: str, encoding: str = "utf-16") -> None:
        if encoding not in ENCODINGS:
            raise ValueError(f"unknown position encoding {encoding!r}")
        self.text = text
        self.encoding = encoding
        self._codec = PositionCodec(lsp.PositionEncodingKind(encoding))
        self._lines = LineIndex(text)

    def position(self, offset: int) -> lsp.Position:
        """The LSP position of code-point ``offset`` (clamped to the text)."""
        offset = max(0, min(offset, len(self.text)))
        line = self._lines.line_index(offset)
        start = self._lines.starts[line]
        end = min(offset, self._lines.ends[line])  # inside a \r\n: the end of the line
        return lsp.Position(line=line, character=self._codec.client_num_units(self.text[start:end]))

    def range(self, start: int, end: int) -> lsp.Range:
        return lsp.Range(start=self.position(start), end=self.position(end))

    def offset(self, position: lsp.Position) -> int:
        """The code-point offset of an LSP position.

        As the protocol says, a line past the end means the end of the text and a
        character past the end of its line means the end of that line; a position inside
        a character (half of a UTF-16 surrogate pair) means the start of that character.
        """
        if position.line >= len(self._lines.starts):
            return len(self.text)
        start, end = self._lines.starts[position.line], self._lines.ends[position.line]
        if self.encoding == "utf-32":
            return min(start + position.character, end)
        units = 0
        for index in range(start, end):
            units += self._codec.client_num_units(self.text[index])
            if units > position.character:
                return index
        return end
