"""`referral-lint serve`'s JSON API and its guards, through Starlette's TestClient.

The browser side (the page) is tests/test_web_page.py.
"""

from __future__ import annotations

import json
import socket
import sys
import warnings

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed: pip install '.[web]' in a clone of referral-lint")

with warnings.catch_warnings():  # Starlette's TestClient prefers httpx2; httpx works the same here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from helpers import write
from referral_lint.web.app import MAX_BODY_BYTES, create_app
from referral_lint.web.server import ServeError, bind, is_loopback, running_in_thread
from referral_lint.web.service import LintService

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PORT = 8765
OWN = f"http://127.0.0.1:{PORT}"
# Written for these tests: a demanding ask with safe fixes, and a warm, complete one.
PUSHY = "Hi Ana,\nWe met at PyData in May.\nRefer me for the Data Engineer role (job 4410) ASAP. No worries if not. Thanks!\n"


@pytest.fixture(scope="module")
def service() -> LintService:
    return LintService(isolated=True)


@pytest.fixture(scope="module")
def client(service: LintService) -> TestClient:
    return TestClient(create_app(service, port=PORT), base_url=OWN)


def cli_json(cli, text: str, *args: str) -> dict:
    result = cli("check", "-", "--isolated", "--output-format", "json", *args, input=text)
    return json.loads(result.stdout)


def test_lint_returns_what_check_output_format_json_prints(client, cli):
    response = client.post("/api/lint", json={"text": PUSHY, "channel": "detect"})
    assert response.status_code == 200
    assert response.json() == cli_json(cli, PUSHY)
    rules = [(v["rule"], PUSHY[v["start"] : v["end"]]) for v in response.json()["files"][0]["violations"]]
    assert ("demanding-phrasing", "Refer me") in rules and ("demanding-phrasing", "ASAP") in rules


def test_lint_judges_the_channel_it_is_given(client, cli):
    note = "Hi Ana, we met at PyData in May. " + "I loved your talk on data contracts and schema checks. " * 5 + "Would you be open to referring me for the Data Engineer role (job 4410)? No worries if not. Thanks!"
    document = client.post("/api/lint", json={"text": note, "channel": "connection-note"}).json()
    assert document == cli_json(cli, note, "--channel", "connection-note")
    length = [v for v in document["files"][0]["violations"] if v["rule"] == "length"]
    assert length[0]["severity"] == "error" and length[0]["message"].startswith(f"{len(note)} characters")


def test_offsets_count_code_points_as_python_does(client):
    text = "Hi Ana 😀👋, we met at PyData. Refer me for the Data Engineer role (job 4410). Thanks!"
    violations = client.post("/api/lint", json={"text": text}).json()["files"][0]["violations"]
    demanding = next(v for v in violations if v["rule"] == "demanding-phrasing")
    assert text[demanding["start"] : demanding["end"]] == "Refer me"


def test_fix_changes_the_draft_as_fix_does(client, cli):
    response = client.post("/api/fix", json={"text": PUSHY, "channel": "detect"})
    assert response.status_code == 200
    fixed = response.json()
    by_cli = cli("fix", "-", "--isolated", input=PUSHY)
    assert fixed["text"] == by_cli.stdout
    assert "Would you be open to referring me" in fixed["text"] and "ASAP" not in fixed["text"]
    assert fixed["fixed"] == 1 and "Fixed 1 problem in 1 file; 1 remains." in by_cli.stderr
    assert fixed["report"] == cli_json(cli, fixed["text"])


def test_fix_applies_unsafe_suggestions_only_when_asked(client):
    text = "Hi Ana, we met at PyData. Would you be open to referring me for the Data Engineer role (job 4410)?"
    safe = client.post("/api/fix", json={"text": text}).json()
    unsafe = client.post("/api/fix", json={"text": text, "unsafe": True}).json()
    assert safe["fixed"] == 0 and safe["text"] == text
    assert unsafe["fixed"] > 0 and "No worries" in unsafe["text"]


