"""The language server, end to end: a real JSON-RPC client (pytest-lsp) over stdio.

Two servers are started per run (each loads the pipeline once, ~2 s): one that speaks
UTF-16 (the protocol's default) and is used by most tests, and one whose client prefers
UTF-8 and has workspace/configuration, for encodings and settings. Every message here
was written for these tests.

The offset conversion and the settings loader are also tested directly, in-process.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from concurrent.futures import Future
from pathlib import Path
from typing import Union

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from helpers import JsonRpcPipe, write
from referral_lint.config import Config, ConfigError
from referral_lint.model import Applicability
from referral_lint.engine.loader import load_rules
from referral_lint.lsp import FIX_ALL_KIND, IGNORE_RULE_COMMAND, RULE_DOC_URL, _md_escape
from referral_lint.lsp_positions import PositionMap, code_units
from referral_lint.lsp_settings import DEFAULT_LANGUAGES, load_settings, our_section

SERVER = [sys.executable, "-m", "referral_lint.cli", "lsp"]
DEBOUNCE_MS = 100
# The tests assert exact diagnostics, so the servers run these two rules only (new rules
# added to rules/ do not change what these tests see).
RULES = ["demanding-phrasing", "easy-out", "length"]

# Line 2 has an emoji (2 UTF-16 units, 4 UTF-8 bytes) before both problems.
EMOJI_DRAFT = (
    "Hi Ana,\n"
    "We met at PyData in May 🎉. Refer me for the Data Engineer role (job 4410) ASAP.\n"
    "No worries if not. Thanks!\n"
)
REFER_ME = (1, 28, 1, 36)  # UTF-16: "We met at PyData in May " is 24, the emoji 2, ". " 2
ASAP = (1, 75, 1, 79)
LENGTH = (1, 0, 2, 18)  # the body, from line 2 to the end of "No worries if not."
FIXED_ALL = (
    "Hi Ana,\n"
    "We met at PyData in May 🎉. Would you be open to referring me for the Data Engineer role (job 4410)?\n"
    "No worries if not. Thanks!\n"
)

# The issue's own example: the emoji opens the line.
EMOJI_FIRST = "Hi Ana,\n🎉 Refer me to the hiring manager ASAP.\n"

# Accented and CJK characters (1 UTF-16 unit each, 2 and 3 UTF-8 bytes) before the problem.
ACCENTS = (
    "Hi Zoë,\n"
    "We met at the Café Müller meetup in 東京 last May. Refer me for the Data Engineer role (job 4410). "
    "No worries if not. Thanks!\n"
)


# --- the client ------------------------------------------------------------------------


def _record_diagnostics(client: LanguageClient, params: lsp.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(params)  # every publication, in order, with its version


def _converter():
    """pygls' converter, except that a CodeAction carrying a Command is read as a CodeAction.

    lsprotocol reads any ``Command | CodeAction`` with a "command" key as a Command, even
    when that key holds an object (a CodeAction's command): a client-side quirk.
    """
    converter = default_converter()

    def command_or_code_action(value, _):
        kind = lsp.Command if isinstance(value.get("command"), str) else lsp.CodeAction
        return converter.structure(value, kind)

    converter.register_structure_hook(Union[lsp.Command, lsp.CodeAction], command_or_code_action)
    return converter


def make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=_converter)
    client.published = []
    register_lsp_features(client, {**DEFAULT_CLIENT_FEATURES, lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: _record_diagnostics})
    return client


UTF16_CAPABILITIES = lsp.ClientCapabilities(
    workspace=lsp.WorkspaceClientCapabilities(
        workspace_edit=lsp.WorkspaceEditClientCapabilities(document_changes=True), apply_edit=True
    ),
    text_document=lsp.TextDocumentClientCapabilities(
        hover=lsp.HoverClientCapabilities(content_format=[lsp.MarkupKind.Markdown, lsp.MarkupKind.PlainText]),
        publish_diagnostics=lsp.PublishDiagnosticsClientCapabilities(code_description_support=True, version_support=True),
    ),
)

UTF8_CAPABILITIES = lsp.ClientCapabilities(
    general=lsp.GeneralClientCapabilities(
        position_encodings=[lsp.PositionEncodingKind.Utf8, lsp.PositionEncodingKind.Utf16]
    ),
    workspace=lsp.WorkspaceClientCapabilities(
        configuration=True,
        did_change_configuration=lsp.DidChangeConfigurationClientCapabilities(dynamic_registration=False),
    ),
)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, client_factory=make_client), scope="module")
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        lsp.InitializeParams(capabilities=UTF16_CAPABILITIES, initialization_options={"debounceMs": DEBOUNCE_MS, "select": RULES})
    )
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, client_factory=make_client), scope="module")
async def utf8_client(lsp_client: LanguageClient):
    result = await lsp_client.initialize_session(
        lsp.InitializeParams(
            capabilities=UTF8_CAPABILITIES,
            initialization_options={"referral-lint": {"debounceMs": DEBOUNCE_MS, "select": RULES}},
        )
    )
    lsp_client.init_result = result
    yield
    await lsp_client.shutdown_session()


e2e = pytest.mark.asyncio(loop_scope="module")  # one event loop for the module, as the servers

_counter = iter(range(1_000_000))


def new_uri(suffix: str = ".txt") -> str:
    return f"file:///drafts/draft-{next(_counter)}{suffix}"


async def wait_diagnostics(client: LanguageClient, uri: str, *, version: int | None = None, after: int = 0, timeout: float = 15):
    """The first diagnostics published for ``uri`` (and ``version``) after publication number ``after``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        for params in client.published[after:]:
            if params.uri == uri and (version is None or params.version == version):
                return params.diagnostics
        if loop.time() > deadline:
            raise AssertionError(f"no diagnostics for {uri} version {version}")
        await asyncio.sleep(0.005)


async def open_draft(client: LanguageClient, text: str, *, uri: str | None = None, language: str = "plaintext"):
    uri = uri or new_uri()
    mark = len(client.published)
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(uri=uri, language_id=language, version=1, text=text))
    )
    return uri, await wait_diagnostics(client, uri, version=1, after=mark)


