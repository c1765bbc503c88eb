"""The store is swappable: the whole pipeline and every report run on a second store
(``tests/store/memory_store.py``, in memory, written only against :mod:`balance.store`) and give
the same records and the same report tables as the built-in msgpack store."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from balance.reporting import write_reports
from balance.runner import run_pipeline
from balance.session import open_session
from balance.store import StageReader
from balance.work import SessionSpec
from tests.stages.tiny import TINY

MEMORY_STORE = Path(__file__).with_name("memory_store.py")


def run_with(store: str, root: Path):
    root.mkdir()
    config = root / "c.toml"
    config.write_text(f'store = "{store}"\n' + TINY.format(seed=5, batch=0)
                      + f'\n[plugins]\nload = ["{MEMORY_STORE}"]\n')
    session = open_session(config)
    executor = session.plugins.component("balance_executors", "local")
    run_dir = root / "run"
    ctx = run_pipeline(session, SessionSpec(str(config)), run_dir, ["stage1", "stage2"], 1, executor)
    files = write_reports(session, run_dir, root / "reports")  # opens the run through the store
    return session, ctx.run, root / "reports", files


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    root = tmp_path_factory.mktemp("stores")
    return run_with("msgpack", root / "msgpack"), run_with("memory", root / "memory")


def markdown(folder: Path) -> dict[str, list[str]]:
    """Every report's lines, without the run's creation time (the only line that may differ)."""
    return {
        str(p.relative_to(folder)): [x for x in p.read_text().splitlines() if "**Run created**" not in x]
        for p in sorted(folder.rglob("*.md"))
    }


def test_memory_store_is_really_another_store(both):
    (_, disk, _, _), (session, memory, _, _) = both
    assert type(memory).__module__ != type(disk).__module__
    assert type(session.plugins.component("balance_stores", "memory").unwrapped).__name__ == "MemoryStore"
    assert not (memory.dir / "manifest.json").exists() and (disk.dir / "manifest.json").exists()
    assert isinstance(memory.stage_reader("stage2"), StageReader)


def test_same_records_in_both_stores(both):
    (_, disk, _, _), (_, memory, _, _) = both
    for stage in ("stage1", "stage2"):
        a, b = disk.stage_reader(stage), memory.stage_reader(stage)
        assert a.count == b.count > 0
        ca = {k: np.concatenate([blk[k] for blk in a.blocks()]) for k in a.schema.names}
        cb = {k: np.concatenate([blk[k] for blk in b.blocks()]) for k in b.schema.names}
        for k in ca:
            np.testing.assert_array_equal(ca[k], cb[k], err_msg=f"{stage}.{k}")


def test_same_report_tables_from_both_stores(both):
    (_, _, disk_out, disk_files), (_, _, mem_out, mem_files) = both
    names = sorted(str(p.relative_to(disk_out)) for p in disk_files)
    assert names == sorted(str(p.relative_to(mem_out)) for p in mem_files)
    assert len(names) > 9 and sum(n.endswith(".md") for n in names) >= 9  # every built-in report (some write several)
    disk_md, mem_md = markdown(disk_out), markdown(mem_out)
    assert disk_md.keys() == mem_md.keys()
    for name in disk_md:
        assert disk_md[name] == mem_md[name], name
        assert sum(line.startswith("|") for line in disk_md[name]) > 0, f"{name} has no table"
