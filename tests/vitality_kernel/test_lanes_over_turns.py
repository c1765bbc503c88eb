"""Several lanes over several turns, each on its own scripted dice: the per-lane and per-slot state
the kernel carries from one turn to the next (bleeds due, channeled's count, charges, retaliation
per enemy, the standing count behind "won"), and the kernel's option checks.

A lane's state read from another lane, from another slot of the same lane, or kept for every lane
where one lane changed it, changes a number here. Every expected number is worked by hand from
docs/vitality-rules.md with the numbers of scripted.py: attacker [2,2,2,2,4] (T = 4, accuracy and
damage bonus 6, Avoidance 16, Durability 11); Balanced enemies [2,2,2,2,4] (Avoidance 16,
Durability 11, accuracy and damage bonus 6). Dice not scripted read as d20 = 1 and 3d6 = (1,1,1).
"""

from __future__ import annotations

import numpy as np
import pytest

from balance.builds import parse_build
from balance.engine import FixedDice
from balance.grid import Buff, Cell, Profile, Scenario
from balance_rules.vitality.kernel import VitalityKernel
from balance_rules.vitality.ruleset import DEFAULT

from .scripted import BALANCED, MISS, atk, dice, retaliation

STRONG = (4, 4, 2, 2, 4)  # Avoidance 16, Durability 11, accuracy and damage bonus 8


class Batch:
    """Lanes of ``builds`` rows ``slots`` (lanes, k) in ``cells`` (one (hp, profile) per cell)."""

    def __init__(self, builds, cells, lane_cells, slots, kernel=None, attacker=(2, 2, 2, 2, 4)):
        self.kernel = kernel or VitalityKernel()
        self.table = self.kernel.compile([parse_build(b) for b in builds], attacker)
        grid = [Cell(i, Profile(f"p{i}", prof), Buff("none"), Scenario(f"s{i}", hp)) for i, (hp, prof) in enumerate(cells)]
        self.st = self.kernel.start(self.table, grid, np.asarray(lane_cells, dtype=np.intp), np.asarray(slots, dtype=np.intp))
        self.n = len(slots)
        self.turn = 0

    def step(self, scripts, choice=None, fallback=None):
        """One turn; ``scripts`` one dice dict per lane. Returns each lane's "won"."""
        self.turn += 1
        keys = {k for s in scripts for k in s}
        d = FixedDice(self.n, {k: np.array([s.get(k, MISS) for s in scripts], dtype=np.uint64) for k in keys},
                      default=MISS)
        choice = np.zeros(self.n, dtype=np.int64) if choice is None else np.asarray(choice, dtype=np.int64)
        fallback = np.zeros(self.n, dtype=bool) if fallback is None else np.asarray(fallback, dtype=bool)
        self.kernel.act(self.st, choice, fallback, d, self.turn)
        return self.kernel.end_turn(self.st, d, self.turn).tolist()

    def usable(self):
        return self.kernel.usable(self.st, self.turn + 1).tolist()

    def hp(self, sizes):
        return [row[:n] for row, n in zip(self.st.hp.tolist(), sizes)]


# -- the kernel's options ----------------------------------------------------------------------------

def test_options_default_to_the_rulesets_decision_and_a_given_option_wins():
    assert VitalityKernel().options == {"armor_piercing_keeps_buff": True}
    assert VitalityKernel().ap_keeps_buff is True
    off = DEFAULT.with_table({"decisions.armor_piercing_keeps_buff": False})
    assert VitalityKernel(None, off).ap_keeps_buff is False
    assert VitalityKernel(None, off).options == {"armor_piercing_keeps_buff": False}
    assert VitalityKernel({"armor_piercing_keeps_buff": True}, off).ap_keeps_buff is True
    assert VitalityKernel({"armor_piercing_keeps_buff": False}).ap_keeps_buff is False


def test_an_unknown_option_is_refused_by_name():
    with pytest.raises(ValueError) as err:
        VitalityKernel({"zeta": 1, "armor_piercing_keeps_buff": True, "alpha": 2})
    assert str(err.value) == 'unknown option "alpha" (options: armor_piercing_keeps_buff)'


@pytest.mark.parametrize("value", [1, "yes", None])
def test_an_option_of_the_wrong_type_is_refused(value):
    with pytest.raises(ValueError) as err:
        VitalityKernel({"armor_piercing_keeps_buff": value})
    assert str(err.value) == f"option armor_piercing_keeps_buff: expected bool, got {value!r}"


