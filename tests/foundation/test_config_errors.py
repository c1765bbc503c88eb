"""Every bad config gives exactly one line naming the key path and the problem, and exit code 2."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_balance

GOOD_TOML = """
tier = 4
archetype = "dual_natured"
attacker = [2, 2, 2, 2, 4]
[[profiles]]
name = "Evasive"
stats = [2, 2, 4, 0, 4]
[[profiles]]
name = "Tanky"
stats = [2, 2, 0, 4, 4]
[[scenarios]]
name = "Boss"
enemy_hp = [100]
[[scenarios]]
name = "Mixed"
enemy_hp = [50, 25, 25]
"""

LEGACY = {
    "tier": 4,
    "archetype": "dual_natured",
    "points_per_attack": 6,
    "character_config": {"attacker": [2, 2, 2, 2, 4]},
    "defensive_profiles": [{"name": "Evasive", "stats": [2, 2, 4, 0, 4]}, {"name": "Tanky", "stats": [2, 2, 0, 4, 4]}],
    "buff_configurations": [{"name": "No Buffs", "attacker_accuracy_bonus": 0, "attacker_damage_bonus": 0}],
    "scenarios": [
        {"name": "Boss", "num_enemies": 1, "enemy_hp": 100},
        {"name": "Mixed", "enemy_hp_list": [50, 25, 25]},
        {"name": "Swarm", "enemy_hp_list": [25, 25, 10, 10, 10, 10, 10]},
    ],
    "stage1": {"runs": 5},
    "stage2": {"runs": 2},
    "performance": {"workers": 2},
}


def legacy_with(**changes) -> str:
    data = json.loads(json.dumps(LEGACY))
    for path, value in changes.items():
        target = data
        keys = path.split("__")
        for k in keys[:-1]:
            target = target[int(k)] if k.isdigit() else target[k]
        last = keys[-1]
        target[int(last) if last.isdigit() else last] = value
    return json.dumps(data, indent=2)


CASES = [
    # (id, file name, content, expected stderr line)
    ("wrong-type", "c.toml", 'tier = "four"\n' + GOOD_TOML.replace("tier = 4\n", ""),
     'config error: tier: expected an integer, got "four"'),
    ("bool-not-int", "c.toml", "max_turns = true\n" + GOOD_TOML,
     "config error: max_turns: expected an integer, got true"),
    ("unknown-top-key", "c.toml", "seeed = 5\n" + GOOD_TOML,
     "config error: seeed: unknown key (did you mean seed?)"),
    ("unknown-nested-key", "c.toml", GOOD_TOML + '[stage1.prune]\nstratgy = "overall"\n',
     "config error: stage1.prune.stratgy: unknown key (did you mean strategy?)"),
    ("empty-scenario", "c.toml", GOOD_TOML + '[[scenarios]]\nname = "Nobody"\nenemy_hp = []\n',
     "config error: scenarios[2].enemy_hp: a scenario needs at least one enemy"),
    ("negative-hp", "c.toml", GOOD_TOML.replace("[50, 25, 25]", "[50, -25, 25]"),
     "config error: scenarios[1].enemy_hp[1]: expected a positive integer, got -25"),
    ("unknown-profile-reference", "c.toml", GOOD_TOML + '[stage1.prune]\nspecialist_profiles = ["Tanky", "Evasiv"]\n',
     'config error: stage1.prune.specialist_profiles[1]: unknown profile "Evasiv" (profiles: Evasive, Tanky)'),
    ("malformed-toml", "bad.toml", GOOD_TOML + "[[scenarios]\n",
     None),  # message checked by prefix below (it carries tomllib's own position text)
    ("malformed-json", "bad.json", '{"tier": 4,\n  "archetype": }\n',
     "config error: {path}: invalid JSON at line 2 column 16: Expecting value"),
    ("legacy-hp-word", "config.json",
     legacy_with(scenarios__2__enemy_hp_list=[25, "ten", 10]),
     'config error: scenarios[2].enemy_hp_list[1]: expected a positive integer, got "ten"'),
    ("legacy-profile-stats", "config.json",
     legacy_with(defensive_profiles__1__stats=[2, 2, 0, 4]),
     "config error: defensive_profiles[1].stats: expected 5 values (focus, power, mobility, endurance, tier), got 4"),
    ("legacy-num-enemies", "config.json",
     legacy_with(scenarios__0__num_enemies=0),
     "config error: scenarios[0].num_enemies: expected a positive integer, got 0"),
    ("legacy-attacker-type", "config.json",
     legacy_with(character_config={"attacker": "2,2,2,2,4"}),
     'config error: character_config.attacker: expected a list, got "2,2,2,2,4"'),
    ("duplicate-scenario", "c.toml", GOOD_TOML + '[[scenarios]]\nname = "Boss"\nenemy_hp = [80]\n',
     'config error: scenarios[2].name: duplicate name "Boss"'),
    ("unknown-rules", "c.toml", 'rules = "vitalty"\n' + GOOD_TOML,
     'config error: rules: unknown rule system "vitalty" (available: vitality)'),
    ("unknown-archetype", "c.toml", GOOD_TOML.replace("dual_natured", "duel_natured"),
     None),  # the rule system words this one; checked by prefix
    ("no-profiles", "c.toml", 'tier = 4\nprofiles = []\n',
     "config error: profiles: at least one defensive profile is needed"),
    ("percent-range", "c.toml", GOOD_TOML + "[stage1.prune]\noverall_percent = 150\n",
     "config error: stage1.prune.overall_percent: expected a percentage in (0, 100], got 150"),
    ("bad-strategy", "c.toml", GOOD_TOML + '[stage1.prune]\nstrategy = "best"\n',
     'config error: stage1.prune.strategy: unknown strategy "best" (strategies: overall, specialists, enhancement, overall_specialists, hybrid)'),
    ("unknown-rule-option", "c.toml", GOOD_TOML + "[rule_options]\narmor_piercing_keeps_bluff = false\n",
     'config error: rule_options: unknown option "armor_piercing_keeps_bluff" (options: armor_piercing_keeps_buff, compiled)'),
    ("rule-option-type", "c.toml", GOOD_TOML + '[rule_options]\narmor_piercing_keeps_buff = "no"\n',
     "config error: rule_options: option armor_piercing_keeps_buff: expected bool, got 'no'"),
    ("named-stats-unknown", "c.toml", GOOD_TOML.replace("attacker = [2, 2, 2, 2, 4]",
     "attacker = {focus = 2, power = 2, mobility = 2, endurance = 2, tier = 4, luck = 1}"),
     "config error: attacker.luck: unknown stat (stats: focus, power, mobility, endurance, tier)"),
]


@pytest.mark.parametrize("case_id,name,content,expected", CASES, ids=[c[0] for c in CASES])
def test_bad_config_gives_one_line_and_exit_2(tmp_path, case_id, name, content, expected):
    path = tmp_path / name
    path.write_text(content)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run_balance("config", "show", str(path))
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert result.stdout == ""
    if expected is not None:
        assert lines[0] == expected.format(path=path)
    elif case_id == "malformed-toml":
        assert lines[0].startswith(f"config error: {path}: invalid TOML: ")
        assert "line 17" in lines[0]
    elif case_id == "unknown-archetype":
        assert lines[0].startswith("config error: archetype: ")
        assert "duel_natured" in lines[0]
    # nothing written next to the config
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_bad_config_traceback_only_with_debug(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('tier = "four"\n')
    quiet = run_balance("config", "show", str(path))
    loud = run_balance("--debug", "config", "show", str(path))
    assert "Traceback" not in quiet.stderr
    assert "Traceback" in loud.stderr and loud.returncode == 2
