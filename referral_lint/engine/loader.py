"""Finding and loading rule files (YAML only: no spaCy here, so `rules` stays fast)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from referral_lint.engine.schema import RuleSpec, validate_rule
from referral_lint.engine.yamlsource import RuleError, load_located

RULE_SUFFIXES = (".yaml", ".yml")


def builtin_rules_dir() -> Path:
    """Where the built-in rules are: inside the installed package, or the source checkout."""
    packaged = Path(__file__).resolve().parent.parent / "rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "rules"


def load_rule_file(path: Path) -> RuleSpec:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RuleError(path, None, "", f"cannot read rule file: {error}") from None
    return validate_rule(load_located(path, text), expected_id=path.stem)


def rule_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise RuleError(directory, None, "", "rule directory does not exist")
    # Hidden files are not rules: a team's rule directory may hold .referral-lint.yaml.
    return sorted(
        p for p in directory.iterdir() if p.suffix in RULE_SUFFIXES and not p.name.startswith(".") and p.is_file()
    )


@lru_cache(maxsize=32)
def load_rules(extra_dirs: tuple[Path, ...] = ()) -> tuple[RuleSpec, ...]:
    """The built-in rules followed by those in ``extra_dirs``; ids must be unique."""
    rules: list[RuleSpec] = []
    seen: dict[str, str] = {}
    for directory in (builtin_rules_dir(), *extra_dirs):
        for path in rule_files(directory):
            rule = load_rule_file(path)
            if rule.id in seen:
                raise RuleError(path, 1, "id", f"duplicate rule id {rule.id!r} (also in {seen[rule.id]})")
            seen[rule.id] = str(path)
            rules.append(rule)
    for rule in rules:
        for needed in rule.when.fails:
            if needed not in seen:
                raise RuleError(rule.file, None, "when.fails", f"unknown rule {needed!r}")
    return tuple(rules)
