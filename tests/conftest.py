from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from referral_lint.linter import Linter

REPO = Path(__file__).resolve().parent.parent


def pytest_configure(config) -> None:
    """The rule cache of the test run (its subprocesses included) in a directory of its own,
    never the developer's; and no daemon (only tests/test_daemon.py starts one, of its own)."""
    directory = tempfile.mkdtemp(prefix="referral-lint-test-cache-")
    os.environ["REFERRAL_LINT_CACHE_DIR"] = directory
    os.environ["REFERRAL_LINT_DAEMON"] = "off"
    config.add_cleanup(lambda: shutil.rmtree(directory, ignore_errors=True))


@pytest.fixture(scope="session")
def linter() -> Linter:
    return Linter()


@pytest.fixture(scope="session")
def lint(linter: Linter):
    """Lint a message and return its violations."""

    def run(text: str, channel: str | None = None):
        return linter.lint(text, channel=channel).violations

    return run


@pytest.fixture
def isolated_settings(tmp_path, monkeypatch):
    """No test sees the developer's own configuration, nor another test's cached discovery."""
    from referral_lint import config_discovery, settings

    monkeypatch.setenv(config_discovery.USER_CONFIG_ENV, str(tmp_path / "no-user-config"))
    settings.clear_cache()
    yield
    settings.clear_cache()


@pytest.fixture
def cli(linter):  # the session linter: the pipeline is built before the first call
    """Run the CLI in-process, with colour left to the defaults."""
    from click.testing import CliRunner

    from referral_lint.cli import main

    def invoke(*args, input=None):
        env = {"NO_COLOR": None, "FORCE_COLOR": None}
        return CliRunner().invoke(main, [str(a) for a in args], input=input, env=env, catch_exceptions=False)

    return invoke

