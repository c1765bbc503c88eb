"""Durable file writing: the one place where the store touches the disk for writing.

Everything goes through :func:`write_all`, so that tests can inject a full disk (``ENOSPC``) at the
lowest level while the rest of the store stays real.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def write_all(fd: int, data) -> None:
    """Write every byte of ``data`` to the file descriptor (``os.write`` may write less)."""
    view = memoryview(data).cast("B")
    while view:
        n = os.write(fd, view)
        view = view[n:]


def fsync_dir(path: Path) -> None:
    """Make a rename inside ``path`` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via ``path.tmp`` + fsync + rename: readers see the old or the new
    file, never a torn one. On failure the temp file is removed and the old file is untouched."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        remove_quietly(tmp)
        raise
    fsync_dir(path.parent)
