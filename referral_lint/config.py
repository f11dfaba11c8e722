"""What a lint is configured with, and which rules a configuration turns on.

This module reads no files: finding and merging configuration files is
``referral_lint.settings``. Here are the :class:`Config` a Linter is built with,
the validation of option values (shared by configuration files, the command line
and the language server's settings), and rule selection.

Rule selection works like ruff's. A *selector* is a rule id, a group (each rule
file names its group; ``core`` when it names none) or ``all``. One layer of
``select`` / ``extend-select`` / ``ignore`` is resolved from the least specific
selector to the most specific (``all``, then groups, then ids), and at the same
specificity ``ignore`` wins. So ``ignore: [ask]`` with ``extend-select:
[clear-ask]`` runs clear-ask and no other rule of the ask group. Without
``select``, the rules that are on by default run (a rule file can say
``default: false``). Several layers (a configuration file, then the command line,
then a per-path section) apply in order: a layer with ``select`` starts again from
scratch, a layer without one edits what the layers before it chose.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from referral_lint.model import CHANNELS, Severity

DEFAULT_CHANNEL = "message"

#: The selector that means every rule, including those off by default.
ALL = "all"
#: The pseudo-rule that reports an ignore comment or ignore-file entry that no longer
#: suppresses anything (see referral_lint.suppress). It is not a YAML rule, but it is
#: selected, ignored and re-graded like one.
UNUSED_IGNORE = "unused-ignore"
#: The pseudo-rule that reports drafts of one run that are one message with the names
#: swapped (see referral_lint.mass): it looks across drafts, not into one.
MASS_MESSAGE = "mass-message"
PSEUDO_RULES: dict[str, tuple[str, bool, Severity]] = {
    UNUSED_IGNORE: ("suppression", True, Severity.WARNING),
    # Off by default: many drafts of one run may share a text on purpose (a test folder, variants).
    MASS_MESSAGE: ("template", False, Severity.WARNING),
}

#: The options a configuration file (and ``Config.from_mapping``) accepts, as spelled
#: in files: kebab-case.
OPTION_KEYS = ("channel", "select", "extend-select", "ignore", "severity", "fail-on", "rule-dirs", "model")
_SEVERITIES = tuple(s.value for s in Severity)


class ConfigError(ValueError):
    """A configuration value that cannot be used.

    ``str()`` is one line for the user: ``problem`` alone, or, once the value is traced
    to a file, ``file:line: key: problem`` (the same shape as a rule file's errors).
    """

    def __init__(
        self, problem: str, *, path: tuple[Any, ...] = (), file: str | Path | None = None, line: int | None = None
    ) -> None:
        self.problem = problem
        self.path = tuple(path)  # where the bad value sits, e.g. ("severity", "gratitude")
        self.file = str(file) if file is not None else None
        self.line = line
        super().__init__(self._render())

    @property
    def key(self) -> str:
        return ".".join(str(part) for part in self.path)

    def _render(self) -> str:
        if self.file is None:
            return self.problem
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key}: {self.problem}" if self.key else f"{where}: {self.problem}"


@dataclass(frozen=True)
class Config:
    """Settings for a Linter. Immutable and hashable, so linters can be cached per config.

    ``channel``: the channel to judge length by when a lint call names none; None
    detects it (a "Subject:" first line means email) and otherwise uses "message".
    ``select``: rule ids, groups or "all" to run (None: the rules on by default);
    ``extend_select``: more to run on top of that; ``ignore``: ids or groups to skip
    (see the module docstring for how the three combine). ``severity``: severity
    overrides, by rule id or group (an id wins over its group). ``fail_on``: the
    lowest severity that makes the CLI exit 1. ``rule_dirs``: directories of extra
    YAML rules. ``model``: a trained spaCy pipeline to use instead of the embedded one.
    """

    channel: str | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    fail_on: Severity = Severity.WARNING
    rule_dirs: tuple[Path, ...] = ()
    model: str | None = None
    extend_select: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.channel is not None and self.channel not in CHANNELS:
            raise ConfigError(f"unknown channel {self.channel!r} (expected one of: {', '.join(CHANNELS)})")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Config:
        """Build a Config from plain values (as read from YAML, TOML or JSON), with clear errors.

        Keys are the option names in kebab-case (``fail-on``) or snake_case (``fail_on``);
        a None value (an editor's null) leaves the option at its default.
        """
        normalised: dict[str, Any] = {}
        for key, value in values.items():
            name = str(key).replace("_", "-")
            if name not in OPTION_KEYS:
                raise ConfigError(f"unknown configuration key {key!r}", path=(key,))
            if value is not None:
                normalised[name] = value
        return cls(**parse_options(normalised))

    def severity_of(self, rule_id: str, group: str | None = None) -> Severity | None:
        """The overriding severity of a rule (by id, else by its group), or None."""
        overrides = dict(self.severity)
        if rule_id in overrides:
            return overrides[rule_id]
        return overrides.get(group) if group is not None else None

    @property
    def selection(self) -> Selection:
        return Selection(self.select, self.extend_select, self.ignore)


# --- option values -----------------------------------------------------------------


def parse_options(values: Mapping[str, Any]) -> dict[str, Any]:
    """Validate option values (kebab-case keys from ``OPTION_KEYS``) into Config field values.

    Raises :class:`ConfigError` whose ``path`` points at the bad value. Relative
    ``rule-dirs`` are returned as given: the caller knows what they are relative to.
    """
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in OPTION_KEYS:
            raise ConfigError(f"unknown key {key!r}", path=(key,))
        field_name = key.replace("-", "_")
        if key == "channel":
            out[field_name] = _choice(value, (key,), CHANNELS, "channel")
        elif key in ("select", "extend-select", "ignore"):
            out[field_name] = _names(value, (key,))
        elif key == "severity":
            out[field_name] = parse_severities(value, (key,))
        elif key == "fail-on":
            out[field_name] = Severity(_choice(value, (key,), _SEVERITIES, "severity"))
        elif key == "rule-dirs":
            out[field_name] = tuple(Path(item) for item in _strings(value, (key,), "directories"))
        elif key == "model":
            if not isinstance(value, str) or not value.strip():
                raise ConfigError(f"expected the name of a spaCy pipeline, got {_type_name(value)}", path=(key,))
            out[field_name] = value.strip()
    return out


def parse_severities(value: Any, path: tuple[Any, ...]) -> tuple[tuple[str, Severity], ...]:
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"expected a mapping of rule ids or groups to error, warning or info, got {_type_name(value)}", path=path
        )
    result = []
    for name, level in value.items():
        if not isinstance(name, str) or not name:
            raise ConfigError("expected a rule id or group as the key", path=path + (name,))
        result.append((name, Severity(_choice(level, path + (name,), _SEVERITIES, "severity"))))
    return tuple(sorted(result))


def split_names(values: Iterable[str]) -> tuple[str, ...]:
    """Command-line selectors: each value may hold several, separated by commas."""
    return tuple(name.strip() for value in values for name in value.split(",") if name.strip())


def _names(value: Any, path: tuple[Any, ...]) -> tuple[str, ...]:
    return _strings(value, path, "rule ids or groups")


def _strings(value: Any, path: tuple[Any, ...], what: str) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)):
        items = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise ConfigError(f"expected a list of {what}, but item {index + 1} is {_type_name(item)}", path=path)
            items.append(item.strip())
        return tuple(items)
    raise ConfigError(f"expected a list of {what}, got {_type_name(value)}", path=path)


def _choice(value: Any, path: tuple[Any, ...], choices: tuple[str, ...], what: str) -> str:
    if isinstance(value, str) and value in choices:
        return value
    shown = repr(value) if isinstance(value, str) else _type_name(value)
    raise ConfigError(f"unknown {what} {shown} (expected one of: {', '.join(choices)})", path=path)


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return "an empty string" if not value.strip() else "a string"
    return {dict: "a mapping", list: "a list", tuple: "a list", bool: "a boolean", int: "a number", float: "a number"}.get(
        type(value), "a mapping" if isinstance(value, Mapping) else type(value).__name__
    )


# --- rule selection ----------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """One layer of rule selection: ``select`` (None: keep what came before), ``extend_select``, ``ignore``."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.select is not None or bool(self.extend_select) or bool(self.ignore)

    def names(self) -> tuple[tuple[str, str], ...]:
        """(option, selector) for every selector in this layer."""
        return (
            *(("select", name) for name in self.select or ()),
            *(("extend-select", name) for name in self.extend_select),
            *(("ignore", name) for name in self.ignore),
        )


@dataclass(frozen=True)
class RuleInfo:
    """What selection needs to know about a rule."""

    id: str
    group: str
    default: bool = True


def catalogue(rules: Iterable[Any]) -> tuple[RuleInfo, ...]:
    """Every selectable rule: ``rules`` (RuleSpecs) and the pseudo-rules."""
    infos = [RuleInfo(rule.id, rule.group, rule.default) for rule in rules]
    infos += [RuleInfo(rule_id, group, default) for rule_id, (group, default, _) in PSEUDO_RULES.items()]
    return tuple(infos)


def check_names(rules: Iterable[RuleInfo], names: Iterable[str], path: tuple[Any, ...] = ()) -> None:
    """Raise ConfigError for a selector that is no rule id, group or ``all``."""
    rules = tuple(rules)
    known = {rule.id for rule in rules} | {rule.group for rule in rules} | {ALL}
    for name in names:
        if name not in known:
            raise ConfigError(f"unknown rule or group {name!r} (see 'referral-lint rules')", path=path)


def resolve(rules: Iterable[RuleInfo], layers: Iterable[Selection]) -> frozenset[str]:
    """The ids of the rules that ``layers`` (applied in order) turn on."""
    rules = tuple(rules)
    chosen = {rule.id for rule in rules if rule.default}
    for layer in layers:
        updates: dict[str, bool] = {}
        for matches in (
            lambda rule, name: name == ALL,
            lambda rule, name: name == rule.group and name != rule.id,
            lambda rule, name: name == rule.id,
        ):
            for on, names in ((True, (*(layer.select or ()), *layer.extend_select)), (False, layer.ignore)):
                for name in names:
                    for rule in rules:
                        if matches(rule, name):
                            updates[rule.id] = on
        if layer.select is not None:
            chosen = {rule_id for rule_id, on in updates.items() if on}
        else:
            chosen |= {rule_id for rule_id, on in updates.items() if on}
            chosen -= {rule_id for rule_id, on in updates.items() if not on}
    return frozenset(chosen)


def enabled_rules(rules: Iterable[RuleInfo], config: Config) -> frozenset[str]:
    """The ids of the rules ``config`` turns on; an unknown selector is a ConfigError."""
    rules = tuple(rules)
    selection = config.selection
    for option, name in selection.names():
        check_names(rules, [name], (option,))
    check_names(rules, [name for name, _ in config.severity], ("severity",))
    return resolve(rules, [selection])


