"""What no input may do (issue 15): crash the linter, hang it, or grow its memory forever."""

from __future__ import annotations

import json
import time

import pytest

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
from referral_lint import lemmas, pipeline
from referral_lint.engine import tokenregex
from referral_lint.linter import Linter

tokenregex._MAX_CACHED_WORDS = 3000
lemmas.MAX_KEPT_LEMMAS = 2000
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


# The shapes that were quadratic (issue 15), at the 100,000-character cap.
WORST_SHAPES = {
    "question marks": "?" * 100_000,
    "emoji without spaces": "😀" * 100_000,
    "brackets without spaces": "([{<" * 25_000,
    "repeated pushy sentences": ("Refer me ASAP. " * 7000)[:100_000],
    "one pushy line after another": ("Refer me\n" * 12_000)[:100_000],
    "dots and spaces": ". " * 50_000,
    "underscores": "_" * 100_000,
    "one long url": "http://x.co/" * 8_000,
}


@pytest.mark.parametrize("shape", WORST_SHAPES)
def test_the_worst_shapes_at_the_input_cap_lint_in_linear_time(linter, shape):
    """Linear time is about 1 s for these on a laptop; 10 s only catches a return of the
    quadratic cases (which took minutes). bench/bench_shapes.py prints the curve."""
    started = time.perf_counter()
    report = linter.lint(WORST_SHAPES[shape])
    assert time.perf_counter() - started < 10
    assert all(v.suggestions for v in report.violations)


def test_a_long_run_of_punctuation_gets_spacys_tokens(linter):
    doc = linter.parse("Hi Dana" + "?" * 200 + " thanks")
    assert [token.text for token in doc][:3] == ["Hi", "Dana", "?"]
    assert doc.text == "Hi Dana" + "?" * 200 + " thanks"
    assert len(doc) == 2 + 200 + 1


def test_the_span_index_answers_as_the_naive_scan_does():
    import random

    from referral_lint.engine.checks import SpanIndex

    rng = random.Random(15)
    for _ in range(300):
        spans = [(start, start + rng.randint(0, 6)) for start in (rng.randint(0, 40) for _ in range(rng.randint(0, 30)))]
        index = SpanIndex(spans)
        for start in range(0, 45):
            for end in range(start, start + 8):
                assert index.touches((start, end)) == any(s < end and start < e for s, e in spans)
                assert index.holds((start, end)) == any(s <= start and end <= e for s, e in spans)


ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n" for previous, name in zip("abcdefg", "bcdefgh")
)


def test_an_alias_bomb_in_a_configuration_file_is_one_line_naming_the_file(tmp_path):
    from click.testing import CliRunner

    from referral_lint.cli import main

    (tmp_path / ".referral-lint.yaml").write_text(ALIAS_BOMB, encoding="utf-8")
    (tmp_path / "draft.txt").write_text("Refer me ASAP.\n", encoding="utf-8")
    started = time.perf_counter()
    result = CliRunner().invoke(main, ["check", str(tmp_path / "draft.txt")])
    assert time.perf_counter() - started < 10
    assert result.exit_code == 2
    assert result.stderr == (
        f"referral-lint: error: {tmp_path / '.referral-lint.yaml'}: over 200,000 values once its aliases are expanded"
        " (an alias bomb?)\n"
    )


def test_deep_nesting_in_a_rule_file_is_an_error_naming_the_file():
    from referral_lint.yamlsource import RuleError, load_located

    with pytest.raises(RuleError) as caught:
        load_located("team/deep.yaml", "patterns: " + "[" * 5000 + "]" * 5000)
    assert str(caught.value) == "team/deep.yaml: nested too deeply"


def test_aliases_within_reason_still_work():
    from referral_lint.yamlsource import load_located

    document = load_located("ok.yaml", "cut: &cut [a, b]\nagain: *cut\n")
    assert document.value == {"cut": ["a", "b"], "again": ["a", "b"]}


