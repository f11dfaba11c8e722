"""Rule files are validated on load: every mistake is a RuleError naming the file,
the line and the key path, never a traceback from deep inside YAML or spaCy."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from referral_lint.engine.compiler import CompiledRules
from referral_lint.engine.loader import builtin_rules_dir, load_rule_file, load_rules
from referral_lint.engine.schema import RuleSpec
from referral_lint.model import Applicability
from referral_lint.pipeline import load_pipeline
from referral_lint.safe_regex import RegexError, compile_regex
from referral_lint.yamlsource import RuleError

# A small valid rule, written for these tests. Line numbers below refer to it:
#  1 id   2 summary   3 severity   4 check   5 why   6 message   7 patterns:
#  8 "  - phrases: [gimme]"   9 examples:   10 bad   11 good
VALID = """\
id: {id}
summary: Ask, do not grab
severity: warning
check: forbid
why: A request that grabs reads as rude.
message: '"{{match}}" grabs; ask instead.'
patterns:
  - phrases: [gimme, hand it over]
examples:
  bad: ["Gimme the referral."]
  good: ["Would you be open to a referral?"]
"""


def write_rule(tmp_path: Path, text: str, name: str = "sample-rule") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def valid(name: str = "sample-rule") -> str:
    return VALID.format(id=name)


def with_patterns(patterns: str, name: str = "sample-rule") -> str:
    """The valid rule with its patterns list replaced (the first pattern stays on line 8)."""
    return valid(name).replace("  - phrases: [gimme, hand it over]\n", patterns)


def compile_rule(rule: RuleSpec) -> CompiledRules:
    return CompiledRules((rule,), load_pipeline())


def load_error(path: Path, *, compile: bool = False) -> RuleError:
    with pytest.raises(RuleError) as caught:
        rule = load_rule_file(path)
        if compile:
            compile_rule(rule)
    return caught.value


def assert_error(error: RuleError, path: Path, line: int | None, key: str, *words: str) -> None:
    message = str(error)
    assert "\n" not in message
    assert error.file == str(path)
    assert error.line == line, message
    assert error.key == key, message
    where = f"{path}:{line}" if line else str(path)
    assert message.startswith(f"{where}: {key}: " if key else f"{where}: "), message
    for word in words:
        assert word in message, message


# --- the baseline ---------------------------------------------------------------------------


def test_the_valid_rule_loads_and_compiles(tmp_path):
    path = write_rule(tmp_path, valid())
    rule = load_rule_file(path)
    assert rule.id == "sample-rule"
    assert rule.patterns[0].values == ("gimme", "hand it over")
    assert rule.patterns[0].line == 8
    assert rule.patterns[0].key == "patterns[0].phrases"
    compile_rule(rule)


def test_the_built_in_rules_load():
    ids = {rule.id for rule in load_rules()}
    assert {"named-role", "stated-connection", "length", "gratitude", "easy-out", "demanding-phrasing"} <= ids
    assert ids == {path.stem for path in builtin_rules_dir().glob("*.yaml")}


@pytest.mark.parametrize(
    ("name", "default"),
    [
        ("polite-request", Applicability.SAFE),
        ("willing-request", Applicability.SAFE),
        ("ability-question", Applicability.SAFE),
        ("drop-sentence", Applicability.UNSAFE),
        ("cut-sentence", Applicability.UNSAFE),
        ("split-sentence", Applicability.UNSAFE),
        ("sentence-case", Applicability.UNSAFE),
    ],
)
def test_each_named_rewrite_loads_with_its_default_applicability(tmp_path, name, default):
    path = write_rule(tmp_path, with_patterns(f"  - phrases: [gimme]\n    suggest:\n      - rewrite: {name}\n"))
    [suggestion] = load_rule_file(path).patterns[0].suggest
    assert (suggestion.action, suggestion.argument, suggestion.applicability) == ("rewrite", name, default)


def test_an_unknown_rewrite_name_lists_the_known_ones(tmp_path):
    path = write_rule(tmp_path, with_patterns("  - phrases: [gimme]\n    suggest:\n      - rewrite: polite\n"))
    assert_error(load_error(path), path, 10, "patterns[0].suggest[0].rewrite", "polite-request", "sentence-case")


# --- each mistake: file, line, key path ----------------------------------------------------------


def test_unknown_key(tmp_path):
    path = write_rule(tmp_path, valid() + "colour: red\n")
    assert_error(load_error(path), path, 12, "colour", "unknown key")


def test_unknown_key_in_a_pattern(tmp_path):
    path = write_rule(tmp_path, with_patterns("  - phrases: [gimme]\n    skip_question: true\n"))
    assert_error(load_error(path), path, 9, "patterns[0].skip_question", "unknown key")


def test_wrong_type_of_a_top_level_value(tmp_path):
    path = write_rule(tmp_path, valid().replace("summary: Ask, do not grab", "summary: [Ask, grab]"))
    assert_error(load_error(path), path, 2, "summary", "expected a non-empty string", "a list")


def test_wrong_type_of_a_pattern_option(tmp_path):
    path = write_rule(tmp_path, with_patterns("  - phrases: [gimme]\n    skip_questions: sometimes\n"))
    assert_error(load_error(path), path, 9, "patterns[0].skip_questions", "expected true or false")


def test_wrong_type_patterns_is_not_a_list(tmp_path):
    path = write_rule(tmp_path, with_patterns("    phrases: [gimme]\n"))
    # A block value is reported at its key's line.
    assert_error(load_error(path), path, 7, "patterns", "expected a list", "a mapping")


def test_wrong_choice(tmp_path):
    path = write_rule(tmp_path, valid().replace("severity: warning", "severity: fatal"))
    assert_error(load_error(path), path, 3, "severity", "expected one of info, warning, error", "'fatal'")


def test_missing_required_key(tmp_path):
    path = write_rule(tmp_path, valid().replace("why: A request that grabs reads as rude.\n", ""))
    assert_error(load_error(path), path, 1, "", "missing required key 'why'")


def test_missing_required_key_in_a_nested_mapping(tmp_path):
    path = write_rule(tmp_path, valid().replace('  good: ["Would you be open to a referral?"]\n', ""))
    assert_error(load_error(path), path, 9, "examples", "at least one bad and one good example")


def test_regex_with_a_backreference(tmp_path):
    path = write_rule(tmp_path, with_patterns("  - phrases: [gimme]\n  - regex: '(\\w+) \\1'\n"))
    assert_error(load_error(path), path, 9, "patterns[1].regex", "RE2", "backreferences")


def test_regex_with_lookaround_in_a_list(tmp_path):
    path = write_rule(tmp_path, with_patterns("  - regex:\n      - 'gimme'\n      - '(?<!please )give me'\n"))
    assert_error(load_error(path), path, 10, "patterns[0].regex[1]", "RE2")


@pytest.mark.parametrize(
    "token",
    [
        "{LOWR: gimme}",  # a misspelt attribute
        '{LOWER: gimme, OP: "%"}',  # an operator spaCy does not have
        "{LOWER: {INN: [gimme]}}",  # a misspelt predicate
        "{LOWER: [gimme]}",  # a list where a string or predicate mapping belongs
    ],
)
def test_invalid_spacy_token_pattern(tmp_path, token):
    path = write_rule(tmp_path, with_patterns(f"  - phrases: [gimme]\n  - tokens: [{token}, {{LOWER: it}}]\n"))
    assert_error(load_error(path, compile=True), path, 9, "patterns[1].tokens", "does not compile")


def test_invalid_pattern_in_a_nested_token_list(tmp_path):
    path = write_rule(
        tmp_path,
        with_patterns("  - tokens:\n      - [{LOWER: gimme}]\n      - [{LOWER: hand}, {LOWR: it}]\n"),
    )
    error = load_error(path, compile=True)
    assert error.file == str(path) and "does not compile" in str(error)
    assert error.key.startswith("patterns[0].tokens") and error.line in (8, 10), str(error)


def test_invalid_token_pattern_error_says_what_is_wrong(tmp_path):
    path = write_rule(tmp_path, with_patterns("  - phrases: [gimme]\n  - tokens: [{LOWR: gimme}, {LOWER: it}]\n"))
    assert "LOWR" in str(load_error(path, compile=True))


def test_unknown_message_placeholder(tmp_path):
    path = write_rule(tmp_path, valid().replace("{match}", "{matched}"))
    assert_error(load_error(path), path, 6, "message", "unknown placeholder {matched}", "{match}")


def test_unknown_placeholder_in_a_pattern_message(tmp_path):
    path = write_rule(tmp_path, with_patterns("  - phrases: [gimme]\n    message: 'Found {value}.'\n"))
    assert_error(load_error(path), path, 9, "patterns[0].message", "unknown placeholder {value}")


def test_unquoted_no_in_a_token_in_list(tmp_path):
    path = write_rule(
        tmp_path,
        with_patterns("  - phrases: [gimme]\n  - tokens: [{LOWER: say}, {LOWER: {IN: [yes, no]}}]\n"),
    )
    assert_error(load_error(path), path, 9, "patterns[1].tokens[1].LOWER", "quote the word")


def test_quoted_no_is_fine(tmp_path):
    path = write_rule(
        tmp_path,
        with_patterns("  - phrases: [gimme]\n  - tokens: [{LOWER: say}, {LOWER: {IN: ['yes', 'no']}}]\n"),
    )
    compile_rule(load_rule_file(path))


def test_id_must_match_the_file_name(tmp_path):
    path = write_rule(tmp_path, valid("another-rule"), name="sample-rule")
    assert_error(load_error(path), path, 1, "id", "must match the file name", "'sample-rule'")


def test_duplicate_key(tmp_path):
    path = write_rule(tmp_path, valid().replace("severity: warning\n", "severity: warning\nseverity: error\n"))
    assert_error(load_error(path), path, 4, "severity", "duplicate key")


def test_duplicate_key_in_a_nested_mapping(tmp_path):
    path = write_rule(tmp_path, with_patterns("  - phrases: [gimme]\n    phrases: [grab]\n"))
    assert_error(load_error(path), path, 9, "patterns[0].phrases", "duplicate key")


def test_invalid_yaml(tmp_path):
    path = write_rule(tmp_path, valid().replace("why: A request that grabs reads as rude.", "why: grabbing: rude: yes"))
    assert_error(load_error(path), path, 5, "", "invalid YAML")


def test_invalid_yaml_bad_indentation(tmp_path):
    path = write_rule(tmp_path, valid().replace("  good:", " good:"))
    error = load_error(path)
    assert "invalid YAML" in str(error) and error.line in (10, 11)


def test_empty_file(tmp_path):
    path = write_rule(tmp_path, "")
    assert_error(load_error(path), path, None, "", "expected a mapping")


def test_not_utf8(tmp_path):
    path = tmp_path / "sample-rule.yaml"
    path.write_bytes(valid().replace("rude", "r\xe9de").encode("latin-1"))
    error = load_error(path)
    assert str(error).startswith(f"{path}: ") and "cannot read" in str(error)


def test_unknown_yaml_tag(tmp_path):
    path = write_rule(tmp_path, valid().replace("summary: Ask, do not grab", "summary: !!python/name:os.system"))
    assert_error(load_error(path), path, 2, "summary", "")


def test_bad_explicit_yaml_tag_value(tmp_path):
    path = write_rule(tmp_path, valid().replace("summary: Ask, do not grab", "summary: !!int abc"))
    assert_error(load_error(path), path, 2, "summary", "")


def test_complex_mapping_key(tmp_path):
    path = write_rule(tmp_path, valid() + "? [a, b]\n: 1\n")
    error = load_error(path)
    assert error.line == 12


def test_every_rule_error_is_one_line(tmp_path):
    """A sweep: many broken variants, each a RuleError with a one-line message naming the file."""
    variants = [
        valid().replace("check: forbid", "check: ban"),
        valid().replace("check: forbid", "check: require"),  # require needs 'suggest'
        valid() + "limits: {}\n",
        with_patterns("  - phrases: []\n"),
        with_patterns("  - phrases: [gimme]\n    regex: 'x'\n"),
        with_patterns("  - phrases: [gimme]\n    suggest: {replace: x, delete: true}\n"),
        with_patterns("  - phrases: [gimme]\n    suggest: {insert: x}\n"),
        with_patterns("  - phrases: [gimme]\n    suggest: {rewrite: shout}\n"),
        with_patterns("  - tokens: []\n"),
        with_patterns("  - tokens: [gimme]\n"),
        valid().replace("id: sample-rule", "id: Sample_Rule"),
        "- just\n- a list\n",
    ]
    for number, text in enumerate(variants):
        path = write_rule(tmp_path, text)
        error = load_error(path, compile=True)
        assert "\n" not in str(error), (number, str(error))
        assert str(error).startswith(str(path)), (number, str(error))


# --- regexes run in linear time -------------------------------------------------------------------


def test_catastrophic_regex_runs_fast(tmp_path):
    path = write_rule(tmp_path, with_patterns("  - regex: '(a|a)*b'\n"))
    rule = load_rule_file(path)
    compiled = compile_rule(rule)
    nlp = load_pipeline()
    text = "a" * 50_000
    doc = nlp(text)
    started = time.perf_counter()
    matches = compiled.find(doc)
    regex_matches = list(compile_regex("(a|a)*b").spans(text))
    elapsed = time.perf_counter() - started
    assert not any(matches.values()) and regex_matches == []
    assert elapsed < 10, f"{elapsed:.2f}s"  # backtracking would take hours; 10 s: a loaded machine


def test_nested_quantifier_regex_runs_fast():
    regex = compile_regex("(x+x+)+y")
    started = time.perf_counter()
    assert list(regex.spans("x" * 50_000)) == []
    assert time.perf_counter() - started < 10  # backtracking would take hours


def test_over_long_regex_is_rejected():
    with pytest.raises(RegexError):
        compile_regex("a" * 5000)


def test_regexes_are_case_insensitive_unless_asked():
    assert list(compile_regex("gimme").spans("GIMME that")) == [(0, 5)]
    assert list(compile_regex("gimme", case_sensitive=True).spans("GIMME that")) == []


# --- extra rule directories (API level; the CLI has no option for them yet) ----------------------


def test_extra_rule_directory_with_a_broken_rule(tmp_path):
    from referral_lint import Config, Linter

    path = write_rule(tmp_path, valid().replace("severity: warning", "severity: loud"))
    with pytest.raises(RuleError) as caught:
        Linter(Config(rule_dirs=(tmp_path,)))
    assert str(caught.value).startswith(f"{path}:3: severity: ")


def test_extra_rule_directory_with_a_working_rule(tmp_path):
    from referral_lint import Config, Linter

    write_rule(tmp_path, valid())
    report = Linter(Config(rule_dirs=(tmp_path,))).lint("Hi Ana, gimme the Data Engineer role referral.")
    [violation] = [v for v in report.violations if v.rule == "sample-rule"]
    assert report.text[violation.start : violation.end] == "gimme"
    assert violation.message == '"gimme" grabs; ask instead.'


def test_extra_rule_may_not_reuse_a_built_in_id(tmp_path):
    from referral_lint import Config, Linter

    path = write_rule(tmp_path, valid("gratitude"), name="gratitude")
    with pytest.raises(RuleError, match="duplicate rule id 'gratitude'") as caught:
        Linter(Config(rule_dirs=(tmp_path,)))
    assert str(caught.value).startswith(f"{path}:1: id: ")


def test_missing_rule_directory(tmp_path):
    from referral_lint import Config, Linter

    with pytest.raises(RuleError, match="does not exist"):
        Linter(Config(rule_dirs=(tmp_path / "nowhere",)))


def test_cli_turns_a_rule_error_into_one_line_and_exit_2(tmp_path, linter):
    """A broken rule in a configuration's rule-dirs: the rule file's error, on one line."""
    import json

    from click.testing import CliRunner

    import referral_lint.cli as cli

    write_rule(tmp_path, valid().replace("severity: warning", "severity: loud"))
    draft = tmp_path / "draft.txt"
    draft.write_text("Hi Ana, gimme the role.", encoding="utf-8")
    (tmp_path / "settings").mkdir()
    config = tmp_path / "settings" / "referral-lint.yaml"
    config.write_text(f"rule-dirs: [{json.dumps(str(tmp_path))}]\n", encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["check", "--config", str(config), str(draft)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"referral-lint: error: {tmp_path / 'sample-rule.yaml'}:3: severity: expected one of info, warning, error, got 'loud'"]


def test_a_regex_in_a_pattern_that_runs_in_spacys_matcher_runs_under_re2(tmp_path):
    """FUZZY sends the whole pattern to spaCy's Matcher, whose REGEX would be Python's
    (exponential on (a+)+$); the linter runs that test with RE2 instead."""
    from referral_lint import Config, Linter

    patterns = "  - tokens: [[{LOWER: {REGEX: '^(a+)+$'}}, {LOWER: {FUZZY: referral}}]]\n"
    write_rule(tmp_path, with_patterns(patterns))
    linter = Linter(Config(rule_dirs=(tmp_path,), select=("sample-rule",)))
    started = time.perf_counter()
    report = linter.lint("Hi Ana, " + "a" * 40 + "b referal please, and aaa referal too.")
    assert time.perf_counter() - started < 10
    assert [report.text[v.start : v.end] for v in report.violations] == ["aaa referal"]


# --- the kinds option: a pattern that counts only in some kinds of message -------------------------


def test_a_pattern_with_kinds_counts_only_in_messages_of_those_kinds(tmp_path):
    from referral_lint import Config, Linter

    write_rule(tmp_path, with_patterns("  - phrases: [gimme]\n    kinds: [thank-you]\n"))
    linter = Linter(Config(rule_dirs=(tmp_path,), select=("sample-rule",)))
    thanks = linter.lint("Hi Ana, thank you so much for the referral, gimme a shout if I can return the favour.")
    ask = linter.lint("Hi Ana, gimme a referral for the Data Engineer role, would you?")
    assert [(v.rule, thanks.text[v.start : v.end]) for v in thanks.violations] == [("sample-rule", "gimme")]
    assert ask.violations == []


def test_a_when_pattern_with_kinds_decides_where_the_rule_applies(tmp_path):
    from referral_lint import Config, Linter

    rule = valid().replace(
        "patterns:\n", "when:\n  matches:\n    - phrases: [coffee]\n      kinds: [call-or-advice]\npatterns:\n"
    )
    write_rule(tmp_path, rule)
    linter = Linter(Config(rule_dirs=(tmp_path,), select=("sample-rule",)))
    call = linter.lint("Hi Ana, could we grab a coffee? Gimme ten minutes, please.")
    referral = linter.lint("Hi Ana, would you refer me for the barista role? Gimme a coffee first.")
    assert [v.rule for v in call.violations] == ["sample-rule"]
    assert referral.violations == []


def test_an_unknown_kind_in_a_pattern_is_a_rule_error(tmp_path):
    path = write_rule(tmp_path, with_patterns("  - phrases: [gimme]\n    kinds: [smalltalk]\n"))
    assert_error(load_error(path), path, 9, "patterns[0].kinds[0]", "smalltalk")


# --- by_kind: how a rule reports in one kind of message ----------------------------------------------


def test_by_kind_gives_a_kind_of_message_its_own_severity_and_message(tmp_path):
    from referral_lint import Config, Linter

    rule = valid().replace(
        "patterns:\n",
        "by_kind:\n  followup:\n    severity: info\n    message: 'Still \"{match}\"? Ask gently.'\npatterns:\n",
    )
    write_rule(tmp_path, rule)
    linter = Linter(Config(rule_dirs=(tmp_path,), select=("sample-rule",)))
    [followup] = linter.lint("Hi Ana, just following up on my note: gimme the referral?").violations
    [referral] = linter.lint("Hi Ana, gimme a referral for the Data Engineer role, would you?").violations
    assert (followup.severity.value, followup.message) == ("info", 'Still "gimme"? Ask gently.')
    assert (referral.severity.value, referral.message) == ("warning", '"gimme" grabs; ask instead.')


def test_by_kind_names_known_kinds_only(tmp_path):
    rule = valid().replace("patterns:\n", "by_kind:\n  smalltalk:\n    severity: info\npatterns:\n")
    path = write_rule(tmp_path, rule)
    assert_error(load_error(path), path, 8, "by_kind.smalltalk", "unknown key")


def test_by_kind_needs_a_severity(tmp_path):
    rule = valid().replace("patterns:\n", "by_kind:\n  followup:\n    message: Gently.\npatterns:\n")
    path = write_rule(tmp_path, rule)
    assert_error(load_error(path), path, 8, "by_kind.followup", "severity")


@pytest.mark.parametrize(
    "tokens, problem",
    [
        ("[{LOWER: {FUZZY: referral}, OP: '+'}]", "OP '+' repeats a token without bound"),
        ("[{NORM: refer}, {IS_ALPHA: true, OP: '*'}]", "OP '*' repeats a token without bound"),
        ("[{LOWER: {FUZZY: referral}, OP: '{2,}'}]", "OP '{2,}' repeats a token without bound"),
        ("[{LOWER: {FUZZY: referral}}, {IS_ALPHA: true, OP: '?'}, {IS_ALPHA: true, OP: '{0,2}'}]",
         "match in 6 ways from one word"),
        ("[{LOWER: {FUZZY: {IN: [" + ", ".join(f"word{n}" for n in range(17)) + "]}}}]", "17 FUZZY words in one pattern"),
        ("[{_: {anything: true}}, {LOWER: {FUZZY: referral}}]", "custom attributes ('_') are not available"),
    ],
    ids=["fuzzy-plus", "norm-star", "open-count", "too-many-ways", "too-many-fuzzy-words", "custom-attribute"],
)
def test_a_pattern_spacys_matcher_could_not_run_in_linear_time_is_an_error_naming_the_file(tmp_path, tokens, problem):
    """Patterns the RE2 translation cannot express run in spaCy's Matcher, which reports every
    way a pattern matches from every word: "+" over 2,800 words took 36 s (issue 15)."""
    path = write_rule(tmp_path, with_patterns(f"  - tokens: [{tokens}]\n"))
    error = load_error(path, compile=True)
    assert_error(error, path, 8, "patterns[0].tokens", problem)


def test_a_regex_list_or_a_regex_under_fuzzy_runs_under_re2_with_spacys_meaning(tmp_path):
    from referral_lint import Config, Linter

    patterns = (
        "  - tokens: [[{LOWER: {REGEX: {IN: ['^(a+)+$', '^zz$']}}}, {LOWER: {FUZZY: referral}}]]\n"
        "  - tokens: [[{LOWER: {FUZZY: {REGEX: '^(b+)+$'}}}, {LOWER: {FUZZY: please}}]]\n"
    )
    write_rule(tmp_path, with_patterns(patterns))
    linter = Linter(Config(rule_dirs=(tmp_path,), select=("sample-rule",)))
    text = "Hi Ana, " + "a" * 40 + "c referal, zz referal, bbb pleese and " + "b" * 40 + "c pleese."
    started = time.perf_counter()
    report = linter.lint(text)
    assert time.perf_counter() - started < 10
    assert [report.text[v.start : v.end] for v in report.violations] == ["zz referal", "bbb pleese"]


def test_a_deeply_nested_regex_in_a_token_pattern_is_an_error_naming_the_file(tmp_path):
    """spaCy checks a token pattern's REGEX with Python's re, which recurses once per group
    (issue 15: "maximum recursion depth exceeded" without the file)."""
    regex = "(" * 990 + "a" + ")" * 990
    path = write_rule(tmp_path, with_patterns(f"  - tokens: [[{{LOWER: {{REGEX: '{regex}'}}}}, {{NORM: x}}]]\n"))
    error = load_error(path, compile=True)
    assert_error(error, path, 8, "patterns[0].tokens", "maximum recursion depth exceeded")


# --- the JSON Schema of the rule format ---------------------------------------------------------

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _published_schema() -> dict:
    import json

    return json.loads((DOCS / "schema" / "rule-v1.json").read_text(encoding="utf-8"))


def test_the_published_schema_is_what_the_rule_format_and_the_check_kinds_say():
    from referral_lint.engine.rule_schema import build_rule_schema

    assert _published_schema() == build_rule_schema(), "run python docs/gen_rule_schema.py"


def test_an_editor_with_the_published_schema_accepts_every_built_in_rule_and_flags_a_misspelt_key():
    """What the YAML language server does with the modeline: plain jsonschema, the published file."""
    import yaml
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(_published_schema())
    for path in sorted(builtin_rules_dir().glob("*.yaml")):
        assert list(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))) == [], path.name
    broken = yaml.safe_load(with_patterns("  - phrases: [gimme]\n    skip_question: true\n"))
    [error] = validator.iter_errors(broken)
    assert list(error.absolute_path) == ["patterns", 0] and "skip_question" in error.message


def test_every_built_in_rule_file_names_the_published_schema_for_editors():
    """The YAML language server reads the first line's modeline; its path is relative to the file."""
    for path in sorted((DOCS.parent / "rules").glob("*.yaml")):
        first_line = path.read_text(encoding="utf-8").splitlines()[0]
        assert first_line == "# yaml-language-server: $schema=../docs/schema/rule-v1.json", path.name
        assert (path.parent / "../docs/schema/rule-v1.json").resolve() == (DOCS / "schema" / "rule-v1.json").resolve()


