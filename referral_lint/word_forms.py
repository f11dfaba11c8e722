"""Word tables derived from lemminflect's once, kept on disk between runs.

lemminflect parses its lemma and inflection tables from gzip CSV in Python the first
time either is used (~250 ms each, on every start). What the project reads of them is
smaller: each word's one lemma (see ``lemmas.py``) and each verb's ``-ing`` form. Those
are derived once, written to the cache directory (``cache_settings.py``) as JSON, and
read from there (a few milliseconds) by every later run; with the cache off, or a file
that cannot be read, they are derived again in the process. The file's name carries a
key over lemminflect's version and the code that derives the table, so a new version of
either never reads an old table.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from referral_lint import cache_settings

_PACKAGE = Path(__file__).resolve().parent


def cached_table(name: str, derive: Callable[[], dict[str, Any]], *code: str) -> dict[str, Any]:
    """The table ``derive()`` makes, read from the cache when one was written by the same
    lemminflect and the same ``code`` (this package's files ``derive`` depends on)."""
    settings = cache_settings.current()
    if not settings.enabled:
        return derive()
    path = settings.directory / f"{name}-{_key(code)}.json"
    try:
        table = json.loads(path.read_bytes())
        if isinstance(table, dict):
            return table
    except (OSError, ValueError):
        pass  # not written yet, or cut short: derived again
    table = derive()
    try:
        settings.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(table, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass  # a read-only cache costs time, nothing else
    return table


def _key(code: tuple[str, ...]) -> str:
    from importlib.metadata import version

    digest = hashlib.sha256(f"lemminflect {version('lemminflect')}\0".encode())
    cache_settings.fingerprint(digest, _PACKAGE, ("word_forms.py", *code))
    return digest.hexdigest()[:24]


# --- the -ing form of a verb ---------------------------------------------------------


def present_participle(base: str) -> tuple[str, ...]:
    """``getInflection(base, "VBG")`` of lemminflect ("refer" -> ("referring",)), without loading
    its inflection table: known verbs from the derived table, others by its rules."""
    if base == base.lower():
        known = _participles().get(base)
        if known is not None:
            return tuple(known)
    from lemminflect import getInflection

    if base != base.lower():  # lemminflect keeps the word's capitals: not in the table
        return getInflection(base, "VBG")
    from lemminflect import getAllInflectionsOOV

    return getAllInflectionsOOV(base, "VERB").get("VBG", ())


@functools.lru_cache(maxsize=1)
def _participles() -> dict[str, list[str]]:
    return cached_table("participles", _derive_participles)


def _derive_participles() -> dict[str, list[str]]:
    """Every lowercase word of lemminflect's inflection table that getInflection answers from the
    table (its VBG form, or an alternative tag's), with that answer; it answers the others by rule."""
    from lemminflect.core.Inflections import Inflections
    from lemminflect.core.LexicalUtils import pennTagAlts

    inflections = Inflections()
    words = set(inflections._getInflDict()) | set(inflections._getOverridesDict())
    table: dict[str, list[str]] = {}
    for word in sorted(words):
        if word != word.lower():
            continue
        forms = inflections.getAllInflections(word)
        form = forms.get("VBG")
        if form is None:  # as getInflection looks
            for alternative in pennTagAlts("VBG"):
                form = forms.get(alternative)
                if form:
                    break
        if form is not None:
            table[word] = list(form)
    return table
