"""The resident process: ``check``, ``fix``, ``batch`` and ``lsp`` without paying spaCy's start-up every time.

Importing spaCy and building a Linter takes most of a second; linting a draft takes
about a millisecond. So the first ``check`` or ``fix`` of a session starts, after it
has done its work, a background process (the daemon) that imports everything once,
builds the default Linter, lints every rule example to warm it, and waits on a Unix
socket. Each later one is a small client (referral_lint.launcher) that
hands the daemon its arguments, working directory, environment and its stdin, stdout
and stderr themselves (file descriptors passed over the socket), and exits with the
status the daemon sends back.

For each command the daemon forks a child that runs the very same command line
(``referral_lint.cli``) in the client's directory and environment, writing straight to
the client's terminal or pipes, then exits. The daemon never reads a draft: drafts are
only ever in the short-lived children, so nothing private stays in a long-lived process,
and nothing one command does (a team's rules, its configuration, new words) leaks into
the next. Gradle and Bazel keep a server process for the same reason.

Where the daemon lives, and the framing the two sides speak, are here; the client is
``client.py`` (standard library only: it runs before anything else is imported) and the
server is ``server.py``. The daemon is POSIX only (fork, Unix sockets, descriptor passing);
elsewhere every command runs in its own process, as with ``--no-daemon``.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import struct
import sys
from pathlib import Path
from typing import Any

#: off: never use a daemon; auto (the default): use a running one, else start one after the command,
#: unless $CI is set (a build machine's run is its last); on: as auto, $CI or not.
MODE_ENV = "REFERRAL_LINT_DAEMON"
#: Where the sockets are (default: $XDG_RUNTIME_DIR/referral-lint, else a folder of the user's in the temp dir).
DIR_ENV = "REFERRAL_LINT_DAEMON_DIR"
#: Seconds a daemon waits for a command before it exits (default 15 minutes).
IDLE_ENV = "REFERRAL_LINT_DAEMON_IDLE"
DEFAULT_IDLE_SECONDS = 15 * 60

_OFF = ("0", "off", "false", "no")
_HEADER = struct.Struct("!I")
#: A request or reply bigger than this is refused: an environment and a command line fit in far less.
MAX_MESSAGE_BYTES = 4 * 1024 * 1024
#: The client's stdin, stdout and stderr.
PASSED_FDS = 3


class DaemonError(Exception):
    """The daemon could not be reached or answered nonsense: the command runs in its own process instead."""


def mode() -> str:
    """``off``, ``on`` or ``auto`` (any other value of $REFERRAL_LINT_DAEMON counts as ``auto``)."""
    value = os.environ.get(MODE_ENV, "").strip().lower()
    if value in _OFF:
        return "off"
    return "on" if value in ("1", "on", "true", "yes") else "auto"


def supported() -> bool:
    """Whether this platform can run the daemon (fork, Unix sockets, descriptor passing)."""
    return hasattr(os, "fork") and hasattr(socket, "AF_UNIX") and hasattr(socket, "send_fds")


def idle_seconds() -> float:
    try:
        return max(1.0, float(os.environ.get(IDLE_ENV, DEFAULT_IDLE_SECONDS)))
    except ValueError:
        return float(DEFAULT_IDLE_SECONDS)


def socket_dir() -> Path:
    """The user's folder of daemon sockets (short paths: a socket's path must fit in about 100 bytes)."""
    if os.environ.get(DIR_ENV):
        return Path(os.environ[DIR_ENV])
    if os.environ.get("XDG_RUNTIME_DIR"):
        return Path(os.environ["XDG_RUNTIME_DIR"]) / "referral-lint"
    return Path("/tmp") / f"referral-lint-{os.getuid()}"


def private_socket_dir() -> Path:
    """``socket_dir()``, made if missing; refused (DaemonError) unless it is the user's own and
    closed to everyone else, since whoever can reach a socket there runs commands as the user."""
    directory = socket_dir()
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = directory.lstat()
    except OSError as error:
        raise DaemonError(f"cannot make {directory}: {error.strerror}") from None
    if not directory.is_dir() or directory.is_symlink() or info.st_uid != os.getuid() or info.st_mode & 0o077:
        raise DaemonError(f"{directory} must be a folder of this user's that nobody else can open")
    return directory


def install_fingerprint(roots: tuple[Path, ...] | None = None) -> str:
    """A key for this installation as it is on disk now: the Python environment and the
    distributions installed in it (spaCy's version among them), and the size and
    modification time of every file of the package and of the built-in rules (``roots``).
    An upgrade, of referral-lint or of what it uses, or an edit of the source gets a new
    daemon; the old one idles out."""
    if roots is None:
        from referral_lint.builtin_rules import builtin_rules_dir

        roots = (Path(__file__).resolve().parent.parent, builtin_rules_dir())
    from referral_lint.cache_settings import installed_distributions

    digest = hashlib.sha256(f"{sys.prefix}\0{sys.version}".encode())
    for site_directory, installed in installed_distributions():
        digest.update(f"{site_directory}\0{installed}\0".encode())
    for root in roots:
        for folder, directories, files in os.walk(root):
            directories[:] = sorted(d for d in directories if d != "__pycache__")
            for name in sorted(files):
                if name.endswith((".py", ".yaml", ".yml", ".json", ".html", ".js", ".css")):
                    info = os.stat(os.path.join(folder, name))
                    digest.update(f"{folder}/{name}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return digest.hexdigest()[:20]


def socket_path(fingerprint: str | None = None) -> Path:
    """The socket of the daemon for this installation (``fingerprint``: install_fingerprint())."""
    return socket_dir() / f"{fingerprint or install_fingerprint()}.sock"


def send_message(connection: socket.socket, message: dict[str, Any], fds: list[int] | None = None) -> None:
    """Send ``message`` as length-prefixed JSON, with ``fds`` riding along the first bytes."""
    data = json.dumps(message).encode()
    framed = _HEADER.pack(len(data)) + data
    sent = socket.send_fds(connection, [framed], fds) if fds else 0
    if sent < len(framed):
        connection.sendall(framed[sent:])


def receive_message(connection: socket.socket, max_fds: int = 0) -> tuple[dict[str, Any] | None, list[int]]:
    """One message and the descriptors that came with it; (None, []) when the other side closed first.

    Raises DaemonError on a message that is not one of ours."""
    if max_fds:
        data, fds, _flags, _address = socket.recv_fds(connection, 65536, max_fds)
    else:
        data, fds = connection.recv(65536), []
    try:
        if not data:
            return None, fds
        while len(data) < _HEADER.size:
            more = connection.recv(65536)
            if not more:
                raise DaemonError("the connection closed inside a message")
            data += more
        (length,) = _HEADER.unpack_from(data)
        if length > MAX_MESSAGE_BYTES:
            raise DaemonError(f"a message of {length} bytes is over the limit")
        while len(data) < _HEADER.size + length:
            more = connection.recv(min(65536, _HEADER.size + length - len(data)))
            if not more:
                raise DaemonError("the connection closed inside a message")
            data += more
        message = json.loads(data[_HEADER.size : _HEADER.size + length])
        if not isinstance(message, dict):
            raise DaemonError("a message that is not a JSON object")
        return message, fds
    except (DaemonError, ValueError) as error:
        for fd in fds:
            os.close(fd)
        raise DaemonError(str(error)) from None
