"""`balance simulate --trace`: the traced combats are the combats the engine averages, the policy
chose what its own numbers say, every die shown is the die the engine's dice give, and a build's
``[limits]`` print as they are."""

from __future__ import annotations

import json

import numpy as np

from balance.builds import parse_build
from balance.cli.main import main
from balance.engine import Simulator
from balance.engine.dice import Dice, lane_keys, turn_keys
from balance.engine.trace import trace
from balance_plugins.policies.expected_damage import ExpectedDamage
from balance_rules.vitality.kernel import VitalityKernel
from balance_rules.vitality.kernel_dice import d20
from tests.vitality_kernel.grids import ATTACKER, default_grid

PAIR = ["melee_dg [careful, charges_2]", "direct_area_damage [charges_1]"]
N, SEED = 6, 13


def test_traced_combats_are_the_averaged_ones_and_choices_follow_the_policy():
    sim = Simulator(VitalityKernel(), [parse_build(b) for b in PAIR], default_grid(), ATTACKER, 100, ExpectedDamage())
    for cell in sim.cells[:3]:
        combats = trace(sim, [0, 1], cell, N, SEED)
        # the same combats, run by the engine: runs 0..N-1 of this cell
        sub = Simulator(VitalityKernel(), sim.builds, default_grid(), ATTACKER, 100, ExpectedDamage())
        res = sub.run(np.array([[0, 1]]), N, SEED)
        assert sum(len(c.turns) for c in combats) == res.turn_sum[0, cell.index]
        assert all(c.won for c in combats) == (res.timeouts[0, cell.index] == 0)
        for c in combats:
            for t in c.turns:
                hp_before, hp_after = t.before["enemy HP"], t.after["enemy HP"]
                assert all(b >= a for b, a in zip(hp_before, hp_after))  # enemies never heal
                if t.usable is not None and sum(t.usable) == 2:
                    (values,) = t.reasons.values()
                    best = 1 if values[1] > values[0] else 0  # ties to the lower slot
                    assert t.choice == best
            assert sum(c.turns[-1].after["enemy HP"]) == 0 or not c.won


def test_dice_shown_are_the_engines_dice():
    sim = Simulator(VitalityKernel(), [parse_build("melee_dg [unreliable_1]")], default_grid(), ATTACKER, 100, None)
    cell = sim.cells[0]
    (combat,) = trace(sim, [0], cell, 1, SEED)
    key = lane_keys(SEED, 0, cell.index, np.arange(1))
    for t in combat.turns[:5]:
        dice = Dice(turn_keys(key, np.array([t.turn])))
        # the unreliable check is role 4, slot 4 << 24 (kernel_dice.slot)
        expected = int(d20(dice.raw(4 << 24))[0])
        assert f"unreliable check: d20 {expected}" in t.draws


def test_cli_trace_text_and_json(capsys):
    assert main(["simulate", *PAIR, "--runs", "2", "--trace", "1", "--profile", "Evasive", "--scenario", "Boss"]) == 0
    text = capsys.readouterr().out
    assert "Combat 1 - Evasive / No Buffs / Boss" in text and "policy, expected HP removed:" in text
    assert "attack: melee_dg [careful, charges_2]" in text or "attack: direct_area_damage [charges_1]" in text
    assert "enemy HP: [100] ->" in text
    assert main(["simulate", *PAIR, "--runs", "2", "--trace", "2", "--scenario", "Boss", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["trace"]) == len(out["cells"]) and all(len(c["combats"]) == 2 for c in out["trace"])
    assert main(["simulate", PAIR[0], "--trace", "1000"]) == 2


def test_a_raced_policy_traces_the_plan_its_race_picked():
    """Under the default (raced) policy each cell plays the plan its race picked on pilot dice: the
    traced combats must be the combats the engine averages, whichever plan won (the race picks an
    attack alone in some cells and greedy in others for this pair)."""
    from balance_plugins.policies.race import RacedPlans

    builds = [parse_build(b) for b in PAIR]
    sim = Simulator(VitalityKernel(), builds, default_grid(), ATTACKER, 100, RacedPlans())
    res = Simulator(VitalityKernel(), builds, default_grid(), ATTACKER, 100, RacedPlans()).run(
        np.array([[0, 1]]), N, SEED)
    plans = set()
    for cell in sim.cells:
        combats = trace(sim, [0, 1], cell, N, SEED, runs=N)
        plans.add(combats[0].plan)
        assert sum(len(c.turns) for c in combats) == res.turn_sum[0, cell.index]
        if combats[0].plan.startswith("attack"):
            alone = int(combats[0].plan.split()[1]) - 1
            assert all(t.choice == alone for c in combats for t in c.turns if not t.fallback)
    assert len(plans) >= 2, plans
