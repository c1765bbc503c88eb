"""The default policy's view: expected damage per strike agrees with a brute-force sum over the
d20 and the damage roll, and with a Monte Carlo estimate for a plain attack.

The brute force is independent of the implementation: each attack's modifiers come from the
scalar reference (typed from the rulebook), the cell's scores from the stat blocks, and the
exploding 3d6 distribution is computed here exactly up to a far bound."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from balance.engine.bench import sample_builds
from balance.grid import Buff, Cell, Profile, Scenario
from balance_rules.vitality.kernel import VitalityKernel
from balance_rules.vitality.kernel_policy import _row_expectations
from balance_rules.vitality.rules import VitalityRules

from .reference import Attack
from .scripted import ATTACKER, Fight

V = 400  # roll values kept; P(3d6 exploding on 5-6 > 400) is below 1e-60


def exploding_3d6_pmf(lo: int) -> np.ndarray:
    """P(roll = v), v = 0..V, of 3d6 where each die rolls again and adds on ``lo``..6."""
    die = np.zeros(V + 1)
    for v in range(1, V + 1):  # a die shows v: a face below lo, or an exploding face then v - face
        die[v] = sum((1.0 if f == v and f < lo else 0.0) + (die[v - f] if f >= lo and v > f else 0.0)
                     for f in range(1, 7)) / 6
    return np.convolve(np.convolve(die, die)[: V + 1], die)[: V + 1]


PMF = {lo: exploding_3d6_pmf(lo) for lo in (5, 6)}


def _brute(builds, cell, T):
    """(rows, enemies) expected damage per strike: each row's build against each enemy position."""
    pf, pp, pm, pe, pt = cell.profile.stats
    b = cell.buff
    avoid, dur_plain, dur_ap = 10 + pt + pm + b.bonus("avoidance"), 5 + pt + pe + b.bonus("durability"), 5 + pt + b.bonus("durability")
    acc_base, dmg_base = T + ATTACKER[0] + b.bonus("accuracy"), T + ATTACKER[1] + b.bonus("damage")
    out = np.zeros((len(builds), len(cell.scenario.enemy_hp)))
    for i, build in enumerate(builds):
        a = Attack(build, T)
        for j, hp in enumerate(cell.scenario.enemy_hp):
            slay = T if a.slayer == hp else 0
            dur = dur_ap if a.has("armor_piercing") else dur_plain
            total_e = 0.0
            for r in range(1, 21):
                p = (2 * r - 1) / 400 if a.has("reliable_accuracy") else 1 / 20
                total = r + a.acc + acc_base + slay
                hit = total >= avoid or a.direct
                if not hit:
                    continue
                crit = not a.direct and r >= a.crit_lo
                base = a.dmg + dmg_base + slay + (a.crit_bonus if crit else 0)
                margin = total - avoid
                if a.has("overhit") and margin >= 3 * T and not a.direct:
                    base += margin // 2
                if a.flat:
                    values, pv = np.array([a.flat]), np.array([1.0])
                else:
                    values, pv = np.arange(V + 1), PMF[5 if a.has("critical_effect") else 6]
                pre = values + base
                if a.has("brutal"):
                    excess = pre - (dur + 5 * T)
                    pre = pre + np.where(excess > 0, excess // 2, 0)
                total_e += p * float((pv * np.maximum(pre - dur, 0)).sum())
            out[i, j] = total_e
    return out


def test_exploding_pmf_sums_to_one_with_the_known_means():
    for lo, mean in ((6, 12.6), (5, 15.75)):  # 3 × 3.5 × 6/5 and 3 × 3.5 × 6/4
        assert abs(PMF[lo].sum() - 1) < 1e-12
        assert abs((np.arange(V + 1) * PMF[lo]).sum() - mean) < 1e-9


def test_expectations_match_brute_force():
    rules = VitalityRules()
    builds = sample_builds(rules, 6, 120, seed=3) + sample_builds(rules, 8, 60, seed=5)
    k = VitalityKernel()
    tab = k.compile(builds, ATTACKER)
    cell = Cell(0, Profile("Tanky", (2, 2, 0, 4, 4)), Buff("b", accuracy=1, damage=2, durability=1), Scenario("s", (50, 25, 10)))
    c = k.cell_constants(tab, cell)
    st = SimpleNamespace(tab=tab, T=4, E=3, c_maxhp=c.maxhp, avoid=c.avoid, dur=c.dur, dur_ap=c.dur_ap,
                         acc_base=c.acc_base, dmg_base=c.dmg_base)
    rows = np.arange(len(tab.acc))
    exp, _, _ = _row_expectations(st, rows)
    # The view truncates the damage roll at 90 (module docstring: "truncated far in the tail"),
    # which leaves out 1e-9 of the mass of 3d6 exploding on 6 and 3e-6 on 5-6; at most 1e-3 of
    # expected damage here (brutal with critical_effect), while any wrong rule number moves an
    # expectation by far more (a point of damage moves it by the chance that a hit deals damage).
    assert np.abs(exp - _brute(tab.builds, cell, 4)).max() < 1e-3


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
