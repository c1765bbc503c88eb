"""The engine with the Vitality kernel agrees with the independent baselines.

Every row of ``tests/data/baselines.md`` (the project's reference baselines, kept with the tests) is checked. Our standard error is computed
from our own sample (sample standard deviation / sqrt(runs)); a row agrees when
``|m - M| <= 4 * sqrt(s**2 + S**2)`` with the table's S. The direct types are deterministic and must
match exactly (mean and timeouts). Fixed seed, so the test is reproducible.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from balance.builds import Build
from balance.engine import Simulator
from balance_rules.vitality.kernel import VitalityKernel

from .grids import ATTACKER, grid

BASELINES = Path(__file__).resolve().parents[1] / "data" / "baselines.md"
RUNS = 20000
TYPES = ["melee_ac", "melee_dg", "ranged", "area", "direct_damage", "direct_area_damage"]


def parse_baselines(text: str):
    rows = []
    profile = None
    for line in text.splitlines():
        m = re.match(r"## Profile (\S+)", line)
        if m:
            profile = m.group(1)
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if profile and len(cells) == 5 and cells[0] in TYPES:
            rows.append((profile, cells[0], cells[1], float(cells[2]), float(cells[3]), int(cells[4])))
    return rows


@pytest.fixture(scope="module")
def results():
    g = grid()
    sim = Simulator(VitalityKernel(), [Build(t) for t in TYPES], g, ATTACKER, 100, policy=None)
    res = sim.run(np.arange(len(TYPES))[:, None], RUNS, seed=20261126)
    index = {(c.profile.name, c.scenario.name): c.index for c in g.cells}
    return res, index


def test_every_baseline_row_agrees(results):
    res, index = results
    rows = parse_baselines(BASELINES.read_text())
    assert len(rows) == 72, "the baselines file should list 72 rows (3 profiles x 6 types x 4 scenarios)"
    means, ses = res.means(), res.ses()
    bad = []
    for profile, attack, scenario, mean, se, timeouts in rows:
        i, c = TYPES.index(attack), index[(profile, scenario)]
        m, s = means[i, c], ses[i, c]
        if se == 0.0:
            ok = m == mean and (res.timeouts[i, c] == (RUNS if timeouts else 0))
        else:
            ok = abs(m - mean) <= 4 * np.hypot(s, se)
        if not ok:
            bad.append(f"{profile} {attack} {scenario}: {m:.3f}±{s:.3f} vs {mean}±{se}")
    assert not bad, "\n".join(bad)


def test_timeout_rates_agree(results):
    """Area against the boss times out about 4-9% of combats; a binomial 4-sigma band on the rate."""
    res, index = results
    for profile, attack, scenario, _, se, timeouts in parse_baselines(BASELINES.read_text()):
        if se == 0.0 or timeouts == 0:
            continue
        i, c = TYPES.index(attack), index[(profile, scenario)]
        p_ref, p = timeouts / 20000, res.timeouts[i, c] / RUNS
        sd = np.sqrt(p_ref * (1 - p_ref) * (1 / RUNS + 1 / 20000)) + 1e-3
        assert abs(p - p_ref) <= 4 * sd, (profile, attack, scenario, p, p_ref)


def test_baselines_are_read_from_the_repository():
    """The suite must pass on a fresh clone: the table is the repository's copy, and the suite's
    guard (tests/conftest.py) refuses any read from the development checkout's ``shared`` folder."""
    from tests.conftest import OUTSIDE, REPO

    assert BASELINES.resolve().is_relative_to(REPO)
    for folder in OUTSIDE:
        with pytest.raises(PermissionError, match="outside the repository"):
            open(Path(folder) / "reference" / "baselines.md")  # noqa: SIM115
