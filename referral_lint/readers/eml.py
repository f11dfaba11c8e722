"""Email files (``.eml``, RFC 5322 with MIME): the Subject line and the text/plain body.

The linter recognises an email by a first non-blank line that starts with "Subject:",
and judges that line with the subject rules. So the draft given to it is the file
itself with every header blanked (replaced by spaces, line ends kept) except the
Subject header, which stays in its place, and with the body of the first text/plain
part kept in its place too. Everything else (other headers, MIME boundaries, the
headers of the parts, HTML alternatives) is blanked, and whatever follows the chosen
part (attachments, mostly) is left off the end. As with markdown (see
``markdown.py``), nothing moves: an offset into the draft is the same offset into the
file, and a line and column are the file's.

Two things are not kept in place, and the result says so (``positions``):

- a body sent quoted-printable or base64, or in a character set other than the file's,
  is decoded, and the decoded text is placed where the body starts in the file;
  positions inside the body then refer to the decoded body;
- a Subject written with RFC 2047 encoded words (``=?utf-8?q?…?=``) is decoded and
  padded with spaces to its length in the file.

A folded Subject (continued on the next line) is unfolded for the linter by turning
the line break into spaces of the same length, so that the subject rules see one
line; line and column numbers are still counted in the file.

The file is read as UTF-8 when it is valid UTF-8 (plain ASCII is), and otherwise byte
for byte as Latin-1, which is what an 8-bit Latin-1 body is.
"""

from __future__ import annotations

import email.parser
import email.policy
import re
from dataclasses import dataclass
from email.message import EmailMessage

_LINE_END = re.compile(r"\r\n|\r|\n")
_NOT_LINE_END = re.compile(r"[^\r\n]")
_FIELD = re.compile(r"[!-9;-~]+[ \t]*:")  # a header field name (printable ASCII but ":"), then ":"
_FOLD = re.compile(r"(?:\r\n|\r|\n)(?=[ \t])")
_IN_PLACE_ENCODINGS = ("", "7bit", "8bit", "binary")


class EmailError(ValueError):
    """An email that has nothing to lint (no text/plain part, say)."""


@dataclass(frozen=True)
class EmailDraft:
    """What the linter reads (``text``) and what the file shows at the same offsets (``source``)."""

    text: str
    source: str
    positions: str  # "file", or "decoded" when a body or subject had to be decoded


@dataclass(frozen=True)
class _Entity:
    """A message or a MIME part: where its header fields and body are, and its parsed headers."""

    start: int
    fields: list[tuple[str, int, int]]  # (lowercased name, start, end of the field's last line)
    body_start: int
    body_end: int
    headers: EmailMessage


def _parse_entity(text: str, start: int, end: int, *, top: bool) -> _Entity:
    fields: list[tuple[str, int, int]] = []
    position = start
    body_start = end
    while position < end:
        line_end = _LINE_END.search(text, position, end)
        content_end = line_end.start() if line_end else end
        next_line = line_end.end() if line_end else end
        line = text[position:content_end]
        if not line.strip():  # the blank line between the headers and the body
            body_start = next_line
            break
        if line[0] in " \t" and fields:  # a folded continuation of the last field
            name, field_start, _ = fields[-1]
            fields[-1] = (name, field_start, content_end)
        elif _FIELD.match(line):
            fields.append((line.split(":", 1)[0].strip().lower(), position, content_end))
        elif top and not fields and line.startswith("From "):
            fields.append(("", position, content_end))  # an mbox "From " line
        else:
            body_start = position  # no blank line: the body starts at the first non-header line
            break
        position = next_line
    header_text = "".join(_LINE_END.sub("\n", text[s:e]) + "\n" for name, s, e in fields if name) + "\n"
    headers = email.parser.Parser(policy=email.policy.default).parsestr(header_text, headersonly=True)
    return _Entity(start, fields, body_start, end, headers)  # type: ignore[arg-type]


