"""What a lint is configured with (no file discovery here: see the CLI)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from referral_lint.model import Severity

CHANNELS = ("connection-note", "inmail", "email", "message", "followup")
DEFAULT_CHANNEL = "message"


class ConfigError(ValueError):
    """A configuration value that cannot be used."""


@dataclass(frozen=True)
class Config:
    """Settings for a Linter. Immutable and hashable, so linters can be cached per config.

    ``channel``: the channel to judge length by when a lint call names none; None
    detects it (a "Subject:" first line means email) and otherwise uses "message".
    ``select``: rule ids or groups to run (None: all); ``ignore``: ids or groups to skip.
    ``severity``: per-rule severity overrides. ``fail_on``: the lowest severity that
    makes the CLI exit 1. ``rule_dirs``: directories of extra YAML rules.
    ``model``: a trained spaCy pipeline to use instead of the embedded one.
    """

    channel: str | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    fail_on: Severity = Severity.WARNING
    rule_dirs: tuple[Path, ...] = ()
    model: str | None = None

    def __post_init__(self) -> None:
        if self.channel is not None and self.channel not in CHANNELS:
            raise ConfigError(f"unknown channel {self.channel!r} (expected one of: {', '.join(CHANNELS)})")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Config:
        """Build a Config from plain values (as read from YAML or TOML), with clear errors."""
        known = {f.name.replace("_", "-") for f in fields(cls)} | {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"unknown configuration key {unknown[0]!r}")
        get = lambda name: values.get(name, values.get(name.replace("_", "-")))  # noqa: E731
        try:
            severity = tuple(sorted((str(k), Severity(v)) for k, v in (get("severity") or {}).items()))
            fail_on = Severity(get("fail_on") or Severity.WARNING.value)
        except ValueError as error:
            raise ConfigError(f"{error} (expected error, warning or info)") from None
        select = get("select")
        return cls(
            channel=get("channel"),
            select=tuple(select) if select is not None else None,
            ignore=tuple(get("ignore") or ()),
            severity=severity,
            fail_on=fail_on,
            rule_dirs=tuple(Path(p) for p in get("rule_dirs") or ()),
            model=get("model"),
        )

    def severity_of(self, rule_id: str) -> Severity | None:
        return dict(self.severity).get(rule_id)
