"""The rule cache: the second run reads the rules from it; a changed rule file, a corrupt or
foreign cache, and --no-cache are all handled without the user noticing anything but speed."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import write
from referral_lint import typed_json
from referral_lint.engine import loader, rule_cache
from referral_lint.engine.schema import RuleSpec
from test_config import BUZZ_DRAFT, TEAM_RULE


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A cache directory of the test's own, and a process that has read no rules yet."""
    directory = tmp_path / "cache" / "referral-lint"
    monkeypatch.setenv(rule_cache.CACHE_DIR_ENV, str(directory))
    monkeypatch.delenv(rule_cache.NO_CACHE_ENV, raising=False)
    monkeypatch.setattr(loader, "_LOADED", {})
    return directory


@pytest.fixture
def validations(monkeypatch):
    """The rule files validated from YAML (not from the cache), by name."""
    read: list[str] = []
    validated = loader._validated

    def counting(path, data):
        read.append(path.name)
        return validated(path, data)

    monkeypatch.setattr(loader, "_validated", counting)
    return read


def a_new_process(monkeypatch):
    monkeypatch.setattr(loader, "_LOADED", {})


def test_the_second_run_reads_the_rules_from_the_cache(cache, validations, monkeypatch):
    first = loader.load_rules()
    assert len(validations) == len(first) > 10
    assert [path.name for path in cache.iterdir()] == [next(cache.iterdir()).name]  # one file, for this set of directories
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700

    validations.clear()
    a_new_process(monkeypatch)
    second = loader.load_rules()
    assert validations == []
    assert [typed_json.encode(rule, RuleSpec) for rule in second] == [typed_json.encode(rule, RuleSpec) for rule in first]


def test_a_changed_rule_file_is_read_again(cache, validations, monkeypatch, tmp_path):
    team = write(tmp_path / "team" / "no-buzzwords.yaml", TEAM_RULE)
    assert loader.load_rules((team.parent,))[-1].summary == "Skip the buzzwords"

    write(team, TEAM_RULE.replace("Skip the buzzwords", "Say what you did"))
    validations.clear()
    a_new_process(monkeypatch)
    assert loader.load_rules((team.parent,))[-1].summary == "Say what you did"
    assert "no-buzzwords.yaml" in validations


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # cut short (a full disk)
        lambda text: "\0" * 40,
        lambda text: text.replace('"format": 1', '"format": 99'),  # another version's layout
        lambda text: text.replace('"key": "', '"key": "0'),  # another version's key
        lambda text: text.replace('"severity": "error"', '"severity": "fatal"', 1),  # decodes to no rule
        lambda text: json.dumps({"format": 1, "key": json.loads(text)["key"], "rules": [{"id": "x"}]}),
    ],
    ids=["truncated", "binary", "format", "key", "bad-value", "bad-shape"],
)
def test_a_corrupt_or_foreign_cache_is_rebuilt_silently(cache, validations, monkeypatch, damage):
    expected = [rule.id for rule in loader.load_rules()]
    (cached,) = cache.iterdir()
    cached.write_text(damage(cached.read_text()))

    validations.clear()
    a_new_process(monkeypatch)
    assert [rule.id for rule in loader.load_rules()] == expected
    assert len(validations) == len(expected)  # read from the YAML files again
    validations.clear()
    a_new_process(monkeypatch)
    loader.load_rules()
    assert validations == []  # and the cache written again


def test_no_cache_neither_reads_nor_writes(cache, validations, monkeypatch):
    monkeypatch.setenv(rule_cache.NO_CACHE_ENV, "1")
    loader.load_rules()
    assert not cache.exists()


def test_an_unwritable_cache_directory_costs_nothing_but_time(tmp_path, monkeypatch, validations):
    blocker = write(tmp_path / "not-a-directory", "")
    monkeypatch.setenv(rule_cache.CACHE_DIR_ENV, str(blocker / "referral-lint"))
    monkeypatch.setattr(loader, "_LOADED", {})
    assert len(loader.load_rules()) == len(validations) > 10


def test_check_lints_the_same_with_and_without_the_cache(tmp_path):
    """Three runs of the command: the first fills the cache, the second reads it, the third
    (--no-cache) reads the YAML; the reports are the same."""
    write(tmp_path / "team-rules" / "no-buzzwords.yaml", TEAM_RULE)
    write(tmp_path / ".referral-lint.yaml", "rule-dirs: [team-rules]\n")
    draft = write(tmp_path / "draft.txt", BUZZ_DRAFT)
    env = {**os.environ, rule_cache.CACHE_DIR_ENV: str(tmp_path / "cache")}
    env.pop(rule_cache.NO_CACHE_ENV, None)

    def check(*options: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "referral_lint", "check", "--output-format", "json", *options, str(draft)]
        return subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)

    first = check()
    assert len(list((tmp_path / "cache").glob("rules-*.json"))) == 1
    second, uncached = check(), check("--no-cache")
    assert first.returncode == second.returncode == uncached.returncode == 1
    assert first.stdout == second.stdout == uncached.stdout
    assert "no-buzzwords" in {v["rule"] for v in json.loads(second.stdout)["files"][0]["violations"]}
    assert first.stderr == second.stderr == uncached.stderr == ""


