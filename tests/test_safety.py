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


def test_a_stream_past_250000_new_words_changes_no_result_and_keeps_the_store_flat():
    """A long process sees new words forever (issue 15: a KeyError after about 200,000 of
    them). 360,000 distinct words with the default bounds, in drafts of 15,000 words under
    the input cap: no error, the same report for the same message before and after, and
    the string store, the word tables and spaCy's hash tables stop growing at their bounds.
    About 25 s; tests/test_memory.py runs the same past lowered bounds, for longer."""
    code = """
import itertools, string
from referral_lint import lemmas, pipeline
from referral_lint.linter import Linter
from referral_lint.vocab_tables import lexeme_index

linter = Linter()
vocab = linter.nlp.vocab
probe = "Hi Dana, we met at PyCon. I am referring to the zyxwvuts role and you need to refer me ASAP."
before = linter.lint(probe)
words = ("".join(letters) for letters in itertools.product(string.ascii_lowercase, repeat=5))
at_bound = None
for _ in range(24):
    draft = "Hi Dana,\\n" + " ".join(itertools.islice(words, 15_000)) + "\\nThank you!"
    assert len(draft) < 100_000
    linter.lint(draft)
    sizes = (len(vocab.strings), vocab.strings._map.capacity, lexeme_index(vocab).capacity)
    if at_bound is None and sizes[0] >= pipeline.MAX_KEPT_STRINGS:
        at_bound = sizes
    elif at_bound is not None:
        assert sizes[0] == at_bound[0], "no string kept past the bound"
        assert sizes[1] <= 2 * at_bound[1] and sizes[2] <= 2 * at_bound[2], "tables rebuilt, not doubled"
assert at_bound is not None and at_bound[0] < 270_000
assert len(lemmas._LEMMA_IDS[id(vocab.strings)]) <= lemmas.MAX_KEPT_LEMMAS
assert linter.lint(probe) == before, "same message, same report"
"""
    run_python(code, timeout=300)


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


def _user_rule(tokens: str, bad: str) -> str:
    return f"""\
id: open-ops
summary: Runs of words
severity: info
check: forbid
why: Checks open-ended operators on the RE2 path.
message: '"{{match}}" found.'
suggest: {{delete: true}}
patterns:
  - tokens: {tokens}
examples:
  bad: ["{bad}"]
  good: ["Thanks."]
"""


LETTERS = "abcdefghijklmnopqrst"


def test_open_ended_operators_in_a_sentence_at_the_cap_lint_in_linear_time(tmp_path):
    """A match that repeats a token without bound may run to the end of its sentence:
    searching again from every token inside it was quadratic (two "+" over one sentence of
    20,000 words: 1.5 s each; twenty such patterns, half a minute). The search now goes on
    after the match, and the automaton checking which sentences match reads each end token once."""
    from referral_lint import Config, Linter

    patterns = ", ".join(f'[{{IS_ALPHA: true, OP: "+"}}, {{IS_ALPHA: true, OP: "+"}}, {{LOWER: word{letter}}}, {{IS_ALPHA: true, OP: "*"}}]' for letter in LETTERS)
    (tmp_path / "open-ops.yaml").write_text(_user_rule(f"[{patterns}]", "a b worda"), encoding="utf-8")
    linter = Linter(Config(rule_dirs=(tmp_path,), select=("open-ops",)))
    text = " ".join(f"word{LETTERS[n % 20]}" if n % 7 == 0 else "text" for n in range(19_000))
    assert len(text) < 100_000
    started = time.perf_counter()
    report = linter.lint(text)
    assert time.perf_counter() - started < 10
    # One match from the sentence's first word to its end: every later start is inside it.
    assert [(v.start, v.end) for v in report.violations] == [(0, len(text))]


def test_a_pattern_with_over_a_hundred_operators_is_one_line_naming_the_file(tmp_path):
    from referral_lint import Config, Linter
    from referral_lint.yamlsource import RuleError

    tokens = "[[" + ", ".join(['{IS_ALPHA: true, OP: "?"}'] * 101) + ", {LOWER: refer}]]"
    (tmp_path / "open-ops.yaml").write_text(_user_rule(tokens, "refer"), encoding="utf-8")
    with pytest.raises(RuleError) as caught:
        Linter(Config(rule_dirs=(tmp_path,), select=("open-ops",)))
    assert str(caught.value) == (
        f"{tmp_path / 'open-ops.yaml'}:9: patterns[0].tokens: pattern does not compile: 101 tokens with an OP"
        " in one pattern, over the limit of 100: split it into several patterns"
    )


EVERY_X_RULE = _user_rule('[[{LOWER: "x"}]]', "x")


