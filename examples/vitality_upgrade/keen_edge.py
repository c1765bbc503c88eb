"""A plugin that adds an upgrade and a limit to the Vitality rules from outside the package.

Load it with ``--plugin examples/vitality_upgrade/keen_edge.py`` or ``[plugins] load`` in a config.
Both entries are made of the effects the Vitality kernel already simulates, so they need no kernel
code: they are enumerated, costed, simulated and reported like the built-in ones, and their
numbers join the rule table (``balance rules show``), so a config may override them too
(``[rules.vitality] upgrades.keen_edge.cost = 3``).
"""

from balance import hookimpl
from balance_rules.vitality.catalog import Limit, Upgrade

#: +1 flat accuracy and the crit range 15-20; a crit adds +T damage as usual. Not on direct
#: attacks (they neither roll accuracy nor crit).
KEEN_EDGE = Upgrade("keen_edge", cost=2, accuracy_flat=1, crit_range=True, not_on={"direct"})

#: A limit with near_death's condition (attacker HP at most 25) and a larger bonus, +8T.
LAST_STAND = Limit("last_stand", cost=2, bonus_t=8, condition="near_death")


@hookimpl
def balance_rule_extensions(rules):
    if rules != "vitality":
        return []
    return [KEEN_EDGE, LAST_STAND]
