"""Where ``../shared`` is: the benchmark corpus generator and the real labelled set live there.

It sits beside the project's checkout; from a git worktree nested deeper (``/work/wt/name``)
it is found further up. ``REFERRAL_LINT_SHARED`` names it explicitly.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def find_shared(start: Path = REPO_ROOT) -> Path:
    """The nearest ``shared`` folder beside ``start`` or beside one of its parents."""
    explicit = os.environ.get("REFERRAL_LINT_SHARED")
    if explicit:
        return Path(explicit)
    for folder in (start, *start.parents):
        candidate = folder.parent / "shared"
        if candidate.is_dir():
            return candidate
    return start.parent / "shared"  # absent: callers say so with this path


SHARED = find_shared()
