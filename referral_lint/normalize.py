"""Normalising a draft before it is parsed, and mapping offsets back.

Rules are written against plain ASCII punctuation and ``\\n`` line ends, but
people paste drafts with curly quotes, no-break spaces, CRLF line ends and
zero-width characters (and API callers may pass lone surrogates, read as U+FFFD). Normalisation replaces those one character for one,
or deletes them; it never inserts, so every normalised offset maps back to
exactly one offset in the original string.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from referral_lint.positions import LineIndex

# One character for one: the offsets of everything else stay put.
_REPLACEMENTS = {
    "\u2018": "'",  # left single quotation mark
    "\u2019": "'",  # right single quotation mark (the usual apostrophe)
    "\u02bc": "'",  # modifier letter apostrophe
    "\u201c": '"',
    "\u201d": '"',
    "\u00a0": " ",  # no-break space
    "\u202f": " ",  # narrow no-break space
    "\u2007": " ",
    "\u2009": " ",
    "\u200a": " ",
    "\u2002": " ",
    "\u2003": " ",
    "\r": "\n",  # a lone CR (old Mac line end); a CR before LF is deleted below
}

# A lone surrogate (from a JSON "\\ud800" escape, or Python code) cannot be encoded, so
# nothing downstream could hash or print it: it is read as U+FFFD, the replacement character.
_REPLACEMENTS.update(dict.fromkeys(map(chr, range(0xD800, 0xE000)), "\ufffd"))

# "Bold" and "italic" letters and digits pasted from LinkedIn text formatters (Unicode's
# mathematical alphanumerics, "𝗝𝗼𝗯 𝗟𝗶𝗻𝗸") read as the plain ones.
_REPLACEMENTS.update(
    (chr(code), plain)
    for code in range(0x1D400, 0x1D800)
    if len(plain := unicodedata.normalize("NFKC", chr(code))) == 1 and plain.isascii() and plain.isalnum()
)

# Invisible characters that only get in the way of matching.
_DELETIONS = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")

_TRANSLATION = str.maketrans(_REPLACEMENTS)
_DELETION_OR_CRLF = re.compile("[" + "".join(sorted(_DELETIONS)) + "]|\r\n")


@dataclass
class NormalizedText:
    """A draft's normalised text, with the way back to the original offsets."""

    original: str
    text: str
    # For each normalised offset (plus one past the end), the original offset;
    # None when nothing was deleted, so the mapping is the identity.
    _origin: list[int] | None = None
    _lines: LineIndex | None = field(default=None, compare=False, repr=False)  # built at the first lookup

    @classmethod
    def from_original(cls, original: str) -> NormalizedText:
        if not _DELETION_OR_CRLF.search(original):
            return cls(original, original.translate(_TRANSLATION))
        kept: list[str] = []
        origin: list[int] = []
        for index, char in enumerate(original):
            if char in _DELETIONS or (char == "\r" and original[index + 1 : index + 2] == "\n"):
                continue
            kept.append(char)
            origin.append(index)
        origin.append(len(original))
        return cls(original, "".join(kept).translate(_TRANSLATION), origin)

    def to_original(self, offset: int) -> int:
        """The original offset of normalised ``offset`` (``len(text)`` maps to the end)."""
        if self._origin is None:
            return offset
        return self._origin[offset]

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        if self._origin is None:
            return start, end
        # A span starting on a CRLF's LF starts on its CR: an edit there must not split
        # the pair (an inserted sentence would leave a lone CR behind).
        origin = self._origin[start]
        if origin and self.original[origin - 1 : origin + 1] == "\r\n":
            origin -= 1
        if end <= start:
            return origin, origin
        # The end is one past the last kept character, so deleted characters
        # that follow the span stay outside it.
        return origin, self._origin[end - 1] + 1

    def line_column(self, original_offset: int) -> tuple[int, int]:
        """1-based line and column of an offset into the original string."""
        if self._lines is None:
            self._lines = LineIndex(self.original)
        return self._lines.position(original_offset)
