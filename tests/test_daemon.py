"""The daemon (referral_lint.daemon): check and fix handed to a resident process give what
they give in their own process, and the daemon is private, starts itself, stops itself,
stops a command whose client went away, and is never needed."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from helpers import JsonRpcPipe, write

from referral_lint import daemon as daemon_package
from referral_lint.daemon import DaemonError, install_fingerprint, receive_message, send_message

pytestmark = pytest.mark.skipif(not daemon_package.supported(), reason="the daemon needs fork and Unix sockets")

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO / "examples" / "message").glob("*.txt"))
COMMAND = [sys.executable, "-m", "referral_lint"]


def _environment(socket_dir: Path, **extra: str) -> dict[str, str]:
    # The package under test from any folder a command runs in (CI also installs a copy of it,
    # elsewhere: a daemon serves one copy only).
    python_path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": python_path, "REFERRAL_LINT_DAEMON_DIR": str(socket_dir), "REFERRAL_LINT_DAEMON": "on", **extra}
    for name in ("NO_COLOR", "FORCE_COLOR", "CI"):
        env.pop(name, None)
    return env


def _run(env: dict[str, str], *args: str, cwd: Path | None = None, input: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, *args], env=env, cwd=cwd, input=input, capture_output=True, text=True, timeout=120)


def _commands_run(env: dict[str, str]) -> int:
    """How many commands this test's daemon has run (it must be running)."""
    status = _run(env, "daemon", "status")
    assert status.returncode == 0, status.stdout + status.stderr
    return int(status.stdout.split("commands ")[1].split()[0])


