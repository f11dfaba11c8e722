"""Cold start of ``referral-lint check one.txt`` against the floor: spaCy's blank English.

Each run is a whole new process, timed from outside (wall clock, start to exit): the
command a user types, and ``python -c "import spacy; spacy.blank('en')"``, the least a
process that lints with spaCy can do. Each run of check is paired with a run of the
floor right after it, so a machine that slows down or speeds up during the run affects
both alike; the ratio is taken pair by pair and its median quoted.

Four cases of check, in one run (``--only`` picks some):

- ``unchanged``: the draft was checked before, so its report comes from the result
  cache (every run after the first on a draft that did not change);
- ``changed``: a draft not checked before (the result cache emptied before each run),
  with the rule and word caches warm: linting it needs spaCy and the compiled rules;
- ``no-cache``: ``--no-cache``, as a first run after installing: the rules read from
  YAML and lemminflect's tables parsed;
- ``changed-daemon``: ``changed``, handed to the daemon (docs/daemon.md), which every
  ``check`` after the first finds running. The other cases run in a process of their own.

    .venv/bin/python bench/bench_start.py              # 7 pairs of each case
    .venv/bin/python bench/bench_start.py --runs 15    # steadier medians
    .venv/bin/python bench/bench_start.py --only changed

The caches live in a temporary directory made for the run (``--cache-dir``), filled
by one untimed warm-up run, which also writes both commands' bytecode (to a temporary
``PYTHONPYCACHEPREFIX``), as installing does. Target: check within 1.3x of the floor. Always exits 0:
a measurement, not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from referral_lint.result_cache import DATABASE

TARGET_RATIO = 1.3
REPO_ROOT = Path(__file__).resolve().parent.parent

# Written for this benchmark: a short draft with a few problems, so the rules really run.
DRAFT = """Hi Sam,

I saw the Data Analyst opening on your team's careers page. Refer me to your manager ASAP,
I have three years of SQL and dashboards behind me.

Thanks,
Alex
"""

FLOOR = [sys.executable, "-c", "import spacy; spacy.blank('en')"]


CASES = ("unchanged", "changed", "no-cache", "changed-daemon")


def check_command(draft: Path, cache: Path, case: str) -> list[str]:
    """``referral-lint check`` as installed beside this interpreter (the venv's script)."""
    script = Path(sys.executable).parent / "referral-lint"
    options = ["--no-cache"] if case == "no-cache" else ["--cache-dir", str(cache)]
    return [str(script), "check", "--isolated", *options, str(draft)]


def wall_time(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    finished = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if finished.returncode not in (0, 1):  # 1: problems found, as expected for this draft
        sys.exit(f"bench_start: {' '.join(command)} failed: {finished.stderr.strip()[-500:]}")
    return elapsed


def measure(cases: list[str], runs: int) -> dict[str, list[tuple[float, float]]]:
    """(check, floor) wall seconds of ``runs`` pairs for each case, in caches made for the run."""
    with tempfile.TemporaryDirectory(prefix="bench-start-") as scratch:
        draft = Path(scratch) / "one.txt"
        draft.write_text(DRAFT, encoding="utf-8")
        cache = Path(scratch) / "cache"
        env = {key: value for key, value in os.environ.items() if not key.startswith("REFERRAL_LINT_")}
        # Bytecode cached, as after ``pip install`` (which compiles it): a PYTHONDONTWRITEBYTECODE
        # environment would have every run compile the project's source again, not spaCy's.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(scratch) / "bytecode")
        own_process = {**env, "REFERRAL_LINT_DAEMON": "off"}
        with_daemon = {**env, "REFERRAL_LINT_DAEMON": "on", "REFERRAL_LINT_DAEMON_DIR": str(Path(scratch) / "d")}
        script = str(Path(sys.executable).parent / "referral-lint")
        if "changed-daemon" in cases:
            subprocess.run([script, "daemon", "start"], env=with_daemon, capture_output=True)
        try:
            wall_time(check_command(draft, cache, "unchanged"), own_process)  # warm-up: fills the caches, and the OS's file cache
            wall_time(FLOOR, env)
            times: dict[str, list[tuple[float, float]]] = {case: [] for case in cases}
            for _ in range(runs):
                for case in cases:
                    if case.startswith("changed"):
                        for path in cache.glob(f"{DATABASE}*"):  # the database and its write-ahead log
                            path.unlink()
                    check = wall_time(check_command(draft, cache, case), with_daemon if case == "changed-daemon" else own_process)
                    times[case].append((check, wall_time(FLOOR, env)))
        finally:
            subprocess.run([script, "daemon", "stop"], env=with_daemon, capture_output=True)
    return times


def median_ratio(pairs: list[tuple[float, float]]) -> float:
    """The median of the ratios check / floor, pair by pair."""
    return statistics.median(check / floor for check, floor in pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="pairs of runs of each case (default 7)")
    parser.add_argument("--only", choices=CASES, action="append", help="measure this case only (repeatable)")
    args = parser.parse_args()
    times = measure(args.only or list(CASES), args.runs)

    print(f"cold start of check one.txt, {args.runs} pairs each (wall seconds: min / median / max; load {os.getloadavg()[0]:.1f})")
    floors = [floor for pairs in times.values() for _, floor in pairs]
    print(f"  {'floor: spacy.blank(en)':<28} {min(floors):.3f} / {statistics.median(floors):.3f} / {max(floors):.3f}")
    for case, pairs in times.items():
        checks = [check for check, _ in pairs]
        ratios = sorted(check / floor for check, floor in pairs)
        ratio = median_ratio(pairs)
        verdict = "met" if ratio <= TARGET_RATIO else "not met"
        print(
            f"  {'check, ' + case:<28} {min(checks):.3f} / {statistics.median(checks):.3f} / {max(checks):.3f}"
            f"   ratio {ratios[0]:.2f} / {ratio:.2f} / {ratios[-1]:.2f}: within {TARGET_RATIO}x {verdict}"
        )


if __name__ == "__main__":
    main()
