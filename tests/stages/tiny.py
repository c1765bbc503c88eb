"""A tiny config for end-to-end runs in tests, and helpers to read a run directory back."""

from __future__ import annotations

from pathlib import Path

import numpy as np

TINY = """
rules = "vitality"
tier = 4
points_per_attack = 2
attacker = [2, 2, 2, 2, 4]
max_turns = 60
seed = {seed}

[[profiles]]
name = "Evasive"
stats = [2, 2, 4, 0, 4]

[[profiles]]
name = "Tanky"
stats = [2, 2, 0, 4, 4]

[[scenarios]]
name = "Boss"
enemy_hp = [60]

[[scenarios]]
name = "Swarm"
enemy_hp = [25, 10, 10, 10]

[stage1]
runs = 3

[stage1.prune]
strategy = "hybrid"
overall_percent = 3.0
specialist_percent = 1.0
enhancement_percent = 2.0

[stage2]
runs = 2
confirm_top = 5
confirm_runs = 6

[performance]
batch_size = {batch}
"""


def write_tiny(path: Path, seed: int = 11, batch: int = 0) -> Path:
    path.write_text(TINY.format(seed=seed, batch=batch))
    return path


def tiny_session_builds(folder: Path, seed: int, n: int) -> tuple:
    """The tiny config's session (written into ``folder``), ``n`` of its builds spread over the
    enumeration, and their costs: for tests that drive stage tasks in this process."""
    from balance.session import open_session

    session = open_session(str(write_tiny(folder / "tiny.toml", seed=seed)))
    every = list(session.rules.enumerate_builds(session.budget))
    builds = tuple(every[:: len(every) // n][:n])
    return session, builds, tuple(int(session.rules.build_cost(b)) for b in builds)


def read_stage(run_dir: Path, stage: str) -> dict[str, np.ndarray]:
    """Every record of a stage, concatenated (fine for tiny runs only)."""
    from balance_plugins.store.store import MsgpackStore

    reader = MsgpackStore().open(run_dir).stage_reader(stage)
    blocks = list(reader.blocks())
    return {k: np.concatenate([b[k] for b in blocks]) for k in blocks[0]}


def read_table(run_dir: Path, stage: str, name: str):
    from balance_plugins.store.store import MsgpackStore

    return MsgpackStore().open(run_dir).read_table(stage, name)


def assert_same_results(dir1: Path, dir2: Path) -> None:
    for stage in ("stage1", "stage2"):
        r1, r2 = read_stage(dir1, stage), read_stage(dir2, stage)
        assert r1.keys() == r2.keys()
        for k in r1:
            np.testing.assert_array_equal(r1[k], r2[k], err_msg=f"{stage}.{k}")
    for table in ("kept",):
        assert read_table(dir1, "stage1", table) == read_table(dir2, "stage1", table)
    for table in ("solos", "confirmed"):
        assert read_table(dir1, "stage2", table) == read_table(dir2, "stage2", table)