def _wait_for(condition, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def socket_dir():
    # A short path of its own: a Unix socket's path must fit in about 100 bytes.
    directory = Path(tempfile.mkdtemp(prefix="rld-", dir="/tmp"))
    yield directory
    subprocess.run([*COMMAND, "daemon", "stop"], env=_environment(directory), capture_output=True, timeout=60)
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def running():
    """One daemon for the tests that only use it: (its environment, its socket folder)."""
    directory = Path(tempfile.mkdtemp(prefix="rld-", dir="/tmp"))
    env = _environment(directory, REFERRAL_LINT_DAEMON_IDLE="300")
    started = _run(env, "daemon", "start")
    assert started.returncode == 0, started.stderr
    assert started.stdout.startswith("referral-lint daemon running, pid ")
    yield env
    _run(env, "daemon", "stop")
    shutil.rmtree(directory, ignore_errors=True)


def _in_own_process(env: dict[str, str]) -> dict[str, str]:
    return {**env, "REFERRAL_LINT_DAEMON": "off"}


def test_check_in_the_daemon_prints_and_exits_as_in_its_own_process(running, tmp_path):
    args = ("check", "--cache-dir", str(tmp_path / "cache"), *map(str, EXAMPLES))
    before = _commands_run(running)
    handed = _run(running, *args)
    assert _commands_run(running) == before + 1
    own = _run(_in_own_process(running), *args)
    assert (handed.returncode, handed.stdout, handed.stderr) == (own.returncode, own.stdout, own.stderr)
    assert handed.returncode == 1
    assert "bad-short-refer-me.txt:3:38: demanding-phrasing" in handed.stdout


def test_check_of_stdin_in_the_daemon(running):
    draft = "Refer me to your manager ASAP."
    before = _commands_run(running)
    handed = _run(running, "check", "--no-cache", "--output-format", "concise", "-", input=draft)
    assert _commands_run(running) == before + 1
    own = _run(_in_own_process(running), "check", "--no-cache", "--output-format", "concise", "-", input=draft)
    assert (handed.returncode, handed.stdout) == (own.returncode, own.stdout) == (1, own.stdout)
    assert '<stdin>:1:26: demanding-phrasing [error] "ASAP" rushes the reader' in handed.stdout


def test_usage_and_input_errors_in_the_daemon(running, tmp_path):
    bogus = _run(running, "check", "--bogus", "x.txt")
    assert bogus.returncode == 2
    assert "No such option '--bogus'" in bogus.stderr
    missing = _run(running, "check", "--no-cache", "missing.txt", cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stderr.splitlines()[0] == "referral-lint: error: missing.txt: no such file or directory"


def test_fix_in_the_daemon_writes_in_the_clients_folder(running, tmp_path):
    draft = "Hi Ana,\n\nCould you refer me to the analyst role ASAP? Thank you for your time.\n\nBest,\nSam\n"
    handed_dir, own_dir = tmp_path / "handed", tmp_path / "own"
    write(handed_dir / "draft.txt", draft)
    write(own_dir / "draft.txt", draft)
    before = _commands_run(running)
    handed = _run(running, "fix", "--no-cache", "draft.txt", cwd=handed_dir)
    assert _commands_run(running) == before + 1
    own = _run(_in_own_process(running), "fix", "--no-cache", "draft.txt", cwd=own_dir)
    assert (handed.returncode, handed.stdout, handed.stderr) == (own.returncode, own.stdout, own.stderr)
    fixed = (handed_dir / "draft.txt").read_text(encoding="utf-8")
    assert fixed == (own_dir / "draft.txt").read_text(encoding="utf-8")
    assert "ASAP" not in fixed


def test_what_stays_in_its_own_process(running, tmp_path):
    before = _commands_run(running)
    assert _run(running, "check", "--no-daemon", "--no-cache", str(EXAMPLES[0])).returncode in (0, 1)
    assert _run(running, "rules").returncode == 0
    assert _run({**running, "REFERRAL_LINT_DAEMON": "off"}, "check", "--no-cache", str(EXAMPLES[0])).returncode in (0, 1)
    assert _commands_run(running) == before


def test_a_command_whose_client_went_away_is_stopped(running):
    # The command reads stdin, which this test holds open: it runs until its client is killed.
    before = _commands_run(running)
    client = subprocess.Popen([*COMMAND, "check", "-"], env=running, stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _wait_for(lambda: _commands_run(running) == before + 1)
        assert "running 1" in _run(running, "daemon", "status").stdout
        client.send_signal(signal.SIGKILL)
        client.wait(timeout=30)
        assert _wait_for(lambda: "running 0" in _run(running, "daemon", "status").stdout, 30)
    finally:
        client.kill()
        client.stdin.close()


def test_the_first_command_starts_a_daemon_and_idle_ends_it(socket_dir):
    env = _environment(socket_dir, REFERRAL_LINT_DAEMON="auto", REFERRAL_LINT_DAEMON_IDLE="3")
    first = _run(env, "check", "--no-cache", str(EXAMPLES[0]))
    assert first.returncode in (0, 1)
    assert _wait_for(lambda: _run(env, "daemon", "status").returncode == 0)
    assert len(list(socket_dir.glob("*.sock"))) == 1
    # Idle for 3 s, it exits and takes its socket with it.
    assert _wait_for(lambda: _run(env, "daemon", "status").returncode == 1, 30)
    assert _wait_for(lambda: not list(socket_dir.glob("*.sock")), 10)
    assert _run(env, "daemon", "status").stdout == "no referral-lint daemon is running\n"


def test_no_daemon_is_started_on_a_build_machine(socket_dir):
    env = _environment(socket_dir, REFERRAL_LINT_DAEMON="auto", CI="true")
    assert _run(env, "check", "--no-cache", str(EXAMPLES[0])).returncode in (0, 1)
    time.sleep(1.0)
    assert not list(socket_dir.glob("*.sock"))


def _socket_path(env: dict[str, str]) -> Path:
    """Where a command run with ``env`` looks for its daemon (the package it imports decides)."""
    code = "from referral_lint.daemon import socket_path; print(socket_path())"
    return Path(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.strip())


def test_a_stale_socket_is_removed_and_the_command_runs_here(socket_dir):
    env = _environment(socket_dir, CI="true", REFERRAL_LINT_DAEMON="auto")
    stale = _socket_path(env)
    assert stale.parent == socket_dir
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(stale))  # bound, never listening: what a daemon killed with SIGKILL leaves
    dead.close()
    result = _run(env, "check", "--no-cache", "--output-format", "concise", "-", input="Refer me ASAP.")
    assert result.returncode == 1
    assert "demanding-phrasing" in result.stdout
    assert not stale.exists()


def test_a_socket_folder_open_to_others_is_refused(socket_dir):
    socket_dir.chmod(0o777)
    env = _environment(socket_dir)
    started = _run(env, "daemon", "start")
    assert started.returncode == 2
    assert started.stderr == f"referral-lint: error: {socket_dir} must be a folder of this user's that nobody else can open\n"
    # A command still runs, in its own process.
    assert _run(env, "check", "--no-cache", str(EXAMPLES[0])).returncode in (0, 1)
    assert not list(socket_dir.glob("*.sock"))


def test_the_fingerprint_follows_the_files(tmp_path, monkeypatch):
    site_packages = tmp_path / "site-packages"
    (site_packages / "spacy-3.8.3.dist-info").mkdir(parents=True)
    from referral_lint import cache_settings

    monkeypatch.setattr(cache_settings.site, "getsitepackages", lambda: [str(site_packages)])
    monkeypatch.setattr(cache_settings.site, "ENABLE_USER_SITE", False)
    package = tmp_path / "package"
    module = write(package / "module.py", "x = 1\n")
    first = install_fingerprint((package,))
    assert install_fingerprint((package,)) == first
    write(package / "__pycache__" / "module.cpython-311.pyc", "compiled")
    assert install_fingerprint((package,)) == first  # bytecode comes and goes
    module.write_text("x = 22\n", encoding="utf-8")
    assert install_fingerprint((package,)) != first
    second = install_fingerprint((package,))
    os.utime(module, ns=(module.stat().st_atime_ns, module.stat().st_mtime_ns + 1_000_000_000))
    assert install_fingerprint((package,)) != second
    third = install_fingerprint((package,))
    (site_packages / "spacy-3.8.3.dist-info").rename(site_packages / "spacy-3.8.4.dist-info")  # an upgrade
    assert install_fingerprint((package,)) != third


def test_messages_are_framed_and_checked():
    left, right = socket.socketpair()
    with left, right:
        send_message(left, {"kind": "status", "text": "x" * 100_000})  # longer than one read, within the socket buffer
        assert receive_message(right) == ({"kind": "status", "text": "x" * 100_000}, [])
        left.sendall((10 * 1024 * 1024).to_bytes(4, "big"))
        with pytest.raises(DaemonError, match="over the limit"):
            receive_message(right)
    left, right = socket.socketpair()
    with left, right:
        payload = b"[1, 2]"
        left.sendall(len(payload).to_bytes(4, "big") + payload)
        with pytest.raises(DaemonError, match="not a JSON object"):
            receive_message(right)
        left.close()
        assert receive_message(right) == (None, [])


def test_the_client_imports_neither_spacy_nor_the_command_line():
    from helpers import HEAVY_MODULES_LOADED, run_python

    code = (
        "import sys\nfrom referral_lint import launcher\nfrom referral_lint.daemon import client, install_fingerprint\n"
        "install_fingerprint()\n" + HEAVY_MODULES_LOADED + "print(loaded, 'click' in sys.modules, 'yaml' in sys.modules)\n"
    )
    assert run_python(code).stdout == "[] False False\n"


def test_a_configuration_edited_between_two_commands_counts_at_once(running, tmp_path):
    write(tmp_path / "draft.txt", "Refer me to your manager ASAP.\n")
    config = write(tmp_path / ".referral-lint.yaml", "select: [demanding-phrasing]\n")
    first = _run(running, "check", "--output-format", "concise", "draft.txt", cwd=tmp_path)
    assert [line.split(": ")[1].split()[0] for line in first.stdout.splitlines()] == ["demanding-phrasing", "demanding-phrasing"]
    config.write_text("select: [gratitude]\n", encoding="utf-8")
    second = _run(running, "check", "--output-format", "concise", "draft.txt", cwd=tmp_path)
    assert [line.split(": ")[1].split()[0] for line in second.stdout.splitlines()] == ["gratitude"]


def _output_on_a_terminal(env: dict[str, str], *args: str) -> str:
    """What the command writes to a terminal (a pseudo-terminal here) as its stdout."""
    import pty

    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen([*COMMAND, *args], env=env, stdout=terminal, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        os.close(terminal)
        chunks = []
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal's other end closed: the command is done
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=60)
    finally:
        os.close(controller)
    return b"".join(chunks).decode()


def test_the_command_sees_the_clients_terminal(running):
    args = ("check", "--no-cache", str(EXAMPLES[0]))
    before = _commands_run(running)
    handed = _output_on_a_terminal(running, *args)
    assert _commands_run(running) == before + 1
    assert "\x1b[" in handed  # coloured: the daemon's child writes to the client's terminal itself
    assert handed == _output_on_a_terminal(_in_own_process(running), *args)


def test_a_daemon_that_never_takes_the_command_is_not_waited_for(socket_dir, monkeypatch):
    from referral_lint.daemon import client

    monkeypatch.setenv("REFERRAL_LINT_DAEMON_DIR", str(socket_dir))
    monkeypatch.setattr(client, "_TAKEN_TIMEOUT", 0.5)
    silent = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with silent:
        silent.bind(str(daemon_package.socket_path()))
        silent.listen(1)  # connections wait in its queue, never answered
        started = time.monotonic()
        assert client.run(["check", "draft.txt"]) is None  # so the command runs in its own process
        assert time.monotonic() - started < 5


def test_the_language_server_runs_in_the_daemon(running):
    before = _commands_run(running)
    process = subprocess.Popen([*COMMAND, "lsp"], env=running, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    editor = JsonRpcPipe(process)
    try:
        editor.send({"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {},
                                                                  "initializationOptions": {"debounceMs": 0}}})
        assert "capabilities" in editor.wait_for(lambda m: m.get("id") == 1)["result"]
        editor.send({"method": "initialized", "params": {}})
        uri = "file:///drafts/note.txt"
        editor.send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "plaintext", "version": 1, "text": "Refer me to your manager ASAP.\n"}}})
        published = editor.wait_for(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri)
        asap = [d for d in published["params"]["diagnostics"] if d["range"]["start"] == {"line": 0, "character": 25}]
        assert [d["code"] for d in asap] == ["demanding-phrasing"]
        assert _commands_run(running) == before + 1
        editor.send({"id": 2, "method": "shutdown", "params": None})
        editor.wait_for(lambda m: m.get("id") == 2)
        editor.send({"method": "exit", "params": None})
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()


