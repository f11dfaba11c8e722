"""``check`` and ``fix`` on many files with worker processes (``--jobs``): the same output as one process.

The workers get a few files at a time (the chunk is made small here, so that a handful
of files spreads over them); whatever ``--jobs`` says, every byte of stdout and stderr
and the exit status must be those of a run in one process.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from helpers import write

from referral_lint import cli, parallel
from referral_lint.cli import main

# Written for these tests: each note differs in its people, role and asks, and several have problems.
NOTES = [
    "Hi {name},\nWe met at the {event} meetup in {month}. Would you be open to referring me for the "
    "{role} role (job {job})? I have shipped {thing} for three years. No worries if not. Thanks!\n",
    "Hey {name}, refer me to your {role} team ASAP. I need this job.\n",
    "Hello {name},\nI saw your talk on {thing} at {event}. Could you tell me who hires for {role} "
    "roles at your company? Any pointer helps, and it is fine to say no.\nThank you,\nSam\n",
]
PEOPLE = ["Ana", "Bo", "Chen", "Dara", "Eli", "Fatma", "Gus", "Hana", "Ivo", "Jo", "Kemal", "Lin"]


def fill(index: int) -> str:
    return NOTES[index % len(NOTES)].format(
        name=PEOPLE[index % len(PEOPLE)], event=f"Data Night {index}", month="May", role=f"Platform Engineer {index}",
        job=4400 + index, thing=f"stream processing {index}",
    )


@pytest.fixture
def drafts(tmp_path, isolated_settings):
    """Fourteen drafts: plain notes, a markdown note, an empty file, and a folder whose configuration ignores a rule."""
    root = tmp_path / "drafts"
    for index in range(10):
        write(root / f"note-{index:02}.txt", fill(index))
    write(root / "empty.txt", "")
    write(root / "team" / ".referral-lint.yaml", "ignore: [demanding-phrasing]\n")
    write(root / "team" / "pushy.txt", fill(1))
    write(root / "team" / "kind.md", "# For Hana\n\n" + fill(2))
    write(root / "zz-last.txt", fill(4))
    return root


@pytest.fixture
def small_chunks(monkeypatch):
    """Two files per chunk, and a count of the runs that started worker processes."""
    monkeypatch.setattr(cli, "FILES_PER_CHUNK", 2)
    started = []
    real = parallel._map_in_workers

    def counting(*args, **kwargs):
        started.append(args[3])  # jobs
        yield from real(*args, **kwargs)

    monkeypatch.setattr(parallel, "_map_in_workers", counting)
    return started


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], env={"NO_COLOR": None, "FORCE_COLOR": None}, catch_exceptions=False)


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "concise", "github", "json-lines", "statistics"])
def test_check_prints_the_same_with_two_jobs_as_with_one(drafts, small_chunks, output_format, linter):
    # --no-cache: the second run lints on the workers, not from the first run's results.
    one = invoke("check", drafts, "--no-cache", "--jobs", "1", "--output-format", output_format)
    two = invoke("check", drafts, "--no-cache", "--jobs", "2", "--output-format", output_format)

    assert small_chunks == [2]  # only the second run started workers
    assert two.stdout == one.stdout
    assert two.stderr == one.stderr
    assert one.exit_code == two.exit_code == 2  # the empty file
    assert one.stderr.endswith("empty.txt: empty file, nothing to lint\n")


def test_each_draft_gets_the_configuration_of_its_folder_in_a_worker(drafts, small_chunks, linter):
    result = invoke("check", drafts, "--jobs", "2", "--output-format", "json")

    records = json.loads(result.stdout)["files"]
    rules: dict[str, set[str]] = {}
    for record in records:
        rules.setdefault(record["path"], set()).update(v["rule"] for v in record["violations"])
    pushy, same_text = str(drafts / "team" / "pushy.txt"), str(drafts / "note-01.txt")
    assert "demanding-phrasing" in rules[same_text]
    assert "demanding-phrasing" not in rules[pushy]
    linted = [record["path"] for record in records if not any(v["rule"] == "mass-message" for v in record["violations"])]
    assert linted == sorted(linted)  # in the order of the paths, as with one process


def test_fix_writes_the_same_files_with_two_jobs_as_with_one(tmp_path, drafts, small_chunks, linter):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(drafts, copy)

    one = invoke("fix", drafts, "--jobs", "1")
    two = invoke("fix", copy, "--jobs", "2")

    assert small_chunks == [2]
    assert two.exit_code == one.exit_code
    assert two.stderr.replace(str(copy), str(drafts)) == one.stderr
    assert two.stdout.replace(str(copy), str(drafts)) == one.stdout
    fixed = {path.relative_to(drafts): path.read_text(encoding="utf-8") for path in drafts.rglob("*.*")}
    assert {path.relative_to(copy): path.read_text(encoding="utf-8") for path in copy.rglob("*.*")} == fixed
    assert "ASAP" not in fixed[next(p for p in fixed if p.name == "note-01.txt")]  # a safe fix was applied


def test_a_bad_option_met_in_the_first_draft_is_one_line_and_exit_2(drafts, small_chunks, linter):
    result = invoke("check", drafts, "--jobs", "2", "--select", "no-such-rule")

    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "referral-lint: error: --select: unknown rule or group 'no-such-rule' (see 'referral-lint rules')"
    )
    assert result.stdout == ""
    assert small_chunks == []  # it ended before any worker started
