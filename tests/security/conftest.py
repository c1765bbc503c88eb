"""A real tiny run directory (stage 1, made by `balance run`) that each test copies and spoils, and
a decoy folder outside it that no command may touch."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_balance
from tests.stages.tiny import write_tiny


@pytest.fixture(scope="session")
def pristine_run(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pristine")
    config = write_tiny(root / "tiny.toml")
    out = root / "run"
    result = run_balance("run", str(config), "--out", str(out), "--stage", "1", "--workers", "1", "--no-reports")
    assert result.returncode == 0, result.stderr
    return out


class Decoy:
    """Files outside the run directory that look like run files: none may change or vanish."""

    def __init__(self, root: Path):
        self.dir = root / "victim"
        self.dir.mkdir()
        self.files = {
            self.dir / "000000.shard": b"not yours to delete\n" * 10,
            self.dir / "000001.shard.tmp": b"temp, but not yours\n",
            self.dir / "tables" / "x.tmp": b"table temp\n",
            root / "decoy.txt": b"decoy\n",
        }
        for path, data in self.files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        self.digest = self._digest()

    def _digest(self) -> dict[Path, str | None]:
        return {p: hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None for p in self.files}

    def assert_untouched(self) -> None:
        assert self._digest() == self.digest
        assert sorted(self.dir.rglob("*")) == sorted({*self.files, self.dir / "tables"} - {self.dir.parent / "decoy.txt"})


@pytest.fixture
def run_dir(pristine_run, tmp_path) -> Path:
    out = tmp_path / "run"
    shutil.copytree(pristine_run, out)
    return out


@pytest.fixture
def decoy(tmp_path) -> Decoy:
    return Decoy(tmp_path)


@pytest.fixture
def marker(tmp_path) -> Path:
    """The file a hostile plugin would create when its code runs."""
    return tmp_path / "PWNED"
