"""Finding, reading and merging configuration files: :func:`config_for`.

Discovery works like ruff's. For each draft, the directories from the draft's own
up to the filesystem root are searched, and the first configuration found is the
one used; files are never merged. In one directory ``.referral-lint.yaml`` comes
first, then ``.referral-lint.yml``, then ``pyproject.toml``, and a
``pyproject.toml`` counts only if it has a ``[tool.referral-lint]`` table. When no
directory has one, the user's file is used if there is one
(``$XDG_CONFIG_HOME/referral-lint/config.yaml``, by default under ``~/.config``;
``%APPDATA%\\referral-lint\\config.yaml`` on Windows). ``config_file`` names a file
and skips discovery; ``isolated`` ignores every file.

Then, in order: the file's options; its ``per-path`` sections that match the draft;
the overrides (the command line's options, or an editor's settings). A later value
wins, with one exception taken from ruff's per-file-ignores: the rule selection of
a ``per-path`` section is applied after the overrides, so ``--select`` on the
command line does not bring back a rule a per-path section ignores.

Everything read is cached: which file applies, per directory; a file's contents,
per file and modification time (so an edited file is read again). Call
:func:`clear_cache` when configuration files are created or deleted (the language
server does, when it is told a watched file changed).
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from referral_lint.config import (
    OPTION_KEYS,
    Config,
    ConfigError,
    RuleInfo,
    Selection,
    catalogue,
    check_names,
    parse_options,
    resolve,
)
from referral_lint.engine.loader import load_rules
from referral_lint.engine.yamlsource import RuleError, load_located
from referral_lint.inputs import display_name
from referral_lint.model import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

#: The file names searched in each directory, in order of precedence.
CONFIG_FILE_NAMES = (".referral-lint.yaml", ".referral-lint.yml", "pyproject.toml")
#: The table of pyproject.toml (or of any other TOML file named with ``config_file``) read.
PYPROJECT_TABLE = ("tool", "referral-lint")
FILE_KEYS = (*OPTION_KEYS, "per-path")
#: What a ``per-path`` section may set.
PER_PATH_KEYS = ("channel", "ignore", "severity")
#: Environment variable naming the user's configuration directory (tests point it elsewhere).
USER_CONFIG_ENV = "REFERRAL_LINT_CONFIG_HOME"


# --- one configuration file ----------------------------------------------------------


@dataclass(frozen=True)
class PerPath:
    """A ``per-path`` section: a glob and what it changes for the drafts it matches."""

    pattern: str
    regex: re.Pattern[str]
    anchored: bool  # the pattern has a "/": it matches from the configuration's directory
    channel: str | None = None
    selection: Selection = Selection()
    severity: tuple[tuple[str, Severity], ...] = ()

    def matches(self, relative: tuple[str, ...] | None, name: str) -> bool:
        """Whether the draft at ``relative`` (its path parts under the root), named ``name``, matches."""
        if relative is None:  # outside the configuration's directory: only the file name counts
            return not self.anchored and bool(self.regex.fullmatch(name))
        if self.anchored:  # the path, or a directory it is in
            return any(self.regex.fullmatch("/".join(relative[:end])) for end in range(len(relative), 0, -1))
        return any(self.regex.fullmatch(part) for part in relative)


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
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            message = str(error)
            found = re.search(r"\(at line (\d+), column \d+\)", message)
            problem = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
            raise ConfigError(f"invalid TOML: {problem}", file=path, line=int(found[1]) if found else None) from None
        # pyproject.toml keeps our options under [tool.referral-lint]; any other TOML file
        # named with --config may have them there or at the top level.
        data: Any = document
        for part in PYPROJECT_TABLE:
            data = data.get(part) if isinstance(data, dict) else None
        if data is None:
            if path.name == "pyproject.toml":
                return None
            return _Source(path, document, _toml_lines(text))
        source = _Source(path, data, _toml_lines(text), PYPROJECT_TABLE)
        if not isinstance(data, dict):
            raise source.fail("must be a table")
        return source
    try:
        document = load_located(path, text)
    except RuleError as error:
        raise ConfigError(error.problem, file=path, line=error.line) from None
    data = {} if document.value is None else document.value
    return _Source(path, data, document.lines)


_TOML_HEADER = re.compile(r"^\s*\[\[?\s*(?P<name>[^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_TOML_KEY = re.compile(r"""^\s*(?P<key>(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*'))*)\s*=""")
_TOML_PART = re.compile(r"""[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*'""")


def _toml_keys(dotted: str) -> tuple[str, ...]:
    parts = []
    for part in _TOML_PART.findall(dotted):
        if part.startswith('"'):
            part = part[1:-1].encode("utf-8").decode("unicode_escape") if "\\" in part else part[1:-1]
        elif part.startswith("'"):
            part = part[1:-1]
        parts.append(part)
    return tuple(parts)


def _toml_lines(text: str) -> dict[tuple[Any, ...], int]:
    """Where each table and key starts (best effort: enough to point at a bad value)."""
    lines: dict[tuple[Any, ...], int] = {}
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TOML_HEADER.match(line)
        if header:
            table = _toml_keys(header["name"])
            lines.setdefault(table, number)
            continue
        key = _TOML_KEY.match(line)
        if key:
            lines.setdefault(table + _toml_keys(key["key"]), number)
    return lines


def _validate(source: _Source) -> ConfigFile:
    data = source.data
    if not isinstance(data, Mapping):
        raise source.fail("expected a mapping of options (key: value)")
    for key in data:
        if key not in FILE_KEYS:
            raise source.fail(_unknown_key(key, FILE_KEYS), (key,))
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
                _unknown_key(key, PER_PATH_KEYS) + " (a per-path section sets channel, ignore and severity)", where + (key,)
            )
    try:
        options = parse_options(dict(section))
    except ConfigError as error:
        raise source.error(error, where) from None
    selection = Selection(ignore=options.get("ignore", ()))
    _check_selection(source, rules, selection, where)
    _check_severity(source, rules, options.get("severity", ()), where + ("severity",))
    cleaned = pattern.strip()
    anchored = "/" in cleaned.rstrip("/")  # "drafts/linkedin/*" or "/notes": from the root; "*.md": anywhere
    cleaned = cleaned.removeprefix("./").strip("/")
    if not cleaned:
        raise source.fail("empty glob pattern", where)
    return PerPath(
        pattern=pattern,
        regex=re.compile(glob_to_regex(cleaned)),
        anchored=anchored,
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


def _unknown_key(key: Any, allowed: tuple[str, ...]) -> str:
    message = f"unknown key {key!r}"
    if isinstance(key, str):
        close = difflib.get_close_matches(key.replace("_", "-"), allowed, n=1)
        if close:
            message += f" (did you mean {close[0]!r}?)"
    return message


def glob_to_regex(pattern: str) -> str:
    """A regex for a glob: ``*`` and ``?`` stay within a path part, ``**`` crosses parts, ``[abc]`` is a class."""
    out = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if pattern.startswith("**/", index):
            out.append("(?:.*/)?")
            index += 3
            continue
        if pattern.startswith("**", index):
            out.append(".*")
            index += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            end = index + 1
            if pattern[end : end + 1] in ("!", "^"):
                end += 1
            if pattern[end : end + 1] == "]":  # a "]" first in a class is a member
                end += 1
            end = pattern.find("]", end)
            if end == -1:  # no closing bracket: a literal "["
                out.append(re.escape(char))
            else:
                body = pattern[index + 1 : end]
                if body[0] in "!^":
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                index = end + 1
                continue
        else:
            out.append(re.escape(char))
        index += 1
    return "".join(out)


# --- discovery ---------------------------------------------------------------------

_FOUND: dict[Path, Path | None] = {}


def clear_cache() -> None:
    """Forget what was discovered and read (after configuration files were created, deleted or edited)."""
    _FOUND.clear()
    _read_config_file.cache_clear()
    _resolve.cache_clear()
    _overrides.cache_clear()


def _config_in(directory: Path) -> Path | None:
    for name in CONFIG_FILE_NAMES:
        candidate = directory / name
        try:
            if not candidate.is_file():
                continue
        except OSError:
            continue
        if name != "pyproject.toml":
            return candidate
        text = _read_text(candidate)
        if "referral-lint" in text and _parse(candidate) is not None:
            return candidate
    return None


def find_config_file(start: Path) -> Path | None:
    """The configuration file for drafts in directory ``start``: the nearest, else the user's."""
    start = Path(os.path.abspath(start))
    visited = []
    result: Path | None = None
    for directory in (start, *start.parents):
        if directory in _FOUND:
            result = _FOUND[directory]
            break
        visited.append(directory)
        found = _config_in(directory)
        if found is not None:
            result = found
            break
    for directory in visited:
        _FOUND[directory] = result
    return result if result is not None else user_config_file()


def user_config_dir() -> Path:
    if os.environ.get(USER_CONFIG_ENV):
        return Path(os.environ[USER_CONFIG_ENV])
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "referral-lint"
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "referral-lint"


def user_config_file() -> Path | None:
    """The user's own configuration file, used where no project has one (None if absent).

    One the process cannot read (a permission, a broken disk) is not the project's
    problem: a one-line warning on stderr, once, and the defaults apply.
    """
    for name in ("config.yaml", "config.yml"):
        candidate = user_config_dir() / name
        try:
            if candidate.is_file():
                with candidate.open("rb"):
                    return candidate
        except OSError as error:
            _warn_once(f"{display_name(str(candidate))}: cannot read the user configuration ({error.strerror or error}); using the defaults")
            return None
    return None


_WARNED: set[str] = set()


def _warn_once(message: str) -> None:
    if message not in _WARNED:
        _WARNED.add(message)
        sys.stderr.write(f"referral-lint: warning: {message}\n")


def config_source(path: Path | str | None, *, config_file: Path | str | None = None, isolated: bool = False) -> Path | None:
    """Which configuration file applies to the draft at ``path`` (None: only defaults)."""
    if isolated:
        if config_file is not None:
            raise ConfigError("--config and --isolated cannot be used together")
        return None
    if config_file is not None:
        return Path(os.path.abspath(config_file))
    return find_config_file(_start_directory(path))


def _start_directory(path: Path | str | None) -> Path:
    if path is None:
        return Path.cwd()
    path = Path(os.path.abspath(path))
    return path if path.is_dir() else path.parent


# --- merging -------------------------------------------------------------------------


def config_for(
    path: Path | str | None,
    *,
    config_file: Path | str | None = None,
    isolated: bool = False,
    overrides: Mapping[str, Any] | None = None,
) -> Config:
    """The Config for the draft at ``path`` (None: a draft in the current directory, such as stdin).

    ``path`` may be a file that does not exist (an unsaved editor buffer, stdin's
    ``--stdin-filename``) or a directory (a workspace root: its own configuration, no
    per-path sections). ``config_file`` names the file to use instead of discovering
    one; ``isolated`` uses none. ``overrides``: options on top (``Config.from_mapping``
    keys, kebab-case or snake_case), as the command line or an editor gives them;
    relative ``rule-dirs`` among them are relative to the current directory, and add to
    the file's.

    Raises ConfigError (naming the file and line when a file is at fault) or the
    RuleError of a broken rule file in a ``rule-dirs`` directory. Returns equal Configs
    for drafts that end up with the same settings, so callers can share Linters.
    """
    source_path = config_source(path, config_file=config_file, isolated=isolated)
    source = read_config_file(source_path) if source_path is not None else None
    matched: tuple[int, ...] = ()
    if source is not None and source.per_path and path is not None:
        target = Path(os.path.abspath(path))
        if not target.is_dir():
            try:
                relative: tuple[str, ...] | None = target.relative_to(source.root).parts
            except ValueError:
                relative = None
            matched = tuple(i for i, section in enumerate(source.per_path) if section.matches(relative, target.name))
    return _resolve(source, matched, _overrides(_freeze(overrides or {})))


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ("__list__", tuple(_freeze(v) for v in value))
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "__list__":
        return [_thaw(v) for v in value[1]]
    if isinstance(value, tuple):
        return {k: _thaw(v) for k, v in value}
    return value


@dataclass(frozen=True)
class _Overrides:
    values: tuple[tuple[str, Any], ...]
    selection: Selection
    severity: tuple[tuple[str, Severity], ...]
    rule_dirs: tuple[Path, ...]


@lru_cache(maxsize=64)
def _overrides(frozen: Any) -> _Overrides:
    raw = _thaw(frozen) if frozen else {}
    normalised = {}
    for key, value in raw.items():
        name = key.replace("_", "-")
        if name not in OPTION_KEYS:
            raise ConfigError(_unknown_key(key, OPTION_KEYS), path=(key,))
        normalised[name] = value
    options = parse_options(normalised)
    rule_dirs = tuple(Path(os.path.abspath(d)) for d in options.pop("rule_dirs", ()))
    selection = Selection(options.pop("select", None), options.pop("extend_select", ()), options.pop("ignore", ()))
    severity = options.pop("severity", ())
    return _Overrides(tuple(sorted(options.items())), selection, severity, rule_dirs)


@lru_cache(maxsize=1024)
def _resolve(source: ConfigFile | None, matched: tuple[int, ...], overrides: _Overrides) -> Config:
    values: dict[str, Any] = {}
    severity: dict[str, Severity] = {}
    rule_dirs: list[Path] = []
    layers: list[Selection] = []
    sections = [source.per_path[i] for i in matched] if source is not None else []
    if source is not None:
        values.update(source.values)
        severity.update(source.severity)
        rule_dirs.extend(source.rule_dirs)
        layers.append(source.selection)
    for section in sections:
        if section.channel is not None:
            values["channel"] = section.channel
        severity.update(section.severity)
    values.update(overrides.values)
    severity.update(overrides.severity)
    rule_dirs.extend(d for d in overrides.rule_dirs if d not in rule_dirs)
    layers.append(overrides.selection)
    layers.extend(section.selection for section in sections)  # per-path selection last, as ruff's per-file-ignores

    layers = [layer for layer in layers if layer]
    if layers or severity:
        rules = catalogue(load_rules(tuple(rule_dirs)))
        for layer in layers:
            for option, name in layer.names():
                check_names(rules, [name], (option,))
        check_names(rules, list(severity), ("severity",))
    if len(layers) == 1:
        selection = layers[0]
    elif layers:
        enabled = resolve(rules, layers)
        selection = Selection(select=tuple(rule.id for rule in rules if rule.id in enabled))
    else:
        selection = Selection()
    return Config(
        **values,
        select=selection.select,
        extend_select=selection.extend_select,
        ignore=selection.ignore,
        severity=tuple(sorted(severity.items())),
        rule_dirs=tuple(rule_dirs),
    )
