"""Replacing a file atomically: the one way referral-lint writes a file it was asked to."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile


class ChangedOnDisk(Exception):
    """The file changed between reading and writing; it was left as it is."""


def replace_file(path: str | os.PathLike[str], data: bytes, *, unchanged_from: bytes | None = None) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    The data goes to a temporary file beside the target, is flushed to disk, given the
    permissions the file had (or those a new file would get) and renamed over it. A
    symbolic link is followed, so the file it points to is replaced, not the link. With
    ``unchanged_from``, a file that no longer holds those bytes is left untouched and
    ChangedOnDisk is raised. OSError propagates, with nothing left behind.
    """
    target = os.path.realpath(path)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    descriptor, temporary = tempfile.mkstemp(
        dir=os.path.dirname(target) or ".", prefix=f".{os.path.basename(target)}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        if unchanged_from is not None:
            with open(target, "rb") as current:
                if current.read() != unchanged_from:
                    raise ChangedOnDisk(f"{path} changed while it was being fixed; left untouched")
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
