"""A deterministic toy rule system whose upgrades' worth in points is known exactly.

One point of a fair upgrade adds one damage; in every cell each point of damage saves ``k`` turns
(``k`` differs per cell), so an enhancement adding ``d`` damage is worth exactly ``d`` points:

- ``nick`` (1 point, +1 damage) and ``edge`` (2 points, +2 damage) are fair;
- ``whetstone`` (2 points, +3 damage) is under-costed: worth 3;
- ``gilded`` (2 points, +1 damage) is over-costed: worth 1 (and never better than ``nick``);
- the limit ``reckless`` (1 point, +2 damage) is worth 2.

``whetstone`` and ``gilded`` cost the same and legality treats them alike, so swapping them maps
the plain builds onto themselves: their errors cancel in the turns-per-point slope, which is
therefore exactly ``-k`` per cell. Turns are a linear function of damage, without dice.
The stage-1 records are written through the real msgpack store, with the real stage-1 schema.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from balance.session import open_session
from balance_plugins.stages import stage1 as st1
from balance_plugins.store import MsgpackStore, RunInfo

CONFIG = """\
rules = "vitality"
points_per_attack = 6
max_turns = 60
seed = 3

[[profiles]]
name = "Soft"
stats = [2, 2, 4, 0, 4]

[[profiles]]
name = "Hard"
stats = [2, 2, 0, 4, 4]

[[buffs]]
name = "None"

[[scenarios]]
name = "Boss"
enemy_hp = [100]

[[scenarios]]
name = "Swarm"
enemy_hp = [10, 10, 10]
"""

UPGRADES = {"nick": (1, 1), "edge": (2, 2), "whetstone": (2, 3), "gilded": (2, 1)}  # name: (cost, damage)
LIMITS = {"reckless": (1, 2)}
TYPES = {"blade": 0.0, "axe": 3.0}  # type: extra turns
#: Per cell (profile-major: Soft/Boss, Soft/Swarm, Hard/Boss, Hard/Swarm): base turns, turns saved per damage.
BASE = np.array([30.0, 20.0, 40.0, 25.0])
PER_DAMAGE = np.array([0.5, 0.8, 1.0, 1.5])
BUDGET = 6
#: The exact worth in points of each enhancement.
WORTH = {"nick": 1, "edge": 2, "whetstone": 3, "gilded": 1, "reckless": 2}


def builds() -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    out = []
    for t in TYPES:
        for k in range(len(UPGRADES) + 1):
            for ups in itertools.combinations(sorted(UPGRADES), k):
                for lims in ([()] + [(x,) for x in sorted(LIMITS)]):
                    if sum(UPGRADES[u][0] for u in ups) + sum(LIMITS[x][0] for x in lims) <= BUDGET:
                        out.append((t, ups, lims))
    return out


def make_toy_run(run_dir: Path, build_sd: float = 0.0, cell_sd: float = 0.0, seed: int = 0) -> Path:
    """The toy's stage-1 run; with ``build_sd`` each build also gets its own random offset in
    every cell (its dice, shared by its cells: the cluster a bootstrap must resample whole) and
    with ``cell_sd`` independent noise per cell."""
    run_dir.mkdir(parents=True)
    (run_dir / "config.toml").write_text(CONFIG)
    grid = open_session(run_dir / "config.toml").grid
    assert len(grid.cells) == len(BASE)
    bs = builds()
    cost = np.array([sum(UPGRADES[u][0] for u in ups) + sum(LIMITS[x][0] for x in lims) for _, ups, lims in bs])
    damage = np.array([sum(UPGRADES[u][1] for u in ups) + sum(LIMITS[x][1] for x in lims) for _, ups, lims in bs])
    extra = np.array([TYPES[t] for t, _, _ in bs])
    cell = BASE[None, :] + extra[:, None] - PER_DAMAGE[None, :] * damage[:, None]
    if build_sd or cell_sd:
        rng = np.random.default_rng(seed)
        cell = cell + build_sd * rng.standard_normal((len(bs), 1)) + cell_sd * rng.standard_normal(cell.shape)
    n, P, B, S = len(bs), len(grid.profiles), len(grid.buffs), len(grid.scenarios)
    by_profile = cell.reshape(n, P, B * S).mean(axis=2)
    by_scenario = cell.reshape(n, P * B, S).mean(axis=1)
    run = MsgpackStore().create(run_dir, RunInfo(config={"toml": CONFIG}, master_seed=3, stages=("stage1",)))
    run.write_table("stage1", "attacks", {
        "id": [f"{t} + {' + '.join(u)} [{', '.join(x)}]" for t, u, x in bs], "attack_type": [t for t, _, _ in bs],
        "upgrades": [list(u) for _, u, _ in bs], "limits": [list(x) for _, _, x in bs], "cost": cost.tolist()})
    w = run.stage_writer("stage1", st1.schema(grid), total=n)
    w.write(0, n, {
        "attack": np.arange(n), "cost": cost, "overall": cell.mean(axis=1), "se": np.zeros(n),
        "timeouts": np.zeros(n, np.int32), "by_profile": by_profile, "by_buff": cell.mean(axis=1)[:, None],
        "by_scenario": by_scenario, "cell_mean": cell, "cell_timeouts": np.zeros(cell.shape, np.int32),
        "specialization": by_profile.var(axis=1)})
    w.finish({"items": n})
    return run_dir
