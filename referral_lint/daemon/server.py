"""The daemon itself (see the package's docstring). The client starts it as a script,
``python .../referral_lint/daemon/server.py``, so that this very copy of the package
serves (a source checkout beside an installed copy must not start the other one);
``python -m referral_lint.daemon.server`` works too.

One thread, one loop over a selector: the listening socket, each client's connection
(readable while its command runs means the client went away: the command is stopped),
and a wake-up pipe that SIGCHLD writes to (a command finished: its status goes back to
its client). A fork is safe because no other thread ever runs here.
"""

from __future__ import annotations

if __name__ == "__main__" and not __package__:  # started as a script: see above
    import importlib.util
    import os
    import sys

    _PACKAGE_PARENT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    del sys.path[0]  # this file's folder, which holds no top-level module
    _FOUND = importlib.util.find_spec("referral_lint")
    if _FOUND is None or os.path.dirname(os.path.dirname(str(_FOUND.origin))) != _PACKAGE_PARENT:
        sys.path.insert(0, _PACKAGE_PARENT)

import gc
import os
import selectors
import signal
import socket
import struct
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from referral_lint.daemon import (
    PASSED_FDS, DaemonError, idle_seconds, install_fingerprint, private_socket_dir, receive_message, send_message,
)
from referral_lint.version import __version__

#: How long a client may take to send its request once connected.
_REQUEST_TIMEOUT = 5.0


@dataclass
class _Daemon:
    listener: socket.socket
    path: str
    inode: int  # of the socket's name, to tell it from a newer daemon's
    idle: float
    started: float = field(default_factory=time.time)
    commands: int = 0
    running: dict[int, socket.socket] = field(default_factory=dict)  # child pid -> its client's connection
    last_active: float = field(default_factory=time.monotonic)
    stopping: bool = False
    wake: tuple[int, ...] = ()  # the pipe SIGCHLD wakes the loop through


def main() -> None:
    try:
        directory = private_socket_dir()
    except DaemonError:
        sys.exit(1)
    fingerprint = install_fingerprint()
    path = str(directory / f"{fingerprint}.sock")
    if _answers(path):
        return  # another daemon serves this installation already
    warm_up()
    listener = _listen(path)
    if listener is None:
        return
    serve(_Daemon(listener, path, os.stat(path).st_ino, idle_seconds()))


def warm_up() -> None:
    """Import what ``check`` and ``fix`` use, build the default Linter and lint every rule
    example once, so that each command forked from here starts warm: the pipeline, the
    compiled rules, their regex automata and the word tables are already in memory."""
    from referral_lint.engine.loader import load_rules
    from referral_lint.linter import linter_for
    from referral_lint.rule_examples import cases

    linter = linter_for(None)
    examples = list(cases(load_rules(())))
    for case in examples:
        linter.lint(case.example.text, channel=case.example.channel)
    _check_once(examples[0].example.text)
    _sign_once(examples[0].example.text)
    gc.collect()
    gc.freeze()  # what every command shares stays shared: the collector never writes to those pages


def _sign_once(text: str) -> None:
    """Where the batch extra is installed, load mass-message detection (datasketch, with numpy
    and scipy: half a second to import) by signing one draft of ours, as ``batch`` does for every
    draft it reads unless told not to."""
    import importlib.util

    if importlib.util.find_spec("datasketch") is None:
        return
    from referral_lint.mass import signature

    signature(text)


def _check_once(text: str) -> None:
    """Run ``check`` once on a draft of ours, in a folder of its own, so that what a command
    imports on first use (the caches, configuration discovery, suppressions, the output
    formats) is imported here once; then forget what it found, which no command may inherit."""
    import contextlib
    import io
    import tempfile
    from pathlib import Path

    from referral_lint import batch, cli, fix, lsp, settings  # noqa: F401  (imported by their commands only)
    from referral_lint.config_discovery import USER_CONFIG_ENV

    user_config = os.environ.get(USER_CONFIG_ENV)
    with tempfile.TemporaryDirectory(prefix="referral-lint-daemon-") as folder:
        draft = Path(folder) / "draft.txt"
        draft.write_text(text, encoding="utf-8")
        # Not the user's configuration: a warning about it must reach the commands, not this run.
        os.environ[USER_CONFIG_ENV] = str(Path(folder) / "no-user-configuration")
        arguments = ["check", "--jobs", "1", "--cache-dir", str(Path(folder) / "cache"), str(draft)]
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                cli.main(args=arguments, prog_name="referral-lint", standalone_mode=True)
        except SystemExit:
            pass
        finally:
            if user_config is None:
                del os.environ[USER_CONFIG_ENV]
            else:
                os.environ[USER_CONFIG_ENV] = user_config
    settings.clear_cache()


