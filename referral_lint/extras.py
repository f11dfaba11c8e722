"""The optional parts (pyproject's extras) and how to get one: referral-lint is installed
from a clone of its repository, not from PyPI, so every hint says so the same way."""

from __future__ import annotations


def install_hint(extra: str) -> str:
    """The command that installs ``extra`` (``batch``, ``web``, ``spark``), for a message."""
    return f"pip install '.[{extra}]' in your clone of referral-lint"
