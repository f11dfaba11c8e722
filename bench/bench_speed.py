#!/usr/bin/env python3
"""Throughput benchmark for referral-lint.

Generates the shared benchmark corpus (``../shared/bench/gen_corpus.py``, run in
place), then measures, over several repeats:

* startup: ``import referral_lint`` + ``Linter()`` in a fresh interpreter;
* the bare pipeline: ``Linter.parse`` on every message (normalisation + spaCy);
* the linter: ``Linter.lint`` on every message (the same, plus the rules);

and reports messages/s, the rules' share of lint time, the rules' cost relative
to the bare pipeline, a violation count (sanity) and peak memory.

With ``--cli`` it also times whole commands on the corpus's files (one file per
message), start-up included: ``referral-lint check`` with ``--jobs 1`` and with the
default (every core), and the peers that are installed (``npm install --prefix
bench/peers`` for write-good, textlint, alex and Harper; ``proselint`` on PATH).

Standard library + the project only.  Run from the repository root::

    python bench/bench_speed.py [--repeats 5] [--json out.json] [--compare old.json]

Timing numbers are reported, never asserted: nothing here fails on a slow run.
"""
from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from hashlib import sha256
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from shared_dir import SHARED

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = SHARED / "bench"
WARMUP_MESSAGES = 20

# Project targets (reported, not enforced).
TARGET_LINT_MSGS_PER_S = 2000.0
TARGET_RULES_VS_PARSE = 1.0
# Changes smaller than this (in %) are not called better/worse in --compare.
NOISE_PCT = 3.0

# Snippet run in a fresh interpreter to time import + pipeline load + rule compile.
_STARTUP_SNIPPET = """
import json, sys, time
t0 = time.perf_counter()
from referral_lint import Linter
t1 = time.perf_counter()
linter = Linter(model=json.loads(sys.argv[1]))
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "build_s": t2 - t1}))
"""


# --------------------------------------------------------------------------
# Metrics: one table drives printing, JSON and comparison.
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Metric:
    """A reported number: JSON key, human label, format and direction."""

    key: str
    label: str
    fmt: str
    higher_is_better: bool | None  # None: informational, no "better/worse"


METRICS: tuple[Metric, ...] = (
    Metric("startup_s_median", "startup, import+build (s), median", "{:.3f}", False),
    Metric("startup_s_best", "startup, import+build (s), best", "{:.3f}", False),
    Metric("startup_process_s_median", "startup incl. interpreter (s), median", "{:.3f}", False),
    Metric("parse_msgs_per_s_median", "bare pipeline (msg/s), median", "{:,.0f}", True),
    Metric("parse_msgs_per_s_best", "bare pipeline (msg/s), best", "{:,.0f}", True),
    Metric("lint_msgs_per_s_median", "lint (msg/s), median", "{:,.0f}", True),
    Metric("lint_msgs_per_s_best", "lint (msg/s), best", "{:,.0f}", True),
    Metric("lint_ms_per_msg_median", "lint (ms/msg), median", "{:.3f}", False),
    Metric("rules_ms_per_msg_median", "rules only (ms/msg), median", "{:.3f}", False),
    Metric("rules_share_pct_median", "rules share of lint (%), median", "{:.1f}", False),
    Metric("rules_share_pct_best", "rules share of lint (%), best", "{:.1f}", False),
    Metric("rules_vs_parse_median", "rules / bare pipeline (x), median", "{:.2f}", False),
    Metric("rules_vs_parse_best", "rules / bare pipeline (x), best", "{:.2f}", False),
    Metric("violations_total", "violations found (sanity)", "{:,.0f}", None),
    Metric("messages_with_violations", "messages with >= 1 violation", "{:,.0f}", None),
    Metric("maxrss_mib", "peak RSS, ru_maxrss (MiB)", "{:.1f}", False),
    Metric("tracemalloc_peak_mib", "tracemalloc peak, one lint pass (MiB)", "{:.1f}", False),
)


