"""The language server: ``referral-lint lsp`` (JSON-RPC over stdio), built on pygls.

What an editor gets:

- diagnostics for every open plain-text, markdown or email draft, on open and on each
  change (debounced), for the unsaved text; cleared when the document closes;
- code actions: each suggestion as a quick fix, ``source.fixAll.referral-lint`` (every
  safe fix in the document), and "ignore this rule in this document";
- hover on an underlined span: the rule's reasoning and a good example.

How it works: every lint goes through one :class:`referral_lint.session.LintSession`,
as ``check`` does: the reader by language id (or the file's extension), the
configuration file above the document (``per-path`` entries included) under the
editor's options, the ignore comments and ignore file. The session (and its pipeline)
is built once per server, and again when the settings or a configuration file change;
each lint runs on one worker thread, so the event loop keeps
answering requests, and a document over ``BIG_DOCUMENT`` characters in a process of
its own, so that a big buffer never delays a small one; every change bumps the document's generation, and a lint whose
generation is no longer current is dropped instead of published. Offsets from the
linter are Python code points; they are converted to LSP positions in the encoding
negotiated at ``initialize`` (UTF-16 unless the client offers UTF-8 or UTF-32).

Helpers: :mod:`referral_lint.lsp_positions` (offsets and LSP positions) and
:mod:`referral_lint.lsp_settings` (settings, read in one function, :func:`load_settings`).
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
import multiprocessing
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlparse
from urllib.request import url2pathname

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import to_fs_path

from referral_lint import __version__
from referral_lint.config import ConfigError
from referral_lint.yamlsource import RuleError
from referral_lint.fix import plan_fixes
from referral_lint.formats import applicability_note
from referral_lint.inputs import InputError, one_line, too_long
from referral_lint.lsp_positions import ENCODINGS, PositionMap
from referral_lint.lsp_settings import CONFIG_FILE_GLOBS, SETTINGS_SECTION, ServerSettings, load_settings, our_section
from referral_lint.model import Applicability, Report, Severity, Violation
from referral_lint.session import LintSession

logger = logging.getLogger("referral_lint.lsp")

SERVER_NAME = "referral-lint"
SOURCE = "referral-lint"
#: How long a message to the editor may be (a popup, a log line): longer ones are cut.
MESSAGE_LIMIT = 300
RULE_DOC_URL = "https://referral-lint.readthedocs.io/en/latest/rules/{rule}/"
FIX_ALL_KIND = "source.fixAll.referral-lint"
IGNORE_RULE_COMMAND = "referral-lint.ignoreRule"


def position_encoding_of(server: LanguageServer) -> str:
    """The position encoding negotiated with the client ("utf-16" before initialize)."""
    try:
        encoding = server.workspace.position_encoding
    except RuntimeError:
        return "utf-16"
    encoding = getattr(encoding, "value", encoding)
    return encoding if encoding in ENCODINGS else "utf-16"


# --- the protocol: malformed messages get an error response ------------------------

_HANDLED = object()  # a message already answered with an error


class _Protocol(LanguageServerProtocol):
    """pygls' protocol, plus JSON-RPC error responses for malformed messages.

    pygls logs a request whose params do not fit the method and drops it, leaving the
    client waiting; here it gets an "invalid params" error response. A body that is
    not JSON gets a "parse error" response (id null), one that is not a JSON-RPC
    message an "invalid request" response. The server keeps running either way.
    """

    def structure_message(self, data: dict[str, Any]):
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            if isinstance(data, dict) and "id" in data and "method" in data:
                cause = error.__cause__ or error
                message = f"invalid params for {data.get('method')!r}: {one_line(cause, MESSAGE_LIMIT)}"
                self._send_error(data["id"], lsp.ErrorCodes.InvalidParams, message)
                return _HANDLED
            raise

    def handle_message(self, message: Any) -> None:
        if message is _HANDLED:
            return
        if not hasattr(message, "jsonrpc"):
            msg_id = message.get("id") if isinstance(message, dict) else None
            self._send_error(msg_id, lsp.ErrorCodes.InvalidRequest, "not a JSON-RPC 2.0 message")
            return
        if not self._lifecycle_allows(message):
            return
        super().handle_message(message)

    def _lifecycle_allows(self, message: Any) -> bool:
        """The protocol's order: nothing but initialize (or exit) before initialize, an
        error for a request after shutdown (pygls drops both silently, or fails with -32603)."""
        method = getattr(message, "method", None)
        if method is None or method == lsp.EXIT:
            return True
        request = hasattr(message, "id")
        if self._shutdown:
            if request:
                self._send_error(message.id, lsp.ErrorCodes.InvalidRequest, f"{method}: the server is shut down")
            return False
        if method == lsp.INITIALIZE:
            self._initialize_requested = True
        elif not getattr(self, "_initialize_requested", False):
            if request:
                self._send_error(message.id, lsp.ErrorCodes.ServerNotInitialized, f"{method}: initialize first")
            return False  # a notification before initialize is dropped, as the protocol says
        return True

    def _send_error(self, msg_id: Any, code: int, message: str) -> None:
        msg_id = msg_id if isinstance(msg_id, (int, str)) and not isinstance(msg_id, bool) else None
        logger.warning("answering message %r with error %s: %s", msg_id, int(code), message)
        # A plain dict, so that an unknown id is sent as "id": null (cattrs would leave it out).
        self._send_data({"jsonrpc": "2.0", "id": msg_id, "error": {"code": int(code), "message": message}})


def _not_linted(problem: str) -> lsp.Diagnostic:
    """The one diagnostic of a document over the input cap (it is not linted)."""
    return lsp.Diagnostic(
        range=lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(line=0, character=0)),
        message=f"{problem}: not linted.",
        severity=lsp.DiagnosticSeverity.Warning,
        source=SOURCE,
    )


# --- the server ------------------------------------------------------------------

# Documents longer than this are linted in a process of their own (started with the first
# of them): one at the 100,000-character cap takes a second or more, and on the lint thread a
# small document opened after it waited for it (2 s). Threads would not do: the Linters
# share one spaCy vocabulary, which a lint past its string bound frees in a memory zone.
BIG_DOCUMENT = 20_000

_big_document_server: ReferralLintServer | None = None  # in the big-document process


def _lint_big_document(root: Path | None, settings: ServerSettings, text: str, language_id: str | None, uri: str) -> _Lint:
    """In the big-document process: lint as the server's lint thread would, with its settings."""
    global _big_document_server
    if _big_document_server is None:
        _big_document_server = ReferralLintServer()
    _big_document_server.root, _big_document_server.settings = root, settings
    return _big_document_server._lint_now(text, language_id, uri)



