"""A custom scenario plugin: "escalating swarm" scenarios, a leader plus k minions for several k.

Load it as a local plugin, from the command line or from a config::

    balance run examples/quick.toml --plugin examples/scenario_plugin/escalating_swarm.py
    # or, in the config:  [plugins] load = ["scenario_plugin/escalating_swarm.py"]

The scenarios are added to the grid next to the config's own (every profile and buff meets each
of them). The sizes follow the config, so the plugin works for any rule system: the leader has
the largest enemy HP of the config's scenarios and each minion the smallest. Enemies are
attacked in list order, leader first.
"""

from __future__ import annotations

from balance.grid import Scenario
from balance.hookspecs import hookimpl

__version__ = "0.1.0"

#: Minion counts of the generated scenarios.
SWARM_SIZES = (2, 4, 8)


def escalating_swarms(config, sizes=SWARM_SIZES) -> list[Scenario]:
    """``Leader + k`` for each k: the config's largest enemy, then k of its smallest."""
    hp = [h for s in config.scenarios for h in s.enemy_hp]
    leader, minion = max(hp), min(hp)
    return [Scenario(f"Leader + {k}", (leader,) + (minion,) * k) for k in sizes]


@hookimpl
def balance_scenarios(config):
    return escalating_swarms(config)
