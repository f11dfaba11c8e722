"""What no input may do (issue 15): crash the linter, hang it, or grow its memory forever."""

from __future__ import annotations

import json

from helpers import run_python

import referral_lint


def test_a_lone_surrogate_is_linted_as_the_replacement_character():
    text = "Hi Dana,\nRefer me to the hiring manager ASAP \ud800.\nSam"
    report = referral_lint.lint(text)
    demanding = [v for v in report.violations if v.rule == "demanding-phrasing"]
    assert [text[v.start : v.end] for v in demanding] == ["Refer me", "ASAP"]
    # Everything the report says can be encoded (printed, sent to an editor as JSON).
    json.dumps(report.to_dict(), ensure_ascii=False).encode("utf-8")
    assert referral_lint.lint("\ud800").text == "\ud800"
    assert referral_lint.lint("\udfff\ud83d \ud800").violations  # only surrogates: linted, no crash


def test_new_words_past_every_cache_bound_change_no_result_and_keep_the_store_flat():
    """A long process sees new words forever: the caches per word stop growing at their bounds
    (lowered here, so that a few thousand words pass them), and no lookup fails."""
    code = """
import random, string
from referral_lint import message, pipeline
from referral_lint.engine import tokenregex
from referral_lint.linter import Linter

tokenregex._MAX_CACHED_WORDS = 3000
message.MAX_KEPT_LEMMAS = 2000
linter = Linter()
probe = "Hi Dana, we met at PyCon. I am referring to the zyxwvuts role and you need to refer me ASAP."
before = linter.lint(probe)
pipeline.MAX_KEPT_STRINGS = len(linter.nlp.vocab.strings) + 1000
rng = random.Random(15)
for _ in range(300):
    words = " ".join("".join(rng.choices(string.ascii_lowercase, k=10)) + rng.choice(["", "ing", "ed", "s"]) for _ in range(40))
    linter.lint("Hi Dana, " + words + ". Thank you!")
    assert len(linter.nlp.vocab.strings) <= pipeline.MAX_KEPT_STRINGS + 2000
assert linter.lint(probe) == before, "same message, same report"
"""
    run_python(code)
