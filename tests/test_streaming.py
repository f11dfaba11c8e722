"""Reports written as the drafts are linted: each result is out before the next draft is linted.

``check`` hands the formats a generator of results (see referral_lint.formats): a format
that can print a draft's problems at once does, the others keep only small records, and
every format writes the same bytes as when it is given the whole list.
"""

from __future__ import annotations

import io

import pytest
from test_formats import result, violation

from referral_lint.formats import FORMATS, Run, render, write
from referral_lint.inputs import InputError
from referral_lint.model import Severity

PUSHY = "Refer me to the team.\n"
SECOND = "Hi Bo,\nRefer me now.\n"


def results():
    return [
        result(PUSHY, violation(), name="a.txt"),
        result("Thanks for reading.\n", name="b.txt"),
        result(SECOND, violation(start=7, end=15, line=2, column=1, end_column=9, severity=Severity.WARNING), name="c.txt"),
    ]


class Recorder(io.StringIO):
    """The output so far, as it stood when each result was asked for."""


def streamed(output_format: str, errors: list[InputError], rules=()):
    out = Recorder()
    seen_when_asked: list[str] = []

    def lazily():
        for item in results():
            seen_when_asked.append(out.getvalue())
            yield item
        errors.append(InputError("d.txt", "empty file, nothing to lint"))  # found after the last draft

    write(output_format, Run(lazily(), errors, rules), out)
    return out.getvalue(), seen_when_asked


@pytest.mark.parametrize("output_format", FORMATS)
def test_every_format_writes_the_same_streamed_as_rendered_whole(output_format):
    text, _ = streamed(output_format, [])

    assert text == render(output_format, Run(results(), [InputError("d.txt", "empty file, nothing to lint")]))


@pytest.mark.parametrize("output_format", ["text", "concise", "github", "json-lines"])
def test_a_draft_s_problems_are_written_before_the_next_draft_is_linted(output_format):
    _, seen_when_asked = streamed(output_format, [])

    first_only = render(output_format, Run(results()[:1], summary=False))
    assert seen_when_asked[0] == ""
    assert seen_when_asked[1].startswith(first_only.rstrip("\n")) and seen_when_asked[1]  # a.txt is out before b.txt is linted
    assert "c.txt" not in seen_when_asked[2]


def test_json_writes_each_file_record_as_it_comes_and_the_summary_last():
    text, seen_when_asked = streamed("json", [])

    assert '"path": "a.txt"' in seen_when_asked[1] and '"path": "b.txt"' not in seen_when_asked[1]
    assert text.index('"files"') < text.index('"errors"') < text.index('"summary"')
    assert '"error": "empty file, nothing to lint"' in text  # an error met after the last draft


def test_an_empty_run_is_the_same_streamed():
    for output_format in FORMATS:
        out = io.StringIO()
        write(output_format, Run(iter(())), out)
        assert out.getvalue() == render(output_format, Run([])), output_format
