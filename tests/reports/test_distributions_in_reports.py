"""The confirmed pairs' distributions of turns: stored by stage 2 on a real run, recomputed here
from the engine's own turn loop on the confirmation's dice, and shown in the top list."""

from __future__ import annotations

import numpy as np

from balance.builds import Build
from balance.session import open_session
from balance_plugins.stages.common import STREAM_CONFIRM, simulator
from tests.reports.helpers import first_table, table


def test_confirmed_distributions_are_the_confirmations_combats(real_run, real_reports):
    conf = table(real_run, "stage2", "confirmed")
    att = table(real_run, "stage2", "attacks")
    session = open_session(real_run / "config.toml")
    c = session.config
    builds = [Build(t, u, x) for t, u, x in zip(att["attack_type"], att["upgrades"], att["limits"])]
    sim = simulator(session, builds, c.stage2.policy, c.stage2.max_turns)
    runs = c.stage2.confirm_runs
    for i in range(min(3, len(conf["a"]))):
        turns, outs = _raced_combats(sim, np.array([[conf["a"][i], conf["b"][i]]]), c.seed, runs)
        assert turns.mean() == np.float32(conf["overall"][i]) or abs(turns.mean() - conf["overall"][i]) < 1e-5
        for name, q in (("turns_p10", 10), ("turns_p50", 50), ("turns_p90", 90)):
            assert conf[name][i] == np.percentile(turns, q, method="inverted_cdf")
        assert conf["one_turn_share"][i] == np.float32(((turns == 1) & (outs == 0)).mean())
        assert conf["timeout_share"][i] == np.float32(outs.mean())
    head, rows = first_table((real_reports / "stage2" / "top_1000_pairs.md").read_text(), "Top 1,000 Pairs")
    col = head.index("Turns p10/p50/p90")
    for r, row in enumerate(rows):
        if row[7] == "confirmed":
            assert row[col] == f"{conf['turns_p10'][r]}/{conf['turns_p50'][r]}/{conf['turns_p90'][r]}"
        else:
            assert row[col] == "–"


def _raced_combats(sim, cand, seed, runs):
    """Every combat of a pair in the confirmation, lane by lane (not through the histogram): in each
    cell the plan the default policy's race picked (an attack alone, or a raced policy)."""
    from balance.engine.dice import lane_keys

    plans = tuple(sim.policy.race)
    pick = sim.race_choice(cand, runs, seed, STREAM_CONFIRM, 0, plans)[0]
    turns, outs = [], []
    for col, cell in enumerate(sim.cells):
        keys = lane_keys(seed, STREAM_CONFIRM, cell.index, np.arange(runs))
        k = cand.shape[1]
        play, policy = (cand[:, [pick[col]]], sim.policy) if pick[col] < k else (cand, plans[pick[col] - k])
        t_cell, o_cell = np.zeros(runs, np.int64), np.zeros(runs, np.int64)
        for ids, t, timeout, _ in sim._lanes(play, runs, runs, keys, policy, [cell]):
            t_cell[ids], o_cell[ids] = t, timeout
        turns.append(t_cell)
        outs.append(o_cell)
    return np.concatenate(turns), np.concatenate(outs)


def test_stage1_top_list_distributions_are_the_screening_combats(real_run, real_reports):
    from balance.engine.dice import lane_keys
    from balance_plugins.stages.common import STREAM_STAGE1, stage1_builds
    from tests.reports.helpers import records

    dist = table(real_run, "stage1", "distributions")
    rec = records(real_run, "stage1")
    session = open_session(real_run / "config.toml")
    c = session.config
    sim = simulator(session, stage1_builds(session), "first")
    C, runs = len(session.grid.cells), c.stage1.runs
    # the best 50 of the screening, in its order (ties by attack index)
    best = rec["attack"][np.lexsort((rec["attack"], rec["overall"]))][:50]
    assert [int(a) for a in dist["attack"]] == [int(a) for a in best]
    keys = np.concatenate([lane_keys(c.seed, STREAM_STAGE1, cell.index, np.arange(runs)) for cell in sim.cells])
    for j in (0, len(best) - 1):
        turns = np.zeros(C * runs, np.int64)
        outs = np.zeros_like(turns)
        for ids, t, timeout, _ in sim._lanes(np.array([[dist["attack"][j]]]), C * runs, runs, keys, sim.policy, sim.cells):
            turns[ids], outs[ids] = t, timeout
        row = int(np.flatnonzero(rec["attack"] == dist["attack"][j])[0])
        assert abs(turns.mean() - float(rec["overall"][row])) < 1e-4  # the screening's own combats
        for name, q in (("turns_p10", 10), ("turns_p50", 50), ("turns_p90", 90)):
            assert dist[name][j] == np.percentile(turns, q, method="inverted_cdf")
        assert dist["one_turn_share"][j] == np.float32(((turns == 1) & (outs == 0)).mean())
    head, rows = first_table((real_reports / "stage1" / "stage1_pruning_report.md").read_text(), "Top 50 Attacks Overall")
    col = head.index("Turns p10/p50/p90")
    assert [r[col] for r in rows] == [f"{dist['turns_p10'][j]}/{dist['turns_p50'][j]}/{dist['turns_p90'][j]}"
                                      for j in range(len(rows))]