def change(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def close(client: LanguageClient, uri: str) -> None:
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri)))


def spans(diagnostics) -> list[tuple[str, tuple[int, int, int, int]]]:
    return sorted(
        (d.code, (d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character)) for d in diagnostics
    )


def utf16_offset(text: str, position: lsp.Position) -> int:
    """Written independently of the server's conversion: the test's own reading of UTF-16."""
    lines = text.split("\n")
    offset = sum(len(line) + 1 for line in lines[: position.line])
    line, units, index = lines[position.line], 0, 0
    while units < position.character:
        units += 2 if ord(line[index]) > 0xFFFF else 1
        index += 1
    return offset + index


def apply_text_edits(text: str, edits) -> str:
    offsets = [(utf16_offset(text, e.range.start), utf16_offset(text, e.range.end), e.new_text) for e in edits]
    for start, end, new_text in sorted(offsets, reverse=True):
        text = text[:start] + new_text + text[end:]
    return text


def edits_of(action: lsp.CodeAction, uri: str):
    assert action.edit is not None
    if action.edit.document_changes:
        (document_edit,) = action.edit.document_changes
        assert document_edit.text_document.uri == uri
        return document_edit.edits
    return action.edit.changes[uri]


async def code_actions(client, uri, rng: tuple[int, int, int, int], only=None) -> list[lsp.CodeAction]:
    start = lsp.Position(line=rng[0], character=rng[1])
    end = lsp.Position(line=rng[2], character=rng[3])
    result = await client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            range=lsp.Range(start=start, end=end),
            context=lsp.CodeActionContext(diagnostics=[], only=only),
        )
    )
    return list(result or [])


# --- end to end: the UTF-16 client ----------------------------------------------------


@e2e
async def test_open_publishes_diagnostics_with_utf16_ranges(client: LanguageClient):
    uri, diagnostics = await open_draft(client, EMOJI_DRAFT)
    assert spans(diagnostics) == [
        ("demanding-phrasing", REFER_ME),
        ("demanding-phrasing", ASAP),
        ("length", LENGTH),
    ]
    by_range = {spans([d])[0][1]: d for d in diagnostics}
    refer = by_range[REFER_ME]
    assert refer.severity == lsp.DiagnosticSeverity.Error
    assert refer.source == "referral-lint"
    assert refer.code_description.href == RULE_DOC_URL.format(rule="demanding-phrasing")
    assert refer.message.startswith('"Refer me" is an order')
    assert by_range[LENGTH].severity == lsp.DiagnosticSeverity.Warning
    close(client, uri)


@e2e
async def test_emoji_at_line_start_does_not_shift_the_underline(client: LanguageClient):
    uri, diagnostics = await open_draft(client, EMOJI_FIRST)
    demanding = [r for code, r in spans(diagnostics) if code == "demanding-phrasing"]
    # "🎉 " is 3 UTF-16 units: "Refer me" starts at character 3, "ASAP" at 34.
    assert demanding == [(1, 3, 1, 11), (1, 34, 1, 38)]
    close(client, uri)


@e2e
async def test_accented_and_cjk_characters(client: LanguageClient):
    uri, diagnostics = await open_draft(client, ACCENTS)
    demanding = [r for code, r in spans(diagnostics) if code == "demanding-phrasing"]
    assert demanding == [(1, 49, 1, 57)]  # é, ü, 東, 京: one UTF-16 unit each
    close(client, uri)


@e2e
async def test_an_edit_updates_the_diagnostics(client: LanguageClient):
    uri, diagnostics = await open_draft(client, EMOJI_DRAFT)
    assert ("demanding-phrasing", ASAP) in spans(diagnostics)
    mark = len(client.published)
    change(client, uri, 2, EMOJI_DRAFT.replace(" ASAP.", "."))
    updated = await wait_diagnostics(client, uri, version=2, after=mark)
    assert spans(updated) == [("demanding-phrasing", REFER_ME), ("length", (1, 0, 2, 18))]
    close(client, uri)


