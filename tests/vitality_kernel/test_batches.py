"""Several lanes in one batch, each with its own attack, dice and (in the second half) its own cell:
every lane must play exactly the turn it plays alone.

The engine plays thousands of lanes at once, and the kernel works on lane subsets (the lanes that
fire, the area lanes, the lanes with reliable_accuracy or a pending follow-up); a subset mixed up
with "every lane" (or another lane's dice) goes unseen in the one-lane tests of the other files.
Here each lane gets different dice, so reading another lane's die or writing another lane's enemy
changes a number. Every expected HP is worked from docs/vitality-rules.md by hand, with the numbers
of scripted.py: attacker [2,2,2,2,4] (T = 4, accuracy and damage bonus 6); Balanced Avoidance 16,
Durability 11; Tanky 14 / 13 (9 for armor_piercing); Evasive 18 / 9.
"""

from __future__ import annotations

import numpy as np
import pytest

from balance.builds import parse_build
from balance.engine import FixedDice
from balance.grid import Buff, Cell, Profile, Scenario
from balance_rules.vitality.kernel import VitalityKernel

from .scripted import BALANCED, EVASIVE, MISS, TANKY, adv, atk, dice, explode


def play(lanes, turns=1):
    """``lanes``: (build, hp, profile, buff, scripts) per lane, ``scripts`` one dice dict per turn.
    Every lane in one batch (one cell when all lanes share hp, profile and buff; else a cell per
    lane); returns each lane's enemies' HP after each turn, as [turn][lane]."""
    builds = sorted({lane[0] for lane in lanes})
    kernel = VitalityKernel()
    table = kernel.compile([parse_build(b) for b in builds], (2, 2, 2, 2, 4))
    n = len(lanes)
    keys = [(hp, profile, buff) for _, hp, profile, buff, _ in lanes]
    if len(set(keys)) == 1:
        hp, profile, buff = keys[0]
        cells = [Cell(0, Profile("p", profile), buff, Scenario("s", hp))]
        lane_cells = np.zeros(n, dtype=np.intp)
    else:
        cells = [Cell(i, Profile(f"p{i}", profile), buff, Scenario(f"s{i}", hp))
                 for i, (hp, profile, buff) in enumerate(keys)]
        lane_cells = np.arange(n)
    slots = np.array([[builds.index(lane[0])] for lane in lanes], dtype=np.intp)
    st = kernel.start(table, cells, lane_cells, slots)
    out = []
    for turn in range(1, turns + 1):
        scripts = [lane[4][turn - 1] if turn <= len(lane[4]) else {} for lane in lanes]
        keys = sorted({k for s in scripts for k in s})
        values = {k: np.array([s.get(k, MISS) for s in scripts], dtype=np.uint64) for k in keys}
        d = FixedDice(n, values, default=MISS)
        u = kernel.usable(st, turn)
        fb = np.zeros(n, dtype=bool) if u is None else ~u[:, 0]
        kernel.act(st, np.zeros(n, dtype=np.int64), fb, d, turn)
        kernel.end_turn(st, d, turn)
        out.append([row[: len(lane[1])] for row, lane in zip(st.hp.tolist(), lanes)])
    return out


def area_dice(s, d20s, d6s=(1, 1, 1)):
    return dice(atk(s, d20s[0], d6s), *(atk(s, r, target=j) for j, r in enumerate(d20s) if j))


