"""Writing output files whole or not at all (reports, figures): a temp file in the same folder,
flushed and renamed over the target. A failure leaves no truncated file and raises an
:class:`~balance.errors.OutputError` naming the file and the real cause (disk full, permission),
so it is not blamed on whichever plugin was writing."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from balance.errors import OutputError

CAUSES = {errno.ENOSPC: "no space left on device", errno.EDQUOT: "disk quota exceeded",
          errno.EACCES: "permission denied", errno.EPERM: "operation not permitted",
          errno.EROFS: "read-only file system", errno.EFBIG: "file too large (the file size limit)"}


def describe(exc: OSError) -> str:
    return CAUSES.get(exc.errno, exc.strerror or str(exc))


def output_error(path: Path, exc: OSError) -> OutputError:
    return OutputError(f"cannot write {path}: {describe(exc)}; no partial file was left")


@contextlib.contextmanager
def atomic_file(path: str | Path) -> Iterator[BinaryIO]:
    """``with atomic_file(p) as f: f.write(...)``: ``p`` appears complete when the block ends."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise output_error(path, exc) from exc
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise output_error(path, exc) from exc
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_bytes(path: str | Path, data: bytes) -> Path:
    with atomic_file(path) as f:
        f.write(data)
    return Path(path)


def write_text(path: str | Path, text: str) -> Path:
    return write_bytes(path, text.encode("utf-8"))
