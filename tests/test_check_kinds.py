"""Check kinds are a registry: one module per kind under engine/check_kinds, found by name;
a kind defined elsewhere registers and runs like a built-in one."""

from __future__ import annotations

from pathlib import Path

import pytest

from referral_lint import Config
from referral_lint.engine.check_kinds import CheckKind, check_kinds, register
from referral_lint.engine.checks import Finding, suggestions
from referral_lint.engine.loader import load_rule_file
from referral_lint.linter import Linter
from referral_lint.yamlsource import RuleError

PACKAGE = Path(__file__).resolve().parent.parent / "referral_lint" / "engine" / "check_kinds"


def test_each_module_of_the_package_is_a_kind_of_the_same_name():
    modules = sorted(path.stem for path in PACKAGE.glob("*.py") if path.stem != "__init__")
    assert modules == ["forbid", "limit", "require"]
    assert list(check_kinds()) == modules
    for name, kind in check_kinds().items():
        assert kind.name == name and kind.description and kind.message_fields and callable(kind.check)


def _shout(rule_index, rule, context) -> list[Finding]:
    """A toy kind: every sentence that ends in "!" is a violation."""
    found = []
    for start, end in context.parts.sentences:
        if context.text[end - 1 : end] == "!":
            found.append(
                Finding(rule, rule.severity, rule.message.format(count=end - start), (start, end),
                        suggestions(rule.suggest, context, (start, end)))
            )
    return found


SHOUT = CheckKind(
    name="shout",
    description="each sentence that ends in an exclamation mark is a violation",
    message_fields=frozenset({"count"}),
    schema={"required": ["message", "suggest"]},
    check=_shout,
)

SHOUT_RULE = """\
id: no-shouting
summary: Calm sentences
severity: info
check: shout
why: Exclamation marks read as pressure.
message: "An exclamation mark ends these {count} characters."
suggest: {replace: "Would you be open to it?"}
examples:
  bad: ["Refer me!"]
  good: ["Would you be open to referring me?"]
"""


def test_a_kind_registered_from_outside_validates_and_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("REFERRAL_LINT_NO_CACHE", "1")
    (tmp_path / "no-shouting.yaml").write_text(SHOUT_RULE, encoding="utf-8")
    with register(SHOUT):
        linter = Linter(Config(rule_dirs=(tmp_path,), select=("no-shouting",)))
        report = linter.lint("Hi Sam. Refer me now! Thanks.")
    [violation] = report.violations
    assert (violation.rule, report.text[violation.start : violation.end]) == ("no-shouting", "Refer me now!")
    assert violation.message == "An exclamation mark ends these 13 characters."
    assert [s.edits[0].replacement for s in violation.suggestions] == ["Would you be open to it?"]
    assert "shout" not in check_kinds()


def test_a_rule_naming_a_kind_nobody_registered_is_an_error_naming_the_line(tmp_path):
    path = tmp_path / "no-shouting.yaml"
    path.write_text(SHOUT_RULE, encoding="utf-8")
    with pytest.raises(RuleError) as caught:
        load_rule_file(path)
    assert str(caught.value) == f"{path}:4: check: expected one of forbid, limit, require, got 'shout'"


def test_a_kinds_message_fields_are_the_placeholders_its_messages_may_use(tmp_path):
    path = tmp_path / "no-shouting.yaml"
    path.write_text(SHOUT_RULE.replace("{count}", "{match}"), encoding="utf-8")
    with register(SHOUT), pytest.raises(RuleError) as caught:
        load_rule_file(path)
    assert str(caught.value).startswith(f"{path}:6: message: unknown placeholder {{match}}")


def test_a_kinds_schema_fragment_holds_its_rules_to_it(tmp_path):
    path = tmp_path / "no-shouting.yaml"
    path.write_text(SHOUT_RULE.replace('suggest: {replace: "Would you be open to it?"}\n', ""), encoding="utf-8")
    with register(SHOUT), pytest.raises(RuleError) as caught:
        load_rule_file(path)
    assert str(caught.value) == f"{path}:1: a shout rule needs 'suggest'"
