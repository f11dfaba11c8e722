"""Linter.lint_many: many drafts, in order, on one or more worker processes."""

from __future__ import annotations

import pytest

from test_batch import CLEAN, DEMANDING, VAGUE


@pytest.mark.parametrize("jobs", [1, 2])
def test_lint_many_gives_each_text_its_own_report_in_input_order(linter, jobs):
    texts = [CLEAN, DEMANDING, VAGUE] * 5

    reports = list(linter.lint_many(texts, jobs=jobs, chunk_size=2))

    assert [r.text for r in reports] == texts
    assert [r.violations for r in reports] == [linter.lint(t).violations for t in texts]
    assert reports[0].violations == []
    assert "demanding-phrasing" in {v.rule for v in reports[1].violations}


def test_lint_many_judges_every_text_by_the_channel_given(linter):
    long_note = CLEAN + " " + CLEAN  # fine for an email, over a LinkedIn note's 300 characters

    (as_note,) = linter.lint_many([long_note], channel="connection-note")

    assert as_note.channel == "connection-note"
    assert "length" in {v.rule for v in as_note.violations}


def test_lint_many_reads_an_endless_iterable_lazily(linter):
    def endless():
        while True:
            yield DEMANDING

    reports = linter.lint_many(endless(), jobs=2, chunk_size=3)

    assert [next(reports).text for _ in range(7)] == [DEMANDING] * 7
    reports.close()  # stops the workers


def test_lint_many_refuses_an_unknown_channel(linter):
    from referral_lint import ConfigError

    with pytest.raises(ConfigError, match="unknown channel 'fax'"):
        linter.lint_many([CLEAN], channel="fax")
