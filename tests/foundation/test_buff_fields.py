"""Buff bonuses are the names a rule system declares (``buff_fields``): the config checks every
``[[buffs]]`` key against them, a plugin's buffs too, and the core holds none of them."""

from __future__ import annotations

import pytest

from balance.config.load import ConfigSource, build_config, default_data, layered
from balance.errors import ConfigError, UsageError
from balance.session import open_session

STATS = ("focus", "power", "mobility", "endurance", "tier")


def config_for(buffs: list[dict], fields: tuple[str, ...]):
    data = layered(default_data(), {"buffs": buffs})
    return build_config(ConfigSource(data, "test", None, file_keys=("buffs",)), STATS, lambda **keys: 6,
                        buff_fields=fields)


def test_a_rule_system_with_other_bonuses_names_them_in_the_config():
    c = config_for([{"name": "Guarded", "parry": 2}], ("parry", "morale"))
    (buff,) = c.buffs
    assert buff.bonuses == (("parry", 2), ("morale", 0))  # every declared bonus, in declared order
    assert (buff.bonus("parry"), buff.bonus("morale")) == (2, 0)
    with pytest.raises(ConfigError) as err:
        config_for([{"name": "Blessed", "accuracy": 1}], ("parry", "morale"))
    assert str(err.value) == "config error: buffs[0].accuracy: unknown key (known keys: name, parry, morale)"
    with pytest.raises(ConfigError) as err:
        config_for([{"name": "Blessed", "pary": 1}], ("parry", "morale"))
    assert str(err.value) == "config error: buffs[0].pary: unknown key (did you mean parry?)"
    with pytest.raises(ConfigError) as err:
        config_for([{"name": "Blessed", "parry": 1.5}], ("parry",))
    assert str(err.value) == "config error: buffs[0].parry: expected an integer, got 1.5"


def test_no_buffs_is_one_plain_buff_with_every_declared_bonus_zero():
    c = build_config(ConfigSource(default_data(), "test", None), STATS, lambda **keys: 6, buff_fields=("parry",))
    assert [(b.name, b.bonuses) for b in c.buffs] == [("No Buffs", (("parry", 0),))]


def test_vitality_declares_its_four_bonuses():
    session = open_session()
    assert session.rules.buff_fields == ("accuracy", "damage", "avoidance", "durability")
    assert [b.bonuses for b in session.grid.buffs] == [tuple((f, 0) for f in session.rules.buff_fields)]


def test_a_plugin_buff_with_an_undeclared_bonus_is_refused(tmp_path):
    plugin = tmp_path / "parry_buffs.py"
    plugin.write_text(
        "from balance import hookimpl\nfrom balance.grid import Buff\n\n"
        "@hookimpl\ndef balance_buffs(config):\n    return [Buff('Riposte', parry=3)]\n"
    )
    with pytest.raises(UsageError) as err:
        open_session(load=[str(plugin)])
    assert str(err.value) == ('buff "Riposte" gives the bonus "parry", which the rule system does not declare '
                              "(buff fields: accuracy, damage, avoidance, durability)")