@e2e
async def test_quick_fix_yields_the_expected_text(client: LanguageClient):
    uri, _ = await open_draft(client, EMOJI_DRAFT)
    actions = await code_actions(client, uri, (1, 76, 1, 76))  # the cursor inside "ASAP"
    titles = [a.title for a in actions]
    assert 'Remove "ASAP"' in titles and 'Replace with "when you have a moment"' in titles
    assert "Ignore demanding-phrasing in this document" in titles
    remove = next(a for a in actions if a.title == 'Remove "ASAP"')
    assert remove.kind == lsp.CodeActionKind.QuickFix and remove.is_preferred
    assert remove.edit.document_changes[0].text_document.version == 1
    assert apply_text_edits(EMOJI_DRAFT, edits_of(remove, uri)) == EMOJI_DRAFT.replace(" ASAP.", ".")

    replace_ = next(a for a in actions if a.title.startswith("Replace with"))
    assert apply_text_edits(EMOJI_DRAFT, edits_of(replace_, uri)) == EMOJI_DRAFT.replace("ASAP", "when you have a moment")
    close(client, uri)


@e2e
async def test_every_suggestion_maps_to_a_quick_fix_or_the_hover(client: LanguageClient):
    """safe: a quick fix (the first one preferred); unsafe: a quick fix labelled so; display:
    no edit to apply, so no quick fix, but the hover says what to do. The expectations come
    from the linter itself, so the rules' wording and applicability may change freely."""
    from referral_lint.linter import Linter

    report = Linter(Config(select=tuple(RULES))).lint(EMOJI_FIRST)
    uri, _ = await open_draft(client, EMOJI_FIRST)
    positions = PositionMap(EMOJI_FIRST)
    kinds = {s.applicability for v in report.violations for s in v.suggestions}
    assert {Applicability.SAFE, Applicability.UNSAFE} <= kinds  # today it has display ones too (length)
    for violation in report.violations:
        rng = positions.range(violation.start, violation.end)
        where = (rng.start.line, rng.start.character, rng.end.line, rng.end.character)
        actions = await code_actions(client, uri, where)
        fixes = [a for a in actions if a.edit and a.diagnostics and spans(a.diagnostics) == [(violation.rule, where)]]
        applicable = [x for x in violation.suggestions if x.applicability is not Applicability.DISPLAY]
        assert len(fixes) == len(applicable)
        first_safe = next((x for x in applicable if x.applicability is Applicability.SAFE), None)
        for action, suggestion in zip(fixes, applicable, strict=True):
            label = " (unsafe: check it before sending)" if suggestion.applicability is Applicability.UNSAFE else ""
            assert action.title == suggestion.description + label
            assert bool(action.is_preferred) == (suggestion is first_safe)
            expected_text = EMOJI_FIRST
            for edit in sorted(suggestion.edits, key=lambda e: e.start, reverse=True):
                expected_text = expected_text[: edit.start] + edit.replacement + expected_text[edit.end :]
            assert apply_text_edits(EMOJI_FIRST, edits_of(action, uri)) == expected_text
        todo = [x.description for x in violation.suggestions if x.applicability is Applicability.DISPLAY]
        if todo:
            hover = await client.text_document_hover_async(
                lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=uri), position=rng.start)
            )
            for item in todo:
                assert f"**For you to do:** {_md_escape(item)}" in hover.contents.value
    close(client, uri)


@e2e
async def test_fix_all_applies_every_safe_fix(client: LanguageClient):
    uri, _ = await open_draft(client, EMOJI_DRAFT)
    actions = await code_actions(client, uri, (0, 0, 0, 0), only=["source.fixAll"])
    assert [a.kind for a in actions] == [FIX_ALL_KIND]
    assert apply_text_edits(EMOJI_DRAFT, edits_of(actions[0], uri)) == FIXED_ALL
    close(client, uri)


@e2e
async def test_ignore_rule_in_this_document(client: LanguageClient):
    uri, _ = await open_draft(client, EMOJI_DRAFT)
    actions = await code_actions(client, uri, (1, 30, 1, 30))
    ignore = next(a for a in actions if a.title == "Ignore demanding-phrasing in this document")
    assert ignore.command.command == IGNORE_RULE_COMMAND
    mark = len(client.published)
    await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command=ignore.command.command, arguments=ignore.command.arguments)
    )
    republished = await wait_diagnostics(client, uri, after=mark)
    assert spans(republished) == [("length", LENGTH)]
    # Only in this document: another one still gets the rule.
    other, diagnostics = await open_draft(client, EMOJI_DRAFT)
    assert "demanding-phrasing" in {d.code for d in diagnostics}
    close(client, uri)
    close(client, other)


