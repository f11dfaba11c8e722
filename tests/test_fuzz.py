"""A seeded fuzz of the API and of fix (issue 15): 10,000 inputs of the shapes that broke
promises before (lone surrogates, runs of punctuation and emoji, CRLF files with inserted
sentences, placeholders and brackets), each checked for the properties every report keeps."""

from __future__ import annotations

import random
import re

import pytest

from referral_lint.fix import fix_text
from referral_lint.model import Applicability

SEED = 15
INPUTS = 10_000
FIX_EVERY = 8  # fix (with unsafe fixes, twice) one input in eight: fixing costs several lints

_WORDS = (
    "hi hello dear dana priya sam team I you we me my your refer referral referring introduce intro "
    "please could would you be open to ASAP now urgent need must expect owe role job position engineer "
    "data manager hiring posting link id 4417 at met PyCon worked together school thanks thank time "
    "no worries if not a fit any openings resume attached call 15 minutes best regards cheers sent from"
).split()
_PUNCTUATION = list(".,;:!?…-—'\"()[]{}<>/\\*#@&%$") + ["?!", "...", "!!!", "??"]
_ODD = ["\u200b", "\u00ad", "\ufeff", "\u2019", "\u201c", "\u00a0", "\t", "😀", "👍🏽", "🇬🇧", "ß", "İ", "ﬁ", "\u0301", "\ud800", "\udfff", "\ud83d", "[Name]", "{{company}}", "<role>"]
_LINE_ENDS = ["\n", "\r\n", "\n\n", "\r\n\r\n", "\r"]


def _message(rng: random.Random) -> str:
    shape = rng.random()
    if shape < 0.08:  # a run of one character
        return rng.choice(_PUNCTUATION + _ODD[7:10] + ["x", " "]) * rng.randint(1, 300)
    pieces = []
    line_end = rng.choice(_LINE_ENDS)
    for _ in range(rng.randint(0, 60)):
        roll = rng.random()
        if roll < 0.7:
            word = rng.choice(_WORDS)
            pieces.append(word.upper() if rng.random() < 0.05 else word.capitalize() if rng.random() < 0.15 else word)
        elif roll < 0.85:
            pieces.append(rng.choice(_PUNCTUATION))
        elif roll < 0.95:
            pieces.append(rng.choice(_ODD))
        else:
            pieces.append(line_end)
        pieces.append("" if rng.random() < 0.15 else " ")
    return "".join(pieces)


def _messages() -> list[str]:
    rng = random.Random(SEED)
    return [_message(rng) for _ in range(INPUTS)]


def _check_report(text: str, report) -> None:
    assert report.text == text
    for violation in report.violations:
        assert 0 <= violation.start <= violation.end <= len(text), violation
        assert violation.suggestions, f"{violation.rule} without a suggestion"
        for suggestion in violation.suggestions:
            for edit in suggestion.edits:
                assert 0 <= edit.start <= edit.end <= len(text), (violation.rule, edit)
                assert text[edit.start - 1 : edit.start + 1] != "\r\n" or edit.start == 0, ("splits a CRLF", violation.rule)
                assert text[edit.end - 1 : edit.end + 1] != "\r\n" or edit.end == 0, ("splits a CRLF", violation.rule)


_LONE_CR = re.compile(r"\r(?!\n)")


@pytest.mark.parametrize("channel", [None, "connection-note"])
def test_fuzzed_messages_lint_and_fix_within_every_promise(linter, channel):
    messages = _messages()
    for number, text in enumerate(messages[: INPUTS // 2] if channel is None else messages[INPUTS // 2 :]):
        report = linter.lint(text, channel=channel)
        _check_report(text, report)
        if number % FIX_EVERY:
            continue
        once = fix_text(linter, text, channel=channel, unsafe=True)
        twice = fix_text(linter, once.text, channel=channel, unsafe=True)
        assert twice.text == once.text, f"fix is not idempotent on {text!r}"
        assert len(_LONE_CR.findall(once.text)) == len(_LONE_CR.findall(text)), f"fix split a CRLF in {text!r}"
        for violation in once.remaining:
            first = violation.suggestions[0].applicability
            assert first is Applicability.DISPLAY or violation.rule in {v.rule for v in once.conflicts}, (
                f"{violation.rule} left fixable in {once.text!r}"
            )
