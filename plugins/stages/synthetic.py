"""Synthetic run directories with the real stage schemas and side tables, for the report tests and benchmark.

The records are random but plausible (pair scores follow the solo scores, synergy and gain are
computed from them with the pipeline's formulas, scores are quantised so exact ties occur) and a
pure function of the seed, so a test can rebuild the same run. Written through the real store API.

    python -m balance_plugins.stages.synthetic --out DIR --pairs 10000000
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

from balance_plugins.stages.pairs import pair_at, pair_count
from balance_plugins.stages import stage1 as st1
from balance_plugins.stages import stage2 as st2
from balance_plugins.stages.common import attack_table
from balance_plugins.stages.prune import REASONS, prune
from balance_plugins.stages.ranking import id_ranks
from balance_plugins.store import MsgpackStore, RunInfo

CONFIG = """\
rules = "vitality"
points_per_attack = {budget}
max_turns = 60
seed = {seed}

[[profiles]]
name = "Dodgy"
stats = [2, 2, 4, 0, 4]

[[profiles]]
name = "Armoured"
stats = [2, 2, 0, 4, 4]

[[profiles]]
name = "Glass"
stats = [1, 1, 1, 1, 4]

[[buffs]]
name = "No Buffs"

[[buffs]]
name = "Blessed"
accuracy = 1

[[scenarios]]
name = "Lone Giant"
enemy_hp = [100]

[[scenarios]]
name = "Pack"
enemy_hp = [25, 25, 10, 10, 10]

[[scenarios]]
name = "Duo"
enemy_hp = [40, 40]

[stage1]
runs = 4

[stage1.prune]
strategy = "hybrid"
overall_percent = 20.0
specialist_percent = 5.0
enhancement_percent = 10.0