@dataclass
class Corpus:
    """The benchmark messages, loaded into memory."""

    texts: list[str]
    words: int
    chars: int
    sha256: str


@dataclass
class Run:
    """Wall times of one repeat (seconds for the whole corpus)."""

    parse_s: float
    lint_s: float


@dataclass
class Results:
    """Everything the benchmark reports; serialised as JSON."""

    meta: dict[str, Any]
    metrics: dict[str, float]
    runs: list[Run] = field(default_factory=list)
    startup: list[dict[str, float]] = field(default_factory=list)
    violations_by_rule: dict[str, int] = field(default_factory=dict)
    commands: list[dict[str, Any]] | None = None  # --cli

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        return {
            "meta": self.meta,
            "metrics": self.metrics,
            "runs": [vars(r) for r in self.runs],
            "startup": self.startup,
            "violations_by_rule": self.violations_by_rule,
            "commands": self.commands,
        }


# --------------------------------------------------------------------------
# Corpus
# --------------------------------------------------------------------------
def generate_corpus(shared: Path, out_dir: Path, n: int) -> Path:
    """Run the shared generator in place and return the path of corpus.jsonl."""
    generator = shared / "gen_corpus.py"
    if not generator.is_file():
        sys.exit(f"bench_speed: generator not found: {generator} (use --shared DIR)")
    out_dir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [sys.executable, "gen_corpus.py", str(out_dir.resolve()), "--n", str(n)],
        cwd=shared, capture_output=True, text=True,
    )
    if proc.returncode != 0:
        sys.exit(f"bench_speed: gen_corpus.py failed ({proc.returncode}): {proc.stderr.strip()}")
    return out_dir / "corpus.jsonl"


def load_corpus(path: Path) -> Corpus:
    """Read every message's "text" from a JSONL file."""
    raw = path.read_bytes()
    texts: list[str] = []
    for lineno, line in enumerate(raw.decode("utf-8").splitlines(), 1):
        if line.strip():
            try:
                texts.append(json.loads(line)["text"])
            except (ValueError, KeyError) as exc:
                sys.exit(f"bench_speed: {path}:{lineno}: bad corpus line ({exc})")
    if not texts:
        sys.exit(f"bench_speed: {path} holds no messages")
    return Corpus(
        texts=texts,
        words=sum(len(t.split()) for t in texts),
        chars=sum(len(t) for t in texts),
        sha256=sha256(raw).hexdigest(),
    )


