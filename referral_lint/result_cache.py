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
reads nor writes it. Entries are rows of one SQLite database, ``<cache dir>/results.sqlite3``
(see ``cache_settings.py``): one file however many drafts, concurrent runs and ``--jobs``'
workers served by SQLite's own locking (a writer waits for another's transaction to end).
Each entry is written in its own transaction, or, for a cache made with ``batch`` (a run
of ``check``), kept back and written ``batch`` entries to a transaction, the last ones at
:meth:`ResultCache.flush`: a commit costs more than the entry it writes. An entry that
does not decode is a miss, and is written again. Entries unused for
:data:`MAX_AGE_DAYS` are deleted, and the oldest past :data:`MAX_ENTRIES`, at most once a day.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import time
from typing import Any

from referral_lint.cache_settings import CacheSettings, environment_key
from referral_lint.config import Config
from referral_lint.model import Report, SkippedPattern, Violation
from referral_lint.typed_json import Unstorable, decode, encode

# Bumped when an entry's layout changes.
FORMAT = 1
DATABASE = "results.sqlite3"
MAX_AGE_DAYS = 30
# At ~1-2 KB an entry, a cache of at most ~100 MB; past it, the entries used longest ago go first.
MAX_ENTRIES = 50_000
_DAY = 24 * 3600
_INSERT = "INSERT OR REPLACE INTO results VALUES (?, ?, ?)"


class ResultCache:
    """The results kept in ``settings.directory`` (nothing is read or written when disabled)."""

    def __init__(self, settings: CacheSettings, *, batch: int = 1) -> None:
        self.enabled = settings.enabled
        self.path = settings.directory / DATABASE
        self.batch = batch
        self._connection: sqlite3.Connection | None = None
        self._pid = 0  # the process that opened the connection: a forked worker opens its own
        self._pending: list[tuple[str, str, int]] = []  # entries kept back, for one transaction
        self._pending_pid = 0  # the process that kept them: a forked worker leaves its parent's to it

    def __getstate__(self) -> dict[str, Any]:
        # A spawned worker opens its own connection, and writes only what it linted.
        return {**self.__dict__, "_connection": None, "_pid": 0, "_pending": [], "_pending_pid": 0}

    def key(self, text: str, channel: str | None, config: Config, rules_key: str) -> str:
        """The key of linting ``text`` for ``channel`` with ``config`` and the rules of ``rules_key``."""
        digest = hashlib.sha256(f"{FORMAT}\0{environment_key()}\0".encode())
        # Config holds tuples, strings, paths and enums only, so its repr is the same in every process.
        for part in (rules_key, repr(config), channel or ""):
            digest.update(part.encode() + b"\0")
        digest.update(text.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def get(self, key: str, text: str) -> Report | None:
        """The report kept under ``key`` (of ``text``), or None."""
        database = self._database()
        if database is None:
            return None
        try:
            row = database.execute("SELECT entry, used FROM results WHERE key = ?", (key,)).fetchone()
            if row is None:
                return None
            entry = json.loads(row[0])
            report = Report(
                text=text,
                channel=decode(entry["channel"], str),
                violations=decode(entry["violations"], list[Violation]),
                skipped=decode(entry["skipped"], list[SkippedPattern]),
                omitted=decode(entry.get("omitted", {}), dict[str, int]),
            )
            if row[1] < _today():  # used today: kept from pruning (one write a day per entry at most)
                database.execute("UPDATE results SET used = ? WHERE key = ?", (_today(), key))
        except (sqlite3.Error, ValueError, TypeError, KeyError, AttributeError, Unstorable):
            return None  # corrupt: linted and written again
        return report

    def put(self, key: str, report: Report) -> None:
        """Keep ``report`` under ``key``; an entry that cannot be written is simply not kept."""
        if not self.enabled or report.omitted:
            # A report past the cap per rule needs its unlisted violations to be counted after
            # suppressions; keeping them all would make a huge entry for a rare draft.
            return
        try:
            entry = json.dumps({
                "channel": report.channel,
                # to_dict has the fields' names and plain values: what decode reads (and faster than encode).
                "violations": [violation.to_dict() for violation in report.violations],
                "skipped": encode(report.skipped, list[SkippedPattern]),
                "omitted": report.omitted,
            })
        except Unstorable:
            return
        if self._pending_pid != os.getpid():
            self._pending, self._pending_pid = [], os.getpid()
        self._pending.append((key, entry, _today()))
        if len(self._pending) >= self.batch:
            self.flush()

    def flush(self) -> None:
        """Write the entries kept back, in one transaction (entries that cannot be written are not kept)."""
        if not self._pending or self._pending_pid != os.getpid():
            return
        pending, self._pending = self._pending, []
        database = self._database()
        if database is None:
            return
        try:
            database.execute("BEGIN IMMEDIATE")  # the write lock now, waiting (up to the timeout) for another writer
            database.executemany(_INSERT, pending)
            database.execute("COMMIT")
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                database.rollback()

    def _database(self) -> sqlite3.Connection | None:
        """This process's connection, opened (and the database made, and pruned once a day) on first use;
        None when the cache is off or cannot be opened."""
        if not self.enabled:
            return None
        if self._connection is not None and self._pid == os.getpid():
            return self._connection
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Each statement its own transaction, written without waiting for the disk: a crash
            # loses recent entries (misses, linted again), never gives a wrong one.
            database = sqlite3.connect(self.path, timeout=2, isolation_level=None, check_same_thread=False)
            database.execute("PRAGMA journal_mode = WAL")
            database.execute("PRAGMA synchronous = OFF")
            database.execute(
                "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, entry TEXT NOT NULL, used INTEGER NOT NULL)"
            )
            database.execute("CREATE TABLE IF NOT EXISTS pruned (day INTEGER NOT NULL)")
            _prune_now_and_then(database)
        except sqlite3.Error:
            self.enabled = False  # unusable (a read-only or corrupt file): this run lints without it
            return None
        self._connection, self._pid = database, os.getpid()
        return database


def _today() -> int:
    return int(time.time() // _DAY)


def _prune_now_and_then(database: sqlite3.Connection) -> None:
    """Delete the entries unused for MAX_AGE_DAYS, and those past MAX_ENTRIES, if that was last done before today."""
    last = database.execute("SELECT max(day) FROM pruned").fetchone()[0]
    if last is not None and last >= _today():
        return
    prune(database, _today() - MAX_AGE_DAYS, MAX_ENTRIES)
    database.execute("DELETE FROM pruned")
    database.execute("INSERT INTO pruned VALUES (?)", (_today(),))


def prune(database: sqlite3.Connection, unused_since: int, most: int) -> int:
    """Delete the entries last used before day ``unused_since`` (days since 1970), then those used
    longest ago past the ``most`` kept; how many."""
    deleted = database.execute("DELETE FROM results WHERE used < ?", (unused_since,)).rowcount
    over = database.execute("SELECT count(*) FROM results").fetchone()[0] - most
    if over > 0:
        deleted += database.execute(
            "DELETE FROM results WHERE key IN (SELECT key FROM results ORDER BY used, key LIMIT ?)", (over,)
        ).rowcount
    return deleted
