"""Where referral-lint keeps its caches between runs, and whether it may.

Two caches live in one directory: the rules, loaded and compiled (``engine/rule_cache.py``), and the
drafts' results (``result_cache.py``), as ruff keeps its cache. The directory is
``--cache-dir``, else ``$REFERRAL_LINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/referral-lint``
(by default ``~/.cache/referral-lint``; ``%LOCALAPPDATA%\\referral-lint`` on Windows);
``--no-cache`` or ``REFERRAL_LINT_NO_CACHE=1`` neither reads nor writes either cache.

A command line's choice is this process's (:func:`use`), never written into the
environment; a LintSession carries it to workers that are spawned rather than forked.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import site
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from referral_lint.files import per_user_dir

CACHE_DIR_ENV = "REFERRAL_LINT_CACHE_DIR"
NO_CACHE_ENV = "REFERRAL_LINT_NO_CACHE"


@dataclass(frozen=True)
class CacheSettings:
    """Whether the caches are read and written, and the directory they are in."""

    enabled: bool
    directory: Path

    @classmethod
    def resolve(cls, *, no_cache: bool = False, directory: str | Path | None = None) -> CacheSettings:
        """The settings of a command line's ``--no-cache`` and ``--cache-dir``, the environment filling in the rest."""
        enabled = not no_cache and os.environ.get(NO_CACHE_ENV, "").strip().lower() in ("", "0", "false", "no")
        where = Path(directory) if directory else per_user_dir(CACHE_DIR_ENV, "LOCALAPPDATA", "XDG_CACHE_HOME", ".cache")
        return cls(enabled, where)


# The settings a command line chose for this process; None: the environment's, read each time.
_chosen: CacheSettings | None = None


def use(settings: CacheSettings | None) -> None:
    """Make ``settings`` this process's (None: back to the environment's)."""
    global _chosen
    _chosen = settings


def current() -> CacheSettings:
    return _chosen if _chosen is not None else CacheSettings.resolve()


def fingerprint(digest: hashlib._Hash, root: Path, parts: Iterable[str], suffixes: tuple[str, ...] = (".py",)) -> None:
    """Add to ``digest`` the path and contents of every file under ``root``'s ``parts`` (files
    or directories) ending in ``suffixes``: what a cache's entries were computed by."""
    for part in parts:
        top = root / part
        files = sorted(p for p in top.rglob("*") if p.suffix in suffixes and p.is_file()) if top.is_dir() else [top]
        for path in files:
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")


_PACKAGE = Path(__file__).resolve().parent


@functools.lru_cache(maxsize=1)
def environment_key() -> str:
    """What every cached result depends on besides its own input: this package's code and
    version, Python's version, and which distributions (with their versions) are installed,
    spaCy's and lemminflect's among them."""
    from referral_lint.version import __version__

    digest = hashlib.sha256(f"{__version__}\0{sys.version}\0".encode())
    fingerprint(digest, _PACKAGE, ["."])
    for directory, names in installed_distributions():
        digest.update(json.dumps([directory, names]).encode())
    return digest.hexdigest()


def installed_distributions() -> list[tuple[str, list[str]]]:
    """Each site directory with the metadata folders of the distributions installed there
    (``name-version.dist-info``), sorted. The site directories, not sys.path: how the command
    was started (a script, -m, -c) must not matter."""
    found = []
    for directory in (*site.getsitepackages(), *([site.getusersitepackages()] if site.ENABLE_USER_SITE else [])):
        try:
            names = sorted(name for name in os.listdir(directory) if name.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
        found.append((directory, names))
    return found
