"""The ``referral-lint`` command: run in the daemon when one serves, else here.

``check``, ``fix``, ``batch`` and ``lsp`` are handed to the resident process (referral_lint.daemon)
when one runs for this installation, which spares them spaCy's start-up; when none runs,
they run here as usual and then, in ``auto`` mode, start one for the next command.
Every other command (and ``--no-daemon``, or REFERRAL_LINT_DAEMON=off) runs here.
This module imports nothing else before it knows which.
"""

from __future__ import annotations

import os
import sys
from typing import Any

#: The commands the daemon runs: the ones that lint drafts and may be run again and again (a
#: CRM may run ``batch`` on each message it sends), and the language server, which an editor
#: starts each session and whose user waits for it.
HANDED_TO_DAEMON = ("check", "fix", "batch", "lsp")
NO_DAEMON_OPTION = "--no-daemon"


def main() -> None:
    argv = sys.argv[1:]
    start_daemon_after = False
    if _may_use_daemon(argv):
        from referral_lint import daemon
        from referral_lint.daemon import client

        try:
            status = client.run(argv)
        except KeyboardInterrupt:
            sys.exit(130)
        if status is not None:
            sys.exit(status)
        start_daemon_after = daemon.mode() == "on" or not os.environ.get("CI")
    from referral_lint.cli import main as command_line

    try:
        command_line(prog_name="referral-lint")
    except SystemExit:
        if start_daemon_after:
            from referral_lint.daemon import client

            client.start_in_background()
        raise


def _may_use_daemon(argv: list[str]) -> bool:
    if not argv or argv[0] not in HANDED_TO_DAEMON:
        return False
    options = argv[: argv.index("--")] if "--" in argv else argv
    if NO_DAEMON_OPTION in options:
        return False
    from referral_lint import daemon

    return daemon.mode() != "off" and daemon.supported()


def no_daemon_option(command: Any) -> Any:
    """``--no-daemon`` on a command the daemon runs: read above, before the command line is
    imported; the command line only has to accept it."""
    import click

    return click.option(
        NO_DAEMON_OPTION, is_flag=True, expose_value=False,
        help="Run in this process, not in the background process that spares the start-up (also: REFERRAL_LINT_DAEMON=off; see docs/daemon.md).",
    )(command)
