"""The ``default`` policy: per encounter, the best of "each attack alone" and the ``greedy`` policy,
chosen by a race on dice of its own.

For each candidate and cell the engine plays every plan — attack A alone, attack B alone (each
with the rules' fallback where it is unusable: exactly the stage's solos) and ``greedy`` — on the
same pilot dice (as many runs as the evaluation, run ids of their own), keeps the plan with the
fewest pilot turns, and reports that plan on the evaluation dice. A player who owns both attacks
can always play one of them alone, so, up to the pilot's choice between near-equal plans, the pair
is never slower than its better solo, nor than greedy (docs/concepts.md, "Pair play").
See :attr:`balance.engine.protocol.Policy.race`.
"""

from __future__ import annotations

from balance.hookspecs import hookimpl
from balance_plugins.policies.expected_damage import ExpectedDamage


class RacedPlans:
    name = "default"
    #: The engine races these policies and each attack alone (balance.engine.protocol.Policy.race).
    race = (ExpectedDamage(),)

    def choose(self, view, usable):
        # The engine never asks a raced policy turn by turn; a caller that does gets its first plan.
        return self.race[0].choose(view, usable)


@hookimpl
def balance_policies():
    return [RacedPlans()]
