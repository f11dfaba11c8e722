"""The rules, loaded and validated, kept on disk between runs (as ruff keeps its cache).

Reading and validating the YAML rule files is most of what a ``check`` of one draft
does before it lints; the second run reads one JSON file instead. The cache is keyed
by everything the loaded rules depend on: the rule files (their paths and contents),
which rule directories the configuration names (``rule-dirs``), the package version
and the code that reads rule files (so a change to the rule format, even without a new
version, never reads an old cache). A cache that does not match, cannot be read or
does not decode is ignored and written again, silently.

Where: ``$REFERRAL_LINT_CACHE_DIR``, else ``$XDG_CACHE_HOME/referral-lint`` (by default
``~/.cache/referral-lint``; ``%LOCALAPPDATA%\\referral-lint`` on Windows), a directory
created for the user alone (0700). Each file is written atomically, so a reader sees a
whole cache or none. ``REFERRAL_LINT_NO_CACHE=1`` (``--no-cache``) neither reads nor
writes it.

The file is data only (JSON), decoded field by field into the rule classes their type
hints name: nothing in it is executed or imported.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import json
import os
import sys
import types
import typing
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from referral_lint.engine.schema import RuleSpec
from referral_lint.files import per_user_dir
from referral_lint.version import __version__

CACHE_DIR_ENV = "REFERRAL_LINT_CACHE_DIR"
NO_CACHE_ENV = "REFERRAL_LINT_NO_CACHE"
# Bumped when the file's layout changes.
FORMAT = 1
# The code whose behaviour the cached rules depend on: the rule format's reading and validation.
_PACKAGE = Path(__file__).resolve().parent.parent
_CODE = ("engine", "model.py", "yamlsource.py", "safe_regex.py")


def cache_enabled() -> bool:
    return os.environ.get(NO_CACHE_ENV, "").strip().lower() in ("", "0", "false", "no")


def cache_dir() -> Path:
    return per_user_dir(CACHE_DIR_ENV, "LOCALAPPDATA", "XDG_CACHE_HOME", ".cache")


def cache_key(directories: Sequence[Path], sources: Sequence[tuple[Path, bytes]]) -> str:
    """The key of a rule set: its directories, every file's path and contents, and the code."""
    digest = hashlib.sha256(_code_fingerprint().encode())
    digest.update(json.dumps([str(directory) for directory in directories]).encode())
    for path, data in sources:
        digest.update(b"\0%s\0%d\0" % (os.fsencode(str(path)), len(data)))
        digest.update(data)
    return digest.hexdigest()


