"""Text positions: offsets into a text, its lines and columns, counted one way everywhere.

A line ends at ``\\r\\n``, ``\\r`` or ``\\n``, and at nothing else: not at a form feed or
U+2028, where ``str.splitlines`` would also split, and which neither editors (LSP) nor
the readers count. Offsets index the Python string (code points). The command line's
formats give 1-based lines and columns in code points (:meth:`LineIndex.position`); the
language server converts to 0-based lines and the client's code units in
:mod:`referral_lint.lsp_positions`, on top of the same index.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

# A (start, end) range of character offsets, end exclusive.
CharSpan = tuple[int, int]

LINE_END = re.compile(r"\r\n|\r|\n")


# Lookups answered by scanning the text before the offset, before the line tables are
# built: two scans in C beat building them for the few violations of a short draft, and
# the tables keep the cost linear for many.
_SCANS_BEFORE_INDEXING = 16


class LineIndex:
    """Offsets to lines and columns and back, and the text of each line."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._starts: list[int] | None = None
        self._ends: list[int] | None = None
        self._scans_left = -1  # how many lookups may still scan; -1: not known yet

    @property
    def starts(self) -> list[int]:
        """The offset where each line starts."""
        if self._starts is None:
            self._build()
        return self._starts  # type: ignore[return-value]

    @property
    def ends(self) -> list[int]:
        """The offset where each line's content ends (before its line end)."""
        if self._ends is None:
            self._build()
        return self._ends  # type: ignore[return-value]

    def _build(self) -> None:
        starts, ends = [0], []
        for match in LINE_END.finditer(self.text):
            ends.append(match.start())
            starts.append(match.end())
        ends.append(len(self.text))
        self._starts, self._ends = starts, ends

    def lines(self) -> Iterator[tuple[int, int, int, int]]:
        """Each line as (1-based number, start, end of its content, end of its line end)."""
        starts, ends = self.starts, self.ends
        for index, (start, end) in enumerate(zip(starts, ends)):
            yield index + 1, start, end, starts[index + 1] if index + 1 < len(starts) else end

    def line_index(self, offset: int) -> int:
        """The 0-based line ``offset`` is on (clamped to the text)."""
        return bisect.bisect_right(self.starts, max(0, min(offset, len(self.text)))) - 1

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of ``offset`` (0 <= offset <= len(text))."""
        if self._starts is None:
            if self._scans_left < 0:  # only "\n" ends lines in a text without "\r"
                self._scans_left = 0 if "\r" in self.text else _SCANS_BEFORE_INDEXING
            if self._scans_left > 0 and 0 <= offset <= len(self.text):
                self._scans_left -= 1
                line_start = self.text.rfind("\n", 0, offset) + 1
                return self.text.count("\n", 0, offset) + 1, offset - line_start + 1
        line = self.line_index(offset)
        return line + 1, offset - self.starts[line] + 1

    def line_text(self, line: int) -> str:
        """Line ``line`` (1-based) without its line end; "" past the end."""
        if not 1 <= line <= len(self.starts):
            return ""
        return self.text[self.starts[line - 1] : self.ends[line - 1]]

    def context(self, offset: int) -> str:
        """The whole line that ``offset`` is on."""
        return self.line_text(self.position(offset)[0])