def _answers(path: str) -> bool:
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
        return True
    except OSError:
        return False
    finally:
        probe.close()


def _listen(path: str) -> socket.socket | None:
    """Listen at ``path``: bound under a name of its own first, then renamed, so no client
    ever connects to a daemon still starting."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    provisional = f"{path}.{os.getpid()}"
    try:
        listener.bind(provisional)
        os.chmod(provisional, 0o600)
        listener.listen(64)
        os.replace(provisional, path)
    except OSError:
        listener.close()
        return None
    return listener


def serve(daemon: _Daemon) -> None:
    wake_read, wake_write = daemon.wake = os.pipe()
    os.set_blocking(wake_write, False)
    os.set_blocking(wake_read, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)  # only to wake the selector
    signal.signal(signal.SIGTERM, lambda *_: _stop(daemon))
    signal.signal(signal.SIGINT, lambda *_: _stop(daemon))
    selector = selectors.DefaultSelector()
    selector.register(daemon.listener, selectors.EVENT_READ, "listener")
    selector.register(wake_read, selectors.EVENT_READ, "wake")
    try:
        while not (daemon.stopping and not daemon.running):
            if not daemon.running and time.monotonic() - daemon.last_active > daemon.idle:
                break
            for key, _ in selector.select(timeout=1.0):
                if key.data == "listener":
                    _accept(daemon, selector)
                elif key.data == "wake":
                    _drain(wake_read)
                    _reap(daemon, selector)
                else:  # a client went away while its command ran
                    _cancel(daemon, selector, key.data)
            _reap(daemon, selector)
    finally:
        _remove_socket(daemon)
        for pid in list(daemon.running):
            _signal_group(pid, signal.SIGTERM)


def _stop(daemon: _Daemon) -> None:
    daemon.stopping = True
    _remove_socket(daemon)  # no new clients; commands running finish


def _remove_socket(daemon: _Daemon) -> None:
    """Remove the socket if the name is still this daemon's (a newer one may have taken it)."""
    try:
        if os.stat(daemon.path).st_ino == daemon.inode:
            os.unlink(daemon.path)
    except OSError:
        pass


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 512):
            pass
    except BlockingIOError:
        pass


def _accept(daemon: _Daemon, selector: selectors.BaseSelector) -> None:
    try:
        connection, _ = daemon.listener.accept()
    except OSError:
        return
    fds: list[int] = []
    try:
        connection.settimeout(_REQUEST_TIMEOUT)
        if not _same_user(connection):
            connection.close()
            return
        request, fds = receive_message(connection, PASSED_FDS)
        kind = (request or {}).get("kind")
        if kind == "status":
            send_message(connection, _status(daemon))
        elif kind == "stop":
            _stop(daemon)
            send_message(connection, {"stopping": True})
        elif kind == "run" and not daemon.stopping and len(fds) == PASSED_FDS and isinstance(request, dict):
            daemon.last_active = time.monotonic()  # asking for the status is not using it
            pid = _fork_command(daemon, request, fds, selector)
            daemon.running[pid], client = connection, connection
            connection = None  # kept until the command ends
            try:
                send_message(client, {"taken": True})
                client.settimeout(None)
                selector.register(client, selectors.EVENT_READ, pid)
            except OSError:  # the client left already
                _signal_group(pid, signal.SIGTERM)
        else:
            send_message(connection, {"taken": False})
    except (OSError, DaemonError):
        pass
    finally:
        for fd in fds:
            os.close(fd)
        if connection is not None:
            connection.close()