# -- one cell: Balanced, three enemies at 30 HP, no buff ----------------------------------------------
ONE_CELL = [
    # d20 10 + 6 = 16 hits: 9 + 6 - 11 = 4
    ("ranged", [atk(0, 10, (3, 3, 3))], [26, 30, 30]),
    # area (accuracy and damage 2), one damage roll (5,5,5): 15 + 2 - 11 = 6; target 1 crits (+T),
    # target 2 misses (13 + 2 = 15)
    ("area", [area_dice(0, (14, 20, 13), (5, 5, 5))], [24, 20, 30]),
    # reliable_accuracy: accuracy 3; the kept 20 hits and crits: 9 + 6 + 4 - 11 = 8
    ("ranged + reliable_accuracy", [dice(atk(0, 2, (3, 3, 3)), adv(0, 20))], [22, 30, 30]),
    # the same build whose advantage die is low: 12 + 3 = 15 misses
    ("ranged + reliable_accuracy", [dice(atk(0, 12, (6, 6, 6)), adv(0, 1))], [30, 30, 30]),
    # high_impact: a flat 15 whatever the dice: 15 + 6 - 11 = 10
    ("ranged + high_impact", [atk(0, 10, (1, 1, 1))], [20, 30, 30]),
    # critical_effect (damage 3): (5,5,5) explode into (2,2,2): 21 + 3 - 11 = 13
    ("ranged + critical_effect", [atk(0, 15, (5, 5, 5), (2, 2, 2))], [17, 30, 30]),
    # plain ranged on its own dice: 9 + 6 = 15 misses
    ("ranged", [atk(0, 9, (6, 6, 6))], [30, 30, 30]),
    # explosive_critical (accuracy 2, damage -2): 16 + 2 = 18 hits and crits: 15 - 2 + 4 = 17
    # before Durability, 6 to the target and to every other standing enemy
    ("melee_ac + explosive_critical", [atk(0, 16, (5, 5, 5))], [24, 24, 24]),
    # area + reliable_accuracy (accuracy -1): target 0 keeps its advantage 20 (crit), target 1
    # keeps 17 (hits), target 2 keeps 16 (misses); (5,5,5): 15 + 2 - 11 = 6, crit 10
    ("area + reliable_accuracy", [dice(area_dice(0, (2, 17, 16), (5, 5, 5)), adv(0, 20, 0), adv(0, 1, 1), adv(0, 16, 2))],
     [20, 24, 30]),
    # area + critical_effect (damage -1): (5,5,5) + (2,2,2) = 21 + 2 - 3 - 11 = 9 to the two hit
    ("area + critical_effect", [dice(atk(0, 15, (5, 5, 5), (2, 2, 2)), atk(0, 15, target=1))], [21, 21, 30]),
    # channeled on turn 1: -3T to both rolls: 20 + 6 - 12 = 14 misses
    ("ranged + channeled", [atk(0, 20, (6, 6, 6))], [30, 30, 30]),
    # area + high_impact: 15 + 2 - 11 = 6 to target 2 only
    ("area + high_impact", [area_dice(0, (1, 1, 15), (6, 6, 6))], [30, 30, 24]),
    # area, a roll exploding for three rounds: 6 + 1 + 1, +6, +6, +2 (the third round's first die)
    # = 22: 22 + 2 - 11 = 13 to the two targets hit (15 + 2); target 2 misses
    ("area", [dice(atk(0, 15, (6, 1, 1), (6, 4, 4), (6, 5, 5)), explode(0, 3, (2, 6, 6)), atk(0, 15, target=1))],
     [17, 17, 30]),
    # the same on a single target: 22 + 6 - 11 = 17
    ("ranged", [dice(atk(0, 15, (6, 1, 1), (6, 4, 4), (6, 5, 5)), explode(0, 3, (2, 6, 6)))], [13, 30, 30]),
]


def test_lanes_of_one_cell_each_play_their_own_attack_and_dice():
    got = play([(build, (30, 30, 30), BALANCED, Buff("none"), scripts) for build, scripts, _ in ONE_CELL])
    assert got == [[expected for _, _, expected in ONE_CELL]]


def test_single_target_lanes_of_one_cell_without_an_area_lane():
    # Every lane fires a single-target attack: the kernel strikes all lanes at once.
    single = [lane for lane in ONE_CELL if not lane[0].startswith("area")]
    got = play([(build, (30, 30, 30), BALANCED, Buff("none"), scripts) for build, scripts, _ in single])
    assert got == [[expected for _, _, expected in single]]


