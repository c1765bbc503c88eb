"""Noisy toy runs with known truth, written through the real msgpack store as ``balance run`` would
record them (full effective config, its digest, config.toml), for ``balance diff`` and fair costs.

The model is :mod:`tests.reports.toy_values` (each point of damage saves ``PER_DAMAGE`` turns per
cell; ``nick`` 1 point, ``edge`` 2, ``whetstone`` 2 points for +3 damage (under-costed), ``gilded`` 2
points for +1 (over-costed)), plus dice noise: every build's mean in every cell gets independent
normal noise of sd :data:`NOISE` (a cell mean of a few combats), drawn from the run's seed. ``nick``'s
damage is the toy rule system's option ``nick_damage``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from balance.config import config_to_toml
from balance.runcheck import config_data, config_digest
from balance.session import open_session
from balance_plugins.stages import stage1 as st1
from balance_plugins.store import MsgpackStore, RunInfo
from tests.reports import toy_values as tv

PLUGIN = Path(__file__).with_name("toy_rules.py")
#: sd of each build's cell mean (turns).
NOISE = 0.5


def config_text(seed: int, nick_damage: int) -> str:
    text = tv.CONFIG.replace('rules = "vitality"', 'rules = "toy"').replace("seed = 3", f"seed = {seed}")
    return text + f"\n[rule_options]\nnick_damage = {nick_damage}\n"


def make_run(run_dir: Path, seed: int, nick_damage: int = 1, noise: float = NOISE) -> Path:
    run_dir.mkdir(parents=True)
    source = run_dir.parent / f"{run_dir.name}.source.toml"
    source.write_text(config_text(seed, nick_damage))
    session = open_session(source, load=[str(PLUGIN)])
    grid, config = session.grid, session.config
    damage_of = {**{u: d for u, (_, d) in tv.UPGRADES.items()}, "nick": config.rule_options["nick_damage"],
                 **{x: d for x, (_, d) in tv.LIMITS.items()}}
    cost_of = {**{u: c for u, (c, _) in tv.UPGRADES.items()}, **{x: c for x, (c, _) in tv.LIMITS.items()}}
    bs = tv.builds()
    cost = np.array([sum(cost_of[e] for e in (*u, *x)) for _, u, x in bs])
    damage = np.array([sum(damage_of[e] for e in (*u, *x)) for _, u, x in bs])
    extra = np.array([tv.TYPES[t] for t, _, _ in bs])
    rng = np.random.default_rng(config.seed)
    cell = tv.BASE[None, :] + extra[:, None] - tv.PER_DAMAGE[None, :] * damage[:, None]
    cell = cell + rng.normal(0.0, noise, cell.shape)
    n, P, B, S = len(bs), len(grid.profiles), len(grid.buffs), len(grid.scenarios)
    by_profile = cell.reshape(n, P, B * S).mean(axis=2)
    by_scenario = cell.reshape(n, P * B, S).mean(axis=1)
    text = config_to_toml(config)
    run = MsgpackStore().create(run_dir, RunInfo(
        config={"toml": text, "sha256": config_digest(config_data(config))}, master_seed=config.seed,
        stages=("stage1",)))
    (run_dir / "config.toml").write_text(text)
    run.write_table("stage1", "attacks", {
        "id": [" + ".join([t, *u]) + (f" [{', '.join(x)}]" if x else "") for t, u, x in bs],
        "attack_type": [t for t, _, _ in bs], "upgrades": [list(u) for _, u, _ in bs],
        "limits": [list(x) for _, _, x in bs], "cost": cost.tolist()})
    w = run.stage_writer("stage1", st1.schema(grid), total=n)
    w.write(0, n, {
        "attack": np.arange(n), "cost": cost, "overall": cell.mean(axis=1),
        "se": np.full(n, noise / np.sqrt(cell.shape[1])), "timeouts": np.zeros(n, np.int32),
        "by_profile": by_profile, "by_buff": cell.mean(axis=1)[:, None], "by_scenario": by_scenario,
        "cell_mean": cell, "cell_timeouts": np.zeros(cell.shape, np.int32), "specialization": by_profile.var(axis=1)})
    w.finish({"items": n})
    return run_dir