@e2e
async def test_hover_shows_why_and_a_good_example(client: LanguageClient):
    uri, _ = await open_draft(client, EMOJI_DRAFT)
    hover = await client.text_document_hover_async(
        lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(line=1, character=30))
    )
    rule = {r.id: r for r in load_rules()}["demanding-phrasing"]
    assert hover.contents.kind == lsp.MarkupKind.Markdown
    assert hover.contents.value.startswith("**demanding-phrasing**")  # the narrowest span first
    assert "**length**" in hover.contents.value  # the body-wide warning is under the cursor too
    assert _md_escape(" ".join(rule.why.split())) in hover.contents.value
    assert _md_escape(rule.good_examples[0].text) in hover.contents.value
    assert spans([lsp.Diagnostic(range=hover.range, message="", code="hover")]) == [("hover", REFER_ME)]
    nothing = await client.text_document_hover_async(
        lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(line=0, character=1))
    )
    assert nothing is None
    close(client, uri)


@e2e
async def test_close_clears_the_diagnostics(client: LanguageClient):
    uri, diagnostics = await open_draft(client, EMOJI_DRAFT)
    assert diagnostics
    mark = len(client.published)
    close(client, uri)
    assert list(await wait_diagnostics(client, uri, after=mark)) == []


@e2e
async def test_a_burst_of_changes_publishes_only_the_last(client: LanguageClient):
    uri, _ = await open_draft(client, EMOJI_DRAFT)
    mark = len(client.published)
    for version in range(2, 7):  # faster than the debounce: each supersedes the one before
        change(client, uri, version, EMOJI_DRAFT.replace("May", "May" + "!" * version))
    await wait_diagnostics(client, uri, version=6, after=mark)
    assert [p.version for p in client.published[mark:] if p.uri == uri] == [6]
    close(client, uri)


@e2e
async def test_other_languages_are_not_linted(client: LanguageClient):
    mark = len(client.published)
    code_uri = new_uri(".py")
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(uri=code_uri, language_id="python", version=1, text="# Refer me ASAP\n")
        )
    )
    uri, _ = await open_draft(client, EMOJI_DRAFT, language="markdown")  # published after the .py, had it been linted
    assert [p.uri for p in client.published[mark:] if p.uri in (code_uri, uri)] == [uri]
    actions = await code_actions(client, code_uri, (0, 0, 0, 5))
    assert actions == []
    close(client, code_uri)
    close(client, uri)


async def _raw_request(client: LanguageClient, body: bytes, msg_id: str | None):
    """Write a framed body straight to the server's stdin; the future of the answer to ``msg_id``."""
    future: Future | None = None
    if msg_id is not None:
        future = Future()
        client.protocol._request_futures[msg_id] = future
    client._server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    await client._server.stdin.drain()
    return asyncio.wrap_future(future) if future else None


@e2e
async def test_malformed_requests_get_errors_and_the_server_survives(client: LanguageClient):
    # Params that do not fit the method: an "invalid params" error response.
    bad_params = json.dumps({"jsonrpc": "2.0", "id": "bad-1", "method": "textDocument/hover", "params": {"textDocument": 5}})
    answer = await _raw_request(client, bad_params.encode(), "bad-1")
    with pytest.raises(JsonRpcException) as error:
        await asyncio.wait_for(answer, 10)
    assert error.value.code == lsp.ErrorCodes.InvalidParams

    # Not JSON at all, and JSON that is not a message: answered with id null, and survived.
    await _raw_request(client, b"{this is not json", None)
    await _raw_request(client, b"[1, 2, 3]", None)

    # An unknown method: "method not found".
    with pytest.raises(JsonRpcException) as error:
        await asyncio.wait_for(client.protocol.send_request_async("referral-lint/noSuchMethod", {}), 10)
    assert error.value.code == lsp.ErrorCodes.MethodNotFound

    # A bad command argument: an error response from the command.
    with pytest.raises(JsonRpcException):
        await asyncio.wait_for(
            client.workspace_execute_command_async(lsp.ExecuteCommandParams(command=IGNORE_RULE_COMMAND, arguments=[1])), 10
        )

    # Still answering, still linting.
    assert client._server.returncode is None
    uri, diagnostics = await open_draft(client, EMOJI_FIRST)
    assert ("demanding-phrasing", (1, 3, 1, 11)) in spans(diagnostics)
    close(client, uri)


NOISY_SERVER = """
import os
from referral_lint import lsp

opened = lsp.ReferralLintServer.on_open

def noisy_open(self, params):
    print("a stray print")
    os.write(1, b"stray bytes written to fd 1\\n")
    opened(self, params)

lsp.ReferralLintServer.on_open = noisy_open
lsp.serve()
"""


