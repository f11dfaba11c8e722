"""Reading many drafts from one JSON Lines or CSV stream, one Record per input record.

A record that cannot be linted (bad JSON, a missing or non-text field, an unknown
channel, a text over the per-draft limit) becomes a Record carrying the reason in
``error``, in its place, so the run goes on and the output keeps one result per
record. A problem with the whole input (a CSV header without the text column) is an
InputFormatError. Records are read one at a time: memory does not grow with the input.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from referral_lint.config import CHANNELS
from referral_lint.inputs import MAX_CHARACTERS, is_empty, too_long

INPUT_FORMATS = ("jsonl", "csv")
# A JSON line can spell a character in up to 12 bytes ("\ud83d\ude00"); a line longer
# than this cannot hold a draft under the limit, and is not read into memory whole.
_MAX_LINE_BYTES = 12 * MAX_CHARACTERS + 64 * 1024


class InputFormatError(ValueError):
    """The input as a whole cannot be read as asked (one line, for stderr)."""


@dataclass(frozen=True)
class Fields:
    """Which fields of a record hold the text, its id and its channel."""

    text: str = "text"
    id: str | None = None
    channel: str | None = None


@dataclass(frozen=True)
class Record:
    """One input record: ``number`` counts records from 1; ``id`` is its id field, or ``number``.

    ``error`` is why it cannot be linted (then ``text`` is empty).
    """

    number: int
    id: Any
    text: str = ""
    channel: str | None = None
    error: str | None = None


def format_of(path: str, asked: str | None) -> str:
    """The input format: the one asked for, else by extension (``.csv``), else JSON Lines."""
    if asked is not None:
        return asked
    return "csv" if path.lower().endswith(".csv") else "jsonl"


def read_records(stream: BinaryIO, input_format: str, fields: Fields) -> Iterator[Record]:
    """Each record of ``stream`` (bytes), in order."""
    if input_format == "csv":
        return _csv_records(stream, fields)
    return _jsonl_records(stream, fields)


def open_input(path: str) -> BinaryIO:
    """``path`` opened for reading bytes (``-``: stdin); OSError as an InputFormatError."""
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except OSError as error:
        raise InputFormatError(f"{path}: cannot read: {error.strerror or error}") from None


def _jsonl_records(stream: BinaryIO, fields: Fields) -> Iterator[Record]:
    number = 0
    while True:
        line = stream.readline(_MAX_LINE_BYTES)
        if not line:
            return
        if not line.endswith(b"\n") and len(line) == _MAX_LINE_BYTES:
            _skip_rest_of_line(stream)
            number += 1
            yield Record(number, number, error=too_long())
            continue
        if not line.strip():
            continue  # a blank line is no record (a trailing newline, a separator)
        number += 1
        try:
            value = json.loads(line)
        except UnicodeDecodeError as error:
            yield Record(number, number, error=f"not valid UTF-8 ({error.reason})")
            continue
        except json.JSONDecodeError as error:
            yield Record(number, number, error=f"not valid JSON ({error.msg} at column {error.colno})")
            continue
        if not isinstance(value, dict):
            yield Record(number, number, error=f"not a JSON object but {_kind(value)}")
            continue
        yield _record(number, value, fields)


def _skip_rest_of_line(stream: BinaryIO) -> None:
    while True:
        rest = stream.readline(_MAX_LINE_BYTES)
        if not rest or rest.endswith(b"\n"):
            return


def _csv_records(stream: BinaryIO, fields: Fields) -> Iterator[Record]:
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    # Rows are checked against the per-draft limit below, with a clear error per row;
    # csv's own limit (128 KiB) would end the run instead.
    csv.field_size_limit(max(csv.field_size_limit(), 16 * MAX_CHARACTERS))
    reader = csv.DictReader(text)
    try:
        header = reader.fieldnames or []
    except UnicodeDecodeError as error:
        raise _not_utf8(error) from None
    wanted = [name for name in (fields.text, fields.id, fields.channel) if name is not None]
    missing = [name for name in wanted if name not in header]
    if missing:
        raise InputFormatError(
            f"no column {missing[0]!r} in the CSV header (columns: {', '.join(map(repr, header)) or 'none'})"
        )
    number = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as error:
            raise _not_utf8(error) from None
        except csv.Error as error:
            raise InputFormatError(f"record {number + 1}: not valid CSV ({error})") from None
        number += 1
        yield _record(number, row, fields)


def _not_utf8(error: UnicodeDecodeError) -> InputFormatError:
    # The CSV is decoded a block at a time, so the record at fault is not known.
    return InputFormatError(f"not valid UTF-8 ({error.reason}); save the CSV as UTF-8")


def _record(number: int, value: dict[str, Any], fields: Fields) -> Record:
    record_id: Any = number
    if fields.id is not None:
        if value.get(fields.id) is None:
            return Record(number, number, error=f"no {fields.id!r} field")
        record_id = value[fields.id]
    text = value.get(fields.text)
    if text is None:
        return Record(number, record_id, error=f"no {fields.text!r} field")
    if not isinstance(text, str):
        return Record(number, record_id, error=f"{fields.text!r} is {_kind(text)}, not text")
    if is_empty(text):  # the message names the record's field, where a file's says "empty file"
        return Record(number, record_id, error=f"{fields.text!r} is empty, nothing to lint")
    problem = too_long(len(text))
    if problem:
        return Record(number, record_id, error=problem)
    channel = value.get(fields.channel) if fields.channel is not None else None
    if channel == "":
        channel = None  # an empty CSV cell: no channel given
    if channel is not None and channel not in CHANNELS:
        return Record(number, record_id, error=f"unknown channel {channel!r} (expected one of: {', '.join(CHANNELS)})")
    return Record(number, record_id, text, channel)


def _kind(value: Any) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", list: "a list", dict: "an object", str: "a string"}
    return "null" if value is None else names.get(type(value), type(value).__name__)
