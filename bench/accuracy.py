"""Accuracy of the core rules on the labelled development corpus.

Usage, from the repository root::

    .venv/bin/python bench/accuracy.py                         # the default pipeline
    .venv/bin/python bench/accuracy.py --model en_core_web_sm  # side by side with a trained one
    .venv/bin/python bench/accuracy.py --json metrics.json     # save the metrics
    .venv/bin/python bench/accuracy.py --show-errors easy-out  # its false positives and negatives

Every message of ``bench/accuracy/dev-corpus.yaml`` is linted with
``Linter().lint(text, channel=entry["channel"])``; for each core rule, "the rule
reported a violation" is compared with the violation the labels expect:

=====================  =========================================
rule                   a violation is expected when
=====================  =========================================
named-role             ``labels.named_role`` is false
stated-connection      ``labels.stated_connection`` is false
gratitude              ``labels.gratitude`` is false
easy-out               ``labels.easy_out`` is false
demanding-phrasing     ``labels.demanding`` is true
=====================  =========================================

A null label means the element does not apply to that message, so the rule must
not fire. The corpus is a development set: tests/test_accuracy_floor.py keeps the
measured numbers from falling (bench/accuracy/floor.json), but a held-out set
written by other people is what judges the rules.

``--sets`` measures every corpus side by side: the project's own and the real
messages of ``../shared/eval/real-messages.yaml`` (written by other people; read
from there, never copied), split into two halves by a hash of each message's
source (``real-A``, ``real-B``) so that failure classes found on one half are
confirmed on the other. The real set's labels are mapped to the same shape by
``load_real_set``: named-role applies only to ``job_ask`` messages, easy-out only
to ``favour_ask`` ones, and its ``kind`` gives the channel.

The metric code lives here, once; the floor test imports this file by path.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared_dir import SHARED

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "accuracy" / "dev-corpus.yaml"
FLOOR = HERE / "accuracy" / "floor.json"


def _holdout_sets() -> dict[str, Path]:
    """Every hand-written batch in accuracy/ (holdout-corpus.yaml, holdout-N-corpus.yaml), in the order
    they were written: a new batch is measured by dropping its file there."""
    def number(path: Path) -> int:
        suffix = path.name.removesuffix("-corpus.yaml").removeprefix("holdout")
        return int(suffix.lstrip("-")) if suffix else 1

    batches = sorted((HERE / "accuracy").glob("holdout*-corpus.yaml"), key=number)
    return {path.name.removesuffix("-corpus.yaml"): path for path in batches}


PROJECT_SETS = {"dev": CORPUS, **_holdout_sets()}
# Real messages by other people, beside the project (../shared/eval/), never copied into it.
REAL_SET = SHARED / "eval" / "real-messages.yaml"
REAL_HALVES = ("real-A", "real-B")
# the real set's message kinds -> the channel the message is linted as (None: detect)
REAL_KIND_CHANNELS = {
    "connection_note": "connection-note",
    "inmail": "inmail",
    "email": "email",
    "followup": "followup",
    "other": None,
}

# rule id -> (label, the label value that means "a violation is expected")
RULE_LABELS: dict[str, tuple[str, bool]] = {
    "named-role": ("named_role", False),
    "stated-connection": ("stated_connection", False),
    "gratitude": ("gratitude", False),
    "easy-out": ("easy_out", False),
    "demanding-phrasing": ("demanding", True),
}
RULES = tuple(RULE_LABELS)


def load_corpus(path: Path = CORPUS) -> list[dict[str, Any]]:
    import yaml  # a dependency of the project

    with open(path, encoding="utf-8") as handle:
        entries = yaml.safe_load(handle)
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a list of messages")
    return entries


def real_half(source: str) -> str:
    """``real-A`` or ``real-B``: a stable split by source, so one source's messages stay together."""
    return REAL_HALVES[hashlib.sha1(source.encode("utf-8")).digest()[0] % 2]