def _same_user(connection: socket.socket) -> bool:
    """Only this user's processes may hand the daemon a command (the socket's folder is
    private too; this holds where the system says who is on the other end)."""
    if not hasattr(socket, "SO_PEERCRED"):
        return True
    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", credentials)
    return uid == os.getuid()


def _status(daemon: _Daemon) -> dict[str, Any]:
    return {
        "pid": os.getpid(), "version": __version__, "started": daemon.started, "commands": daemon.commands,
        "running": len(daemon.running), "idle_seconds": daemon.idle,
    }


def _fork_command(daemon: _Daemon, request: dict[str, Any], fds: list[int], selector: selectors.BaseSelector) -> int:
    pid = os.fork()
    if pid == 0:  # the command's own process: it never returns
        status = 2
        try:
            selector.close()
            daemon.listener.close()
            for connection in daemon.running.values():
                connection.close()
            signal.set_wakeup_fd(-1)
            for fd in daemon.wake:
                os.close(fd)
            status = run_command(request, fds)
        except BaseException:  # as Python would print it, on the client's stderr once it is ours
            import traceback

            traceback.print_exc()
            sys.stderr.flush()
        finally:
            os._exit(status)
    try:
        os.setpgid(pid, pid)  # as the child does: whichever runs first, the group exists before it is signalled
    except OSError:
        pass
    daemon.commands += 1
    return pid


def run_command(request: dict[str, Any], fds: list[int]) -> int:
    """In the forked child: become the client's process (its streams, directory,
    environment, umask) and run its command line; the exit status."""
    os.setpgid(0, 0)  # its workers with it, so that stopping the command stops them all
    for number in (signal.SIGCHLD, signal.SIGTERM):
        signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    _reopen_streams(request.get("streams") or [None, None, None])
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.umask(int(request.get("umask", 0o022)))
    argv = [str(arg) for arg in request["argv"]]
    sys.argv = ["referral-lint", *argv]
    from referral_lint.cli import main as command_line

    try:
        command_line.main(args=argv, prog_name="referral-lint", standalone_mode=True)
        status = 0
    except SystemExit as exit_:
        status = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:
        pass
    return status


def _reopen_streams(encodings: list[Any]) -> None:
    """sys.stdin, stdout and stderr over descriptors 0-2, now the client's, read and written as
    the client would (its encodings; line-buffered on a terminal)."""
    for number, (name, mode) in enumerate((("stdin", "r"), ("stdout", "w"), ("stderr", "w"))):
        encoding, errors = encodings[number] if encodings[number] else ("utf-8", "strict")
        line_buffered = mode == "w" and os.isatty(number)
        stream = open(number, mode, buffering=1 if line_buffered else -1, encoding=encoding, errors=errors, closefd=False)
        if name == "stderr":
            stream.reconfigure(write_through=True)  # as Python's own stderr: never held back
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


def _reap(daemon: _Daemon, selector: selectors.BaseSelector) -> None:
    """Send each finished command's exit status to its client."""
    while True:
        try:
            pid, wait_status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        connection = daemon.running.pop(pid, None)
        daemon.last_active = time.monotonic()
        if connection is None:
            continue
        status = os.waitstatus_to_exitcode(wait_status)
        try:
            selector.unregister(connection)  # KeyError: cancelled, nobody to tell
            send_message(connection, {"exit": status if status >= 0 else 128 - status})
        except (OSError, KeyError, ValueError):
            pass
        connection.close()


def _cancel(daemon: _Daemon, selector: selectors.BaseSelector, pid: int) -> None:
    """The client of command ``pid`` closed its connection (Ctrl-C, or it was killed): stop the
    command and its workers. The command is reaped as any other; nobody hears its status."""
    connection = daemon.running.get(pid)
    if connection is not None:
        try:
            selector.unregister(connection)
        except (KeyError, ValueError):
            pass
    _signal_group(pid, signal.SIGTERM)


def _signal_group(pid: int, number: int) -> None:
    try:
        os.killpg(pid, number)
    except OSError:
        pass


if __name__ == "__main__":
    main()