def test_a_rule_file_with_the_modeline_loads_with_its_lines_where_they_are(tmp_path):
    modeline = "# yaml-language-server: $schema=https://referral-lint.readthedocs.io/en/latest/schema/rule-v1.json\n"
    path = write_rule(tmp_path, modeline + valid())
    rule = load_rule_file(path)
    assert (rule.id, rule.patterns[0].line) == ("sample-rule", 9)


@pytest.mark.parametrize(
    "text, expected",
    [
        (valid().replace("check: forbid", "check: require"), ":1: a require rule needs 'suggest' (how to add what is missing)"),
        (valid() + "limits: {}\n", ":12: limits: only a limit rule has limits"),
        (with_patterns("  - phrases: [gimme]\n    suggest: {replace: x, at: start}\n"),
         ":9: patterns[0].suggest.at: only an insertion has 'at'"),
        (with_patterns("  - phrases: [gimme]\n    suggest: {insert: x}\n"),
         ":9: patterns[0].suggest: an insertion needs 'at' (one of: start, after-greeting, before-closing, after-ask, end-of-body)"),
        (with_patterns("  - phrases: [gimme]\n    suggest: {delete: false}\n"), ":9: patterns[0].suggest.delete: write 'delete: true'"),
        (with_patterns("  - phrases: [gimme]\n    suggest: []\n"), ":9: patterns[0].suggest: give one to three suggestions"),
        (with_patterns("  - phrases: [gimme]\n    regex: 'x'\n"),
         ":8: patterns[0]: a pattern has exactly one of: phrases, lemmas, tokens, regex, part"),
        (with_patterns("  - tokens: [gimme]\n"),
         ":8: patterns[0].tokens[0]: expected a token mapping, e.g. {LOWER: you} or {LEMMA: {IN: [need, must]}}"),
        (with_patterns("  - phrases: ['  ']\n"), ":8: patterns[0].phrases[0]: expected a non-empty string, got only whitespace"),
        (valid().replace("summary: Ask, do not grab", "summary: ''"), ":2: summary: expected a non-empty string, got an empty one"),
        (valid() + "report_at: [ask, elbow]\n",
         ":12: report_at[1]: expected one of ask, last-ask, greeting, body-start, closing, body, got 'elbow'"),
        (valid().replace('  bad: ["Gimme the referral."]\n', "  bad: [{channel: email}]\n"), ":10: examples.bad[0]: an example needs 'text'"),
        (valid().replace("id: sample-rule", "id: Sample_Rule"), ":1: id: use lowercase letters, digits and hyphens"),
    ],
    ids=["require-suggest", "limits-on-forbid", "at-without-insert", "insert-without-at", "delete-false", "no-suggestion",
         "two-pattern-kinds", "token-not-mapping", "blank-phrase", "empty-summary", "report-at-item", "example-text",
         "id-case"],
)
def test_a_structural_mistake_reads_in_the_projects_words(tmp_path, text, expected):
    path = write_rule(tmp_path, text)
    assert str(load_error(path)) == f"{path}{expected}"


