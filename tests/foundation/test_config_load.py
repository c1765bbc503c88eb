"""Good configs: the embedded default, TOML, the older JSON shape, named stats, round trip."""

from __future__ import annotations

import json
import tomllib

from balance.config import config_to_toml
from balance.session import open_session
from tests.conftest import run_balance
from tests.foundation.test_config_errors import GOOD_TOML, LEGACY


def test_embedded_default_matches_pipeline_spec():
    s = open_session()
    c = s.config
    assert (c.budget_keys["tier"], c.budget_keys["archetype"], c.attacker, c.max_turns) == (4, "dual_natured", (2, 2, 2, 2, 4), 100)
    assert s.budget == 6
    assert [(p.name, p.stats) for p in c.profiles] == [("Evasive", (2, 2, 4, 0, 4)), ("Tanky", (2, 2, 0, 4, 4))]
    assert [b.name for b in c.buffs] == ["No Buffs"]
    assert [(x.name, x.enemy_hp) for x in c.scenarios] == [
        ("Boss", (100,)),
        ("Mixed", (50, 25, 25)),
        ("Swarm", (25, 25, 10, 10, 10, 10, 10)),
        ("Swarm 2", (50, 10, 10, 10, 10, 10)),
    ]
    assert len(s.grid.cells) == 8


def test_config_show_round_trips(tmp_path):
    result = run_balance("config", "show")
    assert result.returncode == 0, result.stderr
    shown = tomllib.loads(result.stdout)
    again = tmp_path / "again.toml"
    again.write_text(result.stdout)
    assert open_session(again).config == open_session().config
    assert shown["scenarios"][2]["enemy_hp"] == [25, 25, 10, 10, 10, 10, 10]


def test_legacy_json_loads_into_same_model(tmp_path):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(LEGACY))
    c = open_session(path).config
    assert c.points_per_attack == 6
    assert c.attacker == (2, 2, 2, 2, 4)
    assert [(s.name, s.enemy_hp) for s in c.scenarios] == [
        ("Boss", (100,)),
        ("Mixed", (50, 25, 25)),
        ("Swarm", (25, 25, 10, 10, 10, 10, 10)),
    ]
    assert c.stage1.runs == 5 and c.performance.workers == 2
    assert [b.name for b in c.buffs] == ["No Buffs"]


def test_named_stats_equal_positional(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(
        GOOD_TOML.replace(
            "attacker = [2, 2, 2, 2, 4]", "attacker = {tier = 4, focus = 3, power = 2, mobility = 1, endurance = 0}"
        )
    )
    assert open_session(path).config.attacker == (3, 2, 1, 0, 4)


def test_toml_writer_output_is_valid_toml():
    text = config_to_toml(open_session().config)
    assert tomllib.loads(text)["stage1"]["prune"]["strategy"] == "hybrid"


def test_rule_options_reach_the_rule_system(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text(GOOD_TOML + "[rule_options]\narmor_piercing_keeps_buff = false\n")
    s = open_session(path)
    assert s.config.rule_options == {"armor_piercing_keeps_buff": False}
    assert s.rules.kernel(s.config.rule_options).ap_keeps_buff is False
    assert open_session().rules.kernel(open_session().config.rule_options).ap_keeps_buff is True
