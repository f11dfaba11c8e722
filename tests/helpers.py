"""Small helpers shared by the test modules (tests/ is on sys.path under pytest)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# A line of a snippet for ``run_python``: the heavy modules imported so far, as ``loaded``.
HEAVY_MODULES_LOADED = "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'thinc', 'numpy'))\n"


def write(path: Path, text: str) -> Path:
    """Write a UTF-8 file, making its directories."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run_python(code: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter (nothing imported yet); it must exit 0."""
    process = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    assert process.returncode == 0, process.stderr[-2000:]
    return process