# -- a cell per lane -------------------------------------------------------------------------------
CELLS = [
    # Tanky (Avoidance 14, Durability 13), armor_piercing: accuracy 5, 9 + 5 = 14 hits;
    # Durability 9: 9 + 6 - 9 = 6
    ("ranged + armor_piercing", (20, 20), TANKY, Buff("none"), [atk(0, 9, (3, 3, 3))], [14, 20]),
    # Tanky with buff durability 2, armor_piercing: Durability 9 + 2 = 11; 15 + 6 - 11 = 10
    ("ranged + armor_piercing", (100,), TANKY, Buff("b", durability=2), [atk(0, 15, (5, 5, 5))], [90]),
    # the same build at a 25-HP enemy: no slayer, 12 misses
    ("ranged + minion_slayer", (25, 10), BALANCED, Buff("none"), [atk(0, 6, (3, 3, 3))], [25, 10]),
    # area with minion_slayer against (10, 25): the minion +T: 10 + 2 + 4 = 16 hits, 10 + 2 + 4 - 11 = 5;
    # the captain: 15 + 2 = 17 hits, (3,3,4) 10 + 2 - 11 = 1
    ("area + minion_slayer", (10, 25), BALANCED, Buff("none"), [area_dice(0, (10, 15), (3, 3, 4))], [5, 24]),
    # Evasive (18 / 9), explosive_critical with minion_slayer: main strike at the minion 15 + 2 + 4 = 21
    # crits: 9 - 2 + 4 + 4 - 9 = 6; the splash: the other minion (21 hits, 6), the captain (17 misses)
    ("melee_ac + explosive_critical, minion_slayer", (10, 25, 10), EVASIVE, Buff("none"), [atk(0, 15, (3, 3, 3))],
     [4, 25, 4]),
    # Balanced with buff damage 20, brutal: 9 + 6 + 20 = 35 > 11 + 20: +2 -> 37 - 11 = 26
    ("ranged + brutal", (100,), BALANCED, Buff("b", damage=20), [atk(0, 15, (3, 3, 3))], [74]),
    # buff accuracy 3, overhit: 19 + 9 = 28, margin 12 = 3T: +6 -> 9 + 6 + 6 - 11 = 10
    ("ranged + overhit", (100,), BALANCED, Buff("b", accuracy=3), [atk(0, 19, (3, 3, 3))], [90]),
    # (here, just before the culling lanes: a culling check that read this lane's max HP, 10,
    # would spare the next lane's enemy) Balanced, minion_slayer (+T) at the 10-HP enemy: 6 + 6 + 4 = 16 hits; 9 + 6 + 4 - 11 = 8
    ("ranged + minion_slayer", (10, 25), BALANCED, Buff("none"), [atk(0, 6, (3, 3, 3))], [2, 25]),
    # culling_strike, buff damage 37: 9 + 6 + 37 - 11 = 41: 50 -> 9 < 10: defeated
    ("ranged + culling_strike", (50,), BALANCED, Buff("b", damage=37), [atk(0, 15, (3, 3, 3))], [0]),
    # the same with a 60-HP enemy: 60 -> 19, not below 12
    ("ranged + culling_strike", (60,), BALANCED, Buff("b", damage=37), [atk(0, 15, (3, 3, 3))], [19]),
    # finishing_blow_1: 9 + 6 - 11 = 4: 10 -> 6 stands; (3,3,4): 5 -> 5 is finished
    ("ranged + finishing_blow_1", (10,), BALANCED, Buff("none"), [atk(0, 15, (3, 3, 3))], [6]),
    ("ranged + finishing_blow_1", (10, 10), BALANCED, Buff("none"), [atk(0, 15, (3, 3, 4))], [0, 10]),
    # area with a buff of avoidance 2 (18): 16 + 2 hits, a 15 misses; (5,5,5): 6
    ("area", (30, 30), BALANCED, Buff("b", avoidance=2), [area_dice(0, (16, 15), (5, 5, 5))], [24, 30]),
    # direct_area_damage: 7 + 6 - 11 = 2 to every standing enemy
    ("direct_area_damage", (4, 30, 30), BALANCED, Buff("none"), [{}], [2, 28, 28]),
    # area + finishing_blow_1: (5,5,4) = 14: 5 per hit; 10 -> 5 is finished, 20 -> 15 is not
    ("area + finishing_blow_1", (10, 20), BALANCED, Buff("none"), [area_dice(0, (15, 15), (5, 5, 4))], [0, 15]),
    # area + brutal, buff damage 20: 15 + 2 + 20 = 37 > 31: +3 -> 29; the crit 41: +5 -> 35
    ("area + brutal", (100, 100), BALANCED, Buff("b", damage=20), [area_dice(0, (15, 20), (5, 5, 5))], [71, 65]),
    # area + overhit, buff accuracy 8: margins 12 (+6) and 11 (nothing); (4,4,4): 3
    ("area + overhit", (100, 100), BALANCED, Buff("b", accuracy=8), [area_dice(0, (18, 17), (4, 4, 4))], [91, 97]),
    # area + armor_piercing on Tanky: accuracy 1 hits 14 on 13; Durability 9: 9 + 2 - 9 = 2
    ("area + armor_piercing", (20, 20), TANKY, Buff("none"), [area_dice(0, (13, 12), (3, 3, 3))], [18, 20]),
]


