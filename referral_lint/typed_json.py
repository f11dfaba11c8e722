"""Frozen dataclasses to JSON data and back, exactly, by their type hints.

What the on-disk caches keep (the loaded rules, a draft's violations) is data only:
:func:`encode` checks each value against its hint, so that :func:`decode` gives back
an equal value, and raises :class:`Unstorable` for anything it could not give back.
Nothing in a decoded file is executed or imported.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
import typing
from collections.abc import Callable
from typing import Any


class Unstorable(Exception):
    """A value its type hint does not describe, or JSON cannot hold exactly."""


def encode(value: Any, hint: Any) -> Any:
    """``value`` as JSON data, as its ``hint`` describes it (checked, so that decoding gives it back exactly)."""
    origin, arguments = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return _plain(value)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in arguments:
            return None
        return encode(value, _one_of(arguments))
    if dataclasses.is_dataclass(hint):
        if type(value) is not hint:
            raise Unstorable(hint)
        hints = _hints(hint)
        return {field.name: encode(getattr(value, field.name), hints[field.name]) for field in dataclasses.fields(hint)}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        if not isinstance(value, hint):
            raise Unstorable(hint)
        return _plain(value.value)
    if origin in (tuple, frozenset, list) and isinstance(value, origin):
        items = sorted(value, key=repr) if origin is frozenset else value  # one order, so one file per rule set
        return [encode(item, _item_hint(origin, arguments, index)) for index, item in enumerate(items)]
    if origin is dict and isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return {key: encode(item, arguments[1]) for key, item in value.items()}
    if hint in (str, int, float, bool) and type(value) is hint:
        return value
    raise Unstorable(hint)


def decode(data: Any, hint: Any) -> Any:
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
                raise Unstorable(hint)
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
                raise Unstorable(hint)
            return data

        return scalar
    raise Unstorable(hint)


def _list(data: Any, length: int | None = None) -> list[Any]:
    if type(data) is not list or (length is not None and len(data) != length):
        raise Unstorable(list)
    return data


def _mapping(data: Any) -> dict[str, Any]:
    if type(data) is not dict:
        raise Unstorable(dict)
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
    raise Unstorable(type(value))


def _one_of(arguments: tuple[Any, ...]) -> Any:
    """The type of ``X | None``; a union of several types is not stored."""
    kinds = [argument for argument in arguments if argument is not type(None)]
    if len(kinds) != 1:
        raise Unstorable(arguments)
    return kinds[0]


def _item_hint(origin: Any, arguments: tuple[Any, ...], index: int) -> Any:
    """The hint of item ``index`` of a ``tuple[X, ...]``, ``tuple[X, Y]``, ``frozenset[X]`` or ``list[X]``."""
    if origin is tuple and not (len(arguments) == 2 and arguments[1] is Ellipsis):
        if index >= len(arguments):
            raise Unstorable(arguments)
        return arguments[index]
    return arguments[0] if arguments else Any


@functools.lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)
