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

import attrs
import numpy as np

from balance.records import Schema
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


#: The toy's dice groups of runs, when it has them (``make_toy_run(groups=...)``): runs in each.
GROUP_RUNS = 2
#: The upgrade whose effect rides on the dice every build of a cell shares (``shared_sd``).
SHARED = "whetstone"


_GRIDS: dict[str, object] = {}


def _grid(config: Path):
    """The toy config's grid, opened once (a session loads every plugin: slow for many toys)."""
    if CONFIG not in _GRIDS:
        _GRIDS[CONFIG] = open_session(config).grid
    return _GRIDS[CONFIG]


def make_toy_run(run_dir: Path, build_sd: float = 0.0, cell_sd: float = 0.0, seed: int = 0, *,
                 groups: int = 0, shared_sd: float = 0.0, store=None) -> Path:
    """The toy's stage-1 run; with ``build_sd`` each build also gets its own random offset in
    every cell (its dice, shared by its cells: the cluster a bootstrap must resample whole) and
    with ``cell_sd`` independent noise per cell.

    With ``groups`` the records also keep their turns per dice group (``GROUP_RUNS`` runs each), as
    stage 1 does; ``cell_sd`` is then the noise of each (build, group, cell) mean, and with
    ``shared_sd`` every build carrying :data:`SHARED` gets, in each group and cell, the same extra
    turns ``shared_sd · ε`` (ε standard normal, one per group and cell): its bonus depends on a die
    that every build of the cell rolls alike (common random numbers). That part of the noise moves
    every pair of ``SHARED`` together, so only a bootstrap that redraws the dice groups sees it. Its
    expectation is 0: ``WORTH`` stays the truth. Without ``groups`` the records have no dice groups
    (a run from before them). ``store``: the result store to write to (default: msgpack, on disk)."""
    run_dir.mkdir(parents=True)
    (run_dir / "config.toml").write_text(CONFIG)
    grid = _grid(run_dir / "config.toml")
    assert len(grid.cells) == len(BASE)
    bs = builds()
    cost = np.array([sum(UPGRADES[u][0] for u in ups) + sum(LIMITS[x][0] for x in lims) for _, ups, lims in bs])
    damage = np.array([sum(UPGRADES[u][1] for u in ups) + sum(LIMITS[x][1] for x in lims) for _, ups, lims in bs])
    extra = np.array([TYPES[t] for t, _, _ in bs])
    cell = BASE[None, :] + extra[:, None] - PER_DAMAGE[None, :] * damage[:, None]
    n, P, B, S = len(bs), len(grid.profiles), len(grid.buffs), len(grid.scenarios)
    grouped = {}
    if groups:
        assert len(st1.dice_groups(groups * GROUP_RUNS)) == groups, "stage 1 would group these runs otherwise"
        rng = np.random.default_rng(seed)
        cell = cell + build_sd * rng.standard_normal((n, 1))
        shared = np.array([SHARED in ups for _, ups, _ in bs], dtype=float)
        eps = rng.standard_normal((groups, len(BASE)))
        per_group = (cell[:, None, :] + shared_sd * shared[:, None, None] * eps[None]
                     + cell_sd * rng.standard_normal((n, groups, len(BASE))))
        cell = per_group.mean(axis=1)
        grouped = {"group_turns": per_group * GROUP_RUNS, "group_runs": np.full((n, groups), GROUP_RUNS)}
    elif build_sd or cell_sd:
        rng = np.random.default_rng(seed)
        cell = cell + build_sd * rng.standard_normal((len(bs), 1)) + cell_sd * rng.standard_normal(cell.shape)
    by_profile = cell.reshape(n, P, B * S).mean(axis=2)
    by_scenario = cell.reshape(n, P * B, S).mean(axis=1)
    run = (store or MsgpackStore()).create(run_dir, RunInfo(config={"toml": CONFIG}, master_seed=3, stages=("stage1",)))
    run.write_table("stage1", "attacks", {
        "id": [f"{t} + {' + '.join(u)} [{', '.join(x)}]" for t, u, x in bs], "attack_type": [t for t, _, _ in bs],
        "upgrades": [list(u) for _, u, _ in bs], "limits": [list(x) for _, _, x in bs], "cost": cost.tolist()})
    if groups:
        # the toy's turns are not whole numbers: its group sums are stored as floats (the reports
        # read the column whatever its dtype)
        columns = [attrs.evolve(c, dtype="float32") if c.name == "group_turns" else c
                   for c in st1.schema(grid, groups * GROUP_RUNS, 60).columns]
        schema = Schema(columns)
    else:
        schema = st1.schema(grid)
    w = run.stage_writer("stage1", schema, total=n)
    w.write(0, n, {
        "attack": np.arange(n), "cost": cost, "overall": cell.mean(axis=1), "se": np.zeros(n),
        "timeouts": np.zeros(n, np.int32), "by_profile": by_profile, "by_buff": cell.mean(axis=1)[:, None],
        "by_scenario": by_scenario, "cell_mean": cell, "cell_timeouts": np.zeros(cell.shape, np.int32),
        "specialization": by_profile.var(axis=1), **grouped})
    w.finish({"items": n})
    return run_dir