@pytest.fixture
def every_x(tmp_path):
    """A rule found on every word of a message of x's: 5,000 violations."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "open-ops.yaml").write_text(EVERY_X_RULE, encoding="utf-8")
    (tmp_path / ".referral-lint.yaml").write_text("rule-dirs: [rules]\nselect: [open-ops]\n", encoding="utf-8")
    return rules


def test_a_rule_lists_at_most_a_thousand_violations_a_message_and_counts_the_rest(every_x):
    from referral_lint import Config, Linter

    linter = Linter(Config(rule_dirs=(every_x,), select=("open-ops",)))
    text = "x " * 5000
    report = linter.lint(text)
    assert [(v.start, v.end) for v in report.violations] == [(n, n + 1) for n in range(0, 2000, 2)]
    assert report.omitted == {"open-ops": 4000}
    assert report.to_dict()["omitted"] == {"open-ops": 4000}
    assert len(linter.lint(text, all_violations=True).violations) == 5000
    assert "omitted" not in linter.lint("x x").to_dict()  # only when something is left out


def test_check_says_how_many_violations_it_left_out_in_text_and_json(every_x, tmp_path):
    import jsonschema
    from click.testing import CliRunner

    from referral_lint.cli import main
    from test_formats import REPORT_SCHEMA

    draft = tmp_path / "draft.txt"
    draft.write_text("x " * 1500, encoding="utf-8")
    options = ["check", str(draft)]
    text = CliRunner().invoke(main, options)
    assert text.exit_code == 0, text.stderr  # info
    assert f"{draft}: (and 500 more open-ops violations, not shown: at most 1,000 per rule and draft)\n" in text.stdout
    assert "Found 1000 problems" in text.stdout
    result = CliRunner().invoke(main, [*options, "--output-format", "json"])
    document = json.loads(result.stdout)
    assert document["files"][0]["omitted"] == {"open-ops": 500}
    assert len(document["files"][0]["violations"]) == 1000
    jsonschema.validate(document, REPORT_SCHEMA, cls=jsonschema.Draft202012Validator)


LEFT_OUT = "and 500 more open-ops violations, not shown: at most 1,000 per rule and draft"


def _check(*args: str):
    from click.testing import CliRunner

    from referral_lint.cli import main

    result = CliRunner().invoke(main, ["check", *args])
    assert result.exit_code == 0, result.stderr  # the rule is info
    return result.stdout


def test_statistics_count_the_violations_left_out(every_x, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text("x " * 1500, encoding="utf-8")
    assert _check(str(draft), "--output-format", "statistics").split("\t")[:2] == ["1500", "open-ops"]


def test_concise_github_and_json_lines_say_how_many_violations_they_left_out(every_x, tmp_path):
    draft = tmp_path / "draft.txt"
    draft.write_text("x " * 1500, encoding="utf-8")
    concise = _check(str(draft), "--output-format", "concise").splitlines()
    assert len(concise) == 1001 and concise[-1] == f"{draft}: ({LEFT_OUT})"
    github = _check(str(draft), "--output-format", "github").splitlines()
    path = str(draft).replace(":", "%3A").replace(",", "%2C")
    assert len(github) == 1001 and github[-1] == f"::notice file={path},title=open-ops::{LEFT_OUT}"
    records = [json.loads(line) for line in _check(str(draft), "--output-format", "json-lines").splitlines()]
    assert len(records) == 1001 and records[-1] == {"path": str(draft), "omitted": {"open-ops": 500}}
    import jsonschema
    from test_formats import REPORT_SCHEMA

    line_schema = {"$ref": "#/$defs/jsonLine", "$defs": REPORT_SCHEMA["$defs"]}
    for record in (records[0], records[-1]):
        jsonschema.validate(record, line_schema, cls=jsonschema.Draft202012Validator)


def test_sarif_says_how_many_violations_it_left_out_in_a_valid_notification(every_x, tmp_path):
    from test_formats import sarif_validator

    draft = tmp_path / "draft.txt"
    draft.write_text("x " * 1500, encoding="utf-8")
    document = json.loads(_check(str(draft), "--output-format", "sarif"))
    [run] = document["runs"]
    assert len(run["results"]) == 1000
    [invocation] = run["invocations"]
    [note] = invocation["toolExecutionNotifications"]
    assert invocation["executionSuccessful"] is True
    assert note["level"] == "note" and note["message"]["text"] == f"{draft}: {LEFT_OUT}"
    assert run["tool"]["driver"]["rules"][note["associatedRule"]["index"]]["id"] == note["associatedRule"]["id"] == "open-ops"
    assert not list(sarif_validator().iter_errors(document))


def test_batch_results_say_how_many_violations_they_left_out(every_x, tmp_path):
    from click.testing import CliRunner

    from referral_lint.cli import main

    records = tmp_path / "drafts.jsonl"
    records.write_text(json.dumps({"text": "x " * 1500}) + "\n" + json.dumps({"text": "x x"}) + "\n", encoding="utf-8")
    config = str(tmp_path / ".referral-lint.yaml")
    result = CliRunner().invoke(main, ["batch", str(records), "--config", config, "--jobs", "1", "--no-mass-messages"])
    assert result.exit_code == 0, result.stderr
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert len(first["violations"]) == 1000 and first["omitted"] == {"open-ops": 500}
    assert len(second["violations"]) == 2 and "omitted" not in second


def test_what_is_left_out_is_counted_after_suppressions(every_x, tmp_path):
    """A suppressed rule says nothing more; a region turned off is not counted as left out."""
    turned_off = tmp_path / "off.md"
    turned_off.write_text("<!-- referral-lint disable open-ops -->\n\n" + "x " * 1500 + "\n", encoding="utf-8")
    assert _check(str(turned_off), "--output-format", "concise") == ""
    assert "omitted" not in json.loads(_check(str(turned_off), "--output-format", "json"))["files"][0]
    partly = tmp_path / "partly.md"
    partly.write_text("x " * 1100 + "\n\n<!-- referral-lint disable open-ops -->\n\n" + "x " * 700 + "\n", encoding="utf-8")
    concise = _check(str(partly), "--output-format", "concise").splitlines()
    assert len(concise) == 1001
    assert concise[-1] == f"{partly}: (and 100 more open-ops violations, not shown: at most 1,000 per rule and draft)"


def test_an_ignore_file_entry_suppresses_what_was_left_out_too(every_x, tmp_path):
    """Its sentence is hashed once, not once for each of its thousands of violations."""
    from referral_lint.ignore_file import sentence_digest

    text = "Hi Ana. " + "x " * 1500 + "y."
    draft = tmp_path / "draft.txt"
    draft.write_text(text, encoding="utf-8")
    (tmp_path / ".referral-lint-ignore").write_text(f"open-ops {sentence_digest(text, 8)} draft.txt\n", encoding="utf-8")
    started = time.perf_counter()
    [file] = json.loads(_check(str(draft), "--output-format", "json"))["files"]
    assert time.perf_counter() - started < 60  # a hang guard: hashing the sentence per violation was quadratic
    assert file["violations"] == [] and "omitted" not in file


def test_a_rule_matching_every_word_builds_suggestions_only_for_what_it_lists(every_x, monkeypatch):
    from referral_lint import Config, Linter
    from referral_lint import rewrite

    built = []
    build_suggestions = rewrite.build_suggestions
    monkeypatch.setattr(rewrite, "build_suggestions", lambda *args: built.append(1) or build_suggestions(*args))
    linter = Linter(Config(rule_dirs=(every_x,), select=("open-ops",)))
    report = linter.lint("x " * 5000)
    assert len(built) == 1000 and report.omitted == {"open-ops": 4000}
    assert all(v.suggestions for v in report.violations)
    built.clear()
    assert len(linter.lint("x " * 5000, all_violations=True).violations) == 5000 and len(built) == 5000


def test_fix_fixes_every_violation_past_the_cap(every_x, tmp_path):
    from click.testing import CliRunner

    from referral_lint import Config, Linter
    from referral_lint.cli import main
    from referral_lint.fix import fix_text

    linter = Linter(Config(rule_dirs=(every_x,), select=("open-ops",)))
    text = "Hi x " + "x " * 4000 + "y."
    started = time.perf_counter()
    result = fix_text(linter, text, unsafe=True)
    assert time.perf_counter() - started < 30  # planning was quadratic: minutes
    assert result.text == "Hi y." and len(result.fixed) == 4001 and result.remaining == []
    draft = tmp_path / "draft.txt"
    draft.write_text(text, encoding="utf-8")
    cli = CliRunner().invoke(main, ["fix", "--unsafe-fixes", str(draft)])
    assert cli.exit_code == 0, cli.stderr
    assert draft.read_text(encoding="utf-8") == "Hi y."


def test_planning_fixes_by_bisection_takes_what_asking_every_taken_edit_takes():
    import random

    from referral_lint.fix import plan_fixes
    from referral_lint.model import Applicability, Edit, Severity, Suggestion, Violation

    def naive(violations):
        taken, applied = [], []
        for violation in sorted(violations, key=lambda v: (v.start, v.end, v.rule)):
            edits = violation.suggestions[0].edits
            if any((e.start < o.end and o.start < e.end) or e.start == e.end == o.start == o.end for e in edits for o in taken):
                continue
            taken.extend(edits)
            applied.append(violation)
        return applied

    rng = random.Random(15)
    for _ in range(300):
        violations = []
        for number in range(rng.randint(0, 40)):
            edits = []
            for _ in range(rng.choice([1, 1, 1, 2])):  # sometimes a second edit elsewhere (an anchored insertion)
                start = rng.randint(0, 60)
                edits.append(Edit(start, start + rng.choice([0, 0, 1, 2, 5]), "z"))
            edits = sorted(edits, key=lambda e: (e.start, e.end))
            if len(edits) == 2 and edits[0].end > edits[1].start:
                edits = edits[:1]  # one suggestion's own edits never overlap
            start = rng.randint(0, 60)
            violations.append(Violation(
                rule=f"r{number}", severity=Severity.INFO, message="m", start=start, end=start + 1, line=1, column=1,
                suggestions=(Suggestion("s", tuple(edits), Applicability.SAFE),), end_line=1, end_column=2,
            ))
        assert list(plan_fixes(violations).applied) == naive(violations)