def test_lanes_of_different_cells_each_play_their_own_cell():
    got = play([lane[:5] for lane in CELLS])
    assert got == [[lane[5] for lane in CELLS]]


def test_bleed_of_each_lane_lands_on_its_own_enemies():
    # bleed: damage 6 - 4 = 2. Lane 0: (5,5,5) -> 15 + 2 - 11 = 6, again at the end of turn 2.
    # Lane 1 (area + bleed, buff damage 5): 15 + 2 - 4 + 5 - 11 = 7 and the crit 11; a miss on target 2.
    # Lane 2 misses on turn 1 and hits on turn 2: (6,5,5), the 6 explodes into a 1: 17 + 2 - 11 = 8.
    lanes = [
        ("ranged + bleed", (30, 30, 30), BALANCED, Buff("none"), [atk(0, 15, (5, 5, 5)), {}]),
        ("area + bleed", (30, 30, 30), BALANCED, Buff("b", damage=5), [area_dice(0, (20, 15, 1), (5, 5, 5)), {}]),
        ("ranged + bleed", (30, 30, 30), BALANCED, Buff("none"), [{}, atk(0, 15, (6, 5, 5), (1, 1, 1))]),
    ]
    assert play(lanes, turns=2) == [
        [[24, 30, 30], [19, 23, 30], [30, 30, 30]],
        [[18, 30, 30], [8, 16, 30], [22, 30, 30]],
    ]


def test_follow_ups_of_each_lane_read_their_own_dice():
    # One cell: Balanced, (20, 20, 20). Lane 0: melee_ac + ricochet (accuracy 10, damage 6): d20 15
    # crits, (5,5,5) -> 15 + 6 + 4 - 11 = 14; ricochets at enemies 1 and 2 with d20 10 (hit, (3,3,3) -> 4)
    # and d20 5 (miss). Lane 1: melee_ac + double_tap: crit 14, the repeat hits without a crit: 4.
    # Lane 2: melee_ac + barrage (accuracy 2, damage -2): 20 crits, (5,5,5): 15 - 2 + 4 - 11 = 6;
    # the barrage strikes: 14 + 2 = 16 hits without a crit, 15 - 2 - 11 = 2; 13 misses.
    # Lane 3: melee_dg + splinter (accuracy -2, damage 2): natural 20 (5,5,5) -> 15 + 2 + 4 - 11 = 10
    # does not defeat a 20-HP enemy: no splinter.
    lanes = [
        ("melee_ac + ricochet", [dice(atk(0, 15, (5, 5, 5)), atk(1, 10, (3, 3, 3)), atk(2, 5, (6, 6, 6)))], [6, 16, 20]),
        ("melee_ac + double_tap", [dice(atk(0, 15, (5, 5, 5)), atk(1, 10, (3, 3, 3)))], [2, 20, 20]),
        ("melee_ac + barrage", [dice(atk(0, 20, (5, 5, 5)), atk(1, 14, (5, 5, 5)), atk(2, 13, (6, 6, 6)))],
         [12, 20, 20]),
        ("melee_dg + splinter", [dice(*(atk(s, 20, (5, 5, 5)) for s in range(3)))], [10, 20, 20]),
        # Lane 4: melee_ac + reliable_accuracy, double_tap (accuracy 7): the kept 15 crits, 8; the
        # repeat keeps its advantage die 18 (25, a crit): 8 more
        ("melee_ac + reliable_accuracy, double_tap", [dice(atk(0, 15, (3, 3, 3)), adv(0, 1), atk(1, 2, (3, 3, 3)), adv(1, 18))],
         [4, 20, 20]),
        # Lane 5: melee_ac + barrage whose main strike misses (d20 1): the barrage strikes still
        # follow, 14 + 2 = 16 hits for 15 - 2 - 11 = 2, then a miss
        ("melee_ac + barrage", [atk(1, 14, (5, 5, 5))], [18, 20, 20]),
        # Lane 6: an area attack in the same batch (accuracy and damage 2): 6 to enemy 0 only
        ("area", [area_dice(0, (14, 1, 1), (5, 5, 5))], [14, 20, 20]),
    ]
    got = play([(b, (20, 20, 20), BALANCED, Buff("none"), s) for b, s, _ in lanes])
    assert got == [[e for _, _, e in lanes]]


