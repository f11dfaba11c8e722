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

The rules a Linter runs are kept compiled too (:func:`compiled_rules`): translating every
phrase and token pattern into RE2 sources is most of building a Linter once the rules
are read. That file is keyed by the rules' key, which rules run, the pipeline, and
everything else the translation reads (this package's code, the installed distributions:
spaCy's tokenizer, lemminflect's lemmas), since it holds their results.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from referral_lint import cache_settings
from referral_lint.cache_settings import CACHE_DIR_ENV, NO_CACHE_ENV
from referral_lint.engine.schema import RuleSpec
from referral_lint.typed_json import Unstorable, decode, encode
from referral_lint.version import __version__

if TYPE_CHECKING:
    from spacy.language import Language

    from referral_lint.engine.compiler import CompiledRules

__all__ = ["CACHE_DIR_ENV", "NO_CACHE_ENV", "cache_key", "compiled_rules", "read_cached", "write_cached", "rules_key"]
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
    return _read(_cache_file(directories), key, "rules", tuple[RuleSpec, ...])


def _read(path: Path, key: str, field: str, hint: Any) -> Any:
    """The ``field`` of the file at ``path``, decoded as ``hint``, if it was kept under ``key`` in
    this layout; None when absent or corrupt (then rebuilt by the caller)."""
    try:
        document = json.loads(path.read_bytes())
        if document.get("format") != FORMAT or document.get("key") != key:
            return None
        return decode(document[field], hint)
    except (OSError, ValueError, TypeError, KeyError, AttributeError, Unstorable):
        return None


def write_cached(directories: Sequence[Path], key: str, rules: tuple[RuleSpec, ...]) -> None:
    """Keep ``rules`` under ``key``; a cache that cannot be written (read-only home, a rule
    holding what JSON cannot) is simply not written."""
    if cache_enabled():
        _write(_cache_file(directories), lambda: {"format": FORMAT, "key": key, "rules": [encode(rule, RuleSpec) for rule in rules]})


def _write(path: Path, document: Callable[[], dict[str, Any]]) -> None:
    """Write ``document()`` as JSON to ``path``, atomically; nothing when it cannot be written
    (a read-only home, a value JSON cannot hold)."""
    from referral_lint.files import replace_file

    try:
        data = json.dumps(document(), ensure_ascii=False).encode("utf-8", "surrogatepass")
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        replace_file(path, data)
    except (OSError, Unstorable):
        pass


def compiled_rules(
    rules: tuple[RuleSpec, ...], nlp: Language, *, directories: Sequence[Path], model: str | None
) -> CompiledRules:
    """``rules`` (loaded from ``directories`` in this process) compiled against ``nlp``, the
    pipeline of ``model``: read from the cache when they were compiled before, else compiled
    and kept. Rules not loaded through the cache (``--no-cache``) are compiled every time."""
    from referral_lint.engine.compiler import CompiledRules, CompiledState

    loaded = rules_key(directories)
    if not cache_enabled() or loaded is None:
        return CompiledRules(rules, nlp)
    digest = hashlib.sha256(f"{FORMAT}\0{loaded}\0{model}\0{cache_settings.environment_key()}\0".encode())
    digest.update(json.dumps([rule.id for rule in rules]).encode())
    key = digest.hexdigest()
    path = _cache_file(directories, "compiled", model)
    state = _read(path, key, "state", CompiledState)
    if state is not None:
        try:
            return CompiledRules(rules, nlp, state)
        except Exception:  # a file that decodes but was altered (a reference, a regex): compiled again
            pass
    compiled = CompiledRules(rules, nlp)
    _write(path, lambda: {"format": FORMAT, "key": key, "state": encode(compiled.state, CompiledState)})
    return compiled


def _cache_file(directories: Sequence[Path], kind: str = "rules", model: str | None = None) -> Path:
    """One file per set of rule directories (and pipeline, for compiled rules), so that editing
    a rule overwrites its set's file rather than adding one."""
    named = [str(directory) for directory in directories] + ([model] if kind != "rules" else [])
    name = hashlib.sha256(json.dumps(named).encode()).hexdigest()[:24]
    return cache_dir() / f"{kind}-{name}.json"


@functools.lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{sys.version}".encode())
    cache_settings.fingerprint(digest, _PACKAGE, _CODE)
    return digest.hexdigest()