# -- bleed over several lanes ------------------------------------------------------------------------

def test_bleeds_of_several_lanes_count_only_the_enemies_they_defeat():
    """One cell: Balanced, enemies (6, 8). ranged + bleed (damage 6 - 4 = 2): (5,5,5) 15 + 2 - 11 = 6,
    (5,5,4) 5, (4,4,4) 3, (3,3,4) 1; a d20 of 15 hits (21). Plain ranged (5,5,5): 10.
    Lane 0: turn 1 defeats enemy 0 (its bleed falls on a fallen enemy at the end of turn 2: nothing);
      turn 2 hits enemy 1 for 3 (8 -> 5), its bleed 3 at the end of turn 3 (-> 2).
    Lane 1 (plain ranged): defeats enemy 0 on turn 1 and enemy 1 on turn 3: won on turn 3.
    Lane 2: 5 to enemy 0 (-> 1), whose bleed of 5 defeats it at the end of turn 2; turn 3 strikes
      enemy 1, the first standing: 6 (-> 2).
    Lane 3: defeats enemy 0 on turn 1; 6 to enemy 1 on turn 2 (-> 2), whose bleed of 6 defeats it
      at the end of turn 3: won on turn 3 (a bleed kill wins, though it is not a defeat for slaughter).
    """
    b = Batch(["ranged + bleed", "ranged"], [((6, 8), BALANCED)], [0, 0, 0, 0], [[0], [1], [0], [0]])
    hit = lambda d6s: atk(0, 15, d6s)  # noqa: E731
    won = [b.step([hit((5, 5, 5)), hit((5, 5, 5)), hit((5, 5, 4)), hit((5, 5, 5))])]
    hps = [b.hp([2] * 4)]
    won.append(b.step([hit((4, 4, 4)), {}, {}, hit((5, 5, 5))]))
    hps.append(b.hp([2] * 4))
    won.append(b.step([{}, hit((5, 5, 5)), hit((5, 5, 5)), {}]))
    hps.append(b.hp([2] * 4))
    assert hps == [
        [[0, 8], [0, 8], [1, 8], [0, 8]],
        [[0, 5], [0, 8], [0, 8], [0, 2]],
        [[0, 2], [0, 0], [0, 2], [0, 0]],
    ]
    assert won == [[False] * 4, [False] * 4, [False, True, False, True]]
    assert b.st.alive.tolist() == [1, 0, 1, 0]


def test_bleed_damage_makes_relentless_usable_only_in_its_own_lane():
    """Two slots per lane [ranged + bleed, ranged [relentless]], one cell: Balanced, enemies (6, 30).
    Turn 1 every lane fires the bleed: lane 0 hits enemy 0 for 1 ((3,3,4)), lane 1 defeats it with 6
    ((5,5,5)), lane 2 misses. Turn 2 lanes 0 and 1 miss, lane 2 hits for 1; at the end of the turn
    lane 0's bleed deals 1 more (damage dealt: relentless usable on turn 3), lane 1's falls on a
    fallen enemy (no damage), lane 2 has none due (its strike dealt damage: relentless usable)."""
    b = Batch(["ranged + bleed", "ranged [relentless]"], [((6, 30), BALANCED)], [0, 0, 0], [[0, 1]] * 3)
    b.step([atk(0, 15, (3, 3, 4)), atk(0, 15, (5, 5, 5)), {}])
    assert [u[1] for u in b.usable()] == [True, True, False]
    b.step([{}, {}, atk(0, 15, (3, 3, 4))])
    assert b.hp([2] * 3) == [[4, 30], [0, 30], [5, 30]]
    assert [u[1] for u in b.usable()] == [True, False, True]


# -- channeled and charge-up per slot over lanes ----------------------------------------------------