def load_real_set(path: Path = REAL_SET) -> list[dict[str, Any]]:
    """The real messages in the project corpora's shape, each with its ``half``."""
    entries = []
    for item in load_corpus(path):
        labels = item["labels"]
        entries.append({
            "id": item["id"],
            "kind": item["kind"],
            "channel": REAL_KIND_CHANNELS[item["kind"]],
            "half": real_half(item["source"]),
            "text": item["text"],
            "labels": {
                "named_role": labels["named_role"] if labels["job_ask"] else None,
                "stated_connection": labels["connection"],
                "gratitude": labels["gratitude"],
                "easy_out": labels["easy_out"] if labels["favour_ask"] else None,
                "demanding": bool(labels["demanding"]),
            },
        })
    return entries


def load_sets(real: Path = REAL_SET) -> dict[str, list[dict[str, Any]]]:
    """Every corpus by name: the project's own, then the real set's halves and the whole."""
    sets = {name: load_corpus(path) for name, path in PROJECT_SETS.items()}
    if real.exists():
        whole = load_real_set(real)
        for half in REAL_HALVES:
            sets[half] = [entry for entry in whole if entry["half"] == half]
        sets["real"] = whole
    return sets


def expected_violation(entry: dict[str, Any], rule: str) -> bool:
    """Whether ``rule`` should report a violation for this corpus entry (null: not applicable: no)."""
    label, violation_when = RULE_LABELS[rule]
    value = entry["labels"].get(label)
    return value is not None and value is violation_when


@dataclass
class Error:
    id: str
    kind: str  # "FP" or "FN"
    message_kind: str
    flagged: list[str]  # the texts of the flagged spans (FP), empty for FN
    text: str


@dataclass
class RuleMetrics:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    errors: list[Error] = field(default_factory=list)

    def count(self, expected: bool, reported: bool) -> None:
        """Count one message: a violation was expected or not, and reported or not."""
        if expected and reported:
            self.tp += 1
        elif expected:
            self.fn += 1
        elif reported:
            self.fp += 1
        else:
            self.tn += 1

    @property
    def precision(self) -> float:
        predicted = self.tp + self.fp
        return self.tp / predicted if predicted else 0.0

    @property
    def recall(self) -> float:
        actual = self.tp + self.fn
        return self.tp / actual if actual else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def mcc(self) -> float:
        tp, fp, fn, tn = self.tp, self.fp, self.fn, self.tn
        denominator = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
        return (tp * tn - fp * fn) / denominator if denominator else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn,
            "precision": round(self.precision, 4), "recall": round(self.recall, 4),
            "f1": round(self.f1, 4), "mcc": round(self.mcc, 4),
        }


def evaluate(corpus: list[dict[str, Any]], model: str | None = None, linter: Any = None) -> dict[str, RuleMetrics]:
    """Lint every entry and count, per rule, agreement with the labels.

    ``linter``: a ``referral_lint.Linter`` to reuse; by default one is built (with ``model``).
    """
    if linter is None:
        from referral_lint import Linter

        linter = Linter(model=model) if model else Linter()
    metrics = {rule: RuleMetrics() for rule in RULES}
    for entry in corpus:
        text = entry["text"]
        report = linter.lint(text, channel=entry.get("channel"))
        flagged: dict[str, list[str]] = {}
        for violation in report.violations:
            flagged.setdefault(violation.rule, []).append(text[violation.start : violation.end])
        for rule in RULES:
            expected = expected_violation(entry, rule)
            reported = rule in flagged
            m = metrics[rule]
            m.count(expected, reported)
            if expected and not reported:
                m.errors.append(Error(entry["id"], "FN", entry.get("kind", ""), [], text))
            elif reported and not expected:
                m.errors.append(Error(entry["id"], "FP", entry.get("kind", ""), flagged[rule], text))
    return metrics


# --- the floor: committed minimums that accuracy may not fall below ------------------

FLOOR_METRICS = ("mcc", "precision")


def load_floor(path: Path = FLOOR) -> dict[str, dict[str, float]]:
    return json.loads(path.read_text(encoding="utf-8"))["rules"]


