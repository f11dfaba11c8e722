"""Retake docs/img/serve.png (shown in README.md and docs/web.md) from a real run of the page.

The browser test that checks the page at work takes it, in the test suite's browser
(Debian's Chromium through Playwright); this script runs that test and asks it to keep
the picture:

    .venv/bin/python docs/screenshot.py
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    test = "tests/test_web_page.py::test_the_screenshot_in_the_docs_is_of_the_page_at_work"
    environment = {**os.environ, "REFERRAL_LINT_UPDATE_SCREENSHOT": "1"}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", test]
    sys.exit(subprocess.run(command, cwd=REPO, env=environment).returncode)
