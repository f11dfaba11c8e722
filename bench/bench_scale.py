#!/usr/bin/env python3
"""Scale benchmark for referral-lint (issue 13): batch on 1 and 2 cores, memory, Spark, mass messages.

Generates N messages with ``../shared/bench/gen_corpus.py`` (as JSON Lines), then
measures, each in a fresh process:

* ``referral-lint batch`` with ``--jobs 1`` and ``--jobs 2``: records/s over the run
  (from batch's own summary: start-up excluded) and the whole command's wall time;
* the peak RSS of the largest process of each run (the parent; a worker is smaller);
* mass-message detection alone: signatures + the LSH index over the N drafts;
* ``referral_lint.spark.lint_column`` in Spark's local[2] mode (with --spark);
* ``referral-lint check`` on a directory of the N drafts as files (with --check): its
  peak RSS (results are streamed, so it should stay near the bare pipeline's) and files/s,
  with mass-message detection on (the default) and off;
* the cold start of ``referral-lint check`` on one changed file against ``spacy.blank("en")``,
  pairs of fresh processes, as bench_start.py measures it (with --start).

Run from the repository root, with the project's venv::

    python bench/bench_scale.py [--n 10000] [--spark] [--json out.json]

Numbers are reported, never asserted. The machine is shared: run nothing else meanwhile.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from shared_dir import SHARED

REPO_ROOT = Path(__file__).resolve().parent.parent
GEN_CORPUS = SHARED / "bench" / "gen_corpus.py"

# Runs a command and prints the peak RSS (KiB) of its largest process, then its exit status.
_MEASURE = """
import resource, subprocess, sys, time
started = time.perf_counter()
status = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
wall = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(usage.ru_maxrss, status.returncode, wall, usage.ru_utime + usage.ru_stime)
print(status.stderr, end="")
"""

_MASS = """
import json, sys, time
from referral_lint.mass import MassMessageFinder, signature
texts = [json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8")]
started = time.perf_counter()
signatures = [signature(text) for text in texts]
signed = time.perf_counter()
finder = MassMessageFinder()
for number, values in enumerate(signatures):
    finder.add(number, values)
groups = finder.groups()
done = time.perf_counter()
print(json.dumps({"signatures_s": signed - started, "index_s": done - signed, "groups": len(groups),
                  "drafts_in_groups": sum(map(len, groups))}))
"""

_SPARK = """
import json, os, sys, time
os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
from pyspark.sql import SparkSession
from referral_lint.spark import lint_column
spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
         .config("spark.sql.execution.arrow.pyspark.enabled", "true").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
frame = spark.read.json(sys.argv[1]).select("id", "text").repartition(2).cache()
frame.count()
warm = lint_column(frame.limit(20), "text")  # each Python worker builds its Linter once
warm.write.format("noop").mode("overwrite").save()
started = time.perf_counter()
lint_column(frame, "text").write.format("noop").mode("overwrite").save()
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "rows": frame.count()}))
spark.stop()
"""


def generate(n: int, directory: Path, generator: Path) -> Path:
    corpus = directory / "corpus.jsonl"
    subprocess.run(
        [sys.executable, str(generator), str(directory / "files"), "--n", str(n), "--jsonl", str(corpus)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=generator.parent,
    )
    return corpus


def measure_batch(corpus: Path, jobs: int, mass: bool, out: Path) -> dict[str, Any]:
    command = [str(Path(sys.executable).parent / "referral-lint"), "batch", str(corpus), "--id-field", "id", "--jobs", str(jobs), "-o", str(out)]
    if not mass:
        command.append("--no-mass-messages")
    result = subprocess.run([sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, check=True)
    first, _, stderr = result.stdout.partition("\n")
    rss_kib, status, wall, cpu = first.split()
    rate = re.search(r"\(([\d,]+)/s\)", stderr)
    return {
        "jobs": jobs,
        "mass_messages": mass,
        "exit_status": int(status),
        "records_per_s": float(rate.group(1).replace(",", "")) if rate else None,
        "wall_s": float(wall),
        "cpu_s": float(cpu),  # user + system time of the command and its workers, start-up included
        "peak_rss_mb": int(rss_kib) / 1024,
    }


def measure_check(files: Path, jobs: int | None, mass: bool, out: Path) -> dict[str, Any]:
    """``referral-lint check DIR`` (json report to a file): wall time and peak RSS of its largest process."""
    command = [str(Path(sys.executable).parent / "referral-lint"), "check", str(files), "--isolated", "-q",
               "--output-format", "json", "-o", str(out)]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    if mass:  # off by default in check
        command += ["--extend-select", "mass-message"]
    own_process = {**os.environ, "REFERRAL_LINT_DAEMON": "off"}  # its memory and time are the command's own
    result = subprocess.run([sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, check=True, env=own_process)
    rss_kib, status, wall, cpu = result.stdout.partition("\n")[0].split()
    count = sum(1 for _ in files.glob("*.txt"))
    return {"jobs": jobs or os.cpu_count(), "mass_messages": mass, "exit_status": int(status), "files": count,
            "files_per_s": count / float(wall), "wall_s": float(wall), "cpu_s": float(cpu), "peak_rss_mb": int(rss_kib) / 1024}


def measure_start(pairs: int = 5) -> dict[str, float]:
    """The cold start of ``check`` on one changed draft against blank spaCy, as bench_start.py
    measures it (each run of check paired with one of the floor): medians."""
    from bench_start import measure, median_ratio

    times = measure(["changed"], pairs)["changed"]
    return {
        "check_one_file_s": statistics.median(check for check, _ in times),
        "blank_spacy_s": statistics.median(floor for _, floor in times),
        "ratio": median_ratio(times),
    }


def run_snippet(snippet: str, corpus: Path) -> dict[str, Any]:
    result = subprocess.run([sys.executable, "-c", snippet, str(corpus)], capture_output=True, text=True)
    if result.returncode != 0:
        return {"error": result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "failed"}
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="messages to generate (default 10,000)")
    parser.add_argument("--spark", action="store_true", help="also time referral_lint.spark in local[2] (needs Java)")
    parser.add_argument("--memory-only", action="store_true", help="one run (2 jobs, mass messages): peak RSS at --n")
    parser.add_argument("--no-mass-messages", action="store_true", help="with --memory-only: the run without mass messages")
    parser.add_argument("--check", action="store_true", help="also check the N drafts as files: peak RSS, files/s")
    parser.add_argument("--start", action="store_true", help="also time check's cold start against blank spaCy")
    parser.add_argument("--no-batch", action="store_true", help="skip the batch runs (with --check or --start)")
    parser.add_argument("--pairs", type=int, default=1, help="runs of 1 job then 2 jobs, alternated (default 1)")
    parser.add_argument("--corpus", type=Path, help="a JSON Lines corpus to use instead of generating one (batch and mass messages only)")
    parser.add_argument("--json", type=Path, help="write the results here too")
    parser.add_argument("--gen-corpus", type=Path, default=GEN_CORPUS, help=f"the corpus generator (default {GEN_CORPUS})")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-scale-") as scratch:
        directory = Path(scratch)
        corpus = args.corpus or generate(args.n, directory, args.gen_corpus)
        results: dict[str, Any] = {"n": args.n, "cores": os.cpu_count(), "load_before": os.getloadavg()[0]}
        if args.no_batch:
            runs = []
        elif args.memory_only:
            runs = [measure_batch(corpus, 2, not args.no_mass_messages, directory / "out.jsonl") | {"load": os.getloadavg()[0]}]
        else:
            # 1 job, 2 jobs, alternated: on a shared machine the neighbours' load drifts, and
            # pairs run back to back see about the same of it.
            runs = []
            for _ in range(args.pairs):
                runs += [measure_batch(corpus, jobs, False, directory / "out.jsonl") | {"load": os.getloadavg()[0]} for jobs in (1, 2)]
            runs.append(measure_batch(corpus, 2, True, directory / "out.jsonl") | {"load": os.getloadavg()[0]})
            ratios = [two["records_per_s"] / one["records_per_s"] for one, two in zip(runs[0:-1:2], runs[1:-1:2])
                      if one["records_per_s"] and two["records_per_s"]]
            results["speedup_2_jobs"] = ratios
            # On a busy machine the wall-clock ratio says more about the neighbours than
            # about batch: the CPU each run needs shows the workers' overhead.
            results["cpu_ratio_2_jobs"] = runs[1]["cpu_s"] / runs[0]["cpu_s"]
            results["mass_messages"] = run_snippet(_MASS, corpus)
        results["batch"] = runs
        if args.check:
            results["check"] = [measure_check(directory / "files", None, mass, directory / "report.json") for mass in (False, True)]
        if args.start:
            results["start"] = measure_start()
        if args.spark:
            spark = run_snippet(_SPARK, corpus)
            if "seconds" in spark:
                spark["rows_per_s"] = spark["rows"] / spark["seconds"]
            results["spark_local_2"] = spark
        results["load_after"] = os.getloadavg()[0]

    print(f"{args.n:,} messages, {results['cores']} cores (load {results['load_before']:.1f} before, {results['load_after']:.1f} after)")
    for run in runs:
        mass = " + mass messages" if run["mass_messages"] else ""
        print(
            f"  batch --jobs {run['jobs']}{mass}: {run['records_per_s']:,.0f} records/s, "
            f"{run['wall_s']:.1f} s wall, {run['cpu_s']:.1f} s CPU, peak RSS {run['peak_rss_mb']:.0f} MB (load {run['load']:.1f} after)"
        )
    if results.get("speedup_2_jobs"):
        ratios = ", ".join(f"{ratio:.2f}x" for ratio in results["speedup_2_jobs"])
        print(f"  2 jobs / 1 job, each pair: {ratios} records/s (target 1.6x); CPU used: {results['cpu_ratio_2_jobs']:.2f}x")
    if "mass_messages" in results:
        print(f"  mass messages alone: {json.dumps(results['mass_messages'])}")
    for run in results.get("check", []):
        mass = "--extend-select mass-message" if run["mass_messages"] else "default rules"
        print(
            f"  check DIR --jobs {run['jobs']} ({mass}): {run['files_per_s']:,.0f} files/s, "
            f"{run['wall_s']:.1f} s wall, {run['cpu_s']:.1f} s CPU, peak RSS {run['peak_rss_mb']:.0f} MB"
        )
    if "start" in results:
        start = results["start"]
        print(f"  cold start (changed draft, medians of pairs): check one file {start['check_one_file_s']:.2f} s, "
              f"blank spaCy {start['blank_spacy_s']:.2f} s: {start['ratio']:.2f}x (target 1.3x)")
    if "spark_local_2" in results:
        print(f"  spark local[2]: {json.dumps(results['spark_local_2'])}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
