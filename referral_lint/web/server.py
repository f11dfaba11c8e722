"""Starting the server: bind the socket, warm the linter, hand both to uvicorn."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NoReturn

from referral_lint.extras import install_hint
from referral_lint.web import DEFAULT_HOST, DEFAULT_PORT

EXTRA = "web"


class ServeError(Exception):
    """Why the server cannot start (one line for the user)."""


def require_web_extra() -> None:
    """Fail with what to install when the server's libraries are missing."""
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as error:
        raise ServeError(
            f"serve needs the {EXTRA!r} extra ({error.name} is not installed): {install_hint(EXTRA)}"
        ) from None


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable only from this machine."""
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: any free port)."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
        family, _, _, _, address = infos[0]
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as error:
        raise ServeError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    return sock


def url_of(sock: socket.socket, host: str) -> str:
    """The address to open in a browser for a server listening on ``sock``."""
    port = sock.getsockname()[1]
    shown = f"[{host.strip('[]')}]" if ":" in host else host
    return f"http://{shown}:{port}/"


@dataclass
class Server:
    """A bound, warmed server, ready to run (in this thread, or another one in tests)."""

    sock: socket.socket
    url: str
    uvicorn: Any

    def run(self) -> None:
        self.uvicorn.run(sockets=[self.sock])

    def stop(self) -> None:
        self.uvicorn.should_exit = True


@contextmanager
def running_in_thread(**options: Any) -> Iterator[str]:
    """A server on a free port of 127.0.0.1 in a background thread (``options`` as for
    ``prepare``), for tests, the screenshot script and the latency bench; yields the page's URL."""
    server = prepare(host=DEFAULT_HOST, port=0, **options)
    thread = threading.Thread(target=server.run, name="referral-lint-serve", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.uvicorn.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.stop()
            raise ServeError("the server did not start")
        time.sleep(0.01)
    try:
        yield server.url
    finally:
        server.stop()
        thread.join(5)


def prepare(*, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, config_file: str | None = None, isolated: bool = False) -> Server:
    """Bind ``host:port``, build and warm the linter, and set up uvicorn to serve the page.

    Raises ServeError (a missing extra, a busy port), or the ConfigError / RuleError of
    a bad configuration.
    """
    require_web_extra()
    import uvicorn

    from referral_lint.web.app import create_app
    from referral_lint.web.service import LintService

    service = LintService(config_file=config_file, isolated=isolated)
    sock = bind(host, port)
    service.warm_up()  # the pipeline is loaded and every rule has run once before the first request
    app = create_app(service, host=host.strip("[]"), port=sock.getsockname()[1])
    config = uvicorn.Config(
        app, log_level="warning", proxy_headers=False, server_header=False, lifespan="off", timeout_graceful_shutdown=2,
    )
    return Server(sock, url_of(sock, host), uvicorn.Server(config))


def run(
    *, host: str, port: int, open_browser: bool, config_file: str | None, isolated: bool, fail: Callable[[str], NoReturn],
) -> None:
    """``referral-lint serve``: start, print the address, serve until Ctrl+C. ``fail`` ends with a one-line error."""
    import click

    from referral_lint.config import ConfigError
    from referral_lint.yamlsource import RuleError

    try:
        server = prepare(host=host, port=port, config_file=config_file, isolated=isolated)
    except (ServeError, ConfigError, RuleError) as error:
        fail(str(error))
    except Exception as error:  # a trained pipeline that is missing or broken: one line, as check says it
        fail(f"cannot load the pipeline: {error}")
    if not is_loopback(host):
        click.echo(
            f"referral-lint: warning: listening on {host}, not 127.0.0.1: other machines on the network can reach this page",
            err=True,
        )
    click.echo(f"referral-lint: checking drafts at {server.url} (Ctrl+C to stop)")
    if open_browser:
        import webbrowser

        webbrowser.open(server.url)  # the socket already listens: the browser's request waits for uvicorn
    try:
        server.run()
    except KeyboardInterrupt:
        pass
