"""TOML for configuration files: tomllib reads the values, and a line lexer finds where they are.

tomllib (the standard library's TOML parser, tomli before Python 3.11) gives values
without positions, and a configuration error names the file's line
(``pyproject.toml:12: tool.referral-lint.select: …``). So :func:`key_lines` reads
only the starts of tables and keys, line by line, to map each key path to its line:
a best effort that is enough to point at a bad value. The values always come from
tomllib.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from referral_lint.positions import LineIndex

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


class TomlError(ValueError):
    """Text that is not TOML: ``problem`` without the position, and the 1-based ``line`` when known."""

    def __init__(self, problem: str, line: int | None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line


_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)")


def load_toml(text: str) -> dict[str, Any]:
    """The document in ``text``; TomlError when it is not TOML."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        found = _POSITION.search(message)
        raise TomlError(_POSITION.sub("", message), int(found[1]) if found else None) from None


_HEADER = re.compile(r"^\s*\[\[?\s*(?P<name>[^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*(?P<key>(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*'))*)\s*=""")
_PART = re.compile(r"""[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*'""")


def _dotted_keys(dotted: str) -> tuple[str, ...]:
    parts = []
    for part in _PART.findall(dotted):
        if part.startswith('"'):
            # TOML's own escapes (\u00e9, \"), by tomllib: Python's unicode_escape would garble
            # any other non-ASCII letter in the same key.
            part = tomllib.loads(f"key = {part}")["key"] if "\\" in part else part[1:-1]
        elif part.startswith("'"):
            part = part[1:-1]
        parts.append(part)
    return tuple(parts)


def key_lines(text: str) -> dict[tuple[Any, ...], int]:
    """Where each table and key of ``text`` starts: its key path -> its 1-based line."""
    lines: dict[tuple[Any, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, start, end, _ in LineIndex(text).lines():
        line = text[start:end]
        header = _HEADER.match(line)
        if header:
            table = _dotted_keys(header["name"])
            lines.setdefault(table, number)
            continue
        key = _KEY.match(line)
        if key:
            lines.setdefault(table + _dotted_keys(key["key"]), number)
    return lines
