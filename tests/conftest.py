"""Shared test helpers: running the real ``balance`` command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


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
