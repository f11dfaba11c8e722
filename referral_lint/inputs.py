"""Reading drafts from paths and stdin, with one clear error per unusable input.

A file is read by its extension: ``.txt`` as plain text, ``.md`` as markdown (only the
prose is linted: see ``readers/markdown.py``), ``.eml`` as an email (the Subject header
and the text/plain body: see ``readers/eml.py``). Any other extension is read as plain
text, with a note saying so. Every reader keeps offsets, lines and columns those of
the file.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from referral_lint.files import FileSnapshot

MAX_CHARACTERS = 100_000
# A UTF-8 character takes at most four bytes (plus a three-byte BOM), so reading one
# byte more than this is enough to know a draft is too long, and a device such as
# /dev/zero or a multi-gigabyte log cannot hang the linter or exhaust memory.
_MAX_BYTES = 4 * MAX_CHARACTERS + 3
# What a directory is searched for.
DRAFT_SUFFIXES = (".txt", ".md", ".eml")
# How each extension is read (the text reader takes anything else, with a note).
KINDS = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown", ".eml": "email"}
# An email may carry attachments after its text, which are not linted; read that much of
# it at most (the text to lint is still held to MAX_CHARACTERS).
_MAX_EMAIL_BYTES = 10 * 1024 * 1024
_SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".tox"})
STDIN = "-"


@dataclass(frozen=True)
class Draft:
    """A draft to lint: its display name and the text the linter reads.

    ``source`` is the file's own text when that differs from ``text`` (a markdown file
    with its code blanked, an email with its headers blanked); it has the same length,
    so offsets mean the same in both. ``kind`` is the reader that read it (``text``,
    ``markdown`` or ``email``); ``channel`` the channel the file implies (an email is an
    ``email``), or None; ``positions`` is ``file``, or ``decoded`` when an email body had
    to be decoded and positions in it refer to the decoded body. ``notes`` are remarks
    for stderr (an unknown extension, read as text). ``snapshot`` is what the file held
    when it was read (None for stdin): ``fix`` writes only over a file that still matches it.
    """

    name: str
    text: str
    source: str | None = None
    kind: str = "text"
    channel: str | None = None
    positions: str = "file"
    notes: tuple[str, ...] = ()
    snapshot: FileSnapshot | None = None
    bom: bool = False  # the file began with a UTF-8 byte order mark (not part of ``text``)


@dataclass(frozen=True)
class InputError:
    """A path that could not be linted, and why (one line)."""

    name: str
    cause: str

    def __str__(self) -> str:
        return f"{display_name(self.name)}: {self.cause}"


def display_name(name: str) -> str:
    """``name`` safe to print on one line: control characters (a newline in a file name) escaped."""
    if name.isprintable():
        return name
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in name)


def one_line(message: object, limit: int | None = None) -> str:
    """An error message on one line (spaCy's, pygls' and others' span several), cut to ``limit`` characters."""
    text = " ".join(str(message).split())
    return text if limit is None or len(text) <= limit else text[: limit - 3] + "..."


def expand(paths: tuple[str, ...]) -> Iterator[tuple[str, Path | None] | InputError]:
    """Each path given, with directories searched for drafts; stdin as (name, None)."""
    for raw in paths:
        if raw == STDIN:
            yield ("<stdin>", None)
            continue
        path = Path(raw)
        if path.is_dir():
            unlisted: list[OSError] = []
            found = sorted(_drafts_under(path, unlisted.append))
            for error in unlisted:  # a directory that cannot be listed is not an empty one
                yield InputError(error.filename or raw, f"cannot list the directory: {error.strerror or error}")
            if not found and not unlisted:
                listed = ", ".join(DRAFT_SUFFIXES[:-1]) + " or " + DRAFT_SUFFIXES[-1]
                yield InputError(raw, f"directory has no {listed} files to lint")
            for file in found:
                yield InputError(str(file), _unreadable_kind(file)) if _waits_forever(file) else (str(file), file)
        elif _waits_forever(path):
            yield InputError(raw, _unreadable_kind(path))
        elif path.exists():
            yield (raw, path)
        elif path.is_symlink():
            yield InputError(raw, "broken or looping symbolic link")
        else:
            yield InputError(raw, "no such file or directory")


def _waits_forever(path: Path) -> bool:
    """A named pipe or a socket: opening or reading it waits for a writer that may never come.
    (A device such as /dev/zero is read, up to the size limit, and refused as binary.)"""
    return path.is_fifo() or path.is_socket()


def _unreadable_kind(path: Path) -> str:
    return f"{'a named pipe (FIFO)' if path.is_fifo() else 'a socket'}, not a file: skipped"


def _drafts_under(directory: Path, on_error: Callable[[OSError], None]) -> Iterator[Path]:
    for root, dirs, files in os.walk(directory, onerror=on_error):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith("."))
        for name in files:
            # Hidden files are skipped like hidden directories (editor lock and backup
            # files such as Emacs's dangling ".#draft.txt" links); name one to lint it.
            if name.endswith(DRAFT_SUFFIXES) and not name.startswith("."):
                yield Path(root) / name


def kind_of(filename: str) -> str | None:
    """The reader for ``filename`` by its extension: text, markdown or email; None if unknown."""
    suffix = Path(filename).suffix.lower()
    if not suffix:
        return "text"
    return KINDS.get(suffix)


