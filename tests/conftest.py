"""Shared test helpers: running the real ``balance`` command in a subprocess; and a guard that the
suite reads no file from the sibling ``shared`` folder of a development checkout (its reference data
lives in tests/data, so the suite runs from a fresh clone)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: Folders outside the repository that tests must never read (a development checkout's read-only
#: spec folder, next to the worktree, and where its symlink points).
OUTSIDE = tuple({str(REPO.parent / "shared"), os.path.realpath(REPO.parent / "shared")})


def _refuse_outside_reads(event, args):
    if event == "open" and isinstance(args[0], (str, os.PathLike)):
        path = os.path.abspath(os.fspath(args[0]))
        if any(path == o or path.startswith(o + os.sep) for o in OUTSIDE):
            raise PermissionError(f"tests must not read outside the repository: {path} (copy it into tests/data)")


sys.addaudithook(_refuse_outside_reads)


def run_balance(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 600):
    """Run ``balance ARGS`` as a user would (a new process) and return the CompletedProcess."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "balance.cli.main", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def balance_cli():
    return run_balance


def pytest_configure(config):
    """With ``-n`` (pytest-xdist), compile the Vitality kernel into numba's on-disk cache once, here
    in the controller before the workers start: a cold cache would otherwise be compiled by every
    worker whose first test needs it (about 1.5 min of CPU each)."""
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        from balance_rules.vitality.kernel_compiled import CompiledVitalityKernel

        CompiledVitalityKernel().warm_up()
