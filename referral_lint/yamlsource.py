"""Reading YAML while remembering where each value came from.

Validation errors must name the file, the line and the key, so rule files are
composed into YAML nodes and turned into plain Python values alongside a map
from each value's path (``("patterns", 0, "regex")``) to its line number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[Any, ...]


class RuleError(Exception):
    """A rule file that cannot be used; ``str()`` is the one-line message for the user."""

    def __init__(self, file: str | Path, line: int | None, key: str, problem: str) -> None:
        self.file = str(file)
        self.line = line
        self.key = key
        self.problem = problem
        where = f"{self.file}:{line}" if line else self.file
        super().__init__(f"{where}: {key}: {problem}" if key else f"{where}: {problem}")


def format_path(path: Path_) -> str:
    """``("patterns", 0, "regex")`` -> ``patterns[0].regex``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


@dataclass
class LocatedDocument:
    """A YAML document's value and the line of every value in it."""

    file: str
    value: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        # An absent key is reported at its parent, the nearest place that exists.
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path)

    def error(self, path: Path_, problem: str) -> RuleError:
        return RuleError(self.file, self.line_of(path), format_path(path), problem)


# Values a document may hold once its aliases are expanded: far above any rule or
# configuration file (the largest built-in rule has a few hundred), far below what an
# alias bomb (a few lines whose aliases nest, each doubling the last) expands to.
MAX_VALUES = 200_000
# The largest built-in rule file has about 25,000 characters.
MAX_CHARACTERS = 1_000_000


class _TooManyValues(Exception):
    pass


def load_located(file: str | Path, text: str) -> LocatedDocument:
    """Parse ``text`` (the contents of ``file``) into a LocatedDocument.

    A text over MAX_CHARACTERS is refused unread; aliases are expanded up to MAX_VALUES
    values in all; nesting is limited by the interpreter's recursion limit. Each is a
    RuleError naming the file, never a hang.
    """
    if len(text) > MAX_CHARACTERS:  # refused before parsing: PyYAML takes minutes on tens of MB
        raise RuleError(file, None, "", f"over {MAX_CHARACTERS:,} characters, too large for a rule or configuration file")
    try:
        return _load_located(file, text)
    except _TooManyValues:
        raise RuleError(file, None, "", f"over {MAX_VALUES:,} values once its aliases are expanded (an alias bomb?)") from None
    except RecursionError:
        raise RuleError(file, None, "", "nested too deeply") from None


# libyaml's parser where PyYAML was built with it (about ten times faster); the same nodes,
# marks and safe constructor either way.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose(text: str) -> yaml.Node | None:
    """The document's node graph, parsed by libyaml if it can be; a text libyaml rejects is
    parsed again by PyYAML's own parser, whose error messages (problem and line) are the ones
    users see whichever parser is installed."""
    try:
        return yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        if _FAST_LOADER is yaml.SafeLoader:
            raise
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _load_located(file: str | Path, text: str) -> LocatedDocument:
    try:
        node = _compose(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        raise RuleError(file, line, "", f"invalid YAML: {problem}") from None
    document = LocatedDocument(str(file), None)
    if node is None:
        return document
    constructor = yaml.SafeLoader("")
    try:
        document.value = _convert(node, (), document, constructor)
    except RuleError:
        raise
    except (yaml.YAMLError, ValueError, TypeError) as error:
        # A tag such as !!python/name, a bad !!int, an unhashable complex key…
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise RuleError(file, line, "", f"invalid YAML: {problem}") from None
    return document


def _convert(node: yaml.Node, path: Path_, document: LocatedDocument, constructor: Any) -> Any:
    lines = document.lines
    if len(lines) > MAX_VALUES:  # one entry per value converted, aliases expanded
        raise _TooManyValues
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise RuleError(document.file, key_node.start_mark.line + 1, format_path(path), "keys must be plain words")
            if key in result:
                raise RuleError(
                    document.file, key_node.start_mark.line + 1, format_path(path + (key,)), "duplicate key"
                )
            result[key] = _convert(value_node, path + (key,), document, constructor)
            lines[path + (key,)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, path + (index,), document, constructor)
            for index, item in enumerate(node.value)
        ]
    try:
        return constructor.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, TypeError) as error:
        # An unknown tag such as !!python/name, or a value its tag rejects (!!int abc).
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise RuleError(document.file, node.start_mark.line + 1, format_path(path), f"invalid value: {problem}") from None
