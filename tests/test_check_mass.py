"""mass-message in ``check``: drafts of one run that are one message with the names swapped."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from helpers import write

from referral_lint.cli import main

pytest.importorskip("datasketch")

# Written for these tests: one template, filled for three people.
TEMPLATE = (
    "Hi {name},\nI admire the data team at {company} and would love to join it as a Data Engineer. "
    "I have built streaming pipelines for four years and read your posts on schema design. Would you be "
    "open to referring me for the role (job {job})? No worries if not. Thanks for your time!\nSam\n"
)
# Shares the greeting and the sign-off with the template, and nothing else: a near-miss.
OWN_NOTE = (
    "Hi Dara,\nWe met at the Rust meetup in May and argued about borrow checkers over pizza. Your team's "
    "post on build caching is why I applied for the Platform Engineer role (job 5120). Would you be open to "
    "referring me? No worries if not. Thanks for your time!\nSam\n"
)


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], env={"NO_COLOR": None, "FORCE_COLOR": None}, catch_exceptions=False)


@pytest.fixture
def folder(tmp_path, isolated_settings):
    for name, company, job in (("Ana", "Acme", 4410), ("Bo", "Initech", 872), ("Chen", "Globex Labs", 31)):
        write(tmp_path / "notes" / f"{name.lower()}.txt", TEMPLATE.format(name=name, company=company, job=job))
    write(tmp_path / "notes" / "dara.txt", OWN_NOTE)
    return tmp_path / "notes"


def mass_lines(output: str) -> list[str]:
    return [line.split("/")[-1] for line in output.splitlines() if "mass-message" in line]


def test_each_copy_of_a_mass_message_names_the_others_and_the_near_miss_is_left_alone(folder, linter):
    result = invoke("check", folder, "--isolated", "--extend-select", "mass-message", "--output-format", "concise")

    message = "with the names swapped: a note written for its reader gets more replies."
    assert mass_lines(result.stdout) == [
        f"ana.txt:1:1: mass-message [warning] The same message as {folder}/bo.txt and {folder}/chen.txt, {message}".split("/")[-1],
        f"bo.txt:1:1: mass-message [warning] The same message as {folder}/ana.txt and {folder}/chen.txt, {message}".split("/")[-1],
        f"chen.txt:1:1: mass-message [warning] The same message as {folder}/ana.txt and {folder}/bo.txt, {message}".split("/")[-1],
    ]
    assert result.exit_code == 1


def test_mass_message_is_off_by_default_and_selected_and_ignored_like_a_rule(folder, linter):
    default = invoke("check", folder, "--isolated", "--output-format", "concise")
    ignored = invoke("check", folder, "--isolated", "--extend-select", "template", "--ignore", "mass-message", "--output-format", "concise")
    by_group = invoke("check", folder, "--isolated", "--extend-select", "template", "--output-format", "concise")
    alone = invoke("check", folder, "--isolated", "--select", "mass-message", "--output-format", "concise")

    assert mass_lines(default.stdout) == mass_lines(ignored.stdout) == []
    assert len(mass_lines(by_group.stdout)) == 3
    assert len(mass_lines(alone.stdout)) == 3 and len(alone.stdout.splitlines()) == 3


def test_the_same_with_worker_processes(folder, linter, monkeypatch):
    from referral_lint import cli

    monkeypatch.setattr(cli, "FILES_PER_CHUNK", 1)
    one = invoke("check", folder, "--isolated", "--extend-select", "mass-message", "--jobs", "1", "--output-format", "json")
    two = invoke("check", folder, "--isolated", "--extend-select", "mass-message", "--jobs", "2", "--output-format", "json")

    assert two.stdout == one.stdout and '"rule": "mass-message"' in one.stdout


@pytest.mark.parametrize("line_end", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_the_finding_covers_the_first_line_whatever_the_line_ends(tmp_path, isolated_settings, linter, line_end):
    import json

    for name, company, job in (("Ana", "Acme", 4410), ("Bo", "Initech", 872)):
        text = TEMPLATE.format(name=name, company=company, job=job).replace("\n", line_end)
        (tmp_path / f"{name.lower()}.txt").write_bytes((line_end + text).encode())
    result = invoke("check", tmp_path, "--isolated", "--select", "mass-message", "--output-format", "json")
    spans = {
        file["path"].split("/")[-1]: [(v["line"], v["column"], v["end_line"], v["end_column"], v["end"] - v["start"]) for v in file["violations"]]
        for file in json.loads(result.stdout)["files"]
    }
    # A blank line, then "Hi Ana," on line 2: the finding is that line, without its line end.
    assert spans == {"ana.txt": [(2, 1, 2, 8, 7)], "bo.txt": [(2, 1, 2, 7, 6)]}


def test_one_file_is_not_compared_with_anything(folder, linter):
    result = invoke("check", folder / "ana.txt", "--isolated", "--select", "mass-message", "--output-format", "concise")

    assert mass_lines(result.stdout) == []


def test_rules_and_explain_know_mass_message(linter):
    listed = invoke("rules", "--isolated")
    explained = invoke("explain", "mass-message", "--isolated")

    assert any(line.startswith("mass-message ") and "template" not in line for line in listed.stdout.splitlines())
    assert explained.stdout.startswith("mass-message: Write each note for its reader, not one copy for many")