def test_stray_output_goes_to_stderr_and_stdin_eof_ends_the_server():
    """Only protocol messages reach stdout, whatever else writes to it; a client that goes
    away without 'exit' (stdin closed) does not leave the server running."""
    process = subprocess.Popen(
        [sys.executable, "-c", NOISY_SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )

    editor = JsonRpcPipe(process)
    send, receive = editor.send, editor.receive
    try:
        send({"id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}})
        assert receive()["result"]["serverInfo"]["name"] == "referral-lint"
        send({"method": "initialized", "params": {}})
        item = {"uri": "file:///noisy.txt", "languageId": "plaintext", "version": 1, "text": EMOJI_FIRST}
        send({"method": "textDocument/didOpen", "params": {"textDocument": item}})
        while (message := receive()).get("method") != "textDocument/publishDiagnostics":
            pass
        assert message["params"]["diagnostics"]
        process.stdin.close()  # the editor is gone
        assert process.wait(timeout=20) is not None
        assert process.stdout.read() == b""
        stderr = process.stderr.read().decode()
        assert "a stray print" in stderr and "stray bytes written to fd 1" in stderr
    finally:
        process.kill()
        process.wait()


# --- end to end: the UTF-8 client, and settings ---------------------------------------


@e2e
async def test_utf8_is_negotiated_when_the_client_prefers_it(utf8_client: LanguageClient):
    assert utf8_client.init_result.capabilities.position_encoding == lsp.PositionEncodingKind.Utf8
    uri, diagnostics = await open_draft(utf8_client, EMOJI_FIRST)
    demanding = [r for code, r in spans(diagnostics) if code == "demanding-phrasing"]
    assert demanding == [(1, 5, 1, 13), (1, 36, 1, 40)]  # "🎉 " is 5 UTF-8 bytes
    close(utf8_client, uri)


@e2e
async def test_configuration_change_relints_open_documents(utf8_client: LanguageClient):
    uri, diagnostics = await open_draft(utf8_client, EMOJI_DRAFT)
    assert "length" in {d.code for d in diagnostics}

    mark = len(utf8_client.published)
    utf8_client.workspace_did_change_configuration(
        lsp.DidChangeConfigurationParams(settings={"referral-lint": {"ignore": ["length"], "languages": ["plaintext"]}})
    )
    republished = await wait_diagnostics(utf8_client, uri, after=mark)
    assert {d.code for d in republished} == {"demanding-phrasing"}

    # A bad value is refused with a message, and the previous settings stay.
    shown = len(utf8_client.messages)
    utf8_client.workspace_did_change_configuration(
        lsp.DidChangeConfigurationParams(settings={"referral-lint": {"channel": "carrier-pigeon"}})
    )
    for _ in range(200):
        if len(utf8_client.messages) > shown:
            break
        await asyncio.sleep(0.01)
    assert "carrier-pigeon" in utf8_client.messages[-1].message
    markdown = new_uri(".md")
    utf8_client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(uri=markdown, language_id="markdown", version=1, text=EMOJI_DRAFT)
        )
    )
    plain, _ = await open_draft(utf8_client, EMOJI_DRAFT)  # published after the markdown, had it been linted
    assert not [p for p in utf8_client.published if p.uri == markdown]  # "languages" kept: not linted
    close(utf8_client, plain)

    # Settings pulled with workspace/configuration when the push carries none (here: null).
    mark = len(utf8_client.published)
    utf8_client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings=None))
    republished = await wait_diagnostics(utf8_client, uri, after=mark)
    assert "length" in {d.code for d in republished}
    close(utf8_client, uri)
    close(utf8_client, markdown)


# --- in-process: positions and settings -----------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "expected"),
    [
        ("a🎉b", "utf-16", 4),
        ("a🎉b", "utf-8", 6),
        ("a🎉b", "utf-32", 3),
        ("Zoë 東京", "utf-16", 6),
        ("Zoë 東京", "utf-8", 11),
        ("", "utf-16", 0),
    ],
)
def test_code_units(text, encoding, expected):
    assert code_units(text, encoding) == expected


@pytest.mark.parametrize(
    ("encoding", "start", "end"),
    [("utf-16", (1, 3), (1, 11)), ("utf-8", (1, 5), (1, 13)), ("utf-32", (1, 2), (1, 10))],
)
def test_position_map_round_trip(encoding, start, end):
    text = EMOJI_FIRST
    offset = text.index("Refer me")
    positions = PositionMap(text, encoding)
    rng = positions.range(offset, offset + len("Refer me"))
    assert (rng.start.line, rng.start.character) == start
    assert (rng.end.line, rng.end.character) == end
    assert positions.offset(rng.start) == offset
    assert positions.offset(rng.end) == offset + len("Refer me")


def test_position_map_line_breaks_and_clamping():
    text = "one\r\ntwo\rthree\n🎉x"
    positions = PositionMap(text)
    assert positions.position(text.index("two")) == lsp.Position(line=1, character=0)
    assert positions.position(text.index("three")) == lsp.Position(line=2, character=0)
    assert positions.position(text.index("x")) == lsp.Position(line=3, character=2)
    assert positions.position(len(text)) == lsp.Position(line=3, character=3)
    assert positions.position(text.index("\n")) == lsp.Position(line=0, character=3)  # inside \r\n: end of line
    assert positions.offset(lsp.Position(line=0, character=99)) == 3  # past the line's end: its end
    assert positions.offset(lsp.Position(line=9, character=0)) == len(text)  # past the last line: the end
    assert positions.offset(lsp.Position(line=3, character=1)) == text.index("🎉")  # inside a surrogate pair
    # Python's own line breaks that LSP does not count (form feed, U+2028) stay on the line.
    odd = "a\x0cb\u2028c\nd"
    assert PositionMap(odd).position(odd.index("d")) == lsp.Position(line=1, character=0)
    assert PositionMap(odd).position(odd.index("c")) == lsp.Position(line=0, character=4)


