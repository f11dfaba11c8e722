"""Each draft's violations, kept on disk between runs of ``check`` (as ruff caches its results).

A second ``check`` of drafts that did not change reads their violations from here and
builds no Linter: no spaCy, no rules compiled. An entry is found by a key over
everything the violations depend on: the draft's text, the channel it was linted for,
the resolved configuration, the loaded rules (their files' contents: see
``engine/rule_cache.py``), this package's code and the versions of Python and of every
installed distribution. What the linter's report does not depend on is applied fresh
on every run: ignore comments and the ignore file (suppressions), the output format.

Not used for stdin, for a trained pipeline (``--model``: its files are not in the key),
nor by ``fix`` (which writes files and re-lints its own output). ``--no-cache`` neither
reads nor writes it. Entries are JSON files under ``<cache dir>/results/`` (see
``cache_settings.py``), written atomically; one that does not decode is a miss, and is
written again. Entries unused for :data:`MAX_AGE_DAYS` are deleted, at most once a day.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import site
import sys
import time
from pathlib import Path

from referral_lint.cache_settings import CacheSettings, fingerprint
from referral_lint.config import Config
from referral_lint.model import Report, SkippedPattern, Violation
from referral_lint.typed_json import Unstorable, decode, encode

# Bumped when an entry's layout changes.
FORMAT = 1
MAX_AGE_DAYS = 30
_DAY = 24 * 3600
_PACKAGE = Path(__file__).resolve().parent


class ResultCache:
    """The results kept in ``settings.directory`` (nothing is read or written when disabled)."""

    def __init__(self, settings: CacheSettings) -> None:
        self.enabled = settings.enabled
        self.directory = settings.directory / "results"
        self._pruned = False

    def key(self, text: str, channel: str | None, config: Config, rules_key: str) -> str:
        """The key of linting ``text`` for ``channel`` with ``config`` and the rules of ``rules_key``."""
        digest = hashlib.sha256(_environment_key().encode())
        # Config holds tuples, strings, paths and enums only, so its repr is the same in every process.
        for part in (rules_key, repr(config), channel or ""):
            digest.update(part.encode() + b"\0")
        digest.update(text.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def get(self, key: str, text: str) -> Report | None:
        """The report kept under ``key`` (of ``text``), or None."""
        if not self.enabled:
            return None
        path = self._path(key)
        try:
            entry = json.loads(path.read_bytes())
            report = Report(
                text=text,
                channel=decode(entry["channel"], str),
                violations=decode(entry["violations"], list[Violation]),
                skipped=decode(entry["skipped"], list[SkippedPattern]),
            )
            os.utime(path)  # used: kept from pruning
        except (OSError, ValueError, TypeError, KeyError, AttributeError, Unstorable):
            return None  # absent, or corrupt: linted and written again
        return report

    def put(self, key: str, report: Report) -> None:
        """Keep ``report`` under ``key``; an entry that cannot be written is simply not kept."""
        if not self.enabled:
            return
        path = self._path(key)
        try:
            data = json.dumps({
                "channel": report.channel,
                "violations": encode(report.violations, list[Violation]),
                "skipped": encode(report.skipped, list[SkippedPattern]),
            }).encode()
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # No fsync: a cache entry lost or cut short by a crash is a miss, never a wrong result.
            temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            temporary.write_bytes(data)
            os.replace(temporary, path)
        except (OSError, Unstorable):
            return
        self._prune_now_and_then()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key[2:]}.json"

    def _prune_now_and_then(self) -> None:
        """Delete the entries unused for MAX_AGE_DAYS, if that was last done over a day ago."""
        if self._pruned:
            return
        self._pruned = True
        stamp = self.directory / ".pruned"
        now = time.time()
        try:
            if now - stamp.stat().st_mtime < _DAY:
                return
        except OSError:
            pass  # never pruned
        try:
            stamp.touch()
            prune(self.directory, now - MAX_AGE_DAYS * _DAY)
        except OSError:
            pass


def prune(directory: Path, unused_since: float) -> int:
    """Delete the entries under ``directory`` last used before ``unused_since`` (a time); how many."""
    deleted = 0
    for shard in directory.iterdir():
        if not shard.is_dir():
            continue
        for entry in os.scandir(shard):
            try:
                if entry.stat().st_mtime < unused_since:
                    os.unlink(entry.path)
                    deleted += 1
            except OSError:
                continue  # another run deleted or replaced it meanwhile
    return deleted


@functools.lru_cache(maxsize=1)
def _environment_key() -> str:
    """What every result depends on besides its draft: this package's code and version, Python's
    version, and which distributions (with their versions) are installed, spaCy's among them."""
    from referral_lint import __version__

    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{sys.version}\0".encode())
    fingerprint(digest, _PACKAGE, ["."])
    # The site directories, not sys.path: how the command was started (a script, -m, -c) must not matter.
    for directory in (*site.getsitepackages(), *([site.getusersitepackages()] if site.ENABLE_USER_SITE else [])):
        try:
            names = sorted(name for name in os.listdir(directory) if name.endswith((".dist-info", ".egg-info")))
        except OSError:
            continue
        digest.update(json.dumps([directory, names]).encode())
    return digest.hexdigest()
