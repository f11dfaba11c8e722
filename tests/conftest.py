from __future__ import annotations

from pathlib import Path

import pytest

from referral_lint.linter import Linter

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def linter() -> Linter:
    return Linter()


@pytest.fixture(scope="session")
def lint(linter: Linter):
    """Lint a message and return its violations."""

    def run(text: str, channel: str | None = None):
        return linter.lint(text, channel=channel).violations

    return run
