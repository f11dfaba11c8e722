"""The check kinds a rule's ``check:`` names, one module each (as Vale keeps one file per check).

Each module here defines ``KIND``, a :class:`CheckKind`: its name, what the rule reference says
about it, the placeholders its messages may use, its fragment of the rule file's JSON Schema
(the keys a rule of this kind must or must not have) and its check function. Adding a kind is
adding a module here, with its tests: :func:`check_kinds` finds it.

The modules import nothing heavy at import time (rule files are validated against the kinds
before spaCy is loaded, and ``rules`` never loads it).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from referral_lint.engine.checks import Finding, MessageContext
    from referral_lint.engine.schema import RuleSpec

# (rule index in the running set, the rule, the parsed message) -> the rule's findings.
CheckFunction = Callable[[int, "RuleSpec", "MessageContext"], "list[Finding]"]


# The schema fragment of a kind whose rules have patterns, not limits (forbid, require).
NO_LIMITS = {"limits": {"not": {}, "errorMessage": "only a limit rule has limits"}}


@dataclass(frozen=True)
class CheckKind:
    name: str
    description: str  # the rule reference's line: when a rule of this kind reports
    message_fields: frozenset[str]  # the placeholders its message templates may use
    schema: Mapping[str, Any]  # JSON Schema applied to a rule file whose ``check`` is this kind
    check: CheckFunction


_REGISTERED: dict[str, CheckKind] = {}


@lru_cache(maxsize=1)
def _in_package() -> dict[str, CheckKind]:
    kinds = {}
    for module in pkgutil.iter_modules(__path__):
        kind: CheckKind = importlib.import_module(f"{__name__}.{module.name}").KIND
        kinds[kind.name] = kind
    return kinds


def check_kinds() -> dict[str, CheckKind]:
    """Every check kind by name (alphabetical): this package's modules, and any registered (``register``)."""
    kinds = {**_in_package(), **_REGISTERED}
    return {name: kinds[name] for name in sorted(kinds)}


def check_kind(name: str) -> CheckKind:
    return check_kinds()[name]


@contextmanager
def register(kind: CheckKind) -> Iterator[CheckKind]:
    """A kind defined outside this package, known while the ``with`` block runs (tests, plugins
    being tried out); rules compiled meanwhile keep its function."""
    _REGISTERED[kind.name] = kind
    try:
        yield kind
    finally:
        del _REGISTERED[kind.name]