def test_an_unreadable_user_configuration_is_a_warning_and_the_drafts_are_linted(tmp_path, monkeypatch):
    from pathlib import Path

    from click.testing import CliRunner

    from referral_lint import config_discovery, settings
    from referral_lint.cli import main

    home = tmp_path / "config-home"
    home.mkdir()
    (home / "config.yaml").write_text("ignore: [length]\n", encoding="utf-8")
    monkeypatch.setenv(config_discovery.USER_CONFIG_ENV, str(home))
    settings.clear_cache()
    real_open = Path.open

    def denied(path, *args, **kwargs):  # root reads any file: deny this one as a chmod 000 would
        if path == home / "config.yaml":
            raise PermissionError(13, "Permission denied")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(Path, "open", denied)
    draft = tmp_path / "work" / "draft.txt"
    draft.parent.mkdir()
    draft.write_text("Refer me ASAP.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(draft)])
    settings.clear_cache()
    assert result.exit_code == 1
    assert "demanding-phrasing" in result.stdout
    assert result.stderr.count("\n") == 1
    assert result.stderr == (
        f"referral-lint: warning: {home / 'config.yaml'}: cannot read the user configuration (Permission denied); using the defaults\n"
    )


def test_a_huge_rule_file_is_refused_at_once_naming_the_file(tmp_path):
    from referral_lint import Config, Linter
    from referral_lint.yamlsource import RuleError

    phrases = ", ".join(f"word{number} other{number}" for number in range(100_000))
    (tmp_path / "huge.yaml").write_text(f"id: huge\npatterns:\n  - phrases: [{phrases}]\n", encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(RuleError) as caught:
        Linter(Config(rule_dirs=(tmp_path,)))
    assert time.perf_counter() - started < 10
    assert str(caught.value) == f"{tmp_path / 'huge.yaml'}: over 1,000,000 characters, too large for a rule or configuration file"


@pytest.mark.parametrize("suffix", [".txt", ".md"])
@pytest.mark.parametrize(
    "shape", ["[" * 50_000 + "]" * 50_000, "_" * 100_000, ("Refer me ASAP. " * 7000)[:100_000]], ids=["nested", "underscores", "pushy"]
)
def test_the_cli_checks_the_worst_shapes_in_linear_time(linter, tmp_path, suffix, shape):
    """Reading (the markdown reader), linting and printing the text report (thousands of
    violations on one 100,000-character line) together."""
    from click.testing import CliRunner

    from referral_lint.cli import main

    draft = tmp_path / f"draft{suffix}"
    draft.write_text(shape, encoding="utf-8")
    started = time.perf_counter()
    result = CliRunner().invoke(main, ["check", "--isolated", str(draft)])
    assert time.perf_counter() - started < 10
    assert result.exit_code == 1, result.stderr


# The costliest FUZZY pattern a rule may hold: the most FUZZY words, matching in the most ways.
WORST_FUZZY_RULE = """\
id: fuzzy-worst
summary: Misspelt words
severity: info
check: forbid
why: Checks the linter's bound on FUZZY patterns.
message: '"{match}" is misspelt.'
suggest: {delete: true}
patterns:
  - tokens: [[{LOWER: {FUZZY: {IN: [%s]}}, OP: "{1,4}"}]]
examples:
  bad: ["%s"]
  good: ["Thanks."]
""" % (", ".join("a" * 34 + letter for letter in "abcdefghijklmnop"), "a" * 35)


@pytest.mark.parametrize(
    "text",
    [(" ".join(["a" * 35] * 2800))[:100_000], "x " * 50_000, " ".join("a" * 33 + f"{n:02}" for n in range(2800))[:100_000]],
    ids=["same-35-letter-word", "one-letter-words", "distinct-35-letter-words"],
)
def test_the_worst_fuzzy_pattern_a_rule_may_hold_lints_a_message_at_the_cap_in_linear_time(tmp_path, text):
    """A FUZZY word with OP "+" over 2,800 35-letter words took 36 s, 1,000 FUZZY words 16 s
    (issue 15); within the bounds a rule must keep, such a message lints in seconds."""
    from referral_lint import Config, Linter

    (tmp_path / "fuzzy-worst.yaml").write_text(WORST_FUZZY_RULE, encoding="utf-8")
    linter = Linter(Config(rule_dirs=(tmp_path,), select=("fuzzy-worst",)))
    started = time.perf_counter()
    report = linter.lint(text)
    assert time.perf_counter() - started < 10
    assert all(v.suggestions for v in report.violations)