def test_load_settings_layers_and_key_styles():
    settings, warnings = load_settings(
        Path("/work"),
        {"channel": "email", "debounceMs": 250, "ignore": ["length"]},
        {"rule_dirs": ["my-rules"], "languages": ["Markdown"], "failOn": "error", "colour": True},
    )
    assert settings.options == {"channel": "email", "ignore": ["length"], "rule-dirs": ["/work/my-rules"]}
    assert settings.debounce == 0.25
    assert settings.lints("markdown") and not settings.lints("plaintext")
    assert warnings == ["unknown setting 'colour' ignored"]

    defaults, _ = load_settings(None)
    assert defaults.options == {} and defaults.debounce == 0.3
    assert all(defaults.lints(language) for language in DEFAULT_LANGUAGES) and not defaults.lints("python")
    assert load_settings(None, {"languages": "*"})[0].lints("python")


@pytest.mark.parametrize(
    "options",
    [{"channel": "carrier-pigeon"}, {"debounceMs": -1}, {"languages": [1]}, {"severity": {"length": "fatal"}}],
)
def test_load_settings_rejects_bad_values(options):
    with pytest.raises(ConfigError):
        load_settings(None, options)


def test_our_section_of_a_configuration_push():
    assert our_section({"referral-lint": {"channel": "email"}, "other": {}}) == {"channel": "email"}
    assert our_section({"channel": "email"}) == {"channel": "email"}
    assert our_section({"pylsp": {}}) is None
    assert our_section(None) is None


def test_markdown_is_linted_for_its_prose_and_its_ignore_comments():
    """The server lints a markdown buffer as the CLI lints a .md file."""
    from referral_lint.lsp import ReferralLintServer

    server = ReferralLintServer()  # only the lint path: no transport
    text = (
        "Hi Lee,\n\nWe met at PyCon.\n\n```\nRefer me ASAP\n```\n\n"
        "<!-- referral-lint disable-next-line demanding-phrasing -->\nRefer me to the hiring manager ASAP.\n"
    )
    report = server._lint_now(text, "markdown", None).report
    assert not [v for v in report.violations if v.rule == "demanding-phrasing"]
    assert report.text == text


# --- the server lints as check does (one LintSession) -----------------------------------

PARITY_BODY = "We met at PyData in May. Refer me for the Data Engineer role (job 4410) ASAP.\n"
PARITY_FILES = {
    # per-path: drafts under notes/ do not get the length rule
    ".referral-lint.yaml": 'per-path:\n  "notes/*":\n    ignore: [length]\n',
    "notes/short.txt": "Hi Ana,\n" + PARITY_BODY + "No worries if not. Thanks!\n",
    "short.txt": "Hi Ana,\n" + PARITY_BODY + "No worries if not. Thanks!\n",
    # the email reader: the From/To headers are not linted, the Subject is; the channel is email
    "ask.eml": "From: Sam <sam@example.com>\nTo: Ana <ana@example.com>\nSubject: Refer me ASAP\n\nHi Ana,\n"
    + PARITY_BODY + "Thanks!\n",
    # the markdown reader: front matter and code are not prose; an ignore comment suppresses
    "ask.md": "---\ntitle: Refer me ASAP\n---\nHi Ana,\n\n```\nRefer me ASAP\n```\n\n"
    "<!-- referral-lint disable-next-line demanding-phrasing -->\n" + PARITY_BODY + "Thanks!\n",
    "notes/ask.md": "Hi Ana,\n\n" + PARITY_BODY + "No worries if not. Thanks!\n",
}


@e2e
async def test_the_server_and_check_give_the_same_diagnostics(client: LanguageClient, tmp_path, cli):
    """Same files, same configuration (a per-path entry, the client's select): same violations.

    The drafts are ASCII, so the server's UTF-16 characters are the CLI's columns.
    """
    for name, text in PARITY_FILES.items():
        write(tmp_path / name, text)
    drafts = [name for name in PARITY_FILES if not name.startswith(".")]
    result = cli("check", "--select", ",".join(RULES), "--output-format", "json", *(tmp_path / name for name in drafts))
    from_check = {
        Path(entry["path"]).relative_to(tmp_path).as_posix(): sorted(
            (v["rule"], (v["line"] - 1, v["column"] - 1, v["end_line"] - 1, v["end_column"] - 1)) for v in entry["violations"]
        )
        for entry in json.loads(result.stdout)["files"]
    }
    from_server = {}
    for name in drafts:
        uri = (tmp_path / name).as_uri()
        _, diagnostics = await open_draft(client, PARITY_FILES[name], uri=uri, language="markdown" if name.endswith(".md") else "plaintext")
        from_server[name] = spans(diagnostics)
        close(client, uri)
    assert from_server == from_check
    assert "length" in {rule for rule, _ in from_check["short.txt"]}
    assert "length" not in {rule for rule, _ in from_check["notes/short.txt"] + from_check["notes/ask.md"]}
    assert ("demanding-phrasing", (2, 9, 2, 17)) in from_check["ask.eml"]  # the Subject line
    assert {rule for rule, _ in from_check["ask.md"]} == {"easy-out", "length"}  # front matter, code, the comment


