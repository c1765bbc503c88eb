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
    C, runs = len(session.grid.cells), c.stage2.confirm_runs
    for i in range(min(3, len(conf["a"]))):
        # every combat of this pair, lane by lane (not through the histogram)
        from balance.engine.dice import lane_keys

        keys = np.concatenate([lane_keys(c.seed, STREAM_CONFIRM, cell.index, np.arange(runs)) for cell in sim.cells])
        turns = np.zeros(C * runs, np.int64)
        outs = np.zeros_like(turns)
        for ids, t, timeout, _ in sim._lanes(np.array([[conf["a"][i], conf["b"][i]]]), C * runs, runs, keys):
            turns[ids], outs[ids] = t, timeout
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
