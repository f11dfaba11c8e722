"""``referral-lint batch`` end to end: records in, one JSON result per record out, in order."""

from __future__ import annotations

import json

from helpers import write

CLEAN = (
    "Hi Dana, we met at the Boston PyData meetup last May. I'm applying for the Senior Data Analyst "
    "role (job ID 4471) at Acme and would be grateful if you'd consider referring me. My resume is "
    "attached. No worries if it's not a fit. Thank you for your time! Best, Sam"
)
DEMANDING = "Refer me to your manager ASAP."
VAGUE = "Hey, any openings at your company? Let me know."


def lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines()]


def violations(result: dict) -> list[str]:
    return [v["rule"] for v in result["violations"]]


def test_batch_writes_one_result_per_record_in_order_and_an_error_in_place_of_each_bad_one(cli, tmp_path):
    records = [
        json.dumps({"id": "a", "text": CLEAN}),
        json.dumps({"id": "b", "text": DEMANDING}),
        "{not json",
        json.dumps({"id": "d", "body": "the text is under another key"}),
        json.dumps({"id": "e", "text": 42}),
        json.dumps({"id": "f", "text": "x" * 100_001}),
        json.dumps(["a", "list"]),
        "",  # a blank line is not a record
        json.dumps({"id": "h", "text": VAGUE, "channel": "fax"}),
        json.dumps({"id": "i", "text": VAGUE}),
    ]
    source = write(tmp_path / "drafts.jsonl", "\n".join(records) + "\n")

    result = cli("batch", source, "--id-field", "id", "--channel-field", "channel", "--jobs", "2")

    assert result.exit_code == 2  # records failed; the others were still linted
    out = lines(result.stdout)
    assert [r["id"] for r in out] == ["a", "b", 3, "d", "e", "f", 7, "h", "i"]
    assert out[0] == {"id": "a", "channel": "message", "violations": []}
    assert "demanding-phrasing" in violations(out[1])
    error = "not valid JSON (Expecting property name enclosed in double quotes at column 2)"
    assert out[2] == {"id": 3, "record": 3, "error": error}
    assert out[3] == {"id": "d", "record": 4, "error": "no 'text' field"}
    assert out[4] == {"id": "e", "record": 5, "error": "'text' is a number, not text"}
    assert out[5] == {"id": "f", "record": 6, "error": "over the 100,000-character limit for one draft (100,001 characters)"}
    assert out[6] == {"id": 7, "record": 7, "error": "not a JSON object but a list"}
    assert out[7]["error"].startswith("unknown channel 'fax'") and out[7]["record"] == 8
    assert "named-role" in violations(out[8])
    assert "6 could not be linted" in result.stderr


def test_a_record_that_shows_nothing_is_empty_as_a_file_is(cli, tmp_path):
    """Zero-width characters and a BOM show nothing: such a record is refused as empty, as such a file is."""
    blank = "\u200b\ufeff \n\u00ad"
    source = write(tmp_path / "drafts.jsonl", json.dumps({"text": blank}) + "\n" + json.dumps({"text": "  "}) + "\n")
    out = lines(cli("batch", source).stdout)
    assert out == [
        {"id": 1, "record": 1, "error": "'text' is empty, nothing to lint"},
        {"id": 2, "record": 2, "error": "'text' is empty, nothing to lint"},
    ]
    assert cli("check", write(tmp_path / "blank.txt", blank)).stderr.endswith(": empty file, nothing to lint\n")


def test_batch_results_carry_the_json_formats_violations(cli, tmp_path):
    source = write(tmp_path / "drafts.jsonl", json.dumps({"text": DEMANDING}) + "\n")
    checked = write(tmp_path / "draft.txt", DEMANDING)

    batched = lines(cli("batch", source, "--jobs", "1").stdout)[0]
    report = json.loads(cli("check", checked, "--format", "json", "--isolated").stdout)

    assert batched["violations"] == report["files"][0]["violations"]
    assert batched["channel"] == report["files"][0]["channel"]


def test_batch_reads_csv_with_id_and_channel_columns(cli, tmp_path):
    source = write(
        tmp_path / "drafts.csv",
        'draft_id,message,where\n7,"' + CLEAN + '",email\n8,"' + (CLEAN + " ") * 2 + '",connection-note\n9,"' + CLEAN + '",\n',
    )

    result = cli("batch", source, "--text-field", "message", "--id-field", "draft_id", "--channel-field", "where")

    *out, mass_message = lines(result.stdout)
    assert [(r["id"], r["channel"]) for r in out] == [("7", "email"), ("8", "connection-note"), ("9", "message")]
    assert "length" in violations(out[1])
    assert mass_message["rule"] == "mass-message" and mass_message["ids"] == ["7", "8", "9"]  # one text, three times
    assert result.exit_code == 1  # problems found, no record failed


