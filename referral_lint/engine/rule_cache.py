"""The rules, loaded and validated, kept on disk between runs (as ruff keeps its cache).

Reading and validating the YAML rule files is most of what a ``check`` of one draft
does before it lints; the second run reads one JSON file instead. The cache is keyed
by everything the loaded rules depend on: the rule files (their paths and contents),
which rule directories the configuration names (``rule-dirs``), the package version
and the code that reads rule files (so a change to the rule format, even without a new
version, never reads an old cache). A cache that does not match, cannot be read or
does not decode is ignored and written again, silently.

Where: the cache directory (see ``referral_lint/cache_settings.py``), created for the
user alone (0700). Each file is written atomically, so a reader sees a whole cache or
none. ``--no-cache`` (``REFERRAL_LINT_NO_CACHE=1``) neither reads nor writes it.

The file is data only (JSON), decoded field by field into the rule classes their type
hints name: nothing in it is executed or imported.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from referral_lint import cache_settings
from referral_lint.cache_settings import CACHE_DIR_ENV, NO_CACHE_ENV
from referral_lint.engine.schema import RuleSpec
from referral_lint.typed_json import Unstorable, decode, encode
from referral_lint.version import __version__

__all__ = ["CACHE_DIR_ENV", "NO_CACHE_ENV", "cache_key", "read_cached", "write_cached", "rules_key"]
# Bumped when the file's layout changes.
FORMAT = 1
# The code whose behaviour the cached rules depend on: the rule format's reading and validation.
_PACKAGE = Path(__file__).resolve().parent.parent
_CODE = ("engine", "model.py", "yamlsource.py", "safe_regex.py")


def cache_enabled() -> bool:
    return cache_settings.current().enabled


def cache_dir() -> Path:
    return cache_settings.current().directory


# The key of each set of rule directories whose rules this process loaded (see rules_key).
_KEYS: dict[tuple[Path, ...], str] = {}


def rules_key(directories: Sequence[Path]) -> str | None:
    """The key of the rules loaded from ``directories`` (None: not loaded in this process):
    what a result computed with them depends on."""
    return _KEYS.get(tuple(directories))


def cache_key(directories: Sequence[Path], sources: Sequence[tuple[Path, bytes]]) -> str:
    """The key of a rule set: its directories, every file's path and contents, and the code."""
    digest = hashlib.sha256(_code_fingerprint().encode())
    digest.update(json.dumps([str(directory) for directory in directories]).encode())
    for path, data in sources:
        digest.update(b"\0%s\0%d\0" % (os.fsencode(str(path)), len(data)))
        digest.update(data)
    key = _KEYS[tuple(directories)] = digest.hexdigest()
    return key


def read_cached(directories: Sequence[Path], key: str) -> tuple[RuleSpec, ...] | None:
    """The rules cached under ``key``, or None (no cache, another key, or a file that does not decode)."""
    if not cache_enabled():
        return None
    try:
        document = json.loads(_cache_file(directories).read_bytes())
        if document.get("format") != FORMAT or document.get("key") != key:
            return None
        return tuple(decode(rule, RuleSpec) for rule in document["rules"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError, Unstorable):
        return None  # absent, or corrupt: rebuilt by the caller


def write_cached(directories: Sequence[Path], key: str, rules: tuple[RuleSpec, ...]) -> None:
    """Keep ``rules`` under ``key``; a cache that cannot be written (read-only home, a rule
    holding what JSON cannot) is simply not written."""
    if not cache_enabled():
        return
    from referral_lint.files import replace_file

    try:
        data = json.dumps({"format": FORMAT, "key": key, "rules": [encode(rule, RuleSpec) for rule in rules]})
        directory = cache_dir()
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        replace_file(_cache_file(directories), data.encode())
    except (OSError, Unstorable):
        pass


def _cache_file(directories: Sequence[Path]) -> Path:
    """One file per set of rule directories, so that editing a rule overwrites its set's file
    rather than adding one."""
    name = hashlib.sha256(json.dumps([str(directory) for directory in directories]).encode()).hexdigest()[:24]
    return cache_dir() / f"rules-{name}.json"


@functools.lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{sys.version}".encode())
    cache_settings.fingerprint(digest, _PACKAGE, _CODE)
    return digest.hexdigest()
