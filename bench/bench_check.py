#!/usr/bin/env python3
"""What ``check`` costs per draft once start-up is paid: its own path, in a warm process.

Generates the shared benchmark corpus (one file per message), builds and warms a
``Linter`` in this process (spaCy, the compiled rules, the word tables: what a resident
process holds), runs one untimed ``check`` to fill the rule cache, then times
``referral-lint check --jobs N FILE...`` through the command line's own entry point,
in this process, for ``--jobs 1`` and ``--jobs 2`` (forked workers):

* **cold**: the result cache emptied first, so every draft is read, configured, linted,
  suppressed, kept in the cache and printed;
* **warm**: the same run again, every draft's report from the result cache.

Each is repeated ``--rounds`` times (default 3); the median and the best are printed, in
seconds for the corpus and milliseconds per draft, beside ``Linter.lint`` alone on the same
texts (the floor check's path sits on), with the median CPU time of this process and of the
worker processes (with two jobs: whether the parent or the workers set the pace). The
output of every run goes to a file whose digest is printed: the same before and after a
change means the change kept the output.

Run from the repository root, with the project's venv::

    .venv/bin/python bench/bench_check.py [--rounds 3] [--n 1000] [--profile cold-1]

``--profile CASE`` (cold-1, warm-1, cold-2, warm-2) prints a cProfile of one more run of
that case, sorted by cumulative time. Numbers are reported, never asserted.
"""
from __future__ import annotations

import argparse
import contextlib
import cProfile
import hashlib
import os
import pstats
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench_speed import generate_corpus, load_corpus
from shared_dir import SHARED

REPO_ROOT = Path(__file__).resolve().parent.parent
CASES = ("cold-1", "warm-1", "cold-2", "warm-2")  # result cache, jobs


@dataclass
class Timing:
    """One run: wall time, CPU time of this process and of its worker processes (seconds), exit status."""

    wall: float
    cpu: float
    workers_cpu: float
    status: int


def cpu_times() -> tuple[float, float]:
    """CPU seconds used so far by this process, and by its ended child processes (the workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def check_once(files: list[str], cache_dir: Path, jobs: int, cold: bool, out: Path) -> Timing:
    """One ``check`` of ``files``, timed; its stdout goes to ``out``."""
    from referral_lint import cli
    from referral_lint.result_cache import DATABASE

    if cold:
        for suffix in ("", "-wal", "-shm"):
            (cache_dir / (DATABASE + suffix)).unlink(missing_ok=True)
    argv = ["check", "--jobs", str(jobs), "--cache-dir", str(cache_dir), *files]
    with out.open("w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
        cpu, workers_cpu = cpu_times()
        started = time.perf_counter()
        try:
            cli.main.main(argv, prog_name="referral-lint")
            status = 0
        except SystemExit as stop:
            status = stop.code if isinstance(stop.code, int) else 2
        wall = time.perf_counter() - started
        cpu_after, workers_cpu_after = cpu_times()  # the workers have ended: check waits for its pool
    return Timing(wall, cpu_after - cpu, workers_cpu_after - workers_cpu, status)


def lint_alone(texts: list[str]) -> Timing:
    """``Linter.lint`` on every text, timed (the floor of check's path)."""
    from referral_lint import Config, Linter

    linter = Linter(Config())
    cpu, _ = cpu_times()
    started = time.perf_counter()
    for text in texts:
        linter.lint(text)
    return Timing(time.perf_counter() - started, cpu_times()[0] - cpu, 0.0, 0)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3, help="timed rounds of each case (default 3)")
    ap.add_argument("--n", type=int, default=1000, help="drafts to generate (default 1000)")
    ap.add_argument("--profile", choices=CASES, help="print a cProfile of one more run of this case")
    args = ap.parse_args()
    if args.rounds < 1 or args.n < 1:
        ap.error("--rounds and --n must be >= 1")

    with tempfile.TemporaryDirectory(prefix="referral-lint-bench-check-") as tmp:
        root = Path(tmp)
        corpus = load_corpus(generate_corpus((SHARED / "bench").resolve(), root / "corpus", args.n))
        # Named relative to the folder the run starts in, so the output (and its digest) is the same in every run.
        os.chdir(root)
        files = sorted(str(path.relative_to(root)) for path in (root / "corpus").glob("msg_*.txt"))
        cache_dir, out = root / "cache", root / "out.txt"
        # No user configuration: discovery still runs, as on a user's machine, but finds nothing.
        os.environ["REFERRAL_LINT_CONFIG_HOME"] = str(root / "no-user-config")

        from referral_lint import Config, Linter

        Linter(Config()).warm_up()  # what a resident process holds before its first command
        check_once(files, cache_dir, 1, True, out)  # untimed: fills the rule cache, imports the formats

        floor = [lint_alone(corpus.texts) for _ in range(args.rounds)]
        times: dict[str, list[Timing]] = {case: [] for case in CASES}
        outputs: dict[str, set[tuple[int, str]]] = {case: set() for case in CASES}
        for _ in range(args.rounds):
            for case in CASES:
                kind, jobs = case.split("-")
                timing = check_once(files, cache_dir, int(jobs), kind == "cold", out)
                times[case].append(timing)
                outputs[case].add((timing.status, digest(out)))

        n = len(files)
        print(f"referral-lint check on {n:,} files in one warm process; {args.rounds} rounds, "
              f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
        print(f"{'case':28} {'median s':>9} {'best s':>8} {'ms/draft':>9} {'CPU s':>6} {'workers':>8}"
              "  exit, output digest")
        rows = [("Linter.lint alone", floor, {(0, "-")})]
        rows += [(f"check --jobs {case[-1]}, {'cold' if case[0] == 'c' else 'warm'} cache", times[case], outputs[case])
                 for case in CASES]
        for label, timings, seen in rows:
            median = statistics.median(t.wall for t in timings)
            best = min(t.wall for t in timings)
            cpu = statistics.median(t.cpu for t in timings)
            workers = statistics.median(t.workers_cpu for t in timings)
            shown = "; ".join(f"{status}, {sha}" for status, sha in sorted(seen))
            print(f"{label:28} {median:9.3f} {best:8.3f} {1000 * median / n:9.3f} {cpu:6.2f} {workers:8.2f}  {shown}")

        if args.profile:
            kind, jobs = args.profile.split("-")
            profiler = cProfile.Profile()
            profiler.enable()
            check_once(files, cache_dir, int(jobs), kind == "cold", out)
            profiler.disable()
            pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(45)
        os.chdir(REPO_ROOT)  # out of the folder about to be deleted
    return 0


if __name__ == "__main__":
    sys.exit(main())