@pytest.mark.parametrize(
    ("name", "language", "head"),
    [
        # No language id (Neovim without filetype detection): the extension says markdown.
        ("draft.md", "", "Hi Ana,\n\n```\nRefer me ASAP\n```\n"),
        # An .eml buffer goes through the email reader: only the Subject of the headers is read.
        ("draft.eml", "plaintext", "To: Ana <ana@example.com>\nX-Note: Refer me ASAP\nSubject: The Data Engineer role\n\nHi Ana,\n"),
    ],
)
@e2e
async def test_the_reader_follows_the_file_extension(client: LanguageClient, tmp_path, name, language, head):
    uri = (tmp_path / name).as_uri()
    _, diagnostics = await open_draft(client, head + PARITY_BODY, uri=uri, language=language)
    line = head.count("\n")
    assert [span for rule, span in spans(diagnostics) if rule == "demanding-phrasing"] == [(line, 25, line, 33), (line, 72, line, 76)]
    close(client, uri)


@e2e
async def test_a_hover_before_the_debounced_lint_reads_the_markdown_and_its_comments(client: LanguageClient, tmp_path):
    """A request that arrives before the debounced lint lints the new text as markdown, at its path."""
    uri = (tmp_path / "hover.md").as_uri()
    await open_draft(client, "Hi Ana,\n\nThanks!\n", uri=uri, language="markdown")
    text = "Hi Ana,\n\n<!-- referral-lint disable-next-line demanding-phrasing -->\nRefer me ASAP.\n\n`Refer me` ASAP.\n"
    change(client, uri, 2, text)  # and ask at once, well within the debounce
    hovers = [
        await client.text_document_hover_async(
            lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(line=line, character=character))
        )
        for line, character in ((3, 2), (5, 2), (5, 12))
    ]
    suppressed, code, asap = hovers
    assert suppressed is None or "demanding-phrasing" not in suppressed.contents.value  # the comment is honoured
    assert code is None or "demanding-phrasing" not in code.contents.value  # code is not prose
    assert asap is not None and asap.contents.value.startswith("**demanding-phrasing**")
    close(client, uri)


@e2e
async def test_a_code_action_before_the_first_lint_reads_the_markdown_its_comments_and_its_configuration(
    client: LanguageClient, tmp_path
):
    """A code action sent with the didOpen, before any lint: the buffer is linted at once as the
    markdown file at its path, with its ignore comments and the per-path configuration there."""
    write(tmp_path / ".referral-lint.yaml", 'per-path:\n  "notes/*":\n    ignore: [demanding-phrasing]\n')
    text = "Hi Ana,\n\n<!-- referral-lint disable-next-line demanding-phrasing -->\nRefer me ASAP.\n\n`ASAP` ASAP.\n"
    fixes = {}
    for name in ("first.md", "notes/first.md"):
        uri = (tmp_path / name).as_uri()
        client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(uri=uri, language_id="markdown", version=1, text=text))
        )
        fixes[name] = [
            [a.title for a in await code_actions(client, uri, (line, character, line, character)) if a.title.startswith("Remove")]
            for line, character in ((3, 10), (5, 2), (5, 8))
        ]
        close(client, uri)
    # The comment suppresses line 4's ASAP, code is not prose, the last ASAP is prose.
    assert fixes["first.md"] == [[], [], ['Remove "ASAP" (unsafe: check it before sending)']]  # it leaves only "."
    assert fixes["notes/first.md"] == [[], [], []]  # per-path: demanding-phrasing is off under notes/


def test_a_broken_configuration_file_falls_back_to_the_editors_settings(tmp_path, isolated_settings):
    """In-process: the draft is still linted (with the editor's options), and the log says why."""
    from referral_lint.lsp import ReferralLintServer

    write(tmp_path / ".referral-lint.yaml", "channel: carrier-pigeon\n")
    server = ReferralLintServer()
    server.settings, _ = load_settings(tmp_path, {"select": ["demanding-phrasing"]})
    lint = server._lint_now("Hi Ana,\nRefer me ASAP.\n", "plaintext", (tmp_path / "draft.txt").as_uri())
    assert [v.rule for v in lint.report.violations] == ["demanding-phrasing", "demanding-phrasing"]
    assert lint.note.startswith(f"cannot use the configuration for {tmp_path / 'draft.txt'}: {tmp_path / '.referral-lint.yaml'}")
    assert "carrier-pigeon" in lint.note and lint.note.endswith("; using the editor's settings only")


