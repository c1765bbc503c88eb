"""Checks of output folders given on the command line, made before any work or any folder."""

from __future__ import annotations

import os
from pathlib import Path

from balance.errors import UsageError


def check_out_dir(path: Path, option: str) -> None:
    """Stop (exit 2) if ``path`` cannot become a folder we write in: it is a file, or the nearest
    existing folder above it is not a folder or not writable."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise UsageError(f"{option} {path}: exists and is not a folder")
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise UsageError(f"{option} {path}: {probe} is a file, not a folder")
    if probe.exists() and not os.access(probe, os.W_OK | os.X_OK):
        raise UsageError(f"{option} {path}: {probe} is not writable (permission denied)")


def make_out_dir(path: Path, option: str) -> None:
    """Create the output folder now, naming the option and the cause if that fails."""
    check_out_dir(path, option)
    try:
        Path(path).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{option} {path}: cannot create it: {exc.strerror or exc}") from None
