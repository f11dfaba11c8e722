"""The Starlette application: the page, the JSON API, and the guards in front of both.

The guards keep the drafts on this machine's own page. A request must name this server
in its ``Host`` header (so a DNS-rebinding page, whose requests carry its own host name,
is refused), and a request with an ``Origin`` must come from this server's own page (so
another site the user visits cannot post a draft here and read the answer). No CORS
header is ever sent. A body is read up to a cap and no further.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from referral_lint.config import ConfigError
from referral_lint.inputs import MAX_CHARACTERS, too_long
from referral_lint.web import DEFAULT_HOST, DEFAULT_PORT
from referral_lint.web.service import ChannelError, LintService
from referral_lint.yamlsource import RuleError

#: The names a browser on this machine uses for a server on the loopback interface.
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
#: The most bytes a request body may have: a draft at the character cap, every character
#: written as a JSON escape pair (12 bytes, an emoji), and room for the other fields.
MAX_BODY_BYTES = 12 * MAX_CHARACTERS + 4096

_PAGE_HEADERS = {
    # The page loads only its own files and talks only to its own API; nobody may frame it.
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _static_dir() -> str:
    from importlib.resources import files

    return str(files("referral_lint.web") / "static")


def own_hosts(host: str, port: int) -> frozenset[str]:
    """The ``Host`` header values that name this server (with the port; without it on port 80)."""
    names = {*LOOPBACK_NAMES, f"[{host}]" if ":" in host and not host.startswith("[") else host}
    hosts = {f"{name}:{port}" for name in names}
    if port == 80:
        hosts |= names
    return frozenset(hosts)


class ApiError(Exception):
    """A request the API refuses: its HTTP status and a one-line message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=_PAGE_HEADERS)


class Guard:
    """ASGI middleware: refuse a foreign ``Host`` or ``Origin`` before anything else runs."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str]) -> None:
        self.app = app
        self.hosts = hosts
        self.origins = frozenset(f"http://{host}" for host in hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]}
        problem = None
        if headers.get("host", "").lower() not in self.hosts:
            problem = "this server answers only requests addressed to it (Host is not this server)"
        elif "origin" in headers and headers["origin"].lower() not in self.origins:
            problem = "this server answers only its own page (Origin is another site)"
        if problem is not None:
            await _error(403, problem)(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _read_json(request: Request) -> dict[str, Any]:
    """The request's JSON object, read no further than the cap."""
    declared = request.headers.get("content-length")
    too_big = ApiError(413, too_long())
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise too_big
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise too_big
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise ApiError(400, "the request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiError(400, 'the request body must be a JSON object such as {"text": "...", "channel": "detect"}')
    text = data.get("text")
    if not isinstance(text, str):
        raise ApiError(400, '"text" must be a string: the draft')
    problem = too_long(len(text))
    if problem:
        raise ApiError(413, problem)
    channel = data.get("channel")
    if channel is not None and not isinstance(channel, str):
        raise ApiError(400, '"channel" must be a string')
    if not isinstance(data.get("unsafe", False), bool):
        raise ApiError(400, '"unsafe" must be true or false')
    return data


def _unusable(error: RuleError | ConfigError) -> Response:
    """A rule or configuration file edited, while the server runs, into one that does not
    load: 503 (the server is fine and answers again once the file is fixed), naming the
    file, line and key."""
    what = "a rule file" if isinstance(error, RuleError) else "the configuration"
    return _error(503, f"cannot use {what}: {error}")


def _endpoint(handle: Callable[[dict[str, Any]], Any]) -> Callable[[Request], Awaitable[Response]]:
    """A POST endpoint: the JSON body in, ``handle``'s result out as JSON; refusals as one-line errors."""

    async def endpoint(request: Request) -> Response:
        try:
            data = await _read_json(request)
            result = handle(data)  # in the event loop: one lint at a time, in order
        except ApiError as error:
            return _error(error.status, error.message)
        except ChannelError as error:
            return _error(400, str(error))
        except (RuleError, ConfigError) as error:
            return _unusable(error)
        except Exception as error:  # a bug must not take the server down; the draft is not logged
            return _error(500, f"internal error while linting ({type(error).__name__}); please report it")
        return JSONResponse(result, headers=_PAGE_HEADERS)

    return endpoint


def create_app(service: LintService, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> ASGIApp:
    """The server's application for ``service``, answering as ``host:port``."""
    static = _static_dir()

    async def page(request: Request) -> Response:
        return FileResponse(f"{static}/index.html", headers=_PAGE_HEADERS)

    async def rules(request: Request) -> Response:
        try:
            return JSONResponse(service.rules_json(), headers=_PAGE_HEADERS)
        except (RuleError, ConfigError) as error:
            return _unusable(error)

    async def http_error(request: Request, error: HTTPException) -> Response:
        # A wrong path or method: the API's one-line JSON error, not Starlette's plain text.
        return _error(error.status_code, f"{request.method} {request.url.path}: {error.detail}")

    app = Starlette(
        routes=[
            Route("/", page),
            Route("/api/lint", _endpoint(lambda data: service.lint_json(data["text"], data.get("channel"))), methods=["POST"]),
            Route(
                "/api/fix",
                _endpoint(lambda data: service.fix_json(data["text"], data.get("channel"), unsafe=data.get("unsafe") is True)),
                methods=["POST"],
            ),
            Route("/api/rules", rules),
            Mount("/static", StaticFiles(directory=static)),
        ],
        exception_handlers={HTTPException: http_error},
    )
    return Guard(app, own_hosts(host, port))