def play_limits(lanes, hp, turns):
    """Lanes with one attack each in one cell (Balanced, enemies ``hp``); ``lanes`` maps a build to
    its dice per turn. Returns per turn: (each lane's usable flag before the turn, each lane's
    enemy HP after it)."""
    builds = list(lanes)
    kernel = VitalityKernel()
    table = kernel.compile([parse_build(b) for b in builds], (2, 2, 2, 2, 4))
    n = len(builds)
    st = kernel.start(table, [Cell(0, Profile("p", BALANCED), Buff("none"), Scenario("s", hp))],
                      np.zeros(n, dtype=np.intp), np.arange(n)[:, None])
    out = []
    for turn in range(1, turns + 1):
        scripts = [s[turn - 1] if turn <= len(s) else {} for s in lanes.values()]
        values = {k: np.array([s.get(k, MISS) for s in scripts], dtype=np.uint64) for k in {k for s in scripts for k in s}}
        d = FixedDice(n, values, default=MISS)
        u = kernel.usable(st, turn)[:, 0]
        kernel.act(st, np.zeros(n, dtype=np.int64), ~u, d, turn)
        kernel.end_turn(st, d, turn)
        out.append((u.tolist(), st.hp.tolist()))
    return out


def test_limits_of_each_lane_follow_its_own_turns():
    """Unscripted dice read d20 = 1 and (1,1,1): the basic ranged attack (1 + 6) misses, while a
    limit's bonus ×T to both rolls can make the same die hit: quickdraw +16 (23 hits, 3 + 6 + 16 - 11
    = 14), cooldown +12 (19 hits, 10), charges_1 +24 (22), patient +4 (11 misses). charge_up (+12)
    charges on turn 1 and fires on turn 2 (10), and so on. unreliable_1 (+4) wastes turn 1 (its d20 4)
    and fires on turn 2 (d20 5): d20 10 + 10 hits, (3,3,3) 9 + 6 + 4 - 11 = 8."""
    from balance_rules.vitality.kernel_dice import UNRELIABLE, encode, slot

    def unrel(v):
        return {slot(UNRELIABLE): encode(v)}

    lanes = {
        "ranged [quickdraw]": [],
        "ranged [patient]": [],
        "ranged [cooldown]": [],
        "ranged [charges_1]": [],
        "ranged [finale]": [],
        "ranged [charge_up]": [],
        "ranged [unreliable_1]": [unrel(4), dice(unrel(5), atk(0, 10, (3, 3, 3))), unrel(1)],
    }
    got = play_limits(lanes, (100,), 5)
    T, F = True, False
    assert [u for u, _ in got] == [
        [T, F, T, T, F, T, T],
        [T, F, F, F, F, T, T],
        [F, F, F, F, F, T, T],
        [F, T, F, F, F, T, T],
        [F, T, T, F, F, T, T],
    ]
    assert [[row[0] for row in hp] for _, hp in got] == [
        [86, 100, 90, 78, 100, 100, 100],
        [72, 100, 90, 78, 100, 90, 92],
        [72, 100, 90, 78, 100, 90, 92],
        [72, 100, 90, 78, 100, 80, 92],
        [72, 100, 80, 78, 100, 80, 92],
    ]