@dataclass(frozen=True)
class _Lint:
    """One lint of a document's text: the report (its .text is that text) and the rules that ran."""

    report: Report
    rules: Mapping[str, Any]  # rule id -> RuleSpec, for hover
    note: str | None = None  # why the document's configuration file could not be used


@dataclass
class _Document:
    """The server's state for one open document."""

    uri: str
    generation: int = 0  # bumped by every change; a lint of an older generation is dropped
    task: asyncio.Task | None = None
    lint: _Lint | None = None  # the latest lint
    linted: bool = False  # whether diagnostics were published for it


_SEVERITY = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.INFO: lsp.DiagnosticSeverity.Information,
}


class ReferralLintServer(LanguageServer):
    """The referral-lint language server (one per editor session)."""

    def __init__(self) -> None:
        # Full sync: drafts are small, and it keeps the server's copy exact (pygls'
        # incremental sync splits lines as Python does, on \f and U+2028 too).
        super().__init__(
            SERVER_NAME, __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Full, protocol_cls=_Protocol
        )
        self.settings = ServerSettings()
        self.root: Path | None = None
        self.init_options: Mapping[str, Any] | None = None
        self.editor_options: Mapping[str, Any] | None = None
        self.documents: dict[str, _Document] = {}
        #: Rules ignored per document URI (the "ignore this rule in this document" action);
        #: kept until the server stops, so a document closed and opened again keeps them.
        self.ignored: dict[str, set[str]] = {}
        self._session: LintSession | None = None  # only touched on the lint thread
        self._session_options: Mapping[str, Any] | None = None  # the editor options it was built with
        self._builtin_rules: frozenset[str] = frozenset()
        self._notes_shown: set[str] = set()  # configuration-file problems already logged
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="referral-lint")
        self._big_executor: ProcessPoolExecutor | None = None  # started with the first big document
        self._notes: list[tuple[lsp.MessageType, str]] = []  # to show once initialized
        self._reload_lock: asyncio.Lock | None = None
        self._warm_up_task: asyncio.Future | None = None

    # -- lifecycle ----------------------------------------------------------------

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self._big_executor is not None:
            # A lint it is running is of no use now, and exit would wait for it (seconds).
            for process in list((getattr(self._big_executor, "_processes", None) or {}).values()):
                process.terminate()
            self._big_executor.shutdown(wait=False, cancel_futures=True)
        super().shutdown()

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Errors outside a request: logged (stderr and window/logMessage), no pop-up."""
        if isinstance(error, json.JSONDecodeError):
            self.protocol._send_error(None, lsp.ErrorCodes.ParseError, f"the message is not JSON: {error}")
            return
        logger.error("%s: %s", getattr(source, "__name__", source), error)
        self._log(lsp.MessageType.Error, f"internal error: {one_line(error, MESSAGE_LIMIT)}")

    def _log(self, kind: lsp.MessageType, message: str) -> None:
        try:
            self.window_log_message(lsp.LogMessageParams(type=kind, message=f"referral-lint: {message}"))
        except Exception:  # no transport yet, or it is gone
            logger.warning("%s", message)

    def _show(self, kind: lsp.MessageType, message: str) -> None:
        self.window_show_message(lsp.ShowMessageParams(type=kind, message=f"referral-lint: {message}"))

    # -- settings -----------------------------------------------------------------

    def on_initialize(self, params: lsp.InitializeParams) -> None:
        """Read the root and ``initializationOptions``; the settings apply before any document opens."""
        root_uri = params.root_uri or (params.workspace_folders[0].uri if params.workspace_folders else None)
        path = to_fs_path(root_uri) if root_uri else params.root_path
        self.root = Path(path) if path else None
        options = params.initialization_options
        if isinstance(options, Mapping):
            self.init_options = our_section(options) or options
        try:
            self.settings, warnings = load_settings(self.root, self.init_options)
            self._notes = [(lsp.MessageType.Warning, warning) for warning in warnings]
        except ConfigError as error:
            self._notes = [(lsp.MessageType.Error, f"cannot use initializationOptions ({one_line(error, MESSAGE_LIMIT)}); using the defaults")]

    async def on_initialized(self) -> None:
        for kind, note in self._notes:
            (self._show if kind == lsp.MessageType.Error else self._log)(kind, note)
        # Build the pipeline now, in the background, so the first lint does not wait for it.
        self._warm_up_task = asyncio.ensure_future(self._warm_up())  # held: the loop keeps only weak refs
        editor = await self._pull_configuration()
        if editor is not None:
            self.editor_options = editor
            await self.reload()
        await self._watch_config_files()

    async def _warm_up(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._executor, self._build_session, self.settings.options)
        except Exception as error:  # a model that is not installed, an unknown rule in select
            self._show(lsp.MessageType.Error, f"cannot use these settings ({one_line(error, MESSAGE_LIMIT)}); using the defaults")
            self.settings = replace(self.settings, options={})
            return
        await loop.run_in_executor(self._executor, self._settle)

    def _settle(self) -> None:
        """On the lint thread, once started: load what loads on first use, then freeze what
        start-up built (spaCy's pipeline, the compiled rules, the lemma tables) out of the
        garbage collector's sight, so that no full collection walks it again (a pause of
        ~80 ms, once per session, in the middle of typing)."""
        if self._session is not None:
            for linter in self._session.linters.values():
                linter.warm_up()
        gc.collect()
        gc.freeze()

    async def _pull_configuration(self) -> Mapping[str, Any] | None:
        caps = self.client_capabilities.workspace
        if caps is None or not caps.configuration:
            return None
        try:
            items = await asyncio.wait_for(
                self.workspace_configuration_async(
                    lsp.ConfigurationParams(items=[lsp.ConfigurationItem(section=SETTINGS_SECTION)])
                ),
                timeout=5,
            )
        except Exception as error:  # a client that cannot answer must not stop the server
            self._log(lsp.MessageType.Warning, f"cannot read the editor's settings: {one_line(error, MESSAGE_LIMIT)}")
            return None
        value = items[0] if items else None
        return value if isinstance(value, Mapping) else None

    async def _watch_config_files(self) -> None:
        caps = self.client_capabilities.workspace
        watched = caps.did_change_watched_files if caps else None
        if watched is None or not watched.dynamic_registration:
            return
        options = lsp.DidChangeWatchedFilesRegistrationOptions(
            watchers=[lsp.FileSystemWatcher(glob_pattern=glob) for glob in CONFIG_FILE_GLOBS]
        )
        registration = lsp.Registration(
            id="referral-lint-config-files", method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options
        )
        try:
            await asyncio.wait_for(
                self.client_register_capability_async(lsp.RegistrationParams(registrations=[registration])), timeout=5
            )
        except Exception as error:
            self._log(lsp.MessageType.Warning, f"cannot watch configuration files: {one_line(error, MESSAGE_LIMIT)}")

    async def on_configuration_changed(self, settings: Any) -> None:
        options = our_section(settings)
        if options is None:
            options = await self._pull_configuration()
        self.editor_options = options
        await self.reload()

    async def reload(self) -> None:
        """Re-read the settings, rebuild the linter if they changed it, re-lint the open documents.

        A bad setting is reported (window/showMessage) and the previous settings stay.
        """
        if self._reload_lock is None:
            self._reload_lock = asyncio.Lock()
        async with self._reload_lock:
            try:
                settings, warnings = load_settings(self.root, self.init_options, self.editor_options)
                for warning in warnings:
                    self._log(lsp.MessageType.Warning, warning)
                await asyncio.get_running_loop().run_in_executor(self._executor, self._build_session, settings.options)
            except Exception as error:  # ConfigError, RuleError, a model that is not installed
                self._show(lsp.MessageType.Error, f"cannot use these settings ({one_line(error, MESSAGE_LIMIT)}); keeping the previous ones")
                return
            self.settings = settings
            for uri in list(self.documents):
                self.schedule(uri, delay=0)

    def _build_session(self, options: Mapping[str, Any]) -> None:
        """On the lint thread: a fresh session for the editor's ``options``, its Linter for the root built.

        Configuration files are read again (the discovery cache is cleared: this runs on
        every settings change and when a configuration file changes). Raises for options
        that cannot be used (an unknown rule, a model that is not installed); a broken
        configuration file is not the editor's fault, and is reported when a lint needs it.
        """
        from referral_lint.engine.loader import load_rules
        from referral_lint.settings import clear_cache

        clear_cache()
        self._notes_shown.clear()
        session = LintSession(overrides=options, root=self.root)
        try:
            config = session.config_for(self.root)
        except (ConfigError, RuleError) as error:
            if not _an_option_at_fault(error, options):
                config = LintSession(isolated=True, overrides=options).config_for(None)
            else:
                raise
        session.linter_for(config)  # spaCy and the rules load here, once
        self._builtin_rules = frozenset(rule.id for rule in load_rules())
        self._session, self._session_options = session, options

    def _lint_now(self, text: str, language_id: str | None = None, uri: str | None = None) -> _Lint:
        """On the lint thread: lint the buffer as ``check`` would lint the file (see LintSession)."""
        if self._session is None or self._session_options != self.settings.options:
            try:
                self._build_session(self.settings.options)
            except Exception:  # reported by the warm-up; lint with the defaults meanwhile
                self._build_session({})
        self._session.refresh_rules()  # a team's rule file edited in the editor counts at once
        path = _file_path(uri) if uri else None
        note = None
        try:
            linted = self._session.lint_text(text, path=path, language=language_id, name=uri)
        except (ConfigError, RuleError) as error:  # a broken configuration or rule file: the editor's options only
            # A RuleError names its file and line: say it is a rule file, not the configuration.
            broken = "a rule file: " if isinstance(error, RuleError) else f"the configuration for {path}: "
            note = f"cannot use {broken}{one_line(error, MESSAGE_LIMIT)}; using the editor's settings only"
            fallback = LintSession(isolated=True, overrides=self.settings.options, root=self.root)
            fallback.linters = self._session.linters  # Linters are per configuration: share them
            linted = fallback.lint_text(text, path=path, language=language_id, name=uri)
        if isinstance(linted, InputError):  # nothing to lint (empty, only code), or not readable as an email
            return _Lint(Report(text=text, channel="message", violations=[]), {}, note)
        if linted.draft.positions != "file":  # a transfer-encoded body: its offsets are not the buffer's
            note = f"{uri}: the email body is quoted-printable or base64; it is not linted in the editor"
            return _Lint(Report(text=text, channel="email", violations=[]), {}, note)
        # A broken ignore file is the CLI's to report; the editor shows the lint without it.
        report = replace(linted.report, text=text)
        return _Lint(report, {rule.id: rule for rule in linted.rules}, note)

    async def _lint(self, text: str, language_id: str | None, uri: str) -> _Lint:
        """Lint a document's text: a big one in the big-document process, the others on the lint thread."""
        loop = asyncio.get_running_loop()
        if len(text) > BIG_DOCUMENT:
            if self._big_executor is None:
                # spawn: the server has threads, which a forked child would copy mid-step.
                self._big_executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            try:
                return await loop.run_in_executor(
                    self._big_executor, _lint_big_document, self.root, self.settings, text, language_id, uri
                )
            except BrokenProcessPool:  # the process died (out of memory?): lint here, start another next time
                logger.warning("the big-document process stopped; linting %s on the lint thread", uri)
                self._big_executor = None
        return await loop.run_in_executor(self._executor, self._lint_now, text, language_id, uri)

    # -- documents ----------------------------------------------------------------

    def _text_document(self, uri: str):
        return self.workspace.text_documents.get(unquote(uri))

    def on_open(self, params: lsp.DidOpenTextDocumentParams) -> None:
        self.schedule(params.text_document.uri, delay=0)

    def on_change(self, params: lsp.DidChangeTextDocumentParams) -> None:
        self.schedule(params.text_document.uri, delay=self.settings.debounce)

    def on_close(self, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        state = self.documents.pop(uri, None)
        if state and state.task and not state.task.done():
            state.task.cancel()
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def schedule(self, uri: str, *, delay: float) -> None:
        """Lint ``uri`` after ``delay`` seconds, superseding any lint pending or running for it."""
        state = self.documents.setdefault(uri, _Document(uri))
        state.generation += 1
        if state.task is not None and not state.task.done():
            state.task.cancel()
        state.task = asyncio.ensure_future(self._lint_and_publish(state, state.generation, delay))

    async def _lint_and_publish(self, state: _Document, generation: int, delay: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        document = self._text_document(state.uri)
        if document is None or self.documents.get(state.uri) is not state:
            return
        if not self.settings.lints(document.language_id, _file_path(state.uri)):
            if state.linted:  # the languages setting changed: take the old diagnostics away
                state.linted, state.lint = False, None
                self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=state.uri, diagnostics=[]))
            return
        text, version = document.source, document.version
        problem = too_long(len(text))
        if problem:  # not linted: one line says why, and no other buffer waits
            state.linted, state.lint = True, None
            self.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(uri=state.uri, diagnostics=[_not_linted(problem)], version=version)
            )
            return
        try:
            lint = await self._lint(text, document.language_id, state.uri)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a bug on one draft must not take the server down
            logger.exception("lint failed for %s", state.uri)
            cause = f"{type(error).__name__}: {one_line(error, MESSAGE_LIMIT)}"
            self._log(lsp.MessageType.Error, f"internal error while linting {state.uri} ({cause}); please report it")
            return
        self._note(lint)
        if state.generation != generation or self.documents.get(state.uri) is not state:
            return  # superseded by a change, or closed, while it ran
        state.lint = lint
        self.publish(state, version)

    def _note(self, lint: _Lint) -> None:
        if lint.note is not None and lint.note not in self._notes_shown:
            self._notes_shown.add(lint.note)
            self._log(lsp.MessageType.Warning, lint.note)

    def publish(self, state: _Document, version: int | None) -> None:
        if state.lint is None:
            return
        report = state.lint.report
        diagnostics = [self.diagnostic(v, PositionMap(report.text, position_encoding_of(self)))
                       for v in self._visible(state.uri, report.violations)]
        state.linted = True
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=state.uri, diagnostics=diagnostics, version=version)
        )

    def _visible(self, uri: str, violations: Iterable[Violation]) -> list[Violation]:
        ignored = self.ignored.get(uri, set())
        return [v for v in violations if v.rule not in ignored]

    def diagnostic(self, violation: Violation, positions: PositionMap) -> lsp.Diagnostic:
        return lsp.Diagnostic(
            range=positions.range(violation.start, violation.end),
            message=violation.message,
            severity=_SEVERITY[violation.severity],
            code=violation.rule,
            code_description=(
                lsp.CodeDescription(href=RULE_DOC_URL.format(rule=violation.rule))
                if violation.rule in self._builtin_rules
                else None
            ),
            source=SOURCE,
        )

    async def current(self, uri: str) -> tuple[Any, _Lint] | None:
        """The document and a lint of its current text (the latest one, or a fresh one, linted
        exactly as the debounced lint will: same language id, same path)."""
        document = self._text_document(uri)
        state = self.documents.get(uri)
        if document is None or state is None or not self.settings.lints(document.language_id, _file_path(uri)):
            return None
        text = document.source
        if too_long(len(text)):
            return None
        if state.lint is not None and state.lint.report.text == text:
            return document, state.lint
        lint = await self._lint(text, document.language_id, uri)
        self._note(lint)
        return document, lint

    # -- code actions, commands, hover ---------------------------------------------

    async def code_actions(self, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
        uri = params.text_document.uri
        found = await self.current(uri)
        if found is None:
            return None
        document, lint = found
        report = lint.report
        positions = PositionMap(report.text, position_encoding_of(self))
        start, end = positions.offset(params.range.start), positions.offset(params.range.end)
        only = params.context.only
        wants = lambda kind: only is None or any(kind == o or kind.startswith(f"{o}.") for o in only)  # noqa: E731

        visible = self._visible(uri, report.violations)
        actions: list[lsp.CodeAction] = []
        if wants(lsp.CodeActionKind.QuickFix):
            ignore_offered: set[str] = set()
            # The narrowest span first: what the cursor is on, before the message-wide problems.
            here = sorted(
                (v for v in visible if v.start <= end and start <= v.end), key=lambda v: (v.end - v.start, v.start)
            )
            for violation in here:
                diagnostic = self.diagnostic(violation, positions)
                first_safe = next((s for s in violation.suggestions if s.applicability is Applicability.SAFE), None)
                for suggestion in violation.suggestions:
                    if suggestion.applicability not in _APPLICABLE:
                        continue  # shown in the hover: only the writer can do it
                    actions.append(lsp.CodeAction(
                        title=suggestion.description + applicability_note(suggestion.applicability),
                        kind=lsp.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        is_preferred=suggestion is first_safe or None,
                        edit=self._workspace_edit(document, positions, suggestion.edits),
                    ))
                if violation.rule not in ignore_offered:
                    ignore_offered.add(violation.rule)
                    title = f"Ignore {violation.rule} in this document"
                    actions.append(lsp.CodeAction(
                        title=title,
                        kind=lsp.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic],
                        command=lsp.Command(title=title, command=IGNORE_RULE_COMMAND, arguments=[uri, violation.rule]),
                    ))
        if wants(FIX_ALL_KIND):
            plan = plan_fixes(visible)
            if plan.edits:
                count = len(plan.applied)
                actions.append(lsp.CodeAction(
                    title=f"Apply all safe referral-lint fixes ({count})",
                    kind=FIX_ALL_KIND,
                    edit=self._workspace_edit(document, positions, plan.edits),
                ))
        return actions

    def _workspace_edit(self, document: Any, positions: PositionMap, edits: Iterable[Any]) -> lsp.WorkspaceEdit:
        crlf = "\r\n" in positions.text  # keep the document's line endings in what is inserted
        text_edits = [
            lsp.TextEdit(range=positions.range(e.start, e.end), new_text=_line_endings(e.replacement, crlf)) for e in edits
        ]
        caps = self.client_capabilities.workspace
        edit_caps = caps.workspace_edit if caps else None
        if edit_caps is not None and edit_caps.document_changes:
            identifier = lsp.OptionalVersionedTextDocumentIdentifier(uri=document.uri, version=document.version)
            return lsp.WorkspaceEdit(document_changes=[lsp.TextDocumentEdit(text_document=identifier, edits=text_edits)])
        return lsp.WorkspaceEdit(changes={document.uri: text_edits})

    def ignore_rule(self, args: Sequence[Any]) -> None:
        if len(args) != 2 or not all(isinstance(arg, str) for arg in args):
            raise JsonRpcInvalidParams(f"{IGNORE_RULE_COMMAND} takes two strings: the document URI and the rule id")
        uri, rule = args
        self.ignored.setdefault(uri, set()).add(rule)
        state = self.documents.get(uri)
        if state is None:
            return
        document = self._text_document(uri)
        if state.lint is not None and document is not None and state.lint.report.text == document.source:
            self.publish(state, document.version)
        else:
            self.schedule(uri, delay=0)

    async def hover(self, params: lsp.HoverParams) -> lsp.Hover | None:
        found = await self.current(params.text_document.uri)
        if found is None:
            return None
        _, lint = found
        report = lint.report
        positions = PositionMap(report.text, position_encoding_of(self))
        offset = positions.offset(params.position)
        hits = [
            v for v in self._visible(params.text_document.uri, report.violations)
            if v.start <= offset < v.end or v.start == v.end == offset
        ]
        if not hits:
            return None
        hits.sort(key=lambda v: (v.end - v.start, v.start))  # the narrowest span (the one pointed at) first
        markdown = self._supports_markdown()
        parts = [self._explain(v, lint.rules.get(v.rule), markdown) for v in hits]
        separator = "\n\n---\n\n" if markdown else "\n\n"
        return lsp.Hover(
            contents=lsp.MarkupContent(
                kind=lsp.MarkupKind.Markdown if markdown else lsp.MarkupKind.PlainText, value=separator.join(parts)
            ),
            range=positions.range(hits[0].start, hits[0].end),
        )

    def _supports_markdown(self) -> bool:
        caps = self.client_capabilities.text_document
        hover = caps.hover if caps else None
        formats = hover.content_format if hover else None
        return formats is None or lsp.MarkupKind.Markdown in formats

    def _explain(self, violation: Violation, rule: Any, markdown: bool) -> str:
        why = " ".join(rule.why.split()) if rule else ""
        good = " ".join(rule.good_examples[0].text.split()) if rule and rule.good_examples else ""
        todo = [s.description for s in violation.suggestions if s.applicability not in _APPLICABLE]
        if not markdown:
            lines = [f"{violation.rule} ({violation.severity.value}): {violation.message}"]
            lines += [f"For you to do: {item}" for item in todo]
            lines += [f"Why: {why}"] if why else []
            lines += [f"Good example: {good}"] if good else []
            return "\n\n".join(lines)
        lines = [f"**{violation.rule}** ({violation.severity.value}): {_md_escape(violation.message)}"]
        lines += [f"**For you to do:** {_md_escape(item)}" for item in todo]
        if why:
            lines.append(f"**Why:** {_md_escape(why)}")
        if good:
            lines.append(f"**Good example:**\n\n> {_md_escape(good)}")
        if violation.rule in self._builtin_rules:
            lines.append(f"[More about {violation.rule}]({RULE_DOC_URL.format(rule=violation.rule)})")
        return "\n\n".join(lines)


