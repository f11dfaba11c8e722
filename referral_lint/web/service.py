"""What the server does with a draft: lint it, fix it, list the rules.

Every lint and fix of the server goes through :class:`LintService`, built once at
start-up with the configuration the CLI would use for a draft on stdin in the
directory the server was started from (or ``--config``). ``lint_json`` returns the
document ``referral-lint check - --output-format json`` prints for the same text.
"""

from __future__ import annotations

from typing import Any

from referral_lint.config import CHANNELS
from referral_lint.formats import FileResult, Run
from referral_lint.formats.json import document, rule_record
from referral_lint.inputs import InputError
from referral_lint.model import Report

#: The name a draft has in the report: the one the CLI gives a draft read from stdin.
DRAFT_NAME = "<stdin>"
#: The channel the page sends to let the linter decide.
DETECT = "detect"


class ChannelError(ValueError):
    """A channel the linter does not know."""


class LintService:
    """One Linter for the server's lifetime, with the configuration the CLI would use."""

    def __init__(self, *, config_file: str | None = None, isolated: bool = False) -> None:
        from referral_lint.session import LintSession

        # The CLI's session: a draft is linted here exactly as `check -` lints it.
        self.session = LintSession(config_file=config_file, isolated=isolated)
        # Raises ConfigError / RuleError: the caller reports them before the server starts.
        self.linter = self.session.linter_for(self.session.config_for(None))

    def warm_up(self) -> None:
        """Load the pipeline and run every rule once, so the first request is as fast as the rest."""
        self.linter.warm_up()

    def lint_json(self, text: str, channel: str | None) -> dict[str, Any]:
        """The JSON report of ``text`` (``channel``: None or "detect" to detect it)."""
        chosen = self._channel(channel)
        self._refresh()
        linted = self.session.lint_text(text, channel=chosen, name=DRAFT_NAME)
        if isinstance(linted, InputError):
            return self._document(None, linted)
        return self._document(linted.report)

    def fix_json(self, text: str, channel: str | None, *, unsafe: bool = False) -> dict[str, Any]:
        """``text`` with its fixes applied as ``referral-lint fix`` applies them, and what remains.

        ``{"text": the fixed draft, "fixed": how many problems were fixed, "report": the
        JSON report of the fixed draft}``.
        """
        from referral_lint.fix import fix_until_stable

        chosen = self._channel(channel)
        self._refresh()
        first = self.session.lint_text(text, channel=chosen, name=DRAFT_NAME)
        if isinstance(first, InputError):
            return {"text": text, "fixed": 0, "report": self._document(None, first)}
        reports: list[Report] = []

        def lint(current: str) -> list[Any]:
            linted = first if current == text else self.session.lint_text(current, channel=chosen, name=DRAFT_NAME)
            if isinstance(linted, InputError):  # a fix never empties a draft; stop rather than guess
                return []
            reports.append(linted.report)
            return linted.report.violations

        result = fix_until_stable(text, lint, unsafe=unsafe)
        # The last lint is of the fixed text: its report is what remains.
        return {"text": result.text, "fixed": len(result.fixed), "report": self._document(reports[-1])}

    def rules_json(self) -> list[dict[str, Any]]:
        """The rules this server runs: what each checks and why, and the length bounds per channel."""
        self._refresh()
        return [
            {
                **rule_record(rule),
                "scope": rule.scope,
                "limits": {
                    channel: {
                        "measure": limit.measure,
                        "bounds": [
                            {"min": bound.min, "max": bound.max, "severity": bound.severity.value}
                            for bound in limit.bounds
                        ],
                    }
                    for channel, limit in rule.limits.items()
                },
            }
            for rule in self.linter.rules
        ]

    def _refresh(self) -> None:
        """A team's rule file or the configuration edited while the server runs counts from
        the next request on. One that no longer loads raises RuleError or ConfigError for
        each request until it is fixed; then the server answers again, with no restart."""
        self.session.refresh_rules()
        self.linter = self.session.linter_for(self.session.config_for(None))

    def _channel(self, channel: str | None) -> str | None:
        if channel is None or channel == DETECT:
            return None
        if channel not in CHANNELS:
            raise ChannelError(f"unknown channel {channel!r} (expected {DETECT} or one of: {', '.join(CHANNELS)})")
        return channel

    def _document(self, report: Report | None, refused: InputError | None = None) -> dict[str, Any]:
        """The JSON document of a report, or of a draft that could not be linted."""
        results = [FileResult(DRAFT_NAME, report)] if report is not None else []
        return document(Run(results, [refused] if refused is not None else [], self.linter.rules))