def test_splashes_of_several_lanes_count_for_their_own_lane():
    """melee_ac + explosive_critical (accuracy 2, damage -2), a d20 of 20 crits (+T); each lane's
    second attack has a limit read next turn. A cell per lane:
    A: Balanced, buff damage 10, (10, 10, 30): (5,5,5) 15 - 2 + 10 + 4 = 27 - 11 = 16 to each: the
       main strike and the splash each defeat one; one enemy stands; slaughter usable.
    B: Evasive (18 / 9), buff damage 10, (10, 30): 27 - 9 = 18; 22 meets 18: 30 -> 12; slaughter usable.
    C: Balanced, buff damage 10, (100, 100, 100): 16 to each, no defeat: slaughter not usable.
    D: Balanced, no buff, (30, 30): (1,1,1) 3 - 2 + 4 = 5, below Durability: the crit and its splash
       hit for 0; relentless (dealt damage last turn) not usable.
    Every lane's combo_move is usable: its next target was hit."""
    splasher = "melee_ac + explosive_critical"
    builds = [splasher, "melee_ac [slaughter]", "melee_ac [relentless]", "melee_ac [combo_move]"]
    b10 = Buff("b", damage=10)
    lanes = [((10, 10, 30), BALANCED, b10, 1, (5, 5, 5)), ((10, 30), EVASIVE, b10, 1, (5, 5, 5)),
             ((100, 100, 100), BALANCED, b10, 1, (5, 5, 5)), ((30, 30), BALANCED, Buff("none"), 2, (1, 1, 1))]
    kernel = VitalityKernel()
    table = kernel.compile([parse_build(b) for b in builds], (2, 2, 2, 2, 4))
    cells = [Cell(i, Profile(f"p{i}", prof), buff, Scenario(f"s{i}", hp)) for i, (hp, prof, buff, _, _) in enumerate(lanes)]
    st = kernel.start(table, cells, np.arange(4), np.array([[0, lane[3], 3] for lane in lanes]))
    from balance_rules.vitality.kernel_dice import ATTACK, encode, slot

    d = FixedDice(4, {slot(ATTACK, 0, 0): np.array([encode(20, lane[4]) for lane in lanes], dtype=np.uint64)},
                  default=MISS)
    kernel.act(st, np.zeros(4, dtype=np.int64), np.zeros(4, dtype=bool), d, 1)
    done = kernel.end_turn(st, d, 1)
    assert [row[: len(lane[0])] for row, lane in zip(st.hp.tolist(), lanes)] == [
        [0, 0, 14], [0, 12], [84, 84, 84], [30, 30]]
    assert done.tolist() == [False] * 4
    assert kernel.usable(st, 2)[:, 1].tolist() == [True, True, False, False]
    # combo_move: each lane's next target (A: enemy 2, B: 1, C and D: 0) was hit, by the splash or
    # the main strike (D's for 0 damage)
    assert kernel.usable(st, 2)[:, 2].tolist() == [True] * 4


