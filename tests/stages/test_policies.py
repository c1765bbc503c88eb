"""The default policy: better than always-first and always-second, and it picks area attacks
against swarms and single-target attacks against a boss because the numbers say so."""

from __future__ import annotations

import numpy as np
import pytest

from balance.builds import Build
from balance.engine import Simulator
from balance.session import open_session


@pytest.fixture(scope="module")
def session():
    return open_session()


def simulator(session, builds, policy):
    pol = session.plugins.component("balance_policies", policy)
    c = session.config
    return Simulator(session.rules.kernel(), builds, session.grid, c.attacker, c.max_turns, pol)


def test_default_beats_first_and_second_on_the_default_grid(session):
    builds = list(session.rules.enumerate_builds(session.budget))
    rng = np.random.default_rng(2026)
    pick = rng.choice(len(builds), size=600, replace=False)
    chosen = [builds[i] for i in pick]
    pairs = np.array([(2 * i, 2 * i + 1) for i in range(300)])
    overall = {}
    for policy in ("default", "first", "second"):
        res = simulator(session, chosen, policy).run(pairs, runs=8, seed=5)
        overall[policy] = res.means().mean(axis=1)  # per pair, every cell weighing the same
    # Same dice for every policy (common random numbers): compare per pair; the tolerance is
    # 3 standard errors of the mean paired difference.
    for other in ("first", "second"):
        diff = overall["default"] - overall[other]
        se = diff.std(ddof=1) / np.sqrt(len(diff))
        assert diff.mean() < -3 * se, (other, diff.mean(), se)


def test_area_against_swarm_single_target_against_boss(session):
    builds = [Build("area"), Build("melee_dg")]
    res = simulator(session, builds, "default").run(np.array([[0, 1]]), runs=40, seed=3)
    names = [c.scenario.name for c in session.grid.cells]
    uses = res.uses[0]  # (cells, 3): area, melee_dg, fallback
    share_area = lambda scen: uses[[i for i, n in enumerate(names) if n == scen], 0].sum() / uses[
        [i for i, n in enumerate(names) if n == scen]
    ].sum()
    assert share_area("Swarm") > 0.5
    assert share_area("Boss") < 0.5
