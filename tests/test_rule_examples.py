"""Every rule file's examples hold: bad ones are flagged by that rule, good ones are not."""

from __future__ import annotations

from pathlib import Path

import pytest

from referral_lint import Config, apply_fixes
from referral_lint.fix import apply_edits
from referral_lint.linter import Linter
from referral_lint.engine.loader import builtin_rules_dir, load_rules

RULES = load_rules()


@pytest.fixture(scope="module")
def linter():
    """Every rule, the opt-in ones too: each rule's examples are checked."""
    return Linter(Config(select=tuple(rule.id for rule in RULES)))


_ALONE: dict[str, Linter] = {}


def _for(linter: Linter, rule) -> Linter:
    """A rule that runs only when another reported (``when.fails``) is folded into that rule's
    diagnostic when both run: its examples are checked with it selected alone."""
    if not rule.when.fails:
        return linter
    if rule.id not in _ALONE:
        _ALONE[rule.id] = Linter(Config(select=(rule.id,)))
    return _ALONE[rule.id]


def _cases(kind: str) -> list:
    return [
        pytest.param(rule, example, id=f"{rule.id}-{kind}-{number}")
        for rule in RULES
        for number, example in enumerate(rule.bad_examples if kind == "bad" else rule.good_examples)
    ]


@pytest.mark.parametrize(("rule", "example"), _cases("bad"))
def test_bad_example_is_flagged(linter, rule, example):
    report = _for(linter, rule).lint(example.text, channel=example.channel)
    assert [v for v in report.violations if v.rule == rule.id], f"{rule.id} missed: {example.text!r}"


@pytest.mark.parametrize(("rule", "example"), _cases("good"))
def test_good_example_passes(linter, rule, example):
    report = _for(linter, rule).lint(example.text, channel=example.channel)
    flagged = [example.text[v.start : v.end] for v in report.violations if v.rule == rule.id]
    assert not flagged, f"{rule.id} flagged {flagged} in a good example: {example.text!r}"


@pytest.mark.parametrize(
    ("rule", "example"),
    [p for p in _cases("bad") if p.values[1].fixed is not None],
)
def test_bad_example_fixes_to_expected_text(linter, rule, example):
    report = _for(linter, rule).lint(example.text, channel=example.channel)
    own = [v for v in report.violations if v.rule == rule.id]
    # `fixed` is the text after applying each violation's first suggestion, safe or not.
    assert apply_fixes(example.text, own, unsafe=True) == example.fixed


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


@pytest.mark.parametrize(("rule", "example"), [p for p in _cases("bad") if p.values[0].check == "require"])
def test_a_require_rules_own_suggestion_satisfies_it(linter, rule, example):
    """Applying what a require rule suggests makes it pass, so fixing twice inserts nothing twice."""
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