def test_a_splash_past_a_fallen_enemy_defeats_no_one_more():
    # A splash that defeats the last standing enemy wins; one that defeats no one does not, however
    # many enemies fell before it. melee_ac + explosive_critical, buff damage 10: 16 per strike.
    kernel = VitalityKernel()
    table = kernel.compile([parse_build("melee_ac + explosive_critical")], (2, 2, 2, 2, 4))
    st = kernel.start(table, [Cell(0, Profile("p", BALANCED), Buff("b", damage=10), Scenario("s", (10, 100, 100)))],
                      np.zeros(1, dtype=np.intp), np.zeros((1, 1), dtype=np.intp))
    from balance_rules.vitality.kernel_dice import ATTACK, encode, slot

    won = []
    for turn in (1, 2):  # turn 1: enemy 0 falls, 84 to the others; turn 2: 16 more to each
        d = FixedDice(1, {slot(ATTACK, 0, 0): encode(20, (5, 5, 5))}, default=MISS)
        kernel.act(st, np.zeros(1, dtype=np.int64), np.zeros(1, dtype=bool), d, turn)
        won.append(bool(kernel.end_turn(st, d, turn)[0]))
    assert st.hp.tolist() == [[0, 68, 68]] and won == [False, False]


def test_area_swings_of_several_lanes_count_for_their_own_lane():
    """One cell (Balanced, enemies at 6 and 6 HP), four slots per lane; each lane fires its area
    attack (accuracy and damage 2; (5,5,5): 15 + 2 - 11 = 6, a d20 of 14 hits). A hits both enemies
    and wins; B hits enemy 1 only (it falls); C misses both. Next turn for B: slaughter and relentless
    usable, combo_move not (its target, enemy 0, was not hit); for C none of them."""
    builds = ["area", "melee_ac [slaughter]", "melee_ac [relentless]", "melee_ac [combo_move]"]
    kernel = VitalityKernel()
    table = kernel.compile([parse_build(b) for b in builds], (2, 2, 2, 2, 4))
    st = kernel.start(table, [Cell(0, Profile("p", BALANCED), Buff("none"), Scenario("s", (6, 6)))],
                      np.zeros(3, dtype=np.intp), np.tile(np.arange(4), (3, 1)))
    from balance_rules.vitality.kernel_dice import ATTACK, encode, slot

    d20s = [(14, 14), (1, 14), (1, 1)]
    d = FixedDice(3, {slot(ATTACK, 0, j): np.array([encode(r[j], (5, 5, 5)) for r in d20s], dtype=np.uint64)
                      for j in range(2)}, default=MISS)
    kernel.act(st, np.zeros(3, dtype=np.int64), np.zeros(3, dtype=bool), d, 1)
    done = kernel.end_turn(st, d, 1)
    assert st.hp.tolist() == [[0, 0], [6, 0], [6, 6]] and done.tolist() == [True, False, False]
    assert kernel.usable(st, 2)[1:, 1:].tolist() == [[True, True, False], [False, False, False]]


def test_retaliation_of_each_lane_reads_its_own_dice():
    """Only lanes whose limits read the enemy's attacks get retaliation (here lanes 1 and 2); the
    enemy (Balanced, accuracy 6) hits the attacker's Avoidance 16 with a 20 and deals (1,1,1)
    3 + 6 + 4 (natural 20) - 11 = 2. vengeful (hit since the last turn) becomes usable, careful
    (no damage taken) stops being usable; a lane whose die misses keeps careful."""
    from .scripted import retaliation

    lanes = {
        "ranged": [retaliation(0, 20)],
        "ranged [vengeful]": [retaliation(0, 20)],
        "ranged [careful]": [retaliation(0, 20)],
        "melee_ac [careful]": [retaliation(0, 9)],
    }
    got = play_limits(lanes, (100,), 2)
    assert [u for u, _ in got] == [[True, False, True, True], [True, True, False, True]]


