"""One configuration file, read and validated: :func:`read_config_file`.

A ``.yaml``/``.yml`` file holds the options at the top level; ``pyproject.toml`` in its
``[tool.referral-lint]`` table; any other ``.toml`` file there or at the top level.
Every value is checked before anything is linted, and an error names the file, the
line and the key (``drafts/.referral-lint.yaml:4: fail_on: unknown key …``). A file
is read once per modification time. Which file applies to a draft is
:mod:`referral_lint.config_discovery`; merging it with the overrides is
:mod:`referral_lint.settings`.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from referral_lint.config import (
    OPTION_KEYS,
    ConfigError,
    RuleInfo,
    Selection,
    catalogue,
    check_names,
    parse_options,
)
from referral_lint.engine.loader import load_rules
from referral_lint.model import Severity
from referral_lint.path_globs import PathGlob
from referral_lint.toml_lines import TomlError, key_lines, load_toml
from referral_lint.yamlsource import RuleError, load_located

#: The table of pyproject.toml (or of any other TOML file named with ``config_file``) read.
PYPROJECT_TABLE = ("tool", "referral-lint")
FILE_KEYS = (*OPTION_KEYS, "per-path")
#: What a ``per-path`` section may set.
PER_PATH_KEYS = ("channel", "ignore", "severity")


@dataclass(frozen=True)
class PerPath:
    """A ``per-path`` section: a glob and what it changes for the drafts it matches."""

    glob: PathGlob
    channel: str | None = None
    selection: Selection = Selection()
    severity: tuple[tuple[str, Severity], ...] = ()

    def matches(self, relative: tuple[str, ...] | None, name: str) -> bool:
        """Whether the draft at ``relative`` (its path parts under the root), named ``name``, matches."""
        return self.glob.matches(relative, name)


@dataclass(frozen=True, eq=False)  # one object per file version; compared by identity
class ConfigFile:
    """A configuration file, read and validated. ``root``: what its relative paths are relative to."""

    path: Path
    root: Path
    values: tuple[tuple[str, Any], ...] = ()  # channel, fail_on, model
    selection: Selection = Selection()
    severity: tuple[tuple[str, Severity], ...] = ()
    per_path: tuple[PerPath, ...] = ()
    rule_dirs: tuple[Path, ...] = ()


@dataclass
class _Source:
    """A file's options as read, and the line of each (for error messages)."""

    file: Path
    data: Mapping[str, Any]
    lines: dict[tuple[Any, ...], int] = field(default_factory=dict)
    prefix: tuple[Any, ...] = ()  # where the options sit in the file, e.g. ("tool", "referral-lint")

    def line_of(self, path: tuple[Any, ...]) -> int | None:
        path = self.prefix + tuple(path)
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path)

    def fail(self, problem: str, path: tuple[Any, ...] = (), line_path: tuple[Any, ...] | None = None) -> ConfigError:
        """An error at ``path`` (its line: that of ``line_path``, default ``path``), named as in the file."""
        line = self.line_of(tuple(line_path) if line_path is not None else tuple(path))
        return ConfigError(problem, path=self.prefix + tuple(path), file=self.file, line=line)

    def error(self, error: ConfigError, prefix: tuple[Any, ...] = ()) -> ConfigError:
        return self.fail(error.problem, prefix + error.path)