[stage2]
runs = 2
policy = "default"
confirm_top = {confirm_top}
confirm_runs = 8
"""


def _quantise(x: np.ndarray, step: float = 1 / 16) -> np.ndarray:
    # means of few runs take few distinct values: exact ties must occur and exercise tie-breaks
    return np.round(x / step) * step


def _stage1_records(rng, costs: np.ndarray, P: int, B: int, S: int, runs: int):
    n = len(costs)
    overall = _quantise(14.0 - 0.8 * costs + rng.gamma(3.0, 1.2, n))
    by_profile = overall[:, None] + rng.normal(0, 1.0, (n, P))
    by_buff = overall[:, None] + rng.normal(0, 0.3, (n, B))
    by_scenario = overall[:, None] + rng.normal(0, 2.0, (n, S))
    cells = P * B * S
    cell_mean = overall[:, None] + rng.normal(0, 1.5, (n, cells))
    cell_timeouts = (rng.random((n, cells)) < 0.01).astype(np.int32) * rng.integers(1, runs + 1, (n, cells))
    return {
        "attack": np.arange(n),
        "cost": costs,
        "overall": overall,
        "se": rng.uniform(0.05, 0.6, n),
        "timeouts": cell_timeouts.sum(axis=1),
        "by_profile": by_profile,
        "by_buff": by_buff,
        "by_scenario": by_scenario,
        "cell_mean": cell_mean,
        "cell_timeouts": cell_timeouts,
        "specialization": by_profile.var(axis=1),
    }


def _stage2_block(rng, a, b, solo, costs, P, B, S) -> dict[str, np.ndarray]:
    n = len(a)
    sa, sb = solo[a], solo[b]
    overall = _quantise(np.minimum(sa, sb) * rng.uniform(0.55, 1.1, n))
    mean_solo = (sa + sb) / 2
    best = np.minimum(sa, sb)
    ua_p = rng.uniform(0, 1, (n, P))
    ua_s = rng.uniform(0, 1, (n, S))
    return {
        "a": a, "b": b,
        "overall": overall,
        "se": rng.uniform(0.05, 0.5, n),
        "timeouts": (rng.random(n) < 0.02) * rng.integers(1, 4, n),
        "cost": costs[a] + costs[b],
        "synergy": (mean_solo - overall) / mean_solo * 100,
        "gain_vs_best": (best - overall) / best * 100,
        "by_profile": overall[:, None] + rng.normal(0, 1.0, (n, P)),
        "by_buff": overall[:, None] + rng.normal(0, 0.3, (n, B)),
        "by_scenario": overall[:, None] + rng.normal(0, 2.0, (n, S)),
        "usage_a_profile": ua_p, "usage_b_profile": 1 - ua_p,
        "usage_a_scenario": ua_s, "usage_b_scenario": 1 - ua_s,
    }


def make_run(run_dir: str | Path, budget: int = 3, pairs: int | None = None, n_stage2: int | None = None,
             seed: int = 11, confirm_top: int = 12, frame_records: int = 1 << 16, shard_records: int = 1 << 20,
             block: int = 1 << 18, stage2: bool = True) -> Path:
    """Write a complete synthetic run (stage 1 and, unless ``stage2=False``, stage 2) to ``run_dir``.

    Stage 1 holds every legal build of ``budget``; stage 2 pairs ``n_stage2`` of them (default: the
    stage-1 kept set) and stores the first ``pairs`` pair indices (default: all pairs)."""
    from balance.session import open_session

    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    text = CONFIG.format(budget=budget, seed=seed, confirm_top=confirm_top)
    (run_dir / "config.toml").write_text(text)
    session = open_session(run_dir / "config.toml")
    grid, rules, c = session.grid, session.rules, session.config
    P, B, S = len(grid.profiles), len(grid.buffs), len(grid.scenarios)
    rng = np.random.default_rng(seed)
    store = MsgpackStore(frame_records=frame_records, shard_records=shard_records)
    run = store.create(run_dir, RunInfo(config={"toml": text, "origin": "synthetic"}, master_seed=seed,
                                        plugins={"synthetic": "1"}, stages=("stage1", "stage2")))

    builds = list(rules.enumerate_builds(budget))
    table1 = attack_table(rules, builds)
    run.write_table("stage1", "attacks", table1)
    costs1 = np.asarray(table1["cost"], dtype=np.uint8)
    rec1 = _stage1_records(rng, costs1, P, B, S, c.stage1.runs)
    w = run.stage_writer("stage1", st1.schema(grid), total=len(builds))
    for lo in range(0, len(builds), block):
        hi = min(lo + block, len(builds))
        w.write(lo, hi, {k: v[lo:hi] for k, v in rec1.items()})
    w.finish({"items": len(builds)})
    pr = prune(rec1["overall"], rec1["by_profile"], [b.enhancements for b in builds],
               id_ranks([b.id for b in builds]), c.stage1.prune, [p.name for p in grid.profiles])
    run.write_table("stage1", "kept", {
        "attack": pr.kept.tolist(), "reasons": {r: pr.reasons[:, i].tolist() for i, r in enumerate(REASONS)},
        "strategy": c.stage1.prune.strategy, "cutoffs": pr.cutoffs})
    run.set_stage_status("stage1", "complete")
    if not stage2:
        return run_dir

    kept = pr.kept if n_stage2 is None else np.sort(rng.choice(len(builds), n_stage2, replace=False))
    builds2 = [builds[i] for i in kept]
    table2 = attack_table(rules, builds2)
    table2["stage1_attack"] = [int(i) for i in kept]
    run.write_table("stage2", "attacks", table2)
    costs2 = np.asarray(table2["cost"], dtype=np.int64)
    n2 = len(builds2)
    solo = _quantise(rec1["overall"][kept] + rng.normal(0.3, 0.5, n2))
    run.write_table("stage2", "solos", {"overall": solo.tolist(), "se": rng.uniform(0.05, 0.4, n2).tolist(),
                                         "timeouts": rng.integers(0, 2, n2).tolist()})
    total = pair_count(n2)
    stop = total if pairs is None else min(pairs, total)
    w = run.stage_writer("stage2", st2.schema(grid), total=stop,
                         info={"pairs_total": total, "sample_fraction": stop / total, "pair_index_stop": stop})
    for lo in range(0, stop, block):
        hi = min(lo + block, stop)
        a, b = pair_at(np.arange(lo, hi, dtype=np.int64), n2)
        w.write(lo, hi, _stage2_block(rng, a, b, solo, costs2, P, B, S))
    w.finish({"items": stop})
    if confirm_top:
        reader = run.stage_reader("stage2")
        top = reader.top_n(confirm_top, score="overall", tiebreak=("a", "b"))
        a, b = np.asarray(top["a"], np.int64), np.asarray(top["b"], np.int64)
        cols = _stage2_block(rng, a, b, solo, costs2, P, B, S)
        # confirmation: the screening score regresses towards the solos with fresh dice
        cols["overall"] = _quantise(top["overall"] + rng.normal(0.4, 0.3, len(a)), 1 / 256)
        cols["se"] = rng.uniform(0.02, 0.1, len(a))
        run.write_table("stage2", "confirm_solos", {"overall": solo.tolist(), "se": [0.05] * n2,
                                                    "timeouts": [0] * n2})
        run.write_table("stage2", "confirmed", st2.confirmed_ranking(cols, top["overall"]))
    run.set_stage_status("stage2", "complete")
    return run_dir


def pairs_for(records: int) -> int:
    """The smallest number of stage-2 attacks whose pairs number at least ``records``."""
    return math.ceil((1 + math.sqrt(1 + 8 * records)) / 2)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--pairs", type=int, default=1_000_000, help="stage-2 records")
    ap.add_argument("--budget", type=int, default=6)
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args(argv)
    make_run(args.out, budget=args.budget, pairs=args.pairs, n_stage2=pairs_for(args.pairs), seed=args.seed,
             confirm_top=50)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