def test_channeled_counts_per_lane_and_per_slot():
    """Two slots per lane, ranged + channeled (bonus (n - 3)T to both rolls, n = the consecutive
    previous turns it was made) and plain ranged, in either order; one enemy of 200 HP; every d20 a
    20 (a crit, +4) with (5,5,5): channeled hits from n = 1 (26 - 8 = 18 >= 16) for
    15 + 6 + 4 + (n - 3)4 - 11 = 6, 10, 14, 18 at n = 1, 2, 3, 4; n = 0 misses (26 - 12 = 14).
    Plain ranged: 14. Lane 3 makes the basic attack of its channeled slot on turn 3 (fallback)."""
    b = Batch(["ranged + channeled", "ranged"], [((200,), BALANCED)], [0, 0, 0, 0], [[0, 1], [0, 1], [1, 0], [0, 1]])
    crit = [atk(0, 20, (5, 5, 5))] * 4
    choices = [[0, 0, 1, 0], [0, 1, 1, 0], [0, 0, 0, 0], [0, 0, 1, 0], [0, 0, 1, 0]]
    # lane 0: channeled n = 0..4; lane 1: n = 0, plain, n = 0, 1, 2; lane 2 (channeled in slot 1):
    # n = 0, 1, plain, n = 0, 1; lane 3: n = 0, 1, basic attack (plain ranged), n = 0, 1
    fallback = [[False] * 4, [False] * 4, [False, False, False, True], [False] * 4, [False] * 4]
    hps = []
    for c, fb in zip(choices, fallback):
        b.step(crit, c, fb)
        hps.append(b.hp([1] * 4))
    assert [[h[0] for h in turn] for turn in hps] == [
        [200, 200, 200, 200],
        [194, 186, 194, 194],
        [184, 186, 180, 180],
        [170, 180, 180, 180],
        [152, 170, 174, 174],
    ]


def test_channeled_at_tier_3_leaves_the_other_lanes_attacks_alone():
    """Attacker [2,2,2,2,3]: T = 3, accuracy and damage bonus 5. One enemy (Balanced, 16 / 11) of 100
    HP; every d20 a 20 (a crit, +3) with (5,5,5). Lane 0, plain ranged: 25 hits, 15 + 5 + 3 - 11 = 12.
    Lane 1, ranged + channeled at n = 0 (-3T = -9): 16 hits, 12 - 9 = 3; at n = 1 (-6): 6."""
    b = Batch(["ranged + channeled", "ranged"], [((100,), BALANCED)], [0, 0], [[1], [0]], attacker=(2, 2, 2, 2, 3))
    crit = atk(0, 20, (5, 5, 5))
    b.step([crit, crit])
    assert b.hp([1, 1]) == [[88], [97]]
    b.step([crit, crit])
    assert b.hp([1, 1]) == [[76], [91]]


def test_charge_up_charges_per_lane_and_per_slot():
    """Slots per lane among ranged [charge_up] (+3T = 12 to both rolls once charged for one turn),
    ranged [charge_up_2] (+16, two turns) and ranged; unscripted dice: d20 1 and (1,1,1). Plain ranged
    misses (7); charge_up hits (19) for 3 + 6 + 12 - 11 = 10, charge_up_2 (23) for 14.
    ranged [charge_up, patient] (+16, turn 4 on) is not usable before turn 4: its basic attack
    (a miss) charges nothing, so it charges on turn 4 and fires on turn 5 for 3 + 6 + 16 - 11 = 14."""
    builds = ["ranged [charge_up]", "ranged [charge_up_2]", "ranged", "ranged [charge_up, patient]"]
    slots = [[0, 2], [2, 0], [1, 0], [0, 1], [3, 0]]
    b = Batch(builds, [((100,), BALANCED)], [0] * 5, slots)
    choices = [[0, 1, 0, 1, 0], [0, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 0]]
    # lane 0: charge, fire, charge, fire, charge; lane 1: charge, plain (breaks it), charge, fire, plain;
    # lane 2: charge_up_2 charges twice and fires on turn 3, then charge_up charges (turn 4), fires;
    # lane 3: charge_up_2 charges, charge_up charges (breaking it), fires, charge_up_2 charges twice;
    # lane 4: three basic attacks, then charge, fire.
    fallback = [[False] * 4 + [True]] * 3 + [[False] * 5] * 2
    hps = []
    for c, fb in zip(choices, fallback):
        b.step([{}] * 5, c, fb)
        hps.append([h[0] for h in b.hp([1] * 5)])
    assert hps == [
        [100, 100, 100, 100, 100],
        [90, 100, 100, 100, 100],
        [90, 100, 86, 90, 100],
        [80, 90, 86, 90, 100],
        [80, 90, 76, 90, 86],
    ]
    assert b.st.charge.tolist() == [[1, 0], [0, 0], [0, 0], [0, 2], [0, 0]]