def read_config_file(path: Path) -> ConfigFile:
    """Read and validate one configuration file (cached until it changes)."""
    path = Path(os.path.abspath(path))
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise ConfigError("configuration file not found", file=path) from None
    except OSError as error:
        raise ConfigError(f"cannot read the configuration file: {error.strerror or error}", file=path) from None
    if not path.is_file():
        raise ConfigError("not a configuration file (a directory?)", file=path)
    return _read_config_file(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _read_config_file(path: Path, mtime_ns: int, size: int) -> ConfigFile:
    source = _parse(path)
    if source is None:
        raise ConfigError(f"has no [{'.'.join(PYPROJECT_TABLE)}] table", file=path)
    return _validate(source)


def has_our_table(path: Path) -> bool:
    """Whether the ``pyproject.toml`` at ``path`` has a ``[tool.referral-lint]`` table."""
    return "referral-lint" in _read_text(path) and _parse(path) is not None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError("not valid UTF-8", file=path) from None
    except OSError as error:
        raise ConfigError(f"cannot read the configuration file: {error.strerror or error}", file=path) from None


def _parse(path: Path) -> _Source | None:
    """The options in ``path``; None for a TOML file without our table."""
    text = _read_text(path)
    if path.suffix.lower() == ".toml":
        try:
            document = load_toml(text)
        except TomlError as error:
            raise ConfigError(f"invalid TOML: {error.problem}", file=path, line=error.line) from None
        # pyproject.toml keeps our options under [tool.referral-lint]; any other TOML file
        # named with --config may have them there or at the top level.
        data: Any = document
        for part in PYPROJECT_TABLE:
            data = data.get(part) if isinstance(data, dict) else None
        if data is None:
            if path.name == "pyproject.toml":
                return None
            return _Source(path, document, key_lines(text))
        source = _Source(path, data, key_lines(text), PYPROJECT_TABLE)
        if not isinstance(data, dict):
            raise source.fail("must be a table")
        return source
    try:
        document = load_located(path, text)
    except RuleError as error:
        raise ConfigError(error.problem, file=path, line=error.line) from None
    data = {} if document.value is None else document.value
    return _Source(path, data, document.lines)


def _validate(source: _Source) -> ConfigFile:
    data = source.data
    if not isinstance(data, Mapping):
        raise source.fail("expected a mapping of options (key: value)")
    for key in data:
        if key not in FILE_KEYS:
            raise source.fail(unknown_key(key, FILE_KEYS), (key,))
    root = source.file.parent
    try:
        options = parse_options({key: value for key, value in data.items() if key != "per-path"})
    except ConfigError as error:
        raise source.error(error) from None

    rule_dirs = tuple(dict.fromkeys(Path(os.path.abspath(root / d)) for d in options.pop("rule_dirs", ())))  # no duplicates
    for index, directory in enumerate(rule_dirs):
        if not directory.is_dir():
            raise source.fail(f"no such directory: {directory}", ("rule-dirs",), ("rule-dirs", index))
    selection = Selection(
        options.pop("select", None), options.pop("extend_select", ()), options.pop("ignore", ())
    )
    severity = options.pop("severity", ())
    rules = catalogue(load_rules(rule_dirs))  # a broken team rule is a RuleError naming its file
    _check_selection(source, rules, selection, ())
    _check_severity(source, rules, severity, ("severity",))

    per_path = []
    sections = data.get("per-path", {})
    if not isinstance(sections, Mapping):
        raise source.fail("expected a mapping of glob patterns to options", ("per-path",))
    for pattern, section in sections.items():
        per_path.append(_per_path(source, rules, str(pattern), section))
    return ConfigFile(
        path=source.file,
        root=root,
        values=tuple(sorted(options.items())),
        selection=selection,
        severity=severity,
        per_path=tuple(per_path),
        rule_dirs=rule_dirs,
    )


def _per_path(source: _Source, rules: tuple[RuleInfo, ...], pattern: str, section: Any) -> PerPath:
    where = ("per-path", pattern)
    if not isinstance(section, Mapping):
        raise source.fail(f"expected a mapping with any of: {', '.join(PER_PATH_KEYS)}", where)
    for key in section:
        if key not in PER_PATH_KEYS:
            raise source.fail(
                unknown_key(key, PER_PATH_KEYS) + " (a per-path section sets channel, ignore and severity)", where + (key,)
            )
    try:
        options = parse_options(dict(section))
    except ConfigError as error:
        raise source.error(error, where) from None
    selection = Selection(ignore=options.get("ignore", ()))
    _check_selection(source, rules, selection, where)
    _check_severity(source, rules, options.get("severity", ()), where + ("severity",))
    try:
        glob = PathGlob.parse(pattern)
    except ValueError as error:
        raise source.fail(str(error), where) from None
    return PerPath(
        glob=glob,
        channel=options.get("channel"),
        selection=selection,
        severity=options.get("severity", ()),
    )


def _check_selection(source: _Source, rules: tuple[RuleInfo, ...], selection: Selection, where: tuple[Any, ...]) -> None:
    for option, names in (("select", selection.select or ()), ("extend-select", selection.extend_select), ("ignore", selection.ignore)):
        for index, name in enumerate(names):
            try:
                check_names(rules, [name], (option,))
            except ConfigError as error:
                raise source.fail(error.problem, where + (option,), where + (option, index)) from None


def _check_severity(source: _Source, rules: tuple[RuleInfo, ...], severity: tuple[tuple[str, Severity], ...], where: tuple[Any, ...]) -> None:
    for name, _ in severity:
        try:
            check_names(rules, [name])
        except ConfigError as error:
            raise source.fail(error.problem, where + (name,)) from None


def unknown_key(key: Any, allowed: tuple[str, ...]) -> str:
    message = f"unknown key {key!r}"
    if isinstance(key, str):
        close = difflib.get_close_matches(key.replace("_", "-"), allowed, n=1)
        if close:
            message += f" (did you mean {close[0]!r}?)"
    return message


def clear_cache() -> None:
    """Forget the files read (the cache is keyed on modification time; this is for deleted files)."""
    _read_config_file.cache_clear()