def test_batch_in_the_daemon_writes_what_it_writes_in_its_own_process(running):
    samples = REPO / "tests" / "doc_samples"
    args = ("batch", "drafts.jsonl", "--id-field", "id", "--no-mass-messages")
    before = _commands_run(running)
    handed = _run(running, *args, cwd=samples)
    assert _commands_run(running) == before + 1
    own = _run(_in_own_process(running), *args, cwd=samples)
    assert (handed.returncode, handed.stdout) == (own.returncode, own.stdout)
    assert [line.split('"id":')[1].split(",")[0] for line in handed.stdout.splitlines()] == ['"ana"', '"raj"', '"lee"']
    # The summary on stderr differs only in the time it took.
    assert handed.stderr.split(" in ")[0] == own.stderr.split(" in ")[0] == "3 records"


def test_a_daemon_that_dies_during_a_command_is_reported_in_one_line(socket_dir):
    env = _environment(socket_dir, REFERRAL_LINT_DAEMON_IDLE="60")
    assert _run(env, "daemon", "start").returncode == 0
    daemon_pid = int(_run(env, "daemon", "status").stdout.split()[1])
    client = subprocess.Popen([*COMMAND, "check", "-"], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert _wait_for(lambda: "running 1" in _run(env, "daemon", "status").stdout)
        os.kill(daemon_pid, signal.SIGKILL)
        client.stdin.write("Refer me ASAP.")
        client.stdin.close()  # the orphaned command may finish; its client has stopped waiting for it
        assert client.wait(timeout=30) == 2
        assert (
            "referral-lint: error: the background process stopped before the command finished (run it again with --no-daemon)\n"
            in client.stderr.read()
        )
    finally:
        client.kill()