def _parts(text: str, entity: _Entity) -> list[_Entity]:
    """The parts of a multipart entity, in order."""
    boundary = entity.headers.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        return []
    delimiter = re.compile(
        r"(?:^|(?<=\n)|(?<=\r))--" + re.escape(boundary) + r"(?P<close>--)?[ \t]*(?:\r\n|\r|\n|$)"
    )
    parts = []
    part_start = None
    for match in delimiter.finditer(text, entity.body_start, entity.body_end):
        if part_start is not None:
            # The line end before a delimiter belongs to the delimiter (RFC 2046).
            before = match.start()
            if text.startswith("\r\n", before - 2):
                before -= 2
            elif before > part_start and text[before - 1] in "\r\n":
                before -= 1
            parts.append(_parse_entity(text, part_start, max(before, part_start), top=False))
        if match["close"]:
            break
        part_start = match.end()
    return parts


_MAX_DEPTH = 16  # multiparts nested deeper than any mail client makes them are not searched


def _find_text_part(text: str, entity: _Entity, depth: int = 0) -> _Entity | None:
    """The first text/plain part that is not an attachment, depth first."""
    content_type = entity.headers.get_content_type()
    if content_type == "text/plain" and entity.headers.get_content_disposition() != "attachment":
        return entity
    if entity.headers.get_content_maintype() == "multipart" and depth < _MAX_DEPTH:
        for part in _parts(text, entity):
            found = _find_text_part(text, part, depth + 1)
            if found is not None:
                return found
    return None


def _decoded_body(text: str, part: _Entity, file_encoding: str) -> str:
    raw = text[part.start : part.body_end]
    message = email.parser.BytesParser(policy=email.policy.default).parsebytes(
        raw.encode(file_encoding, errors="surrogateescape")
    )
    try:
        content = message.get_content()  # type: ignore[attr-defined]
    except (LookupError, ValueError, AttributeError):  # an unknown charset, a broken encoding
        payload = message.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else str(payload)
    return str(content)


def _blank(segment: str) -> str:
    return _NOT_LINE_END.sub(" ", segment)


def read_email(data: bytes) -> EmailDraft:
    """The draft to lint in an email file's bytes; EmailError if it has no text/plain part."""
    try:
        text = data.decode("utf-8-sig")
        file_encoding = "utf-8"
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        file_encoding = "latin-1"
    top = _parse_entity(text, 0, len(text), top=True)
    part = _find_text_part(text, top)
    if part is None:
        kind = top.headers.get_content_type()
        raise EmailError(f"email has no text/plain part to lint (it is {kind})")

    positions = "file"
    encoding = str(part.headers.get("content-transfer-encoding", "")).strip().lower()
    charset = part.headers.get_content_charset() or "us-ascii"
    raw_body = text[part.body_start : part.body_end]
    body = raw_body
    if encoding in _IN_PLACE_ENCODINGS:
        try:
            in_charset = raw_body.encode(file_encoding).decode(_codec(charset))
        except (LookupError, UnicodeError):
            in_charset = raw_body
        if in_charset != raw_body:
            body, positions = in_charset, "decoded"
    else:
        body, positions = _decoded_body(text, part, file_encoding), "decoded"

    # The draft: blanked up to the body, the Subject restored, then the body.
    draft = list(_blank(text[: part.body_start]))
    source = text[: part.body_start]
    subject = next(((s, e) for name, s, e in top.fields if name == "subject"), None)
    if subject is not None:
        start, end = subject
        raw_subject = text[start:end]
        shown = _FOLD.sub(lambda fold: " " * len(fold[0]), raw_subject)
        if "=?" in raw_subject:
            decoded = f"{raw_subject.split(':', 1)[0]}: {top.headers.get('subject', '')}"
            if len(decoded) <= len(shown):
                shown = decoded.ljust(len(shown))
                positions = "decoded"
        draft[start:end] = shown
    draft_text = "".join(draft) + body
    source_text = source + body if positions == "decoded" else text[: part.body_end]
    return EmailDraft(draft_text, source_text, positions)


def _codec(charset: str) -> str:
    """A Python codec for a MIME charset; US-ASCII bodies are often really UTF-8 or Latin-1."""
    charset = charset.lower()
    return "utf-8" if charset in ("us-ascii", "ascii", "utf8") else charset
