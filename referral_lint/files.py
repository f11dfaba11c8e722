"""Replacing a file atomically: the one way referral-lint writes a file it was asked to."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO


class ChangedOnDisk(Exception):
    """The file changed between reading and writing; it was left as it is."""


@dataclass(frozen=True)
class FileSnapshot:
    """What a file held when it was read: enough to tell, before writing, that it changed since."""

    size: int
    mtime_ns: int
    sha256: str

    @classmethod
    def of(cls, data: bytes, status: os.stat_result) -> FileSnapshot:
        """``data``, the whole file as read, and ``status``, its fstat taken before reading."""
        return cls(len(data), status.st_mtime_ns, hashlib.sha256(data).hexdigest())

    def matches(self, path: str | os.PathLike[str]) -> bool:
        """Whether ``path`` still holds what this snapshot saw (size, time and content)."""
        with open(path, "rb") as current:
            status = os.fstat(current.fileno())
            if status.st_size != self.size or status.st_mtime_ns != self.mtime_ns:
                return False
            return hashlib.sha256(current.read()).hexdigest() == self.sha256


def replace_file(path: str | os.PathLike[str], data: bytes, *, unchanged_since: FileSnapshot | None = None) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    See :func:`replacing`, which this is with one write.
    """
    with replacing(path, unchanged_since=unchanged_since) as handle:
        handle.write(data)


@contextlib.contextmanager
def replacing(path: str | os.PathLike[str], *, unchanged_since: FileSnapshot | None = None) -> Iterator[BinaryIO]:
    """A binary file to write the new contents of ``path`` to, piece by piece; ``path`` is replaced
    when the block ends, and left as it was if the block raises.

    The data goes to a temporary file beside the target, is flushed to disk, given the
    permissions, owner and group the file had (owner and group where the process may
    set them; those a new file would get otherwise) and renamed over it. A symbolic
    link is followed, so the file it points to is replaced, not the link. With
    ``unchanged_since``, a file that no longer matches that snapshot (taken when it was
    read) is left untouched and ChangedOnDisk is raised. OSError propagates, with
    nothing left behind.
    """
    target = os.path.realpath(path)
    try:
        status: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        status = None
    descriptor, temporary = tempfile.mkstemp(
        dir=os.path.dirname(target) or ".", prefix=f".{os.path.basename(target)}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        _take_ownership_and_mode(temporary, status)
        if unchanged_since is not None and not unchanged_since.matches(target):
            raise ChangedOnDisk("changed while it was being fixed; left untouched")
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


@contextlib.contextmanager
def replacing_text(path: str | os.PathLike[str]) -> Iterator[TextIO]:
    """:func:`replacing`, as a UTF-8 text file whose line ends are written as they are."""
    with replacing(path) as handle:
        text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
        yield text
        text.flush()
        text.detach()  # the binary file stays open for replacing to sync and rename


def _take_ownership_and_mode(temporary: str, status: os.stat_result | None) -> None:
    """Give ``temporary`` the owner, group and mode of the file it replaces (``status``)."""
    if status is None:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        return
    if hasattr(os, "chown"):
        # Owner first (chown clears set-id bits), then group alone: a user may not give a
        # file away, but may keep a group they belong to. Whatever is not allowed stays ours.
        with contextlib.suppress(PermissionError):
            os.chown(temporary, status.st_uid, status.st_gid)
        with contextlib.suppress(PermissionError):
            os.chown(temporary, -1, status.st_gid)
    os.chmod(temporary, stat.S_IMODE(status.st_mode))


def per_user_dir(override_env: str, windows_env: str, xdg_env: str, xdg_default: str) -> Path:
    """referral-lint's folder of one kind for this user: ``$override_env`` when set; on Windows
    under ``%windows_env%``; elsewhere under ``$xdg_env`` or ``~/xdg_default`` (XDG base dirs)."""
    if os.environ.get(override_env):
        return Path(os.environ[override_env])
    if sys.platform == "win32" and os.environ.get(windows_env):
        return Path(os.environ[windows_env]) / "referral-lint"
    base = os.environ.get(xdg_env) or os.path.join(os.path.expanduser("~"), xdg_default)
    return Path(base) / "referral-lint"
