"""Where the data shipped with referral-lint is: the built-in rules (one YAML file per rule)
and, in their ``wording/`` folder, the wording the message parts are found by."""

from __future__ import annotations

from pathlib import Path


def builtin_rules_dir() -> Path:
    """Where the built-in rules are: inside the installed package, or the source checkout."""
    packaged = Path(__file__).resolve().parent / "rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "rules"
