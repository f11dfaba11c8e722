"""Which configuration file applies to a draft: :func:`config_source`.

Discovery works like ruff's. For each draft, the directories from the draft's own
up to the filesystem root are searched, and the first configuration found is the
one used; files are never merged. In one directory ``.referral-lint.yaml`` comes
first, then ``.referral-lint.yml``, then ``pyproject.toml``, and a
``pyproject.toml`` counts only if it has a ``[tool.referral-lint]`` table. When no
directory has one, the user's file is used if there is one
(``$XDG_CONFIG_HOME/referral-lint/config.yaml``, by default under ``~/.config``;
``%APPDATA%\\referral-lint\\config.yaml`` on Windows). ``config_file`` names a file
and skips discovery; ``isolated`` ignores every file. Which file applies is cached
per directory.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from referral_lint.config import ConfigError
from referral_lint.config_files import has_our_table
from referral_lint.files import per_user_dir
from referral_lint.inputs import display_name

#: The file names searched in each directory, in order of precedence.
CONFIG_FILE_NAMES = (".referral-lint.yaml", ".referral-lint.yml", "pyproject.toml")
#: Environment variable naming the user's configuration directory (tests point it elsewhere).
USER_CONFIG_ENV = "REFERRAL_LINT_CONFIG_HOME"

_FOUND: dict[Path, Path | None] = {}


def clear_cache() -> None:
    """Forget which file applies where (after configuration files were created or deleted)."""
    _FOUND.clear()


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
        if has_our_table(candidate):
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
    return per_user_dir(USER_CONFIG_ENV, "APPDATA", "XDG_CONFIG_HOME", ".config")


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
