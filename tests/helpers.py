"""Small helpers shared by the test modules (tests/ is on sys.path under pytest)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# A line of a snippet for ``run_python``: the heavy modules imported so far, as ``loaded``.
HEAVY_MODULES_LOADED = "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'thinc', 'numpy'))\n"


def write(path: Path, text: str) -> Path:
    """Write a UTF-8 file, making its directories."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run_python(code: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter (nothing imported yet); it must exit 0."""
    process = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    assert process.returncode == 0, process.stderr[-2000:]
    return process


class JsonRpcPipe:
    """The editor's side of a language server on stdio, as little of it as a test needs: a
    message framed out, a message read back (only protocol headers may come before it)."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process

    def send(self, message: dict) -> None:
        import json

        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def receive(self) -> dict:
        import json

        headers = {}
        while (line := self.process.stdout.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("ascii").partition(":")  # stray text here would not be a header
            assert name in ("Content-Length", "Content-Type"), f"not a protocol header: {line!r}"
            headers[name] = value.strip()
        assert headers, "the server closed stdout"
        return json.loads(self.process.stdout.read(int(headers["Content-Length"])))

    def wait_for(self, matches) -> dict:
        """The next message ``matches`` accepts; a request from the server meanwhile gets a null answer."""
        while True:
            message = self.receive()
            if "method" in message and "id" in message:
                self.send({"id": message["id"], "result": [None]})
            elif matches(message):
                return message
