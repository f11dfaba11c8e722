"""The configuration of a draft: :func:`config_for`.

Which file applies is :mod:`referral_lint.config_discovery`, reading and validating
it :mod:`referral_lint.config_files`. Here they are merged, in order: the file's
options; its ``per-path`` sections that match the draft; the overrides (the command
line's options, or an editor's settings). A later value wins, with one exception
taken from ruff's per-file-ignores: the rule selection of a ``per-path`` section is
applied after the overrides, so ``--select`` on the command line does not bring back
a rule a per-path section ignores.

Everything read is cached: which file applies, per directory; a file's contents,
per file and modification time (so an edited file is read again). Call
:func:`clear_cache` when configuration files are created or deleted (the language
server does, when it is told a watched file changed).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from referral_lint import config_discovery, config_files
from referral_lint.config import OPTION_KEYS, Config, ConfigError, Selection, catalogue, check_names, parse_options, resolve
from referral_lint.config_discovery import config_source
from referral_lint.config_files import ConfigFile, read_config_file, unknown_key
from referral_lint.engine.loader import load_rules
from referral_lint.model import Severity


def clear_cache() -> None:
    """Forget what was discovered and read (after configuration files were created, deleted or edited)."""
    config_discovery.clear_cache()
    config_files.clear_cache()
    _resolve.cache_clear()
    _overrides.cache_clear()


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
    return config_under(config_file_for(path, config_file=config_file, isolated=isolated), path, overrides)


def config_file_for(
    path: Path | str | None, *, config_file: Path | str | None = None, isolated: bool = False
) -> ConfigFile | None:
    """The configuration file that applies to the draft at ``path``, read (None: the defaults alone).
    The same for every draft of a directory; arguments and errors as :func:`config_for`'s."""
    source_path = config_source(path, config_file=config_file, isolated=isolated)
    return read_config_file(source_path) if source_path is not None else None


def config_under(source: ConfigFile | None, path: Path | str | None, overrides: Mapping[str, Any] | None = None) -> Config:
    """The Config for the draft at ``path`` whose configuration file is ``source`` (see
    :func:`config_file_for`): the same for every draft of a directory unless ``source`` has
    ``per-path`` sections."""
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
            raise ConfigError(unknown_key(key, OPTION_KEYS), path=(key,))
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
