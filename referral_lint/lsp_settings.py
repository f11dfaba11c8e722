"""Settings of the language server, read in one place: :func:`load_settings`.

The editor's options (``initializationOptions``, then ``workspace/didChangeConfiguration``
or ``workspace/configuration``) are layered over the configuration the CLI would use
for each document: the server lints through :class:`referral_lint.session.LintSession`,
which finds the nearest configuration file above the document (its ``per-path``
entries included) and applies the editor's lint options on top, as the command line's
options are applied. The server re-reads the files when one matching
``CONFIG_FILE_GLOBS`` changes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from referral_lint.config import Config, ConfigError

SETTINGS_SECTION = "referral-lint"

#: Language ids linted by default: plain text, markdown and email drafts, under the
#: names the common editors use (VS Code and Sublime "plaintext", Neovim "text" and
#: "mail", Emacs/eglot "text", "gfm", "message" and "mail").
DEFAULT_LANGUAGES: tuple[str, ...] = ("plaintext", "text", "markdown", "gfm", "mail", "email", "message")
DEFAULT_DEBOUNCE_MS = 300
#: Files whose change makes the server re-read its configuration.
CONFIG_FILE_GLOBS: tuple[str, ...] = ("**/.referral-lint.yaml", "**/.referral-lint.yml", "**/pyproject.toml")

_SERVER_KEYS = {"languages", "debounce-ms"}
_CONFIG_KEYS = {f.name.replace("_", "-") for f in fields(Config)} - {"fail-on"}
_IGNORED_KEYS = {"fail-on"}  # meaningful for the CLI's exit status only


@dataclass(frozen=True)
class ServerSettings:
    """What the server runs with: the editor's lint options and the server's own options.

    ``options``: lint options (``Config.from_mapping`` keys, kebab-case; ``rule-dirs``
    absolute), laid over each document's configuration file. ``languages``: the
    language ids of the documents to lint (``"*"`` among them: every document).
    ``debounce``: seconds to wait after a change before linting.
    """

    options: Mapping[str, Any] = field(default_factory=dict)
    languages: frozenset[str] = frozenset(DEFAULT_LANGUAGES)
    debounce: float = DEFAULT_DEBOUNCE_MS / 1000

    def lints(self, language_id: str | None, filename: str | None = None) -> bool:
        """Whether to lint a document; one without a language id (Neovim without filetype
        detection) is linted when its file name is a draft's (.txt, .md, .eml)."""
        if "*" in self.languages or (language_id or "").lower() in self.languages:
            return True
        if language_id or not filename:
            return False
        from referral_lint.inputs import DRAFT_SUFFIXES

        return Path(filename).suffix.lower() in DRAFT_SUFFIXES


def _normalise_key(key: str) -> str:
    """``debounceMs``, ``debounce_ms`` and ``debounce-ms`` are one key."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", str(key)).replace("_", "-").lower()


def load_settings(root: Path | None, *layers: Mapping[str, Any] | None) -> tuple[ServerSettings, list[str]]:
    """The server's settings from the editor's options, each layer over the one before.

    The layers, in increasing priority: ``initializationOptions``, then
    ``workspace/didChangeConfiguration`` (or ``workspace/configuration``) settings.
    Relative ``ruleDirs`` are relative to ``root``.
    Keys, in camelCase, snake_case or kebab-case: ``channel``, ``select``, ``ignore``,
    ``severity``, ``model``, ``ruleDirs`` (as in :class:`referral_lint.Config`),
    ``languages`` and ``debounceMs``. ``failOn`` is accepted and ignored. Returns the
    settings and warnings (unknown keys, which are ignored); a bad value raises
    :class:`ConfigError`.
    """
    merged: dict[str, Any] = {}
    for layer in layers:
        if layer is None:
            continue
        if not isinstance(layer, Mapping):
            raise ConfigError(f"settings must be an object, not {type(layer).__name__}")
        merged.update({_normalise_key(key): value for key, value in layer.items()})

    warnings = [f"unknown setting {key!r} ignored" for key in sorted(set(merged) - _SERVER_KEYS - _CONFIG_KEYS - _IGNORED_KEYS)]
    values = {key: value for key, value in merged.items() if key in _CONFIG_KEYS and value is not None}
    given = Config.from_mapping(values)  # a bad value raises here, before any lint
    if "rule-dirs" in values:
        base = root if root is not None else Path.cwd()
        values["rule-dirs"] = [str(base / path) for path in given.rule_dirs]  # absolute paths stay as they are
    settings = ServerSettings(options=values)
    if "languages" in merged:
        languages = merged["languages"]
        if isinstance(languages, str):
            languages = [languages]
        if not isinstance(languages, Sequence) or not all(isinstance(item, str) for item in languages):
            raise ConfigError("setting 'languages' must be a list of language ids")
        settings = replace(settings, languages=frozenset(item.lower() for item in languages))
    if "debounce-ms" in merged:
        debounce = merged["debounce-ms"]
        if isinstance(debounce, bool) or not isinstance(debounce, (int, float)) or debounce < 0:
            raise ConfigError("setting 'debounceMs' must be a number of milliseconds, 0 or more")
        settings = replace(settings, debounce=debounce / 1000)
    return settings, warnings


def our_section(settings: Any) -> Mapping[str, Any] | None:
    """Our options inside a ``didChangeConfiguration`` payload, if any.

    Clients send either ``{"referral-lint": {...}}`` (VS Code, Neovim's ``settings``) or
    our keys at the top level.
    """
    if not isinstance(settings, Mapping):
        return None
    for name in (SETTINGS_SECTION, "referralLint", "referral_lint"):
        if isinstance(settings.get(name), Mapping):
            return settings[name]
    keys = {_normalise_key(key) for key in settings}
    if keys & (_SERVER_KEYS | _CONFIG_KEYS):
        return settings
    return None