def test_cooldown_charges_and_unreliable_per_lane_and_per_slot():
    """Two slots per lane; unscripted dice (d20 1, (1,1,1)), so only a limit's bonus makes a hit:
    cooldown (+12: 19 hits, 3 + 6 + 12 - 11 = 10), charges_2 (+12: 10), unreliable_1 + cooldown
    (+16: 14; its unreliable d20 needs 5, and a wasted action starts no cooldown), charge_up (+12,
    fires the turn after it charged: 10). A lane with no usable slot makes the basic attack (a miss).
    Lane 0 [cooldown, charges_2] and lane 1 [charges_2, cooldown] make the same moves from
    mirrored slots; lane 2 [unreliable_1 + cooldown, charges_2] wastes turn 1 (d20 4) and fires on
    turn 2 (5); lane 3 [charge_up, unreliable_1 + cooldown] charges, fires, fires its second slot
    (unreliable 10), charges, fires."""
    builds = ["ranged [cooldown]", "ranged [charges_2]", "ranged [unreliable_1, cooldown]", "ranged [charge_up]"]
    b = Batch(builds, [((100,), BALANCED)], [0] * 4, [[0, 1], [1, 0], [2, 1], [3, 2]])
    from .scripted import unreliable

    plan = [  # (usable before the turn, each lane's choice, scripts)
        ([[True, True]] * 4, [0, 1, 0, 0], [{}, {}, unreliable(4), {}]),
        ([[False, True], [True, False], [True, True], [True, True]], [1, 0, 0, 0], [{}, {}, unreliable(5), {}]),
        ([[False, True], [True, False], [False, True], [True, True]], [1, 0, 1, 1], [{}, {}, {}, unreliable(10)]),
        ([[False, False], [False, False], [False, True], [True, False]], [0, 0, 1, 0], [{}] * 4),
        ([[True, False], [False, True], [False, False], [True, False]], [0, 1, 0, 0], [{}] * 4),
    ]
    hps = []
    for usable, choice, scripts in plan:
        u = b.usable()
        assert u == usable
        b.step(scripts, choice, [not any(x) for x in u])
        hps.append([h[0] for h in b.hp([1] * 4)])
    assert hps == [
        [90, 90, 100, 100],
        [80, 80, 86, 90],
        [70, 70, 76, 76],
        [70, 70, 66, 76],
        [60, 60, 66, 66],
    ]
    assert b.st.used.tolist() == [[2, 2], [2, 2], [1, 2], [2, 1]]


def test_lanes_at_different_turns_of_a_refilled_batch_keep_their_own_cooldown():
    """A refilled batch holds lanes at different turns of their combats (one turn per lane).
    ranged [cooldown] (+12: 10 on unscripted dice) and ranged [quickdraw] (turns 1-2 only; +16).
    Lane 0 (cooldown) at its turn 1 and lane 2 (cooldown) at its turn 6 fire; lane 1 (quickdraw) at
    its turn 3 makes the basic attack (a miss). One turn later neither cooldown is usable (turns 2
    and 7); three turns later both are (turns 5 and 10: 4 turns after their use)."""
    b = Batch(["ranged [cooldown]", "ranged [quickdraw]"], [((100,), BALANCED)], [0] * 3, [[0], [1], [0]])
    d = FixedDice(3, {}, default=MISS)
    k = b.kernel
    for turns, usable in (([1, 3, 6], [True, False, True]), ([2, 4, 7], [False, False, False]),
                          ([5, 7, 10], [True, False, True])):
        t = np.array(turns)
        u = k.usable(b.st, t)[:, 0]
        assert u.tolist() == usable
        k.act(b.st, np.zeros(3, dtype=np.int64), ~u, d, t)
        k.end_turn(b.st, d, t)
    assert b.st.last_used[[0, 2], 0].tolist() == [5, 10]
    assert b.hp([1] * 3) == [[80], [100], [80]]


# -- retaliation with different enemies per lane -----------------------------------------------------