def read_cached(directories: Sequence[Path], key: str) -> tuple[RuleSpec, ...] | None:
    """The rules cached under ``key``, or None (no cache, another key, or a file that does not decode)."""
    if not cache_enabled():
        return None
    try:
        document = json.loads(_cache_file(directories).read_bytes())
        if document.get("format") != FORMAT or document.get("key") != key:
            return None
        return tuple(_decode(rule, RuleSpec) for rule in document["rules"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError, _Unstorable):
        return None  # absent, or corrupt: rebuilt by the caller


def write_cached(directories: Sequence[Path], key: str, rules: tuple[RuleSpec, ...]) -> None:
    """Keep ``rules`` under ``key``; a cache that cannot be written (read-only home, a rule
    holding what JSON cannot) is simply not written."""
    if not cache_enabled():
        return
    from referral_lint.files import replace_file

    try:
        data = json.dumps({"format": FORMAT, "key": key, "rules": [_encode(rule, RuleSpec) for rule in rules]})
        directory = cache_dir()
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        replace_file(_cache_file(directories), data.encode())
    except (OSError, _Unstorable):
        pass


def _cache_file(directories: Sequence[Path]) -> Path:
    """One file per set of rule directories, so that editing a rule overwrites its set's file
    rather than adding one."""
    name = hashlib.sha256(json.dumps([str(directory) for directory in directories]).encode()).hexdigest()[:24]
    return cache_dir() / f"rules-{name}.json"


@functools.lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0{sys.version}".encode())
    for part in _CODE:
        top = _PACKAGE / part
        for path in sorted(top.rglob("*.py")) if top.is_dir() else [top]:
            digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


# --- rules as JSON, by their type hints ----------------------------------------------


class _Unstorable(Exception):
    """A value its type hint does not describe, or JSON cannot hold exactly."""


def _encode(value: Any, hint: Any) -> Any:
    """``value`` as JSON data, as its ``hint`` describes it (checked, so that decoding gives it back exactly)."""
    origin, arguments = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return _plain(value)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in arguments:
            return None
        return _encode(value, _one_of(arguments))
    if dataclasses.is_dataclass(hint):
        if type(value) is not hint:
            raise _Unstorable(hint)
        hints = _hints(hint)
        return {field.name: _encode(getattr(value, field.name), hints[field.name]) for field in dataclasses.fields(hint)}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        if not isinstance(value, hint):
            raise _Unstorable(hint)
        return _plain(value.value)
    if origin in (tuple, frozenset, list) and isinstance(value, origin):
        items = sorted(value, key=repr) if origin is frozenset else value  # one order, so one file per rule set
        return [_encode(item, _item_hint(origin, arguments, index)) for index, item in enumerate(items)]
    if origin is dict and isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {key: _encode(item, arguments[1]) for key, item in value.items()}
    if hint in (str, int, float, bool) and type(value) is hint:
        return value
    raise _Unstorable(hint)


def _decode(data: Any, hint: Any) -> Any:
    return _decoder(hint)(data)


@functools.lru_cache(maxsize=None)
def _decoder(hint: Any) -> Callable[[Any], Any]:
    """A function from JSON data back to a value of ``hint``, made once per hint (decoding is
    most of a cache hit's time)."""
    origin, arguments = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return lambda data: data
    if origin in (typing.Union, types.UnionType):
        inner = _decoder(_one_of(arguments))
        return lambda data: None if data is None else inner(data)
    if dataclasses.is_dataclass(hint):
        hints = _hints(hint)
        fields = [(field.name, _decoder(hints[field.name])) for field in dataclasses.fields(hint)]
        names = {name for name, _ in fields}

        def dataclass_value(data: Any) -> Any:
            if not isinstance(data, dict) or data.keys() != names:
                raise _Unstorable(hint)
            return hint(**{name: decode(data[name]) for name, decode in fields})

        return dataclass_value
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return hint
    if origin in (tuple, frozenset, list):
        if origin is tuple and not (len(arguments) == 2 and arguments[1] is Ellipsis):
            items = [_decoder(argument) for argument in arguments]
            return lambda data: tuple(decode(item) for decode, item in zip(items, _list(data, len(items))))
        item = _decoder(arguments[0] if arguments else Any)
        return lambda data: origin(item(entry) for entry in _list(data))
    if origin is dict:
        value = _decoder(arguments[1])
        return lambda data: {key: value(entry) for key, entry in _mapping(data).items()}
    if hint in (str, int, float, bool):

        def scalar(data: Any) -> Any:
            if type(data) is not hint:
                raise _Unstorable(hint)
            return data

        return scalar
    raise _Unstorable(hint)


def _list(data: Any, length: int | None = None) -> list[Any]:
    if type(data) is not list or (length is not None and len(data) != length):
        raise _Unstorable(list)
    return data


def _mapping(data: Any) -> dict[str, Any]:
    if type(data) is not dict:
        raise _Unstorable(dict)
    return data


def _plain(value: Any) -> Any:
    """An untyped value (a token pattern, a YAML scalar) that JSON gives back as it is: lists,
    string-keyed dicts and scalars only (a tuple would come back a list)."""
    if value is None or type(value) in (str, int, float, bool):
        return value
    if type(value) is list:
        return [_plain(item) for item in value]
    if type(value) is dict and all(isinstance(key, str) for key in value):
        return {key: _plain(item) for key, item in value.items()}
    raise _Unstorable(type(value))


def _one_of(arguments: tuple[Any, ...]) -> Any:
    """The type of ``X | None``; a union of several types is not stored."""
    kinds = [argument for argument in arguments if argument is not type(None)]
    if len(kinds) != 1:
        raise _Unstorable(arguments)
    return kinds[0]


def _item_hint(origin: Any, arguments: tuple[Any, ...], index: int) -> Any:
    """The hint of item ``index`` of a ``tuple[X, ...]``, ``tuple[X, Y]``, ``frozenset[X]`` or ``list[X]``."""
    if origin is tuple and not (len(arguments) == 2 and arguments[1] is Ellipsis):
        if index >= len(arguments):
            raise _Unstorable(arguments)
        return arguments[index]
    return arguments[0] if arguments else Any


@functools.lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)
