"""Small helpers shared by the test modules (tests/ is on sys.path under pytest)."""

from __future__ import annotations

from pathlib import Path


def write(path: Path, text: str) -> Path:
    """Write a UTF-8 file, making its directories."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