def test_rules_list_what_runs_with_the_length_bounds(client):
    rules = {rule["id"]: rule for rule in client.get("/api/rules").json()}
    assert "demanding-phrasing" in rules and "supporting-materials" not in rules  # opt-in rules are off
    note = rules["length"]["limits"]["connection-note"]
    assert note == {"measure": "characters", "bounds": [{"min": None, "max": 300, "severity": "error"}, {"min": None, "max": 200, "severity": "warning"}]}
    assert rules["length"]["limits"]["email"]["measure"] == "words"
    assert rules["demanding-phrasing"]["why"].startswith("A referral")


def test_an_empty_draft_is_an_error_in_the_document_as_for_the_cli(client, cli):
    document = client.post("/api/lint", json={"text": "  \n"}).json()
    assert document["files"] == [] and document["errors"] == [{"path": "<stdin>", "error": "empty file, nothing to lint"}]


def test_the_configuration_of_the_starting_directory_is_used(tmp_path, monkeypatch, isolated_settings):
    (tmp_path / ".referral-lint.yaml").write_text("ignore: [demanding-phrasing]\nchannel: connection-note\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    client = TestClient(create_app(LintService(), port=PORT), base_url=OWN)
    document = client.post("/api/lint", json={"text": PUSHY, "channel": "detect"}).json()
    assert document["files"][0]["channel"] == "connection-note"
    assert "demanding-phrasing" not in {v["rule"] for v in document["files"][0]["violations"]}
    assert "demanding-phrasing" not in {rule["id"] for rule in client.get("/api/rules").json()}


def test_a_teams_rule_file_edited_while_the_server_runs_counts_from_the_next_request(tmp_path, monkeypatch, isolated_settings):
    from test_config import BUZZ_DRAFT, TEAM_RULE

    rule = write(tmp_path / "team-rules" / "no-buzzwords.yaml", TEAM_RULE)
    (tmp_path / ".referral-lint.yaml").write_text("rule-dirs: [team-rules]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    client = TestClient(create_app(LintService(), port=PORT), base_url=OWN)

    def buzzwords() -> list[str]:
        violations = client.post("/api/lint", json={"text": BUZZ_DRAFT}).json()["files"][0]["violations"]
        return [v["message"] for v in violations if v["rule"] == "no-buzzwords"]

    assert buzzwords() == ['"rockstar" is a buzzword; say what you did instead.']
    write(rule, TEAM_RULE.replace("say what you did instead", "name a result"))
    assert buzzwords() == ['"rockstar" is a buzzword; name a result.']
    write(rule, TEAM_RULE.replace("check: forbid", "check: ban"))
    response = client.post("/api/lint", json={"text": BUZZ_DRAFT})
    assert response.status_code == 503  # the server is fine; the rules cannot be used until fixed
    assert response.json()["error"].startswith(f"cannot use a rule file: {rule}:4: ")  # the file and line of the problem
    assert client.post("/api/fix", json={"text": BUZZ_DRAFT}).status_code == 503
    rules = client.get("/api/rules")
    assert rules.status_code == 503 and rules.json()["error"].startswith(f"cannot use a rule file: {rule}:4: ")
    write(rule, TEAM_RULE)  # fixed: the server answers again, without a restart
    assert buzzwords() == ['"rockstar" is a buzzword; say what you did instead.']
    assert "no-buzzwords" in {rule["id"] for rule in client.get("/api/rules").json()}


def test_a_configuration_file_broken_while_the_server_runs_is_503_until_fixed(tmp_path, monkeypatch, isolated_settings):
    config = write(tmp_path / ".referral-lint.yaml", "ignore: [demanding-phrasing]\n")
    monkeypatch.chdir(tmp_path)
    client = TestClient(create_app(LintService(), port=PORT), base_url=OWN)
    assert client.post("/api/lint", json={"text": PUSHY}).status_code == 200
    write(config, "ignore: [no-such-rule]\n")
    response = client.post("/api/lint", json={"text": PUSHY})
    assert response.status_code == 503
    assert response.json()["error"].startswith(f"cannot use the configuration: {config}:1: ignore: unknown rule")
    write(config, "ignore: [demanding-phrasing]\n")
    document = client.post("/api/lint", json={"text": PUSHY}).json()
    assert "demanding-phrasing" not in {v["rule"] for v in document["files"][0]["violations"]}


# --- the guards -----------------------------------------------------------------------


@pytest.mark.parametrize("host", [f"127.0.0.1:{PORT}", f"localhost:{PORT}", f"[::1]:{PORT}", f"LOCALHOST:{PORT}"])
def test_own_host_names_are_answered(client, host):
    assert client.post("/api/lint", json={"text": PUSHY}, headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["attacker.example", f"attacker.example:{PORT}", "127.0.0.1", f"127.0.0.1:{PORT + 1}", ""])
def test_a_foreign_host_is_refused_as_dns_rebinding_would_send_it(client, host):
    for response in (client.post("/api/lint", json={"text": PUSHY}, headers={"Host": host}), client.get("/", headers={"Host": host})):
        assert response.status_code == 403
        assert response.json() == {"error": "this server answers only requests addressed to it (Host is not this server)"}


@pytest.mark.parametrize("origin", ["https://attacker.example", "null", f"http://localhost:{PORT + 1}", f"https://127.0.0.1:{PORT}"])
def test_a_foreign_origin_is_refused(client, origin):
    response = client.post("/api/lint", json={"text": PUSHY}, headers={"Origin": origin})
    assert response.status_code == 403
    assert response.json() == {"error": "this server answers only its own page (Origin is another site)"}
    assert not any(name.lower().startswith("access-control-") for name in response.headers)


def test_the_own_origin_is_answered_without_cors_headers(client):
    for origin in (OWN, f"http://localhost:{PORT}"):
        response = client.post("/api/lint", json={"text": PUSHY}, headers={"Origin": origin})
        assert response.status_code == 200
        assert not any(name.lower().startswith("access-control-") for name in response.headers)
    assert client.options("/api/lint", headers={"Origin": "https://attacker.example", "Access-Control-Request-Method": "POST"}).status_code == 403


def test_a_draft_over_the_cap_is_413_and_one_at_the_cap_is_linted(client):
    at_cap = ("word " * 20_000)[:100_000]
    assert client.post("/api/lint", json={"text": at_cap}).status_code == 200
    response = client.post("/api/lint", json={"text": at_cap + "x"})
    assert response.status_code == 413
    assert response.json() == {"error": "over the 100,000-character limit for one draft (100,001 characters)"}


def test_a_body_over_the_cap_is_refused_by_its_length_before_it_is_read(client):
    headers = {"Content-Type": "application/json", "Content-Length": str(MAX_BODY_BYTES + 1)}
    response = client.post("/api/lint", content=b"{", headers=headers)
    assert response.status_code == 413


def test_a_streamed_body_over_the_cap_is_refused_before_it_ends():
    """The server answers 413 once the cap is passed, without waiting for the rest of the body."""
    with running_in_thread(isolated=True) as url:
        host, port = url.removeprefix("http://").rstrip("/").rsplit(":", 1)
        answer = _post_a_body_that_never_ends(host, int(port))
    assert answer.startswith(b"HTTP/1.1 413 ")


def _post_a_body_that_never_ends(host: str, port: int) -> bytes:
    with socket.create_connection((host, port), timeout=10) as connection:
        connection.sendall(
            f"POST /api/lint HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        chunk = b" " * 65536
        for _ in range(MAX_BODY_BYTES // len(chunk) + 2):
            connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        # The body never ends (no final 0-length chunk): a server that read it all would hang here.
        return connection.recv(4096)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b'{"text": "Hi', "the request body is not valid JSON"),
        (b"\xff\xfe", "the request body is not valid JSON"),
        (b'["Hi"]', 'the request body must be a JSON object such as {"text": "...", "channel": "detect"}'),
        (b'{"channel": "email"}', '"text" must be a string: the draft'),
        (b'{"text": 3}', '"text" must be a string: the draft'),
        (b'{"text": "Hi", "channel": 1}', '"channel" must be a string'),
        (b'{"text": "Hi", "unsafe": "yes"}', '"unsafe" must be true or false'),
        (b'{"text": "Hi", "channel": "fax"}', "unknown channel 'fax' (expected detect or one of: connection-note, inmail, email, message, followup)"),
    ],
)
def test_a_malformed_request_is_400_with_one_line(client, body, error):
    for path in ("/api/lint", "/api/fix"):
        response = client.post(path, content=body, headers={"Content-Type": "application/json"})
        assert (response.status_code, response.json()) == (400, {"error": error})


def test_a_wrong_path_or_method_is_a_json_error_too(client):
    assert (client.get("/api/lint").status_code, client.get("/api/lint").json()) == (405, {"error": "GET /api/lint: Method Not Allowed"})
    assert (client.get("/api/nothing").status_code, client.get("/api/nothing").json()) == (404, {"error": "GET /api/nothing: Not Found"})
    assert client.get("/static/nothing.js").status_code == 404


def test_an_internal_error_answers_500_without_the_draft_and_logs_nothing_of_it(service, caplog, monkeypatch):
    def broken(text, channel):
        raise RuntimeError(f"bug while reading {text}")

    monkeypatch.setattr(service, "lint_json", broken)
    client = TestClient(create_app(service, port=PORT), base_url=OWN)
    response = client.post("/api/lint", json={"text": "my secret draft"})
    assert response.status_code == 500
    assert response.json() == {"error": "internal error while linting (RuntimeError); please report it"}
    assert "secret" not in caplog.text


def test_the_page_and_its_assets_are_served_from_the_package_with_a_strict_policy(client):
    page = client.get("/")
    assert page.status_code == 200 and '<textarea id="draft"' in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    for asset in ("/static/app.js", "/static/style.css"):
        assert client.get(asset).status_code == 200
    # Nothing is fetched from anywhere else: no CDN.
    assert "http" not in page.text.replace('"http-equiv"', "")


# --- starting the server ----------------------------------------------------------------


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True), ("0.0.0.0", False), ("192.168.1.5", False)])
def test_only_loopback_addresses_count_as_local(host, loopback):
    assert is_loopback(host) is loopback