# --------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------
def _subprocess_env() -> dict[str, str]:
    """Environment that makes the repo importable even if it isn't installed; every command in
    a process of its own (bench_peers.py measures the daemon)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    env["REFERRAL_LINT_DAEMON"] = "off"
    return env


def measure_startup(model: str | None) -> dict[str, float]:
    """Time import + Linter() in a fresh interpreter (honest: nothing pre-imported)."""
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _STARTUP_SNIPPET, json.dumps(model)],
        cwd=REPO_ROOT, env=_subprocess_env(), capture_output=True, text=True,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["(no stderr)"])[-1]
        sys.exit(f"bench_speed: startup subprocess failed: {tail}")
    timing: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    timing["total_s"] = timing["import_s"] + timing["build_s"]
    timing["process_s"] = wall
    return timing


def time_pass(fn: Callable[[str], object], texts: Sequence[str]) -> float:
    """Wall time of calling fn on every text once (GC collected beforehand)."""
    gc.collect()
    t0 = time.perf_counter()
    for text in texts:
        fn(text)
    return time.perf_counter() - t0


def count_violations(linter: Any, texts: Iterable[str]) -> tuple[int, int, Counter[str]]:
    """Lint every text; return (total, messages with any, count per rule id)."""
    total = flagged = 0
    by_rule: Counter[str] = Counter()
    for text in texts:
        violations = linter.lint(text).violations
        total += len(violations)
        flagged += bool(violations)
        by_rule.update(str(getattr(v, "rule", "?")) for v in violations)
    return total, flagged, by_rule


def tracemalloc_peak_mib(linter: Any, texts: Sequence[str]) -> float:
    """Peak traced Python allocation during one lint pass, in MiB."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        for text in texts:
            linter.lint(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def maxrss_mib() -> float:
    """Peak resident set size of this process, in MiB."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10  # bytes vs KiB


def model_available(model: str | None) -> bool:
    """True if the named spaCy pipeline is an installed package or a directory."""
    if model is None or Path(model).is_dir():
        return True
    try:
        return importlib.util.find_spec(model) is not None
    except (ImportError, ValueError):
        return False


# --------------------------------------------------------------------------
# The benchmark
# --------------------------------------------------------------------------
def derive_metrics(n: int, runs: Sequence[Run]) -> dict[str, float]:
    """Throughput and rule-cost figures from the timed repeats."""
    out: dict[str, float] = {}
    views = {
        "median": (statistics.median(r.parse_s for r in runs),
                   statistics.median(r.lint_s for r in runs)),
        "best": (min(r.parse_s for r in runs), min(r.lint_s for r in runs)),
    }
    for tag, (parse_s, lint_s) in views.items():
        rules_s = lint_s - parse_s
        out[f"parse_msgs_per_s_{tag}"] = n / parse_s
        out[f"lint_msgs_per_s_{tag}"] = n / lint_s
        out[f"lint_ms_per_msg_{tag}"] = 1000 * lint_s / n
        out[f"rules_ms_per_msg_{tag}"] = 1000 * rules_s / n
        out[f"rules_share_pct_{tag}"] = 100 * rules_s / lint_s
        out[f"rules_vs_parse_{tag}"] = rules_s / parse_s
    return out


def run_benchmark(corpus: Corpus, model: str | None, repeats: int) -> Results:
    """Measure startup, parse and lint throughput, violations and memory."""
    startup = [measure_startup(model) for _ in range(repeats)]

    sys.path.insert(0, str(REPO_ROOT))
    from referral_lint import Linter  # noqa: PLC0415 - after the honest startup timing

    linter = Linter(model=model)
    for text in corpus.texts[:WARMUP_MESSAGES]:
        linter.parse(text)
        linter.lint(text)

    runs: list[Run] = []
    for i in range(repeats):
        # Alternate the order so neither pass always runs on a "warmer" process.
        if i % 2 == 0:
            parse_s = time_pass(linter.parse, corpus.texts)
            lint_s = time_pass(linter.lint, corpus.texts)
        else:
            lint_s = time_pass(linter.lint, corpus.texts)
            parse_s = time_pass(linter.parse, corpus.texts)
        runs.append(Run(parse_s=parse_s, lint_s=lint_s))

    total, flagged, by_rule = count_violations(linter, corpus.texts)
    rss = maxrss_mib()  # before tracemalloc, whose bookkeeping inflates RSS
    traced = tracemalloc_peak_mib(linter, corpus.texts)

    n = len(corpus.texts)
    metrics = derive_metrics(n, runs)
    metrics.update(
        startup_s_median=statistics.median(s["total_s"] for s in startup),
        startup_s_best=min(s["total_s"] for s in startup),
        startup_process_s_median=statistics.median(s["process_s"] for s in startup),
        violations_total=float(total),
        messages_with_violations=float(flagged),
        maxrss_mib=rss,
        tracemalloc_peak_mib=traced,
    )
    return Results(
        meta=collect_meta(corpus, model, repeats),
        metrics=metrics,
        runs=runs,
        startup=startup,
        violations_by_rule=dict(by_rule.most_common()),
    )


def collect_meta(corpus: Corpus, model: str | None, repeats: int) -> dict[str, Any]:
    """Describe the machine, versions and corpus, for reproducibility."""
    try:
        import spacy  # noqa: PLC0415 - already loaded by the linter

        spacy_version = spacy.__version__
    except ImportError:
        spacy_version = "?"
    return {
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "spacy": spacy_version,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "model": model or "(embedded blank English)",
        "repeats": repeats,
        "messages": len(corpus.texts),
        "words": corpus.words,
        "chars": corpus.chars,
        "corpus_sha256": corpus.sha256,
    }


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------
def _fmt(metric: Metric, value: float | None) -> str:
    return "-" if value is None else metric.fmt.format(value)


def _table(rows: Sequence[Sequence[str]]) -> str:
    """Render rows as a plain left/right-aligned text table."""
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    lines = []
    for i, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def print_results(res: Results) -> None:
    """Print the results and the target check as a readable table."""
    m, meta = res.metrics, res.meta
    print(f"referral-lint speed benchmark - {meta['messages']:,} messages, "
          f"{meta['words']:,} words, {meta['repeats']} repeats, model: {meta['model']}")
    print(f"python {meta['python']}, spaCy {meta['spacy']}, {meta['cpus']} CPUs, "
          f"{meta['platform']}\n")
    print(_table([("metric", "value")] + [(x.label, _fmt(x, m.get(x.key))) for x in METRICS]))

    lint_ok = m["lint_msgs_per_s_median"] >= TARGET_LINT_MSGS_PER_S
    ratio_ok = m["rules_vs_parse_median"] <= TARGET_RULES_VS_PARSE
    print("\ntargets (median; informational):")
    print(f"  lint >= {TARGET_LINT_MSGS_PER_S:,.0f} msg/s: "
          f"{m['lint_msgs_per_s_median']:,.0f} -> {'met' if lint_ok else 'MISSED'}")
    print(f"  rules / bare pipeline <= {TARGET_RULES_VS_PARSE:.1f}: "
          f"{m['rules_vs_parse_median']:.2f} -> {'met' if ratio_ok else 'MISSED'}")
    if res.violations_by_rule:
        top = ", ".join(f"{k} {v}" for k, v in list(res.violations_by_rule.items())[:8])
        print(f"\nviolations by rule (top): {top}")


def print_comparison(before: dict[str, Any], after: Results) -> None:
    """Print before / after / change % for every metric present in both."""
    old: dict[str, float] = before.get("metrics", {})
    rows: list[tuple[str, ...]] = [("metric", "before", "after", "change", "")]
    for x in METRICS:
        a, b = old.get(x.key), after.metrics.get(x.key)
        if a is None and b is None:
            continue
        change, verdict = "-", ""
        if a is not None and b is not None and a != 0:
            pct = 100 * (b - a) / abs(a)
            change = f"{pct:+.1f}%"
            if x.higher_is_better is not None and abs(pct) >= NOISE_PCT:
                verdict = "better" if (pct > 0) == x.higher_is_better else "worse"
        rows.append((x.label, _fmt(x, a), _fmt(x, b), change, verdict))
    bm = before.get("meta", {})
    print(f"\ncomparison with {bm.get('timestamp', '?')} "
          f"(model {bm.get('model', '?')}, {bm.get('messages', '?')} messages):")
    if bm.get("corpus_sha256") not in (None, after.meta["corpus_sha256"]):
        print("  note: the corpora differ (sha256 mismatch); figures are not like for like")
    print(_table(rows))


# --------------------------------------------------------------------------
# Whole commands on files: referral-lint check and the peers (--cli)
# --------------------------------------------------------------------------
PEERS_DIR = REPO_ROOT / "bench" / "peers"


def _commands(files: list[str]) -> list[tuple[str, list[str] | None]]:
    """(label, command) for referral-lint and each peer; None: the peer is not installed."""
    bin_dir = PEERS_DIR / "node_modules" / ".bin"
    node = lambda tool: [str(bin_dir / tool)] if (bin_dir / tool).exists() else None  # noqa: E731
    proselint = shutil.which("proselint") or shutil.which("proselint", path=str(Path(sys.executable).parent))
    harper = PEERS_DIR / "node_modules" / "harper.js"
    cli = [sys.executable, "-m", "referral_lint", "check", "--quiet", "--isolated"]
    return [
        ("referral-lint check --jobs 1", [*cli, "--jobs", "1", *files]),
        ("referral-lint check (every core)", [*cli, *files]),
        ("write-good", node("write-good") and [*node("write-good"), *files]),
        ("textlint --rule write-good", node("textlint") and [*node("textlint"), "--rule", "write-good", *files]),
        ("alex", node("alex") and [*node("alex"), *files]),
        ("proselint", proselint and [proselint, "check", *files]),
        ("Harper (harper.js)", ["node", str(PEERS_DIR / "harper-check.mjs"), *files] if harper.is_dir() else None),
    ]


def measure_commands(files_dir: Path) -> list[dict[str, Any]]:
    """Wall and CPU time of each command over every file, once each, in turn."""
    files = sorted(str(path) for path in files_dir.glob("*.txt"))
    rows = []
    for label, command in _commands(files):
        if command is None:
            rows.append({"tool": label, "installed": False})
            continue
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = subprocess.run(command, cwd=PEERS_DIR, env=_subprocess_env(), capture_output=True)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        rows.append({
            "tool": label, "installed": True, "exit_status": proc.returncode, "files": len(files),
            "wall_s": wall, "cpu_s": cpu, "files_per_s": len(files) / wall, "files_per_cpu_s": len(files) / cpu,
            "load": os.getloadavg()[0],
        })
    return rows


def print_commands(rows: Sequence[dict[str, Any]]) -> None:
    print("\nWhole commands on the corpus's files (start-up included; one run each)")
    table = [["tool", "files/s (wall)", "wall (s)", "CPU (s)", "files per CPU-s", "load"]]
    for row in rows:
        if not row["installed"]:
            table.append([row["tool"], "not installed", "", "", "", ""])
            continue
        table.append([
            row["tool"], f"{row['files_per_s']:,.0f}", f"{row['wall_s']:.2f}", f"{row['cpu_s']:.2f}",
            f"{row['files_per_cpu_s']:,.0f}", f"{row['load']:.1f}",
        ])
    print(_table(table))


# --------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------
def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=5, help="timed repeats (default 5)")
    ap.add_argument("--n", type=int, default=1000, help="messages to generate (default 1000)")
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED,
                    help=f"folder holding gen_corpus.py (default {DEFAULT_SHARED})")
    ap.add_argument("--corpus", type=Path, default=None,
                    help="reuse DIR/corpus.jsonl (generated there if missing)")
    ap.add_argument("--model", default=None,
                    help="trained spaCy pipeline for Linter(model=...), e.g. en_core_web_sm")
    ap.add_argument("--json", type=Path, default=None, metavar="PATH",
                    help="write the results as JSON")
    ap.add_argument("--compare", type=Path, default=None, metavar="PATH",
                    help="compare with a previously saved --json file")
    ap.add_argument("--cli", action="store_true",
                    help="also time referral-lint check and the installed peers on the corpus's files")
    ap.add_argument("--cli-only", action="store_true", help="only the --cli measurements")
    args = ap.parse_args(argv)
    if args.repeats < 1 or args.n < 1:
        ap.error("--repeats and --n must be >= 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    if not model_available(args.model):
        print(f"bench_speed: spaCy pipeline {args.model!r} is not installed; skipping.")
        return 0
    before: dict[str, Any] | None = None
    if args.compare is not None:
        try:
            before = json.loads(args.compare.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            sys.exit(f"bench_speed: cannot read --compare file: {exc}")

    with tempfile.TemporaryDirectory(prefix="referral-lint-bench-") as tmp:
        if args.corpus is not None and (args.corpus / "corpus.jsonl").is_file():
            jsonl = args.corpus / "corpus.jsonl"
        else:
            jsonl = generate_corpus(args.shared.resolve(), args.corpus or Path(tmp), args.n)
        corpus = load_corpus(jsonl)
        commands = measure_commands(jsonl.parent) if args.cli or args.cli_only else None
    if args.cli_only:
        print_commands(commands)
        return 0

    results = run_benchmark(corpus, args.model, args.repeats)
    results.commands = commands
    print_results(results)
    if commands is not None:
        print_commands(commands)
    if before is not None:
        print_comparison(before, results)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results.to_json(), indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
