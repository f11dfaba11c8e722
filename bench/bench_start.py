"""Cold start of ``referral-lint check one.txt`` against the floor: spaCy's blank English.

Each run is a whole new process, timed from outside (wall clock, start to exit): the
command a user types, and ``python -c "import spacy; spacy.blank('en')"``, the least a
process that lints with spaCy can do. The two alternate (A B A B ...), so a machine
that slows down or speeds up during the run affects both alike; the ratio is taken
pair by pair and its median quoted.

    .venv/bin/python bench/bench_start.py              # 7 pairs, warm rule cache
    .venv/bin/python bench/bench_start.py --runs 15    # steadier medians
    .venv/bin/python bench/bench_start.py --no-cache   # the rule cache off (as a first run)

The rule cache lives in a temporary XDG_CACHE_HOME made for the run: one untimed
warm-up run fills it (unless ``--no-cache``), so the figures are those of every run
after a user's first. Target: check within 1.3x of the floor. Always exits 0: a
measurement, not a test.
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


def check_command(draft: Path) -> list[str]:
    """``referral-lint check`` as installed beside this interpreter (the venv's script)."""
    script = Path(sys.executable).parent / "referral-lint"
    return [str(script), "check", "--isolated", str(draft)]


def wall_time(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    finished = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if finished.returncode not in (0, 1):  # 1: problems found, as expected for this draft
        sys.exit(f"bench_start: {' '.join(command)} failed: {finished.stderr.strip()[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="pairs of runs (default 7)")
    parser.add_argument("--no-cache", action="store_true", help="run check with the rule cache off")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-start-") as scratch:
        draft = Path(scratch) / "one.txt"
        draft.write_text(DRAFT, encoding="utf-8")
        env = {**os.environ, "XDG_CACHE_HOME": str(Path(scratch) / "cache")}
        env.pop("REFERRAL_LINT_CACHE_DIR", None)
        if args.no_cache:
            env["REFERRAL_LINT_NO_CACHE"] = "1"
        check = check_command(draft)
        wall_time(check, env)  # warm-up: fills the rule cache, and the OS's file cache
        wall_time(FLOOR, env)
        checks, floors = [], []
        for _ in range(args.runs):
            checks.append(wall_time(check, env))
            floors.append(wall_time(FLOOR, env))

    ratios = [c / f for c, f in zip(checks, floors)]
    cache = "off" if args.no_cache else "warm"
    print(f"cold start, {args.runs} pairs, rule cache {cache} (wall seconds: min / median / max)")
    for name, times in (("referral-lint check one.txt", checks), ("import spacy; spacy.blank('en')", floors)):
        print(f"  {name:<34} {min(times):.3f} / {statistics.median(times):.3f} / {max(times):.3f}")
    ratio = statistics.median(ratios)
    print(f"  {'ratio, pair by pair':<34} {min(ratios):.2f} / {ratio:.2f} / {max(ratios):.2f}")
    verdict = "met" if ratio <= TARGET_RATIO else "not met"
    print(f"target: check within {TARGET_RATIO}x of the floor: {verdict} ({ratio:.2f}x)")


if __name__ == "__main__":
    main()
