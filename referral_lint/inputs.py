"""Reading drafts from paths and stdin, with one clear error per unusable input."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_CHARACTERS = 100_000
DRAFT_SUFFIXES = (".txt", ".md")
_SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox"})
STDIN = "-"


@dataclass(frozen=True)
class Draft:
    """A draft to lint: its display name and text."""

    name: str
    text: str


@dataclass(frozen=True)
class InputError:
    """A path that could not be linted, and why (one line)."""

    name: str
    cause: str

    def __str__(self) -> str:
        return f"{self.name}: {self.cause}"


def expand(paths: tuple[str, ...]) -> Iterator[tuple[str, Path | None] | InputError]:
    """Each path given, with directories searched for drafts; stdin as (name, None)."""
    for raw in paths:
        if raw == STDIN:
            yield ("<stdin>", None)
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(_drafts_under(path))
            if not found:
                yield InputError(raw, f"directory has no {' or '.join(DRAFT_SUFFIXES)} files to lint")
            for file in found:
                yield (str(file), file)
        elif path.exists():
            yield (raw, path)
        else:
            yield InputError(raw, "no such file or directory")


def _drafts_under(directory: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith("."))
        for name in files:
            if name.endswith(DRAFT_SUFFIXES):
                yield Path(root) / name


def read(name: str, path: Path | None) -> Draft | InputError:
    """The draft at ``path`` (stdin when None), or why it cannot be linted."""
    try:
        data = sys.stdin.buffer.read() if path is None else path.read_bytes()
    except IsADirectoryError:
        return InputError(name, "is a directory")
    except PermissionError:
        return InputError(name, "permission denied")
    except OSError as error:
        return InputError(name, f"cannot read: {error.strerror or error}")
    return decode(name, data)


def decode(name: str, data: bytes) -> Draft | InputError:
    if b"\x00" in data[:8192]:
        return InputError(name, "binary file, not a text draft")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return InputError(name, f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}); save it as UTF-8")
    if not text.strip():
        return InputError(name, "empty file, nothing to lint")
    if len(text) > MAX_CHARACTERS:
        return InputError(
            name, f"{len(text):,} characters is over the {MAX_CHARACTERS:,} limit for one draft; is this really a message?"
        )
    return Draft(name, text)
