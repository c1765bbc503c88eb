"""Workers warm the compiled kernel up in their preparation, all at about the same time: the
warm-up holds a lock shared by every process of the installation, so that one compiles a cold
cache while the others wait and then load what it wrote (issue 16: workers do not each compile)."""

from __future__ import annotations

import pytest

from balance_rules.vitality import kernel_compiled
from balance_rules.vitality.kernel_compiled import CompiledVitalityKernel

fcntl = pytest.importorskip("fcntl")


def _lock_is_free() -> bool:
    # flock locks belong to an open file: this second open conflicts with the warm-up's, in this
    # process as in any other
    with open(kernel_compiled.lock_path(), "a") as other:
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(other, fcntl.LOCK_UN)
        return True


@pytest.fixture
def private_lock(monkeypatch, tmp_path):
    """This test's own lock file: the installation's is also taken by whatever else warms the
    kernel up at the same moment (another test worker, a run), which made the lock look held."""
    path = tmp_path / "kernel.lock"
    monkeypatch.setattr(kernel_compiled, "lock_path", lambda: path)
    return path


def test_the_warm_up_loads_the_code_holding_the_lock(monkeypatch, private_lock):
    kernel = CompiledVitalityKernel()
    seen = []
    monkeypatch.setattr(kernel, "_warm_up", lambda: seen.append(_lock_is_free()))
    assert _lock_is_free()
    kernel.warm_up()
    assert seen == [False], "the code must be loaded (or compiled) while the lock is held"
    assert _lock_is_free(), "and the lock released afterwards"


def test_a_failed_warm_up_releases_the_lock(monkeypatch, private_lock):
    kernel = CompiledVitalityKernel()

    def fail():
        raise RuntimeError("compilation failed")

    monkeypatch.setattr(kernel, "_warm_up", fail)
    with pytest.raises(RuntimeError):
        kernel.warm_up()
    assert _lock_is_free()


def test_the_lock_is_one_per_installation():
    path = kernel_compiled.lock_path()
    assert path == kernel_compiled.lock_path() and path.name.startswith("balance-kernel-")


def test_without_a_lock_file_the_warm_up_still_loads_the_code(monkeypatch, tmp_path):
    """A temporary folder that cannot take the lock file (here: a missing folder) costs the lock,
    not the run: the code is still loaded."""
    kernel = CompiledVitalityKernel()
    calls = []
    monkeypatch.setattr(kernel_compiled, "lock_path", lambda: tmp_path / "missing" / "kernel.lock")
    monkeypatch.setattr(kernel, "_warm_up", lambda: calls.append(1))
    kernel.warm_up()
    assert calls == [1]