#: Suggestions that become quick fixes; others (``display``) are for the writer to do.
_APPLICABLE = (Applicability.SAFE, Applicability.UNSAFE)


def _line_endings(replacement: str, crlf: bool) -> str:
    return replacement.replace("\r\n", "\n").replace("\n", "\r\n") if crlf else replacement


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|])")


def _md_escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def make_server() -> ReferralLintServer:
    """A server with every feature registered (not started)."""
    server = ReferralLintServer()

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: ReferralLintServer, params: lsp.InitializeParams) -> None:
        ls.on_initialize(params)

    @server.feature(lsp.INITIALIZED)
    async def initialized(ls: ReferralLintServer, params: lsp.InitializedParams) -> None:
        await ls.on_initialized()

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ReferralLintServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.on_open(params)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ReferralLintServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.on_change(params)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ReferralLintServer, params: lsp.DidCloseTextDocumentParams) -> None:
        ls.on_close(params)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: ReferralLintServer, params: lsp.DidChangeConfigurationParams) -> None:
        await ls.on_configuration_changed(params.settings)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    async def did_change_watched_files(ls: ReferralLintServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        await ls.reload()

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=False),
    )
    async def code_action(ls: ReferralLintServer, params: lsp.CodeActionParams):
        return await ls.code_actions(params)

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    async def hover(ls: ReferralLintServer, params: lsp.HoverParams):
        return await ls.hover(params)

    @server.command(IGNORE_RULE_COMMAND)
    def ignore_rule(ls: ReferralLintServer, *args: Any) -> None:
        ls.ignore_rule(args)

    return server