def test_a_broken_rule_file_is_named_in_the_note_not_the_configuration(tmp_path, isolated_settings):
    """In-process: a team's rule file that does not load is what the note names, with its one-line error."""
    from referral_lint.lsp import ReferralLintServer

    (tmp_path / "team-rules").mkdir()
    rule = write(tmp_path / "team-rules" / "no-sir.yaml", "id: no-sir\nsummary: Sir\nseverity: warning\ncheck: ban\n")
    write(tmp_path / ".referral-lint.yaml", "rule-dirs: [team-rules]\n")
    server = ReferralLintServer()
    server.settings, _ = load_settings(tmp_path, {"select": ["demanding-phrasing"]})
    lint = server._lint_now("Hi Ana,\nRefer me ASAP.\n", "plaintext", (tmp_path / "draft.txt").as_uri())
    assert [v.rule for v in lint.report.violations] == ["demanding-phrasing", "demanding-phrasing"]
    assert lint.note == f"cannot use a rule file: {rule}:1: missing required key 'why'; using the editor's settings only"


def test_a_teams_rule_file_edited_in_the_workspace_gives_new_diagnostics(tmp_path, isolated_settings):
    """In-process: the rules are read again when a rule file changes, with no restart."""
    from referral_lint.lsp import ReferralLintServer
    from test_config import BUZZ_DRAFT, TEAM_RULE

    rule = write(tmp_path / "team-rules" / "no-buzzwords.yaml", TEAM_RULE)
    write(tmp_path / ".referral-lint.yaml", "rule-dirs: [team-rules]\n")
    server = ReferralLintServer()
    server.settings, _ = load_settings(tmp_path, {})
    uri = (tmp_path / "draft.txt").as_uri()

    def buzzwords() -> list[tuple[str, str]]:
        report = server._lint_now(BUZZ_DRAFT, "plaintext", uri).report
        return [(BUZZ_DRAFT[v.start : v.end], v.message) for v in report.violations if v.rule == "no-buzzwords"]

    assert buzzwords() == [("rockstar", '"rockstar" is a buzzword; say what you did instead.')]
    write(rule, TEAM_RULE.replace("[synergy, rockstar, ninja]", "[synergy, ninja, pydata]"))
    assert buzzwords() == [("PyData", '"PyData" is a buzzword; say what you did instead.')]
    rule.unlink()
    assert buzzwords() == []


def test_a_transfer_encoded_email_buffer_is_not_underlined_at_wrong_places(isolated_settings):
    from referral_lint.lsp import ReferralLintServer

    text = "Subject: Data role\nContent-Transfer-Encoding: quoted-printable\n\nHi Ana, refer me ASAP=\n please.\n"
    lint = ReferralLintServer()._lint_now(text, "plaintext", "file:///drafts/encoded.eml")
    assert lint.report.violations == [] and lint.report.text == text
    assert lint.note == "file:///drafts/encoded.eml: the email body is quoted-printable or base64; it is not linted in the editor"


@e2e
async def test_a_document_over_the_input_cap_gets_one_diagnostic_and_delays_no_other(client: LanguageClient):
    big, diagnostics = await open_draft(client, "Refer me ASAP. " * 10_000)
    assert [(d.message, d.severity) for d in diagnostics] == [
        ("over the 100,000-character limit for one draft (150,000 characters): not linted.", lsp.DiagnosticSeverity.Warning)
    ]
    started = asyncio.get_running_loop().time()
    small, diagnostics = await open_draft(client, EMOJI_DRAFT)
    assert asyncio.get_running_loop().time() - started < 10
    assert "demanding-phrasing" in {d.code for d in diagnostics}
    close(client, big)
    close(client, small)


@e2e
async def test_a_lone_surrogate_in_a_buffer_is_linted(client: LanguageClient):
    uri, diagnostics = await open_draft(client, "Hi Dana,\nRefer me ASAP \ud800 please.\nSam")
    assert "demanding-phrasing" in {d.code for d in diagnostics}
    close(client, uri)


@e2e
async def test_a_big_document_never_delays_a_small_one_opened_after_it(client: LanguageClient):
    """At the cap a document lints in a second or more; on the one lint thread a small document
    opened after it waited for it (issue 15). Big ones are linted in a process of their own."""
    big_text = ("Refer me ASAP. " * 7000)[:99_000]
    big, mark = new_uri(), len(client.published)
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(uri=big, language_id="plaintext", version=1, text=big_text))
    )
    small, diagnostics = await open_draft(client, EMOJI_DRAFT)
    assert spans(d for d in diagnostics if d.code == "demanding-phrasing") == [("demanding-phrasing", REFER_ME), ("demanding-phrasing", ASAP)]
    big_diagnostics = await wait_diagnostics(client, big, version=1, after=mark, timeout=120)  # starting the process
    published = [params.uri for params in client.published[mark:]]
    assert published.index(small) < published.index(big)
    # Linted as on the lint thread: the first problems of the big document are the same as a small one's.
    assert [(d.code, d.range.start.character) for d in big_diagnostics if d.range.start.line == 0][:2] == [
        ("demanding-phrasing", 0), ("demanding-phrasing", 9)
    ]
    close(client, big)
    close(client, small)