def below_floor(metrics: dict[str, RuleMetrics], floor: dict[str, dict[str, float]]) -> list[str]:
    """One line per metric that fell below its floor; empty when all hold."""
    problems = []
    for rule, minimums in floor.items():
        for name, minimum in minimums.items():
            value = getattr(metrics[rule], name)
            if value < minimum:
                problems.append(f"{rule}: {name} {value:.4f} < floor {minimum:.2f}")
    return problems


def raised_floor(metrics: dict[str, RuleMetrics], old: dict[str, dict[str, float]] | None) -> dict[str, Any]:
    """The floor file's content: each metric rounded down to 2 decimals, never lower than before."""
    rules = {}
    for rule in RULES:
        rules[rule] = {}
        for name in FLOOR_METRICS:
            measured = math.floor(getattr(metrics[rule], name) * 100 + 1e-9) / 100
            previous = (old or {}).get(rule, {}).get(name, 0.0)
            rules[rule][name] = max(measured, previous)
    return {
        "about": "Minimum MCC and precision per rule on bench/accuracy/dev-corpus.yaml (default pipeline), "
        "rounded down to 2 decimals. tests/test_accuracy_floor.py fails if a rule falls below them; "
        "raise them with `bench/accuracy.py --update-floor` after an improvement. Never lower them.",
        "rules": rules,
    }


def model_installed(name: str) -> bool:
    try:
        import spacy.util
    except ImportError:  # pragma: no cover - spaCy is a dependency
        return False
    return spacy.util.is_package(name) or Path(name).is_dir()


# --- output ---------------------------------------------------------------------------

_COLUMNS = ("TP", "FP", "FN", "TN", "prec", "recall", "F1", "MCC")


def _row(m: RuleMetrics) -> list[str]:
    return [str(m.tp), str(m.fp), str(m.fn), str(m.tn),
            f"{m.precision:.3f}", f"{m.recall:.3f}", f"{m.f1:.3f}", f"{m.mcc:.3f}"]


def format_table(results: dict[str, dict[str, RuleMetrics]]) -> str:
    """One table, a column group per pipeline (the default first)."""
    names = list(results)
    width = max(len(rule) for rule in RULES)
    cell = 7
    lines = []
    group = " ".join(f"{c:>{cell}}" for c in _COLUMNS)
    if len(names) > 1:
        lines.append(" " * width + " | " + " | ".join(f"{name:^{len(group)}}" for name in names))
    lines.append(f"{'rule':<{width}} | " + " | ".join(group for _ in names))
    lines.append("-" * len(lines[-1]))
    for rule in RULES:
        cells = [" ".join(f"{c:>{cell}}" for c in _row(results[name][rule])) for name in names]
        lines.append(f"{rule:<{width}} | " + " | ".join(cells))
    return "\n".join(lines)


def format_sets_table(results: dict[str, dict[str, RuleMetrics]], sizes: dict[str, int]) -> str:
    """MCC per rule and corpus, with precision and recall; one column per corpus."""
    names = list(results)
    width = max(len(rule) for rule in RULES)
    cell = max(16, *(len(name) + 2 for name in names))
    head = f"{'rule':<{width}} | " + " | ".join(f"{f'{n} ({sizes[n]})':^{cell}}" for n in names)
    lines = [head, f"{'':<{width}} | " + " | ".join(f"{'MCC  prec  rec':^{cell}}" for _ in names)]
    lines.append("-" * len(head))
    for rule in RULES:
        cells = []
        for name in names:
            m = results[name][rule]
            cells.append(f"{f'{m.mcc:.2f}  {m.precision:.2f}  {m.recall:.2f}':^{cell}}")
        lines.append(f"{rule:<{width}} | " + " | ".join(cells))
    return "\n".join(lines)