def read(name: str, path: Path | None, *, filename: str | None = None) -> Draft | InputError:
    """The draft at ``path`` (stdin when None), or why it cannot be linted.

    The reader is chosen by ``filename``'s extension (default: the path's; stdin
    without a filename is plain text). An unknown extension is read as plain text, and
    the draft carries a note saying so.
    """
    filename = filename if filename is not None else (path.name if path is not None else "")
    kind = kind_of(filename)
    notes: tuple[str, ...] = ()
    if kind is None:
        kind = "text"
        notes = (f"unknown extension {Path(filename).suffix!r}, linted as plain text",)
    limit = _MAX_EMAIL_BYTES if kind == "email" else _MAX_BYTES
    snapshot = None
    try:
        if path is None:
            data = sys.stdin.buffer.read(limit + 1)
        else:
            with path.open("rb") as file:
                status = os.fstat(file.fileno())  # before reading: a write meanwhile changes mtime after it
                data = file.read(limit + 1)
            snapshot = FileSnapshot.of(data, status)
    except IsADirectoryError:
        return InputError(name, "is a directory")
    except PermissionError:
        return InputError(name, "permission denied")
    except OSError as error:
        return InputError(name, f"cannot read: {error.strerror or error}")
    if kind == "email":
        draft = decode_email(name, data)
    else:
        decoded = decode(name, data)
        draft = prepare(decoded, kind) if isinstance(decoded, Draft) else decoded
    if isinstance(draft, Draft):
        draft = replace(draft, notes=notes, snapshot=snapshot)
    return draft


def prepare(draft: Draft, kind: str) -> Draft | InputError:
    """``draft`` (plain text as read) as the reader for ``kind`` gives it to the linter."""
    if kind == "markdown":
        from referral_lint.readers.markdown import prose

        text = prose(draft.text)
        if is_empty(text):
            return InputError(draft.name, "no prose to lint (only code, front matter, comments or links)")
        return replace(draft, text=text, source=draft.text if text != draft.text else None, kind="markdown")
    if kind == "email":
        return decode_email(draft.name, draft.text.encode("utf-8"))
    return draft


def decode_email(name: str, data: bytes) -> Draft | InputError:
    """The draft in an email file: its Subject line and first text/plain body, in place."""
    from referral_lint.readers.eml import EmailError, read_email

    refused = _refuse(name, data, "an email", _MAX_EMAIL_BYTES, f"over the {_MAX_EMAIL_BYTES // (1024 * 1024)} MB limit for an email file")
    if refused:
        return refused
    try:
        found = read_email(data)
    except EmailError as error:
        return InputError(name, str(error))
    except Exception as error:  # a malformed header the email package chokes on: one line, not a traceback
        return InputError(name, f"cannot read this email ({type(error).__name__}: {one_line(error)})")
    if is_empty(found.text):
        return InputError(name, "empty email: no subject and no text to lint")
    problem = too_long(len(found.text))  # the subject, the headers between, the body
    if problem:
        return InputError(name, f"{problem}; is this really a message?")
    return Draft(
        name,
        found.text,
        source=found.source if found.source != found.text else None,
        kind="email",
        channel="email",
        positions=found.positions,
        bom=data.startswith(UTF8_BOM),
    )


# Characters that show nothing (zero-width spaces, BOM, soft hyphen): a file of only
# these and whitespace is as empty as a blank one.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"\xff\xfe", b"\xfe\xff")


def _refuse(name: str, data: bytes, what: str, limit: int, too_big: str) -> InputError | None:
    """Why raw bytes cannot be read as ``what`` (a UTF-16/32 file, a binary one, too big), or None."""
    if data.startswith(_UTF16_32_BOMS):
        return InputError(name, "UTF-16 or UTF-32 text, not UTF-8; save it as UTF-8")
    if b"\x00" in data:
        return InputError(name, f"binary file (contains NUL bytes), not {what}")
    if len(data) > limit:
        return InputError(name, too_big)
    return None


def is_empty(text: str) -> bool:
    """Whether ``text`` shows nothing: only whitespace and invisible characters."""
    return not text.translate(_INVISIBLE).strip()


def too_long(length: int | None = None) -> str | None:
    """Why a draft of ``length`` characters is not linted (over the cap), or None when it fits.

    The one wording of the cap for files, batch records, the language server and the web
    page; without ``length`` (an input refused before it was all read), it has no count.
    """
    if length is not None and length <= MAX_CHARACTERS:
        return None
    counted = f" ({length:,} characters)" if length is not None else ""
    return f"over the {MAX_CHARACTERS:,}-character limit for one draft{counted}"


def decode(name: str, data: bytes) -> Draft | InputError:
    refused = _refuse(
        name, data, "a text draft", _MAX_BYTES, f"{too_long()}; is this really a message?",
    )
    if refused:
        return refused
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return InputError(name, f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}); save it as UTF-8")
    if is_empty(text):
        return InputError(name, "empty file, nothing to lint")
    problem = too_long(len(text))
    if problem:
        return InputError(name, f"{problem}; is this really a message?")
    return Draft(name, text, bom=data.startswith(UTF8_BOM))
