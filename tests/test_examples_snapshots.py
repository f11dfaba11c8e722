"""Every example draft, linted with its directory's channel, against a reviewed snapshot.

Snapshots live in tests/test_examples_snapshots/ (pytest-regressions). After a rule
change, regenerate with ``pytest tests/test_examples_snapshots.py --force-regen`` and
review the diff against examples/README.md: good drafts should stay clean, bad ones
should show the problems the README lists.
"""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DRAFTS = sorted(EXAMPLES.glob("*/*.txt"))


def test_there_are_examples_for_every_directory():
    assert DRAFTS
    assert {draft.parent.name for draft in DRAFTS} == {"connection-note", "inmail", "email", "message"}


@pytest.mark.parametrize("draft", DRAFTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_example_snapshot(linter, data_regression, draft):
    text = draft.read_text(encoding="utf-8")
    report = linter.lint(text, channel=draft.parent.name)
    data_regression.check(
        {"path": draft.relative_to(EXAMPLES).as_posix(), **report.to_dict()},
        basename=f"{draft.parent.name}__{draft.stem}",
    )
