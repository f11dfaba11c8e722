"""The language server's stdin framing: after any malformed header it recovers at the next
well-formed message (issue 15), and it never hands pygls more than MAX_BODY_BYTES."""

from __future__ import annotations

import io
import json

import pytest

from referral_lint import lsp_transport
from referral_lint.lsp_transport import FramedStdin


def frame(body: bytes, header: bytes | None = None, line_end: bytes = b"\r\n") -> bytes:
    header = header if header is not None else b"Content-Length: %d" % len(body)
    return header + line_end + line_end + body


def bodies(stream: bytes) -> list[bytes]:
    """What pygls reads: each frame's body, after checking the frame is well-formed."""
    reader = FramedStdin(io.BytesIO(stream))
    found = []
    while True:
        header = reader.readline()
        if not header:
            return found
        assert header.startswith(b"Content-Length: ") and header.endswith(b"\r\n")
        assert reader.readline() == b"\r\n"
        found.append(reader.read(int(header.split()[1])))


GOOD = json.dumps({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}).encode()
BAD = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}).encode()


@pytest.mark.parametrize(
    "malformed",
    [
        frame(BAD, b"Content-Length: %d" % (len(BAD) - 7)),  # too short
        frame(BAD, b"Content-Length: %d" % (len(BAD) + 9)),  # too long: swallows part of the next
        frame(BAD, b"Content-Length: -4"),
        frame(BAD, b"Content-Length: many"),
        frame(BAD, b"Content-Type: application/vscode-jsonrpc"),  # no length at all
        frame(BAD, b"X-Nothing: 1", line_end=b"\n"),
        b"garbage without any header\r\n\r\n",
    ],
    ids=["short", "long", "negative", "non-numeric", "missing", "missing-lf", "garbage"],
)
def test_the_next_well_formed_message_after_a_malformed_one_gets_through(malformed):
    found = bodies(malformed + frame(GOOD) + frame(GOOD))
    assert found[-1] == GOOD  # whatever the damage, the stream is back in step


@pytest.mark.parametrize("header", [b"content-length: %d", b"CONTENT-LENGTH:%d"], ids=["lower-case", "no-space"])
@pytest.mark.parametrize("line_end", [b"\r\n", b"\n"], ids=["crlf", "lf-only"])
def test_lenient_headers_are_read(header, line_end):
    assert bodies(frame(GOOD, header % len(GOOD), line_end) + frame(GOOD)) == [GOOD, GOOD]


def test_a_body_over_the_limit_is_dropped_without_holding_it(monkeypatch):
    monkeypatch.setattr(lsp_transport, "MAX_BODY_BYTES", 1000)
    huge = b'{"x": "' + b"a" * 5000 + b'"}'
    assert bodies(frame(huge) + frame(GOOD)) == [GOOD]


def test_the_server_answers_after_a_malformed_header():
    """End to end: a lower-case, LF-only header, then a message with a negative length, then
    a well-formed initialize: the server answers the first and the last."""
    import subprocess
    import sys

    initialize = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}).encode()
    broken = json.dumps({"jsonrpc": "2.0", "id": 7, "method": "shutdown"}).encode()
    exit_ = json.dumps({"jsonrpc": "2.0", "method": "exit"}).encode()
    stream = (
        frame(initialize, b"content-length: %d" % len(initialize), b"\n")
        + frame(broken, b"Content-Length: -1")
        + frame(json.dumps({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}).encode())
        + frame(exit_)
    )
    process = subprocess.run(
        [sys.executable, "-m", "referral_lint.cli", "lsp"], input=stream, capture_output=True, timeout=60
    )
    replies = [json.loads(part[part.index(b"{") :]) for part in process.stdout.split(b"Content-Length")[1:]]
    assert [reply.get("id") for reply in replies if "id" in reply] == [1, 3]


def _session(*messages: dict) -> tuple[list[dict], int]:
    import subprocess
    import sys

    stream = b"".join(frame(json.dumps(message).encode()) for message in messages)
    process = subprocess.run([sys.executable, "-m", "referral_lint.cli", "lsp"], input=stream, capture_output=True, timeout=60)
    replies = [json.loads(part[part.index(b"{") :]) for part in process.stdout.split(b"Content-Length")[1:]]
    return [reply for reply in replies if "id" in reply], process.returncode


INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}
SHUTDOWN = {"jsonrpc": "2.0", "id": 2, "method": "shutdown"}
EXIT = {"jsonrpc": "2.0", "method": "exit"}
HOVER = {"jsonrpc": "2.0", "id": 9, "method": "textDocument/hover",
         "params": {"textDocument": {"uri": "file:///tmp/x.txt"}, "position": {"line": 0, "character": 0}}}


def test_the_lifecycle_is_the_protocols():
    replies, code = _session(HOVER, INITIALIZE, SHUTDOWN, {**HOVER, "id": 10}, EXIT)
    by_id = {reply["id"]: reply for reply in replies}
    assert by_id[9]["error"]["code"] == -32002  # before initialize: ServerNotInitialized, no traceback
    assert "result" in by_id[1] and by_id[2].get("result") is None
    assert by_id[10]["error"]["code"] == -32600  # after shutdown: an error, not silence
    assert code == 0


def test_exit_without_shutdown_exits_1():
    _, code = _session(INITIALIZE, EXIT)
    assert code == 1


def test_a_body_that_is_not_json_is_one_log_line_and_the_server_goes_on():
    import subprocess
    import sys

    stream = (
        frame(json.dumps(INITIALIZE).encode())
        + frame(b'{"jsonrpc": "2.0", "id": 5, "method": ')
        + frame(json.dumps(SHUTDOWN).encode())
        + frame(json.dumps(EXIT).encode())
    )
    process = subprocess.run([sys.executable, "-m", "referral_lint.cli", "lsp"], input=stream, capture_output=True, timeout=60)
    replies = [json.loads(part[part.index(b"{") :]) for part in process.stdout.split(b"Content-Length")[1:]]
    assert [(reply.get("id"), reply.get("error", {}).get("code")) for reply in replies if "id" in reply] == [
        (1, None), (None, -32700), (2, None)
    ]
    assert process.returncode == 0
    assert process.stderr.decode().splitlines() == [
        "referral-lint lsp: WARNING referral_lint.lsp: answering message None with error -32700:"
        " the message is not JSON: Expecting value: line 1 column 39 (char 38)"
    ]
