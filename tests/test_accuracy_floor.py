"""The core rules' accuracy on the development corpus may only rise.

bench/accuracy.py computes the metrics (it is imported here by path, so the
metric code lives in one place); bench/accuracy/floor.json holds the committed
minimum MCC and precision per rule. Raise the floor with
`.venv/bin/python bench/accuracy.py --update-floor` after an improvement.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _load_bench_module():
    name = "referral_lint_bench_accuracy"
    if name in sys.modules:
        return sys.modules[name]
    bench = str(REPO / "bench")
    if bench not in sys.path:
        sys.path.insert(0, bench)  # as when the script runs: its sibling modules import
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / "accuracy.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


accuracy = _load_bench_module()
FLOOR = accuracy.load_floor()


@pytest.fixture(scope="module")
def metrics(linter):
    return accuracy.evaluate(accuracy.load_corpus(), linter=linter)


def test_floor_covers_every_core_rule():
    assert set(FLOOR) == set(accuracy.RULES)
    for rule, minimums in FLOOR.items():
        assert set(minimums) == set(accuracy.FLOOR_METRICS), rule
        assert all(0.0 <= value <= 1.0 for value in minimums.values()), rule


@pytest.mark.parametrize("rule", accuracy.RULES)
def test_accuracy_is_at_or_above_the_floor(metrics, rule):
    problems = accuracy.below_floor({rule: metrics[rule]}, {rule: FLOOR[rule]})
    assert not problems, "; ".join(problems) + " (see: bench/accuracy.py --show-errors " + rule + ")"


def test_metrics_on_a_known_confusion_matrix():
    m = accuracy.RuleMetrics(tp=8, fp=2, fn=1, tn=9)
    assert m.precision == pytest.approx(0.8)
    assert m.recall == pytest.approx(8 / 9)
    assert m.f1 == pytest.approx(2 * 0.8 * (8 / 9) / (0.8 + 8 / 9))
    assert m.mcc == pytest.approx((8 * 9 - 2 * 1) / ((10 * 9 * 11 * 10) ** 0.5))
    assert accuracy.RuleMetrics().mcc == 0.0 and accuracy.RuleMetrics().precision == 0.0


def test_null_label_means_the_rule_must_not_fire():
    entry = {"labels": {"named_role": None, "stated_connection": False, "gratitude": True, "easy_out": None, "demanding": True}}
    assert not accuracy.expected_violation(entry, "named-role")
    assert accuracy.expected_violation(entry, "stated-connection")
    assert not accuracy.expected_violation(entry, "gratitude")
    assert not accuracy.expected_violation(entry, "easy-out")
    assert accuracy.expected_violation(entry, "demanding-phrasing")


def test_floor_is_rounded_down_and_never_lowered():
    m = {rule: accuracy.RuleMetrics(tp=8, fp=2, fn=1, tn=9) for rule in accuracy.RULES}  # precision 0.8, MCC 0.70…
    floor = accuracy.raised_floor(m, {"gratitude": {"mcc": 0.95, "precision": 0.5}})["rules"]
    assert floor["easy-out"] == {"mcc": 0.70, "precision": 0.80}
    assert floor["gratitude"] == {"mcc": 0.95, "precision": 0.80}


@pytest.mark.skipif(not accuracy.REAL_SET.exists(), reason="../shared/eval/ is not beside the project")
def test_the_real_set_is_mapped_onto_the_corpus_shape():
    sets = accuracy.load_sets()
    whole = sets["real"]
    assert len(sets["real-A"]) + len(sets["real-B"]) == len(whole) > 0
    assert {entry["channel"] for entry in whole} <= {None, "connection-note", "inmail", "email", "followup"}
    for entry in whole:
        # the check does not apply where the message asks for no job (named-role) or no favour (easy-out)
        assert set(entry["labels"]) == {"named_role", "stated_connection", "gratitude", "easy_out", "demanding"}
        assert isinstance(entry["labels"]["demanding"], bool)
    # the split is by source: every source's messages land in one half
    assert accuracy.real_half("seed:x") == accuracy.real_half("seed:x")


# The fresh corpora whose errors were read and fixed (bench/README.md, third and fourth rounds): they
# guard the kinds of wording fixed there. holdout-9 is read too but not held: its one named-role miss
# ("hiring Graduate Trainees") is a label the rule's convention on plural titles disagrees with; holdout-11
# was left unread, so it is measured, not held.
READ_HOLDOUTS = ("holdout-3", "holdout-4", "holdout-5", "holdout-6", "holdout-7", "holdout-8", "holdout-10")


@pytest.fixture(scope="module")
def read_holdout_metrics(linter):
    return {name: accuracy.evaluate(accuracy.load_corpus(accuracy.PROJECT_SETS[name]), linter=linter) for name in READ_HOLDOUTS}


@pytest.mark.parametrize("rule", accuracy.RULES)
def test_the_read_holdouts_stay_right(read_holdout_metrics, rule):
    below = {name: round(metrics[rule].mcc, 3) for name, metrics in read_holdout_metrics.items() if metrics[rule].mcc < 0.95}
    assert not below, f"{rule} MCC below 0.95 on {below} (see: bench/accuracy.py --corpus bench/accuracy/<set>-corpus.yaml --show-errors {rule})"


def test_a_message_reports_cold_referral_ask_or_stated_connection_not_both(linter):
    for name in READ_HOLDOUTS:
        for entry in accuracy.load_corpus(accuracy.PROJECT_SETS[name]):
            rules = {v.rule for v in linter.lint(entry["text"], channel=entry.get("channel")).violations}
            assert not {"cold-referral-ask", "stated-connection"} <= rules, entry["id"]