LIMIT_RULE = """\
id: sample-rule
summary: Short
severity: warning
check: limit
why: Short is read.
limits:
  any:
    measure: words
    bounds:
      - {max: 100, severity: warning}
examples:
  bad: ["x"]
  good: ["y"]
"""


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("{max: 100, severity: warning}", "{severity: warning}", ":10: limits.any.bounds[0]: a bound needs 'min', 'max' or both"),
        ("{max: 100, severity: warning}", "{max: 1.5, severity: warning}",
         ":10: limits.any.bounds[0].max: expected a non-negative integer, got 1.5"),
        ("{max: 100, severity: warning}", "{max: -1, severity: warning}",
         ":10: limits.any.bounds[0].max: expected a non-negative integer, got -1"),
        ("measure: words", "measure: lines",
         ":8: limits.any.measure: expected one of characters, words, sentences, questions, reading-grade, got 'lines'"),
        ("  any:\n", "  fax:\n", ":7: limits.fax: unknown key (expected one of: any, connection-note, email, followup, inmail, message)"),
        ("limits:", "by_kind: {followup: {severity: info}}\nlimits:", ":6: by_kind: a limit rule sets severities in its limits"),
    ],
    ids=["bound-without-min-or-max", "fractional-max", "negative-max", "unknown-measure", "unknown-channel", "by-kind-on-limit"],
)
def test_a_limit_mistake_reads_in_the_projects_words(tmp_path, old, new, expected):
    path = write_rule(tmp_path, LIMIT_RULE.replace(old, new))
    assert str(load_error(path)) == f"{path}{expected}"


def test_rules_from_a_warm_cache_never_import_jsonschema(tmp_path):
    """jsonschema validates a rule file when it is read; the cache holds validated rules."""
    import os
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from referral_lint.engine.loader import load_rules\n"
        "load_rules()\n"
        "print('jsonschema' in sys.modules)\n"
    )
    env = {**os.environ, "REFERRAL_LINT_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("REFERRAL_LINT_NO_CACHE", None)
    cold, warm = (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout.strip()
        for _ in range(2)
    )
    assert (cold, warm) == ("True", "False")
