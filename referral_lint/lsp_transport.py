"""Reading the language server's messages from stdin, whatever the client sends.

pygls reads ``Content-Length: N\\r\\n`` headers exactly as the protocol spells them; after
one malformed header (a lower-case name, LF-only line ends, a negative, non-numeric, wrong
or missing length) it loses its place in the stream and never answers again. The
FramedStdin here sits between stdin and pygls: it reads headers leniently (any case, CRLF
or LF), skips what cannot be a message up to the next ``Content-Length`` header, drops a
body over MAX_BODY_BYTES (reading it in chunks, so memory stays bounded), and hands pygls
only well-formed frames. So the server recovers at the next well-formed message.
"""

from __future__ import annotations

import logging
import re
from typing import BinaryIO

logger = logging.getLogger(__name__)

# Far above any draft (the linter takes 100,000 characters; a JSON-escaped document of that
# many 4-byte characters with its envelope is under 2 MB), far below what exhausts memory.
MAX_BODY_BYTES = 16 << 20
_MAX_HEADER_LINE = 1024
_CONTENT_LENGTH = re.compile(rb"content-length[ \t]*:[ \t]*(\S*)[ \t]*\r?\n?$", re.IGNORECASE)
_CONTENT_LENGTH_ANYWHERE = re.compile(rb"content-length[ \t]*:", re.IGNORECASE)
_CHUNK = 1 << 16


class FramedStdin:
    """A reader with ``readline`` and ``read`` (what pygls asks of stdin) yielding only
    well-formed frames: ``Content-Length: N\\r\\n\\r\\n`` and N bytes of body."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._pending = b""  # what pygls is yet to read of the current frame
        self._carry = b""  # bytes read from stdin past the last header line (a resync)

    def readline(self) -> bytes:
        if not self._pending and not self._next_frame():
            return b""
        end = self._pending.find(b"\n") + 1 or len(self._pending)
        line, self._pending = self._pending[:end], self._pending[end:]
        return line

    def read(self, size: int) -> bytes:
        data, self._pending = self._pending[:size], self._pending[size:]
        return data

    def _raw_line(self) -> bytes:
        if self._carry:
            end = self._carry.find(b"\n") + 1
            if end:
                line, self._carry = self._carry[:end], self._carry[end:]
                return line
            line, self._carry = self._carry, b""
            return line + self._raw.readline(_MAX_HEADER_LINE)
        return self._raw.readline(_MAX_HEADER_LINE)

    def _raw_read(self, size: int) -> bytes:
        data, self._carry = self._carry[:size], self._carry[size:]
        while len(data) < size:
            more = self._raw.read(size - len(data))
            if not more:
                break
            data += more
        return data

    def _next_frame(self) -> bool:
        """Read stdin up to the next well-formed message and queue it; False at the end."""
        while True:
            length = self._headers()
            if length is None:
                return False
            if length < 0:
                continue  # malformed: resynchronised at the next Content-Length header
            if length > MAX_BODY_BYTES:
                logger.warning("dropped a message of %d bytes (over %d)", length, MAX_BODY_BYTES)
                for _ in range(0, length, _CHUNK):
                    if not self._raw_read(min(_CHUNK, length)):
                        return False
                continue
            body = self._raw_read(length)
            if len(body) < length:
                return False
            self._pending = b"Content-Length: %d\r\n\r\n" % length + body
            return True

    def _headers(self) -> int | None:
        """The Content-Length of the next message's headers (-1: malformed), None at the end."""
        length: int | None = None
        malformed = False
        seen_any = False
        while True:
            line = self._raw_line()
            if not line:
                return None
            if not line.strip():
                if not seen_any:
                    continue  # blank lines between messages
                if length is None or malformed:
                    logger.warning("skipped a message with a missing or malformed Content-Length")
                    return -1
                return length
            seen_any = True
            found = _CONTENT_LENGTH.match(line)
            if found is None:
                inside = _CONTENT_LENGTH_ANYWHERE.search(line, 1)
                if inside is not None:
                    # A header glued to the end of a body of the wrong length: start again there.
                    logger.warning("resynchronised at a Content-Length header inside other bytes")
                    self._carry = line[inside.start() :] + self._carry
                    length, malformed, seen_any = None, False, False
                elif b":" not in line:
                    malformed = True  # body bytes where a header should be
                continue
            value = found.group(1)
            if value.isdigit():
                length = int(value)
            else:
                malformed = True