def _claim_stdout() -> BinaryIO:
    """A private handle on stdout for the protocol; fd 1 and ``sys.stdout`` then go to stderr.

    Nothing but protocol messages may reach the client: a stray ``print`` (ours, spaCy's,
    a plug-in's) or a C library writing to fd 1 would corrupt the stream.
    """
    sys.stdout.flush()
    protocol_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    return protocol_out


def _not_a_json_traceback(record: logging.LogRecord) -> bool:
    return not (record.exc_info and isinstance(record.exc_info[1], json.JSONDecodeError))


def serve(*, log_level: str = "warning") -> None:
    """Run the server over stdio until the client says exit (or closes stdin)."""
    logging.basicConfig(
        level=log_level.upper(), stream=sys.stderr, format="referral-lint lsp: %(levelname)s %(name)s: %(message)s"
    )
    from referral_lint.lsp_transport import FramedStdin

    # A body that is not JSON is answered and logged in one line (report_server_error);
    # pygls would log its traceback too.
    logging.getLogger("pygls.server").addFilter(_not_a_json_traceback)
    protocol_out = _claim_stdout()
    server = make_server()
    server.start_io(FramedStdin(sys.stdin.buffer), protocol_out)  # type: ignore[arg-type]
    # pygls swallows the exit code it raises: 0 after shutdown, 1 otherwise (as the protocol says).
    sys.exit(0 if server.protocol._shutdown else 1)


def _an_option_at_fault(error: ConfigError | RuleError, options: Mapping[str, Any]) -> bool:
    """Whether a configuration error comes from the editor's options rather than from a file."""
    return isinstance(error, ConfigError) and error.file is None and bool(error.path) and error.path[0] in options


def _file_path(uri: str) -> str | None:
    """The local path of a file: URI (None for unsaved buffers and other schemes)."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    return url2pathname(unquote(parsed.path))
