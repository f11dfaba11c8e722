"""The glob patterns of ``per-path`` sections, matched with pathspec's gitignore patterns.

The rules are gitignore's (docs/configuration.md): a pattern with a ``/`` in it (a
trailing one aside) is anchored at the configuration file's directory, one without
matches any part of the path; ``*``, ``?`` and ``[abc]`` stay within a part, ``**/``
crosses parts. pathspec does the matching. Two things are ours: a trailing ``/`` is
dropped, so ``followups/`` also names a draft called ``followups`` (it always has), and
a pattern is never a negation or a comment (``!`` and ``#`` are literal): a section
applies where its pattern matches, and nowhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pathspec import PathSpec


@dataclass(frozen=True)
class PathGlob:
    """A ``per-path`` pattern: which drafts it matches, by their path under the configuration's directory."""

    pattern: str
    anchored: bool  # the pattern has a "/": it matches from the configuration's directory
    spec: PathSpec

    @classmethod
    def parse(cls, pattern: str) -> PathGlob:
        """The glob of ``pattern``; ValueError (one line) for an empty or malformed one."""
        cleaned = pattern.strip()
        anchored = "/" in cleaned.rstrip("/")  # "drafts/linkedin/*" or "/notes": from the root; "*.md": anywhere
        cleaned = cleaned.removeprefix("./").strip("/")
        if not cleaned:
            raise ValueError("empty glob pattern")
        if cleaned[0] in "!#":  # gitignore's negation and comment: literal characters here
            cleaned = "\\" + cleaned
        try:
            spec = PathSpec.from_lines("gitignore", ["/" + cleaned if anchored else cleaned])
        except (ValueError, re.error) as error:  # a trailing backslash, a range such as [z-a]
            raise ValueError(f"invalid glob pattern: {error}") from None
        return cls(pattern, anchored, spec)

    def matches(self, relative: tuple[str, ...] | None, name: str) -> bool:
        """Whether the draft at ``relative`` (its path parts under the root), named ``name``, matches.

        ``relative`` is None for a draft outside the configuration's directory (a
        ``--config`` file elsewhere): only its file name counts, and only unanchored
        patterns can match it.
        """
        if relative is None:
            return not self.anchored and self.spec.match_file(name)
        # The draft, or a directory it is in: "notes/*" covers notes/2024/ana.txt as well.
        return any(self.spec.match_file("/".join(relative[:end])) for end in range(len(relative), 0, -1))
