"""The editor set-ups of docs/editors.md, run in the real editors where they are installed.

Each test takes a configuration block from docs/editors.md exactly as written there and
drives the editor headless against ``referral-lint lsp``: the documentation is what is
tried. An editor that is not installed skips its test (CI installs Debian's Neovim, 0.7);
docs/editors.md says which editors and versions were run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EDITORS_DOC = REPO / "docs" / "editors.md"
CHECKS = Path(__file__).resolve().parent / "editors"

# Written for these tests: an emoji (4 UTF-8 bytes, 2 UTF-16 units) before both problems.
DRAFT = "Hi Ana,\n🎉 Refer me to the hiring manager ASAP.\n"


def doc_block(heading: str, language: str, number: int = 1) -> str:
    """The ``number``-th ``language`` code block under the ``## heading`` section of docs/editors.md."""
    text = EDITORS_DOC.read_text(encoding="utf-8")
    section = re.search(rf"^## {re.escape(heading)}.*?$(.*?)(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert section, f"no section {heading!r} in docs/editors.md"
    blocks = re.findall(rf"^```{language}\n(.*?)^```", section.group(1), re.MULTILINE | re.DOTALL)
    assert len(blocks) >= number, f"no {language} block number {number} under {heading!r}"
    return blocks[number - 1]


def editor_env(tmp_path: Path) -> dict[str, str]:
    """The server on PATH (this interpreter's environment), and no user configuration."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[name] = str(tmp_path / name.lower())
    return env


def nvim_version() -> tuple[str, tuple[int, int]] | None:
    """The Neovim to run (nvim on PATH, or REFERRAL_LINT_NVIM) and its version."""
    nvim = os.environ.get("REFERRAL_LINT_NVIM") or shutil.which("nvim")
    if not nvim:
        return None
    first = subprocess.run([nvim, "--version"], capture_output=True, text=True).stdout.splitlines()[:1]
    match = re.match(r"NVIM v(\d+)\.(\d+)", first[0] if first else "")
    return (nvim, (int(match[1]), int(match[2]))) if match else None


def nvim_0_11() -> str | None:
    found = nvim_version()
    return found[0] if found and found[1] >= (0, 11) else None


def nvim_0_7_to_0_10() -> str | None:
    """A Neovim that needs the docs' 0.7 form (no vim.lsp.config), e.g. Debian 12's 0.7.2."""
    found = nvim_version()
    return found[0] if found and (0, 7) <= found[1] < (0, 11) else None


def emacs_with_eglot() -> str | None:
    emacs = os.environ.get("REFERRAL_LINT_EMACS") or shutil.which("emacs")
    if not emacs:
        return None
    found = subprocess.run([emacs, "--batch", "--eval", "(require 'eglot)"], capture_output=True)
    return emacs if found.returncode == 0 else None


def run_neovim(nvim: str, tmp_path: Path, block: int, script: str) -> list[str]:
    """Neovim headless with docs/editors.md's ``block``-th Neovim configuration on DRAFT, driven by
    ``script`` (tests/editors/), which writes what the editor showed: one line per finding."""
    (tmp_path / "init.lua").write_text(doc_block("Neovim", "lua", block), encoding="utf-8")
    draft = tmp_path / "draft.txt"
    draft.write_text(DRAFT, encoding="utf-8")
    out = tmp_path / "out.txt"
    env = editor_env(tmp_path) | {"CHECK_OUT": str(out)}
    subprocess.run(
        [nvim, "--headless", "-u", str(tmp_path / "init.lua"), str(draft), "-c", f"luafile {CHECKS / script}"],
        cwd=tmp_path, env=env, timeout=120, check=True, capture_output=True,
    )
    return out.read_text(encoding="utf-8").splitlines()


def assert_neovim_showed_the_drafts_problems(lines: list[str]) -> None:
    """Diagnostics, hover, quick fix and relint after an unsaved change, as every Neovim shows them."""
    assert lines[0] == "filetype text"
    # Neovim shows byte columns whatever it speaks: "🎉 " is 5 bytes, so "Refer me" is 5-13 and "ASAP" 36-40.
    assert "diagnostic demanding-phrasing 1:5-1:13 referral-lint" in lines
    assert "diagnostic demanding-phrasing 1:36-1:40 referral-lint" in lines
    hover = next(line for line in lines if line.startswith("hover "))
    assert "**Why:**" in hover and "**Good example:**" in hover
    assert "quick fix 🎉 Refer me to the hiring manager." in lines
    after = [line for line in lines if line.startswith("after ")]
    assert "after demanding-phrasing 1:5-1:13 referral-lint" in after
    assert not [line for line in after if "1:36-1:40" in line]  # the unsaved change was linted


@pytest.mark.skipif(nvim_0_11() is None, reason="needs Neovim 0.11+ (nvim on PATH, or REFERRAL_LINT_NVIM)")
def test_neovim_configuration(tmp_path: Path):
    lines = run_neovim(nvim_0_11(), tmp_path, 1, "neovim_check.lua")
    assert_neovim_showed_the_drafts_problems(lines)
    assert lines[1] == "client referral_lint utf-8"  # Neovim prefers UTF-8; the server agrees
    fixed = next(line for line in lines if line.startswith("fix all "))
    assert "Refer me" not in fixed and "referring me to the hiring manager?" in fixed


@pytest.mark.skipif(nvim_0_7_to_0_10() is None, reason="needs Neovim 0.7 to 0.10 (nvim on PATH, or REFERRAL_LINT_NVIM)")
def test_neovim_0_7_configuration(tmp_path: Path):
    lines = run_neovim(nvim_0_7_to_0_10(), tmp_path, 2, "neovim07_check.lua")
    assert_neovim_showed_the_drafts_problems(lines)
    assert lines[1] == "client referral_lint utf-16"  # Neovim 0.7 offers no other encoding


@pytest.mark.skipif(emacs_with_eglot() is None, reason="needs Emacs with eglot (emacs on PATH, or REFERRAL_LINT_EMACS)")
def test_emacs_eglot_configuration(tmp_path: Path):
    config = tmp_path / "config.el"
    config.write_text(doc_block("Emacs", "elisp"), encoding="utf-8")
    draft = tmp_path / "draft.txt"
    draft.write_text(DRAFT, encoding="utf-8")
    out = tmp_path / "out.txt"
    env = editor_env(tmp_path) | {
        "CHECK_CONFIG": str(config), "CHECK_DRAFT": str(draft), "CHECK_OUT": str(out), "HOME": str(tmp_path)
    }
    subprocess.run(
        [emacs_with_eglot(), "--batch", "-l", str(CHECKS / "eglot_check.el")],
        cwd=tmp_path, env=env, timeout=120, check=True, capture_output=True,
    )
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "mode text-mode"
    # Emacs counts characters, eglot UTF-16 units: the spans land on the words themselves.
    assert 'diagnostic eglot-error "Refer me"' in lines
    assert 'diagnostic eglot-error "ASAP"' in lines
    assert 'action Remove "ASAP"' in lines
    assert "action Ignore demanding-phrasing in this document" in lines
    assert 'after "Hi Ana,\n🎉 Refer me to the hiring manager.\n"' in "\n".join(lines)
