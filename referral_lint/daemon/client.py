"""The client side of the daemon: hand a command to it, start it, ask it how it is, stop it.

Standard library only, and little of it: this runs in every ``check`` before anything
else, so what it imports is what a command handed to the daemon costs.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

from referral_lint.daemon import (
    PASSED_FDS, DaemonError, private_socket_dir, receive_message, send_message, socket_dir, socket_path,
)

#: How long to wait for a daemon to take a connection before running the command here.
_CONNECT_TIMEOUT = 2.0
#: How long a daemon may take to say it has taken a command (it reads a request in at most 5 s).
_TAKEN_TIMEOUT = 30.0
#: How long ``start`` waits for a new daemon to answer (it imports spaCy and warms up first).
_START_TIMEOUT = 60.0
#: Exit status when the daemon stopped before the command finished (what was written stays written).
EXIT_DAEMON_LOST = 2


def _connect(path: Path) -> socket.socket | None:
    """A connection to the daemon at ``path``, or None when none listens there (a stale socket is removed)."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.settimeout(_CONNECT_TIMEOUT)
    try:
        connection.connect(str(path))
    except FileNotFoundError:
        connection.close()
        return None
    except ConnectionRefusedError:  # a daemon that died without cleaning up
        connection.close()
        try:
            path.unlink()
        except OSError:
            pass
        return None
    except OSError:
        connection.close()
        return None
    return connection


def run(argv: list[str]) -> int | None:
    """Run ``referral-lint ARGV`` in the daemon, if one serves this installation: its exit
    status, or None when there is none (or it could not take the command), so that the
    caller runs it here. Nothing is written before the daemon has taken the command."""
    try:
        connection = _connect(socket_path())
    except OSError:
        return None
    if connection is None:
        return None
    with connection:
        request = {
            "kind": "run", "argv": argv, "cwd": os.getcwd(), "env": dict(os.environ), "umask": _umask(),
            "streams": [_stream_encoding(stream) for stream in (sys.stdin, sys.stdout, sys.stderr)],
        }
        try:
            send_message(connection, request, list(range(PASSED_FDS)))  # stdin, stdout, stderr
            connection.settimeout(_TAKEN_TIMEOUT)
            reply, _ = _reply(connection)
        except (OSError, DaemonError):
            return None  # not taken (a daemon that took it and then heard nothing stops it)
        if reply.get("taken") is not True:
            return None
        connection.settimeout(None)  # a command takes as long as it takes
        try:
            done, _ = _reply(connection)
        except KeyboardInterrupt:
            # Closing the connection tells the daemon to stop the command (and its workers).
            return 128 + signal.SIGINT
        except (OSError, DaemonError):
            done = {}
        status = done.get("exit")
        if not isinstance(status, int):
            sys.stderr.write("referral-lint: error: the background process stopped before the command finished "
                             "(run it again with --no-daemon)\n")
            return EXIT_DAEMON_LOST
        return status


def _reply(connection: socket.socket) -> tuple[dict[str, Any], list[int]]:
    message, fds = receive_message(connection)
    if message is None:
        raise DaemonError("the daemon closed the connection")
    return message, fds


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _stream_encoding(stream: Any) -> list[str] | None:
    """How this process reads or writes one of its standard streams, for the command to do the same."""
    if stream is None:
        return None
    return [getattr(stream, "encoding", None) or "utf-8", getattr(stream, "errors", None) or "strict"]


def start_in_background() -> None:
    """Start a daemon for this installation, detached, and return at once (the first
    ``check`` does, once its own work is done). Quietly does nothing when it cannot."""
    import subprocess

    try:
        private_socket_dir()
        subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve().parent / "server.py")],  # this copy of the package: see server.py
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, close_fds=True, cwd="/",  # holds no folder of the user's open
        )
    except (OSError, DaemonError):
        pass


def start(wait: float = _START_TIMEOUT) -> int | None:
    """Start a daemon for this installation unless one runs, and wait until it answers: its pid, or None."""
    running = status_of(socket_path())
    if running is not None:
        return running.get("pid")
    start_in_background()
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        time.sleep(0.05)
        running = status_of(socket_path())
        if running is not None:
            return running.get("pid")
    return None


def status_of(path: Path) -> dict[str, Any] | None:
    """What the daemon at ``path`` says of itself (pid, version, commands run, ...), or None."""
    connection = _connect(path)
    if connection is None:
        return None
    with connection:
        try:
            send_message(connection, {"kind": "status"})
            reply, _ = _reply(connection)
        except (OSError, DaemonError):
            return None
    return {**reply, "socket": str(path)}


def every_status() -> list[dict[str, Any]]:
    """The status of each of this user's daemons (one per installation that started one)."""
    directory = socket_dir()
    if not directory.is_dir():
        return []
    found = (status_of(path) for path in sorted(directory.glob("*.sock")))
    return [status for status in found if status is not None]


def stop_all() -> int:
    """Ask each of this user's daemons to exit (commands running finish first); how many were asked."""
    directory = socket_dir()
    stopped = 0
    for path in sorted(directory.glob("*.sock")) if directory.is_dir() else ():
        connection = _connect(path)
        if connection is None:
            continue
        with connection:
            try:
                send_message(connection, {"kind": "stop"})
                _reply(connection)
                stopped += 1
            except (OSError, DaemonError):
                pass
    return stopped