def test_a_busy_port_is_a_one_line_error(cli):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServeError, match=f"cannot listen on 127.0.0.1:{port}: "):
            bind("127.0.0.1", port)
        result = cli("serve", "--isolated", "--port", port)
    assert result.exit_code == 2
    assert result.output.startswith(f"referral-lint: error: cannot listen on 127.0.0.1:{port}: ")
    assert result.output.count("\n") == 1


def test_serve_without_the_web_extra_says_which_extra_to_install(cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # what a missing package looks like to import
    result = cli("serve", "--isolated")
    assert result.exit_code == 2
    assert result.output == "referral-lint: error: serve needs the 'web' extra (uvicorn is not installed): pip install '.[web]' in your clone of referral-lint\n"


def test_serve_with_a_bad_configuration_is_a_one_line_error(cli, tmp_path):
    bad = tmp_path / ".referral-lint.yaml"
    bad.write_text("channel: fax\n", encoding="utf-8")
    result = cli("serve", "--config", bad)
    assert result.exit_code == 2
    assert result.output.startswith("referral-lint: error: ") and "channel" in result.output
    assert result.output.count("\n") == 1


def test_serve_prints_the_address_and_opens_it_when_asked(cli, monkeypatch):
    from referral_lint.web import server

    served, opened = [], []
    monkeypatch.setattr(server.Server, "run", lambda self: served.append(self.sock.getsockname()))
    monkeypatch.setattr("webbrowser.open", opened.append)
    result = cli("serve", "--isolated", "--port", "0", "--open")
    assert result.exit_code == 0
    port = served[0][1]
    assert result.stdout == f"referral-lint: checking drafts at http://127.0.0.1:{port}/ (Ctrl+C to stop)\n"
    assert result.stderr == ""
    assert opened == [f"http://127.0.0.1:{port}/"]


def test_serve_on_an_address_other_machines_reach_warns(cli, monkeypatch):
    from referral_lint.web import server

    monkeypatch.setattr(server.Server, "run", lambda self: None)
    result = cli("serve", "--isolated", "--port", "0", "--host", "0.0.0.0")
    assert result.exit_code == 0
    assert result.stderr == (
        "referral-lint: warning: listening on 0.0.0.0, not 127.0.0.1: other machines on the network can reach this page\n"
    )


def test_serve_with_a_missing_trained_pipeline_is_a_one_line_error(cli, tmp_path):
    config = tmp_path / ".referral-lint.yaml"
    config.write_text("model: en_no_such_pipeline\n", encoding="utf-8")
    result = cli("serve", "--config", config, "--port", "0")
    assert result.exit_code == 2
    assert result.output.startswith("referral-lint: error: cannot load the pipeline: ") and "en_no_such_pipeline" in result.output
    assert result.output.count("\n") == 1
