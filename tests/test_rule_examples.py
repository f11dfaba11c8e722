"""Every rule file's examples hold: bad ones are flagged by that rule, good ones are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from referral_lint.fix import apply_edits
from referral_lint.engine.loader import builtin_rules_dir, load_rules
from referral_lint.rule_examples import cases, examples_linter, problem

RULES = load_rules()


@pytest.fixture(scope="module")
def linter():
    """Every rule, the opt-in ones too: each rule's examples are checked."""
    return examples_linter()


def _cases(kind: str) -> list:
    """The examples as ``referral-lint test-rules`` runs them (one implementation: rule_examples)."""
    return [pytest.param(case, id=case.name) for case in cases(RULES, kind)]


@pytest.mark.parametrize("case", _cases("bad") + _cases("good"))
def test_example_holds(linter, case):
    """A bad example is flagged by its rule (and fixes to its ``fixed``); a good one is not flagged."""
    assert problem(linter, case) is None, f"{case.name}: {problem(linter, case)}: {case.example.text!r}"


def test_every_rule_has_good_and_bad_examples():
    assert RULES
    for rule in RULES:
        assert rule.bad_examples and rule.good_examples, rule.id


def test_rule_files_are_named_after_their_ids():
    files = sorted(p.stem for p in builtin_rules_dir().glob("*.yaml"))
    assert files == sorted(rule.id for rule in RULES)



def test_installed_package_ships_the_rules():
    """Wherever referral_lint is imported from, its rules are the repository's rules/."""
    import referral_lint

    repo_rules = Path(__file__).resolve().parent.parent / "rules"
    found = builtin_rules_dir()
    if Path(referral_lint.__file__).resolve().parent.parent != repo_rules.parent:
        # Installed from a wheel: the rules must be inside the package.
        assert found == Path(referral_lint.__file__).resolve().parent / "rules"
    shipped = {p.name: p.read_text(encoding="utf-8") for p in found.glob("*.yaml")}
    source = {p.name: p.read_text(encoding="utf-8") for p in repo_rules.glob("*.yaml")}
    assert shipped == source


@pytest.mark.parametrize("case", [p for p in _cases("bad") if p.values[0].rule.check == "require"])
def test_a_require_rules_own_suggestion_satisfies_it(linter, case):
    """Applying what a require rule suggests makes it pass, so fixing twice inserts nothing twice."""
    rule, example = case.rule, case.example
    report = linter.lint(example.text, channel=example.channel)
    own = [v for v in report.violations if v.rule == rule.id]
    applicable = [s for s in own[0].suggestions if s.applicability.value != "display"]
    if not applicable:
        pytest.skip("display-only suggestion: the writer fills it in")
    fixed = apply_edits(example.text, applicable[0].edits)
    assert not [v for v in linter.lint(fixed, channel=example.channel).violations if v.rule == rule.id], fixed


def test_every_rule_shows_its_fix():
    """Each rule's examples include a bad one with `fixed:`, the text after `fix --unsafe-fixes`."""
    assert [rule.id for rule in RULES if not any(e.fixed is not None for e in rule.bad_examples)] == []


def test_every_violation_of_every_bad_example_has_a_suggestion(linter):
    for rule in RULES:
        for example in rule.bad_examples:
            for violation in linter.lint(example.text, channel=example.channel).violations:
                assert violation.suggestions, (violation.rule, example.text)
