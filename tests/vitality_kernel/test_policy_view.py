"""The default policy's view: expected damage per strike agrees with a brute-force sum over the
d20 and the damage roll, and with a Monte Carlo estimate for a plain attack."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from balance.engine.bench import sample_builds
from balance.grid import Buff, Cell, Profile, Scenario
from balance_rules.vitality.kernel import VitalityKernel
from balance_rules.vitality.kernel_policy import _PMF, _row_expectations
from balance_rules.vitality.rules import VitalityRules

from .scripted import ATTACKER, Fight


def _brute(tab, rows, c, T):
    out = np.zeros((len(rows), len(c.maxhp)))
    for i, row in enumerate(rows):
        for j, hp in enumerate(c.maxhp):
            slay = T if tab.slayer_hp[row] == hp else 0
            dur = c.dur_ap if tab.armor_piercing[row] else c.dur
            total_e = 0.0
            for r in range(1, 21):
                p = (2 * r - 1) / 400 if tab.reliable[row] else 1 / 20
                total = r + tab.acc[row] + c.acc_base + slay
                hit = total >= c.avoid or tab.direct[row]
                if not hit:
                    continue
                crit = r >= tab.crit_lo[row]
                base = tab.dmg[row] + c.dmg_base + slay + (tab.crit_bonus[row] if crit else 0)
                margin = total - c.avoid
                if tab.overhit[row] and margin >= 3 * T and not tab.direct[row]:
                    base += margin // 2
                rolls = ([(tab.roll_flat[row], 1.0)] if tab.roll_flat[row] > 0
                         else list(enumerate(_PMF[5 if tab.explode5[row] else 6])))
                for v, pv in rolls:
                    pre = v + base
                    if tab.brutal[row] and pre > dur + 5 * T:
                        pre += (pre - dur - 5 * T) // 2
                    total_e += p * pv * max(pre - dur, 0)
            out[i, j] = total_e
    return out


def test_expectations_match_brute_force():
    rules = VitalityRules()
    builds = sample_builds(rules, 6, 120, seed=3)
    k = VitalityKernel()
    tab = k.compile(builds, ATTACKER)
    cell = Cell(0, Profile("Tanky", (2, 2, 0, 4, 4)), Buff("b", accuracy=1, damage=2), Scenario("s", (50, 25, 10)))
    c = k.cell_constants(tab, cell)
    st = SimpleNamespace(tab=tab, T=4, E=3, c_maxhp=c.maxhp, avoid=c.avoid, dur=c.dur, dur_ap=c.dur_ap,
                         acc_base=c.acc_base, dmg_base=c.dmg_base)
    rows = np.arange(len(tab.acc))
    exp, _, _ = _row_expectations(st, rows)
    assert np.allclose(exp, _brute(tab, rows, c, 4), atol=1e-9)


def test_plain_attack_expectation_matches_monte_carlo():
    from balance.engine.dice import Dice, lane_keys, turn_keys

    f = Fight(["melee_dg"], hp=(100,))
    view = f.kernel.policy_view(f.st, 1, False)
    # the first strike of 40,000 lanes with real dice
    n = 40_000
    kern = VitalityKernel()
    st = kern.start(f.table, [Cell(0, Profile("p", (2, 2, 2, 2, 4)), Buff("none"), Scenario("s", (100,)))],
                    np.zeros(n, dtype=np.intp), np.zeros((n, 1), dtype=np.intp))
    dice = Dice(turn_keys(lane_keys(5, 0, 0, np.arange(n)), 1))
    kern.act(st, np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool), dice, 1)
    dealt = 100 - st.hp[:, 0]
    assert abs(view.expected[0, 0] - dealt.mean()) < 5 * dealt.std() / np.sqrt(n)


def test_view_of_some_lanes_is_those_rows_of_the_full_view():
    """The engine asks for the fallback view of the lanes with no usable attack only; it must be
    exactly those rows of the view of every lane (after some turns, so HP, targets, charges and
    channeling differ between lanes), in the order asked, across two cells."""
    from balance.engine.dice import Dice, lane_keys, turn_keys

    rules = VitalityRules()
    builds = sample_builds(rules, 6, 60, seed=4)
    kern = VitalityKernel()
    table = kern.compile(builds, ATTACKER)
    cells = [Cell(0, Profile("a", (2, 2, 2, 2, 4)), Buff("none"), Scenario("s", (40, 20, 10))),
             Cell(1, Profile("b", (2, 0, 4, 2, 4)), Buff("none"), Scenario("t", (60,)))]
    n = 400
    rng = np.random.default_rng(1)
    st = kern.start(table, cells, rng.integers(0, 2, n), rng.integers(0, len(builds), (n, 2)))
    keys = lane_keys(3, 0, 0, np.arange(n))
    for turn in (1, 2, 3):
        dice = Dice(turn_keys(keys, turn))
        kern.act(st, rng.integers(0, 2, n), np.zeros(n, dtype=bool), dice, turn)
        kern.end_turn(st, dice, turn)
    some = rng.permutation(n)[:57]
    for fallback in (False, True):
        full = kern.policy_view(st, 4, fallback)
        part = kern.policy_view(st, 4, fallback, some)
        assert np.array_equal(part.expected, full.expected[some])
        assert np.array_equal(part.hp, full.hp[some])