def test_retaliation_of_the_first_two_standing_enemies_of_each_lane():
    """Three slots per lane: ranged [vengeful], [untouchable], [careful]; every lane fires careful on
    turn 1 (usable on turn 1, +8: a d20 of 1 misses) and vengeful on turn 2 (+4, a miss). A cell per
    lane; Balanced enemies attack at d20 + 6, Strong ones ([4,4,2,2,4]) at d20 + 8, against the
    attacker's Avoidance 16, for 3d6 + 6 (+8) + 4 on a natural 20 - 11. Turn 1:
    Lane 0: Balanced (100, 100): enemy 0's 10 hits (16) for (1,1,2) 4 + 6 - 11 = 0; enemy 1's 20 hits,
      3 + 6 + 4 - 11 = 2: 98; vengeful next turn, not careful nor untouchable.
    Lane 1: Strong (100,): 9 hits (17) for 4 + 8 - 11 = 1: 99. The die scripted for a second enemy
      is not read: there is none.
    Lane 2: Balanced (1, 100): the lane's careful strike (d20 10, 24) defeats enemy 0; one enemy
      stands and misses (5): 100, untouchable and careful; the second die (a 20) is not read.
    Lane 3: Strong (100, 100, 100): enemy 0's 20 hits for 3 + 8 + 4 - 11 = 4, enemy 1's 5 misses
      (13): 96, vengeful only.
    Lane 4: Balanced (100, 100): enemy 0 hits for 0, enemy 1 misses: vengeful and careful.
    Lane 5: Balanced (100, 100): enemy 0's 20 hits for 2, enemy 1 hits for 0: 98, vengeful only.
    Turn 2: every enemy 0 misses; lane 0's enemy 1 hits with a 20 for 2 (96): vengeful only; the
    others were attacked and missed: untouchable and careful."""
    cells = [((100, 100), BALANCED), ((100,), STRONG), ((1, 100), BALANCED), ((100, 100, 100), STRONG),
             ((100, 100), BALANCED), ((100, 100), BALANCED)]
    b = Batch(["ranged [vengeful]", "ranged [untouchable]", "ranged [careful]"], cells, range(6), [[0, 1, 2]] * 6)
    b.step([dice(retaliation(0, 10, (1, 1, 2)), retaliation(1, 20)),
            dice(retaliation(0, 9, (1, 1, 2)), retaliation(1, 20)),
            dice(atk(0, 10), retaliation(0, 5), retaliation(1, 20)),
            dice(retaliation(0, 20), retaliation(1, 5)),
            dice(retaliation(0, 10, (1, 1, 2)), retaliation(1, 5)),
            dice(retaliation(0, 20), retaliation(1, 10, (1, 1, 2)))], choice=[2] * 6)
    assert b.hp([2, 1, 2, 3, 2, 2]) == [[100, 100], [100], [0, 100], [100, 100, 100], [100, 100], [100, 100]]
    assert b.st.att_hp.tolist() == [98, 99, 100, 96, 100, 98]
    assert b.usable() == [[True, False, False], [True, False, False], [False, True, True], [True, False, False],
                          [True, False, True], [True, False, False]]
    b.step([retaliation(1, 20)] + [{}] * 5, choice=[0] * 6)
    assert b.st.att_hp.tolist() == [96, 99, 100, 96, 100, 98]
    assert b.usable() == [[True, False, False]] + [[False, True, True]] * 5


def test_retaliation_damage_per_enemy_tier_and_its_explosion_rounds_per_lane():
    """A cell per lane. Lanes whose attacks read no retaliation (ranged) get none, and lanes that read
    only whether they were hit (vengeful) take no damage: their attacker stays at 100 HP.
    Lane 2: enemies [2,2,2,2,5] (accuracy and damage 7, tier 5): a natural 20 hits for (1,1,1)
    3 + 7 + 5 - 11 = 4: 96. Lane 3: enemies [2,2,2,2,3] (5, tier 3): a natural 20 with 6s exploding
    for three rounds, the third read from the lane's own explosion die (5): 8 + 6 + 6 + 5 = 25,
    25 + 5 + 3 - 11 = 22: 78."""
    from balance_rules.vitality.kernel_dice import RETALIATION, RETALIATION_EXPLODE, encode, slot

    cells = [((100,), BALANCED), ((100,), BALANCED), ((100,), (2, 2, 2, 2, 5)), ((100,), (2, 2, 2, 2, 3))]
    b = Batch(["ranged", "ranged [vengeful]", "ranged [careful]"], cells, range(4), [[0], [1], [2], [2]])
    boom = {slot(RETALIATION, 0): encode(20, (6, 1, 1), (6, 1, 1), (6, 1, 1)),
            slot(RETALIATION_EXPLODE, 0, 3): encode(1, (5, 1, 1))}
    b.step([retaliation(0, 20), retaliation(0, 20), retaliation(0, 20), boom], fallback=[False, True, False, False])
    assert b.st.att_hp.tolist() == [100, 100, 96, 78]
    assert b.usable() == [[True], [True], [False], [False]]


