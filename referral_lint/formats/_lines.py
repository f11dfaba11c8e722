"""Lines and columns of a text, counted the way the linter counts them.

A line ends at ``\\r\\n``, ``\\r`` or ``\\n`` (the line ends ``normalize.py`` knows);
not at a form feed or U+2028, which ``str.splitlines`` would also split at. Lines and
columns are 1-based, and a column counts Unicode code points.
"""

from __future__ import annotations

import bisect
import re

LINE_END = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """Offsets to (line, column) and back, and the text of each line."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [match.end() for match in LINE_END.finditer(text)]

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of ``offset`` (0 <= offset <= len(text))."""
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def line_text(self, line: int) -> str:
        """Line ``line`` (1-based) without its line end; "" past the end."""
        if not 1 <= line <= len(self.starts):
            return ""
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        # A line holds at most one line end, at its end ("\r" alone ends a line).
        return self.text[start:end].rstrip("\r\n")

    def context(self, offset: int) -> str:
        """The whole line that ``offset`` is on."""
        return self.line_text(self.position(offset)[0])