def test_a_batch_refilled_with_fresh_lanes_plays_on():
    """The engine refills a batch with fresh lanes (``merge``) and the merged lanes play on, each
    its own combat. direct_damage: 11 + 6 - 11 = 6 a turn; direct_damage + bleed (damage -T): 2 a
    turn, and each hit's 2 again at the end of the next turn. The policy view after the merge has
    the fresh lane's attack too (direct_damage + bleed: 2; the view does not count bleed)."""
    kernel = VitalityKernel()
    table = kernel.compile([parse_build("direct_damage"), parse_build("direct_damage + bleed")], (2, 2, 2, 2, 4))
    cell = [Cell(0, Profile("p", BALANCED), Buff("none"), Scenario("s", (30,)))]

    def fresh(row):
        return kernel.start(table, cell, np.zeros(1, dtype=np.intp), np.array([[row]]))

    def turn(st, t):
        d = FixedDice(st.n, {}, default=MISS)
        kernel.act(st, np.zeros(st.n, dtype=np.int64), np.zeros(st.n, dtype=bool), d, t)
        kernel.end_turn(st, d, t)
        return st.hp[:, 0].tolist()

    empty = kernel.compact(fresh(0), np.array([], dtype=np.intp))
    assert kernel.merge(empty, fresh(1)).n == 1
    st = fresh(0)
    assert kernel.policy_view(st, 1, False).expected.tolist() == [[pytest.approx(6.0)]]
    assert turn(st, 1) == [24]
    st = kernel.merge(st, fresh(1))
    assert np.allclose(kernel.policy_view(st, 2, False).expected, [[6.0], [2.0]], rtol=0, atol=1e-9)
    assert turn(st, 2) == [18, 28]
    assert turn(st, 3) == [12, 24]


def test_each_lane_fires_the_slot_it_chose():
    """Two slots per lane, different per lane, each lane choosing its own (one cell: Balanced,
    30/30/30). Lane 0 [ranged, area] picks area: (14, 14, 1) with (5,5,5): 6 to enemies 0 and 1.
    Lane 1 [area, ranged + high_impact] picks high_impact: d20 10 hits, 15 + 6 - 11 = 10.
    Lane 2 [ranged + high_impact, ranged] picks high_impact: d20 9 misses."""
    from balance_rules.vitality.kernel_dice import ATTACK, encode, slot

    kernel = VitalityKernel()
    table = kernel.compile([parse_build(b) for b in ("ranged", "area", "ranged + high_impact")], (2, 2, 2, 2, 4))
    st = kernel.start(table, [Cell(0, Profile("p", BALANCED), Buff("none"), Scenario("s", (30, 30, 30)))],
                      np.zeros(3, dtype=np.intp), np.array([[0, 1], [1, 2], [2, 0]]))
    d20s = [(14, 14, 1), (10, 1, 1), (9, 1, 1)]
    d = FixedDice(3, {slot(ATTACK, 0, j): np.array([encode(r[j], (5, 5, 5)) for r in d20s], dtype=np.uint64)
                      for j in range(3)}, default=MISS)
    kernel.act(st, np.array([1, 1, 0]), np.zeros(3, dtype=bool), d, 1)
    assert st.hp.tolist() == [[24, 24, 30], [20, 30, 30], [30, 30, 30]]


def test_retaliation_uses_each_lanes_own_enemy_profile():
    """Cells with different enemies: A's [2,2,2,2,4] attack at 9 + 6 = 15 (misses the attacker's
    Avoidance 16); B's [4,4,2,2,4] at 9 + 8 = 17 (hits) for (1,1,2) 4 + 8 - 11 = 1. careful (no
    damage taken) stays usable in A and not in B; the plain lane of A gets no retaliation."""
    from balance_rules.vitality.kernel_dice import RETALIATION, encode, slot

    kernel = VitalityKernel()
    table = kernel.compile([parse_build("ranged [careful]"), parse_build("ranged")], (2, 2, 2, 2, 4))
    cells = [Cell(0, Profile("a", (2, 2, 2, 2, 4)), Buff("none"), Scenario("s", (100,))),
             Cell(1, Profile("b", (4, 4, 2, 2, 4)), Buff("none"), Scenario("s", (100,)))]
    st = kernel.start(table, cells, np.array([1, 0, 1]), np.array([[1], [0], [0]]))
    d = FixedDice(3, {slot(RETALIATION, 0): encode(9, (1, 1, 2))}, default=MISS)
    kernel.act(st, np.zeros(3, dtype=np.int64), np.zeros(3, dtype=bool), d, 1)
    kernel.end_turn(st, d, 1)
    assert st.att_hp.tolist() == [100, 100, 99]
    assert kernel.usable(st, 2)[:, 0].tolist() == [True, True, False]