def test_follow_ups_of_single_target_lanes_after_an_area_lane_strike_their_own_target():
    """One cell: Balanced, (5, 20, 20). Lane 0 (area) misses both turns. melee_ac + double_tap
    (accuracy 10, damage 6, crit on 15-20). Turn 1: lane 1 defeats enemy 0 (d20 10, (4,4,4):
    12 + 6 - 11 = 7); lane 2 misses. Turn 2: lane 1's crit (15, (5,5,5): 15 + 6 + 4 - 11 = 14) at
    enemy 1, its first standing enemy, and the repeat at the same enemy (10, (3,3,3): 4); lane 2's
    crit defeats enemy 0, and its repeat does not happen (the target fell)."""
    b = Batch(["area", "melee_ac + double_tap"], [((5, 20, 20), BALANCED)], [0, 0, 0], [[0], [1], [1]])
    b.step([{}, atk(0, 10, (4, 4, 4)), {}])
    repeat = atk(1, 10, (3, 3, 3))
    b.step([{}, dice(atk(0, 15, (5, 5, 5)), repeat), dice(atk(0, 15, (5, 5, 5)), repeat)])
    assert b.hp([3] * 3) == [[5, 20, 20], [0, 2, 20], [0, 20, 20]]


def test_area_combo_move_reads_each_lanes_own_standing_enemies():
    """Two slots per lane: area [combo_move] and area (accuracy and damage 2: a d20 of 14 hits,
    (5,5,5) 6); one cell, enemies (30, 6). Turn 1 both lanes swing the plain area: lane 0 hits only
    enemy 1, which falls; lane 1 hits only enemy 0 (24 left). combo_move next turn: not for lane 0
    (the enemy it hit is down), for lane 1 (it hit a standing enemy)."""
    b = Batch(["area [combo_move]", "area"], [((30, 6), BALANCED)], [0, 0], [[0, 1], [0, 1]])
    assert b.usable() == [[False, True], [False, True]]
    b.step([dice(atk(0, 1, (5, 5, 5)), atk(0, 14, target=1)), dice(atk(0, 14, (5, 5, 5)), atk(0, 1, target=1))],
           choice=[1, 1])
    assert b.hp([2, 2]) == [[30, 0], [24, 6]]
    assert b.usable() == [[False, True], [True, True]]


# -- features of the batch after compaction and refilling -------------------------------------------

def test_the_basic_attack_of_a_high_impact_build_rolls_its_dice():
    """ranged + high_impact [patient] is not usable before turn 4: the basic ranged attack rolls 3d6
    (d20 15 hits; (3,3,3): 9 + 6 - 11 = 4), not high_impact's flat 15 (10). On turn 4 the build
    fires: patient +4 to both rolls, 15 + 6 + 4 - 11 = 14, whatever the dice."""
    b = Batch(["ranged + high_impact [patient]"], [((100,), BALANCED)], [0], [[0]])
    assert b.usable() == [[False]]
    for _ in range(3):
        b.step([atk(0, 15, (3, 3, 3))], fallback=[True])
    assert b.usable() == [[True]]
    b.step([atk(0, 15, (3, 3, 3))])
    assert b.hp([1]) == [[74]]


def test_lanes_kept_by_compaction_play_on_with_their_own_features():
    """ranged + channeled and plain ranged, one enemy of 200 HP, every d20 a 20 with (5,5,5)
    (see test_channeled_counts_per_lane_and_per_slot): channeled misses on turn 1, plain ranged
    deals 14. Compacted to the plain lane, it deals 14 again (no channeled bonus left over);
    compacted to the channeled lane, its count goes on: n = 1, 6."""
    crit = atk(0, 20, (5, 5, 5))
    for keep, after in (([1], [172]), ([0], [194])):
        b = Batch(["ranged + channeled", "ranged"], [((200,), BALANCED)], [0, 0], [[0], [1]])
        b.step([crit, crit])
        b.st = b.kernel.compact(b.st, np.array(keep))
        b.n = 1
        b.step([crit])
        assert b.hp([1]) == [after]


def test_a_batch_without_a_policy_view_is_refilled_and_plays_on():
    """merge before any policy view was asked for: direct_damage (11 + 6 - 11 = 6 a turn) and a fresh
    lane of direct_damage + bleed (2 a turn, and each 2 again at the end of the next turn)."""
    b = Batch(["direct_damage", "direct_damage + bleed"], [((30,), BALANCED)], [0], [[0]])
    b.step([{}])
    fresh = b.kernel.start(b.table, b.st.cells, np.zeros(1, dtype=np.intp), np.array([[1]]))
    b.st = b.kernel.merge(b.st, fresh)
    b.n = 2
    b.step([{}, {}])
    b.step([{}, {}])
    assert b.hp([1, 1]) == [[12], [24]]
