"""Finding and loading rule files (YAML only: no spaCy here, so `rules` stays fast).

Rules are read once per process for each set of rule directories, and between runs
come from the on-disk cache (``rule_cache.py``) while their files are unchanged. A
long-running process (the language server, ``serve``) calls :func:`refresh_rules` to
see rule files edited, added or removed since.
"""

from __future__ import annotations

import os
from pathlib import Path

from referral_lint.builtin_rules import builtin_rules_dir
from referral_lint.engine.rule_cache import cache_key, read_cached, write_cached
from referral_lint.engine.schema import RuleSpec, validate_rule
from referral_lint.yamlsource import RuleError, load_located

RULE_SUFFIXES = (".yaml", ".yml")


def load_rule_file(path: Path) -> RuleSpec:
    return _validated(path, _read(path))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise RuleError(path, None, "", f"cannot read rule file: {error}") from None


def _validated(path: Path, data: bytes) -> RuleSpec:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RuleError(path, None, "", f"cannot read rule file: {error}") from None
    return validate_rule(load_located(path, text), expected_id=path.stem)


def rule_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise RuleError(directory, None, "", "rule directory does not exist")
    # Hidden files are not rules: a team's rule directory may hold .referral-lint.yaml.
    return sorted(
        p for p in directory.iterdir() if p.suffix in RULE_SUFFIXES and not p.name.startswith(".") and p.is_file()
    )


# What the rule files were when read (path, size and time of each), and their rules, by extra_dirs.
_LOADED: dict[tuple[Path, ...], tuple[tuple[tuple[str, int, int], ...], tuple[RuleSpec, ...]]] = {}


def load_rules(extra_dirs: tuple[Path, ...] = ()) -> tuple[RuleSpec, ...]:
    """The built-in rules followed by those in ``extra_dirs``; ids must be unique.

    The same tuple is returned for the same directories until :func:`refresh_rules` sees
    their files change.
    """
    extra_dirs = tuple(extra_dirs)
    loaded = _LOADED.get(extra_dirs)
    if loaded is not None:
        return loaded[1]
    directories = (builtin_rules_dir(), *extra_dirs)
    paths = [path for directory in directories for path in rule_files(directory)]
    signature = _signature(paths)
    sources = [(path, _read(path)) for path in paths]
    key = cache_key(directories, sources)
    rules = read_cached(directories, key)
    if rules is None:
        rules = _validated_set(sources)
        write_cached(directories, key, rules)
    _LOADED[extra_dirs] = (signature, rules)
    return rules


def refresh_rules() -> bool:
    """Forget the rules of every set of directories whose rule files changed since they were
    read (edited, added, removed, or the directory gone), so the next :func:`load_rules`
    reads them again; True if any did. A stat of each file: cheap enough to call before
    each lint of a long-running process."""
    changed = False
    for extra_dirs, (signature, _) in list(_LOADED.items()):
        try:
            current = _signature([path for directory in (builtin_rules_dir(), *extra_dirs) for path in rule_files(directory)])
        except (RuleError, OSError):
            current = None
        if current != signature:
            del _LOADED[extra_dirs]
            changed = True
    return changed


def _signature(paths: list[Path]) -> tuple[tuple[str, int, int], ...]:
    signature = []
    for path in paths:
        try:
            status = os.stat(path)
        except OSError as error:
            raise RuleError(path, None, "", f"cannot read rule file: {error}") from None
        signature.append((str(path), status.st_size, status.st_mtime_ns))
    return tuple(signature)


def _validated_set(sources: list[tuple[Path, bytes]]) -> tuple[RuleSpec, ...]:
    """The rules of the files read (``sources``), each validated, ids unique, ``when.fails`` known."""
    rules: list[RuleSpec] = []
    seen: dict[str, str] = {}
    for path, data in sources:
        rule = _validated(path, data)
        if rule.id in seen:
            raise RuleError(path, 1, "id", f"duplicate rule id {rule.id!r} (also in {seen[rule.id]})")
        seen[rule.id] = str(path)
        rules.append(rule)
    for rule in rules:
        for needed in rule.when.fails:
            if needed not in seen:
                raise RuleError(rule.file, None, "when.fails", f"unknown rule {needed!r}")
    return tuple(rules)
