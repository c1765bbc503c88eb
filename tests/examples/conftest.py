"""Fixtures for the example packages: install examples/d20_rules into a private folder, as a user
would with pip, and hand out the environment that makes it visible to `balance`."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO

EXAMPLES = REPO / "examples"
D20_CONFIG = EXAMPLES / "d20_rules" / "d20.toml"


def pip_install_target(src, target) -> None:
    """``pip install --no-deps --no-build-isolation --no-index --target TARGET SRC`` (offline).

    The source is copied first: setuptools writes build/ and *.egg-info next to the sources."""
    copy = target.parent / f"src-{src.name}"
    shutil.copytree(src, copy, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index",
         "--target", str(target), str(copy)],
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="session")
def d20_site(tmp_path_factory):
    """``{"PYTHONPATH": site}`` where the balance-d20 distribution is installed with its entry point."""
    site = tmp_path_factory.mktemp("d20") / "site"
    pip_install_target(EXAMPLES / "d20_rules", site)
    return {"PYTHONPATH": str(site)}


@pytest.fixture(scope="session")
def d20_run(d20_site, tmp_path_factory):
    """A complete run (both stages, every report) of examples/d20_rules/d20.toml, on one worker: a
    pool of workers is started for every step of a run; test_d20.py runs stage 1 again on two
    workers, and docs/writing-a-rule-plugin.md runs this config with the default workers."""
    from tests.conftest import run_balance

    out = tmp_path_factory.mktemp("d20run") / "run"
    result = run_balance("run", str(D20_CONFIG), "--out", str(out), "--workers", "1", env=d20_site)
    assert result.returncode == 0, result.stderr
    return out