def format_errors(rule: str, metrics: RuleMetrics) -> str:
    lines = [f"{rule}: {metrics.fp} false positives, {metrics.fn} false negatives"]
    for error in sorted(metrics.errors, key=lambda e: (e.kind, e.id)):
        head = f"{error.kind} {error.id} ({error.message_kind})"
        if error.flagged:
            head += ": flagged " + "; ".join(repr(" ".join(span.split())) for span in error.flagged)
        lines.append(head)
        body = " ".join(error.text.split())
        lines.append(textwrap.indent(textwrap.fill(body, 100), "    "))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="the labelled corpus (YAML)")
    parser.add_argument("--sets", action="store_true",
                        help="every corpus side by side: the project's corpora and the real set (its halves and whole)")
    parser.add_argument("--real", choices=(*REAL_HALVES, "real"),
                        help="measure the real set (one half, or whole) instead of --corpus")
    parser.add_argument("--model", help="also run with this trained spaCy pipeline, if installed")
    parser.add_argument("--json", type=Path, metavar="PATH", help="save the metrics as JSON")
    parser.add_argument("--show-errors", metavar="RULE", choices=RULES,
                        help="list the false positives and negatives of RULE")
    parser.add_argument("--update-floor", action="store_true",
                        help=f"raise {FLOOR.relative_to(HERE.parent)} to the measured numbers (never lowers it)")
    args = parser.parse_args(argv)

    if args.sets:
        return _print_sets(args)
    if args.real:
        if not REAL_SET.exists():
            print(f"the real set is not there: {REAL_SET}", file=sys.stderr)
            return 2
        corpus = load_sets()[args.real]
        args.corpus = REAL_SET
    else:
        corpus = load_corpus(args.corpus)
    results = {"default": evaluate(corpus)}
    note = None
    if args.model:
        if model_installed(args.model):
            results[args.model] = evaluate(corpus, args.model)
        else:
            note = f"model {args.model!r} is not installed; showing the default pipeline only."

    print(f"{len(corpus)} messages from {args.corpus}" + (f" ({args.real})" if args.real else ""))
    print(format_table(results))
    if note:
        print(note)
    if (args.update_floor or FLOOR.exists()) and args.corpus.resolve() != CORPUS:
        print("floor: not checked (it applies to the development corpus only)")
    elif args.update_floor:
        old = load_floor() if FLOOR.exists() else None
        FLOOR.write_text(json.dumps(raised_floor(results["default"], old), indent=2) + "\n", encoding="utf-8")
        print(f"floor written to {FLOOR}")
    elif FLOOR.exists():
        problems = below_floor(results["default"], load_floor())
        print("floor: " + ("; ".join(problems) if problems else "every rule at or above its floor"))
    if args.show_errors:
        for name, metrics in results.items():
            print()
            if len(results) > 1:
                print(f"[{name}]")
            print(format_errors(args.show_errors, metrics[args.show_errors]))
    if args.json:
        payload = {
            "corpus": args.corpus.name,
            "messages": len(corpus),
            "pipelines": {
                name: {rule: m.summary() for rule, m in metrics.items()} for name, metrics in results.items()
            },
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


def _print_sets(args: argparse.Namespace) -> int:
    from referral_lint import Linter

    linter = Linter(model=args.model) if args.model else Linter()
    sets = load_sets()
    results = {name: evaluate(corpus, linter=linter) for name, corpus in sets.items()}
    print(format_sets_table(results, {name: len(corpus) for name, corpus in sets.items()}))
    if "real" not in sets:
        print(f"(the real set is not there: {REAL_SET})")
    if args.show_errors:
        for name in (args.real,) if args.real else results:
            print(f"\n[{name}]")
            print(format_errors(args.show_errors, results[name][args.show_errors]))
    if args.json:
        payload = {name: {rule: m.summary() for rule, m in metrics.items()} for name, metrics in results.items()}
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    try:
        import referral_lint  # noqa: F401  (the installed project, or one on PYTHONPATH)
    except ImportError:
        sys.path.insert(0, str(HERE.parent))  # the source checkout, when it is not installed
    sys.exit(main())