def test_batch_exits_0_on_clean_records_and_prints_a_summary_on_stderr(cli, tmp_path):
    source = write(tmp_path / "drafts.jsonl", json.dumps({"text": CLEAN}) + "\n")

    result = cli("batch", source, "--no-mass-messages")

    assert result.exit_code == 0
    assert lines(result.stdout) == [{"id": 1, "channel": "message", "violations": []}]
    assert "1 record in " in result.stderr and "1 linted, 0 problems, 0 could not be linted." in result.stderr


def test_batch_reads_stdin_and_writes_the_output_file(cli, tmp_path):
    target = tmp_path / "results.jsonl"

    result = cli("batch", "-", "-o", target, input=json.dumps({"text": DEMANDING}) + "\n")

    assert result.exit_code == 1
    assert result.stdout == ""
    assert "demanding-phrasing" in violations(lines(target.read_text())[0])
    assert "demanding-phrasing" in result.stderr  # problems per rule in the summary


def test_batch_stops_with_one_line_when_a_csv_lacks_the_text_column(cli, tmp_path):
    source = write(tmp_path / "drafts.csv", "id,body\n1,hello\n")

    result = cli("batch", source)

    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"referral-lint: error: {source}: no column 'text' in the CSV header (columns: 'id', 'body')"
    )


def test_an_input_error_leaves_the_output_file_as_it_was(cli, tmp_path):
    source = write(tmp_path / "drafts.csv", "id,body\n1,hello\n")
    target = write(tmp_path / "results.jsonl", "yesterday's results\n")

    result = cli("batch", source, "-o", target)

    assert result.exit_code == 2
    assert target.read_text() == "yesterday's results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["drafts.csv", "results.jsonl"]  # no temporary file left


def test_a_record_without_its_id_field_is_an_error_named_by_its_number(cli, tmp_path):
    source = write(tmp_path / "drafts.jsonl", json.dumps({"text": CLEAN}) + "\n" + json.dumps({"id": "b", "text": CLEAN}) + "\n")

    result = cli("batch", source, "--id-field", "id", "--no-mass-messages")

    assert lines(result.stdout) == [
        {"id": 1, "record": 1, "error": "no 'id' field"},
        {"id": "b", "channel": "message", "violations": []},
    ]
    assert result.exit_code == 2


def test_batch_names_a_missing_input_file(cli, tmp_path):
    result = cli("batch", tmp_path / "missing.jsonl")

    assert result.exit_code == 2
    assert result.stderr.strip() == f"referral-lint: error: {tmp_path / 'missing.jsonl'}: cannot read: No such file or directory"


def test_a_line_too_long_to_hold_a_draft_is_an_error_record_and_is_not_read_whole(cli, tmp_path):
    from referral_lint.records import _MAX_LINE_BYTES

    huge = json.dumps({"text": "word " * (_MAX_LINE_BYTES // 5)})
    source = write(tmp_path / "drafts.jsonl", huge + "\n" + json.dumps({"text": DEMANDING}) + "\n")

    result = cli("batch", source, "--no-mass-messages")

    first, second = lines(result.stdout)
    assert first == {"id": 1, "record": 1, "error": "over the 100,000-character limit for one draft"}
    assert second["id"] == 2 and "demanding-phrasing" in violations(second)
    assert result.exit_code == 2


def test_a_csv_that_is_not_utf8_stops_with_one_line(cli, tmp_path):
    source = tmp_path / "drafts.csv"
    source.write_bytes(b"text\n" + "Caf\u00e9 talk".encode("latin-1") + b"\n")

    result = cli("batch", source)

    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"referral-lint: error: {source}: not valid UTF-8 (invalid continuation byte); save the CSV as UTF-8"
    )


def test_jobs_must_be_at_least_one(cli, tmp_path):
    source = write(tmp_path / "drafts.jsonl", json.dumps({"text": CLEAN}) + "\n")

    result = cli("batch", source, "--jobs", "0")

    assert result.exit_code == 2
    assert "Invalid value for '-j' / '--jobs': 0 is not in the range x>=1." in result.stderr


def test_two_workers_write_exactly_what_one_process_writes(cli, tmp_path):
    texts = [CLEAN, DEMANDING, VAGUE, None]  # None: a record without text, an error in its place
    records = [{"id": f"r{i}", "text": texts[i % 4]} for i in range(150)]  # over two chunks of 64
    source = write(tmp_path / "drafts.jsonl", "".join(json.dumps(r) + "\n" for r in records))

    one = cli("batch", source, "--id-field", "id", "--jobs", "1")
    two = cli("batch", source, "--id-field", "id", "--jobs", "2")

    assert two.stdout == one.stdout
    assert [r.get("id") for r in lines(two.stdout)[:150]] == [f"r{i}" for i in range(150)]
    assert two.exit_code == one.exit_code == 2
