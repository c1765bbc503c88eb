"""One writer per run directory: ``balance run`` holds ``DIR/.balance.lock`` while it writes.

The lock is an advisory ``flock`` on the file, so the kernel releases it when the holder dies (a
killed run never leaves a stale lock); the file itself only says who holds it, for the message a
second writer gets.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import socket
from collections.abc import Iterator
from pathlib import Path

from balance.errors import StoreError

LOCK_FILE = ".balance.lock"


def _holder(path: Path) -> str:
    try:
        text = path.read_text(errors="replace")[:200]
    except OSError:
        return "another process"
    fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    pid, host = fields.get("pid", "?").strip(), fields.get("host", "?").strip()
    return f"pid {pid} on host {host}"


@contextlib.contextmanager
def run_lock(run_dir: Path) -> Iterator[None]:
    """Hold the run directory's lock for the duration; a second writer stops at once."""
    path = Path(run_dir) / LOCK_FILE
    if path.is_symlink():
        raise StoreError(f"{path} is a symbolic link; a run directory's lock file must be a plain file")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
    except OSError as exc:
        raise StoreError(f"cannot create the lock file {path}: {exc.strerror or exc}") from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise StoreError(
                f"{run_dir} is in use by {_holder(path)} (lock file {path}); wait for it to finish or stop it"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"pid={os.getpid()}\nhost={socket.gethostname()}\n".encode())
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
    finally:
        os.close(fd)