# --- The rules compiled (what a Linter runs), kept beside the rules ---------------------

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").rglob("*.txt"))


@pytest.fixture
def compilations(cache, monkeypatch):
    """How many times rules were compiled from their patterns (not read from the cache), in a
    process that has compiled none yet."""
    from referral_lint import linter
    from referral_lint.engine import compiler

    count: list[int] = []
    compile_rules = compiler._compile

    def counting(rules, nlp):
        count.append(len(rules))
        return compile_rules(rules, nlp)

    monkeypatch.setattr(compiler, "_compile", counting)
    linter._compiled.cache_clear()
    yield count
    linter._compiled.cache_clear()


def a_new_linter(monkeypatch, config=None):
    """A Linter as a new process builds it: rules read and compiled again, or from the cache."""
    from referral_lint import linter

    a_new_process(monkeypatch)
    linter._compiled.cache_clear()
    return linter.Linter(config)


def reports(linter) -> list[list[dict]]:
    return [[violation.to_dict() for violation in linter.lint(path.read_text()).violations] for path in EXAMPLES]


def test_a_second_linter_reads_the_compiled_rules_and_lints_the_same(cache, compilations, monkeypatch):
    first = a_new_linter(monkeypatch)
    assert len(compilations) == 1
    assert len(list(cache.glob("compiled-*.json"))) == 1
    compiled_first = reports(first)

    second = a_new_linter(monkeypatch)
    assert len(compilations) == 1  # read, not compiled
    assert reports(second) == compiled_first
    assert any(compiled_first) and len(EXAMPLES) > 5

    monkeypatch.setenv(rule_cache.NO_CACHE_ENV, "1")
    assert reports(a_new_linter(monkeypatch)) == compiled_first
    assert len(compilations) == 2


def test_the_compiled_rules_are_keyed_by_the_rules_selection_and_environment(cache, compilations, monkeypatch, tmp_path):
    from referral_lint import cache_settings
    from referral_lint.config import Config

    team = write(tmp_path / "team" / "no-buzzwords.yaml", TEAM_RULE)
    config = Config(rule_dirs=(team.parent,))
    assert "no-buzzwords" in {v.rule for v in a_new_linter(monkeypatch, config).lint(BUZZ_DRAFT).violations}
    assert len(compilations) == 1

    write(team, TEAM_RULE.replace("rockstar", "guru"))  # a rule file's contents
    changed = a_new_linter(monkeypatch, config)
    assert len(compilations) == 2
    assert "no-buzzwords" not in {v.rule for v in changed.lint(BUZZ_DRAFT).violations}

    a_new_linter(monkeypatch, Config(rule_dirs=(team.parent,), ignore=("length",)))  # which rules run
    assert len(compilations) == 3

    # Another version of this package or of what it reads (spaCy, lemminflect): compiled again.
    monkeypatch.setattr(cache_settings, "environment_key", lambda: "another version")
    a_new_linter(monkeypatch, config)
    assert len(compilations) == 4
    a_new_linter(monkeypatch, config)
    assert len(compilations) == 4


def _refs_out_of_range(text: str) -> str:
    document = json.loads(text)
    document["state"]["word_patterns"] = [[9999, "patterns", 0]] * len(document["state"]["word_patterns"])
    return json.dumps(document)


def _regex_that_does_not_compile(text: str) -> str:
    document = json.loads(text)
    document["state"]["words"]["patterns"][0] = "(unclosed"
    return json.dumps(document)


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],
        lambda text: "\0" * 40,
        lambda text: text.replace('"format": 1', '"format": 99'),
        lambda text: text.replace('"key": "', '"key": "0'),
        lambda text: json.dumps({"format": 1, "key": json.loads(text)["key"], "state": {"words": []}}),
        _refs_out_of_range,
        _regex_that_does_not_compile,
    ],
    ids=["truncated", "binary", "format", "key", "bad-shape", "bad-reference", "bad-regex"],
)
def test_a_corrupt_compiled_cache_is_rebuilt_and_lints_the_same(cache, compilations, monkeypatch, damage):
    expected = reports(a_new_linter(monkeypatch))
    (cached,) = cache.glob("compiled-*.json")
    cached.write_bytes(damage(cached.read_text(encoding="utf-8")).encode("utf-8"))

    assert reports(a_new_linter(monkeypatch)) == expected
    assert len(compilations) == 2  # compiled again
    a_new_linter(monkeypatch)
    assert len(compilations) == 2  # and the cache written again
