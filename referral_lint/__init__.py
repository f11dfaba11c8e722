"""referral-lint: lint job-referral and introduction requests before they are sent.

    >>> import referral_lint
    >>> report = referral_lint.lint("Refer me to your manager ASAP.")
    >>> [v.rule for v in report.violations]  # doctest: +SKIP

Importing this package is cheap: spaCy is imported the first time a message
is linted, not before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from referral_lint.config import Config, ConfigError
from referral_lint.model import Applicability, Edit, Report, Severity, SkippedPattern, Suggestion, Violation
from referral_lint.version import __version__ as __version__

if TYPE_CHECKING:
    from referral_lint.linter import Linter

__all__ = [
    "Applicability",
    "apply_fixes",
    "Config",
    "ConfigError",
    "Edit",
    "Linter",
    "Report",
    "Severity",
    "SkippedPattern",
    "Suggestion",
    "Violation",
    "lint",
]


def lint(text: str, *, channel: str | None = None, config: Config | None = None) -> Report:
    """Lint one message with the built-in rules (or ``config``'s selection).

    Any string lints: a lone surrogate (which cannot be encoded) is read as U+FFFD, and
    offsets still index ``text`` itself. See docs/safety.md for the limits.
    """
    from referral_lint.linter import linter_for

    return linter_for(config).lint(text, channel=channel)


def apply_fixes(text: str, violations: list[Violation], *, unsafe: bool = False) -> str:
    """``text`` with each violation's first safe suggestion applied (and unsafe ones if asked)."""
    from referral_lint.fix import apply_fixes as _apply

    return _apply(text, violations, unsafe=unsafe)


def __getattr__(name: str) -> Any:
    # Linter pulls in spaCy; load it only when someone asks for it.
    if name == "Linter":
        from referral_lint.linter import Linter

        return Linter
    raise AttributeError(f"module 'referral_lint' has no attribute {name!r}")
