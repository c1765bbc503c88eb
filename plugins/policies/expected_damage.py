"""The ``greedy`` policy: each turn, the usable attack with the largest expected HP removed.

It reads the kernel's policy view, which must have an ``expected`` array (lanes, k): the expected
enemy HP an attack removes this turn, already capped by the HP it can reach and counting crits,
limit bonuses, follow-ups and charging. Because this comes from the game state and the attacks'
numbers, an area attack wins against a swarm and a single-target attack against a lone boss without
the policy knowing either name. Ties go to the lower slot.

It looks one turn ahead only, so it misplays attacks whose worth is in later turns (a channeled
ramp it leaves, a charge it breaks): the ``default`` policy (``race.py``) races it against each
attack used alone. It was the default before; it stays for comparison (``stage2.policy = "greedy"``).
"""

from __future__ import annotations

import numpy as np

from balance.hookspecs import hookimpl


class ExpectedDamage:
    name = "greedy"
    #: The same choice, for kernels that run whole combats themselves (balance.engine.protocol).
    rule = ("max_expected",)

    def explain(self, view, usable: np.ndarray) -> dict[str, np.ndarray]:
        """The numbers it chooses by, for traces: the expected HP each attack removes this turn."""
        return {"expected HP removed": np.where(usable, np.asarray(view.expected, dtype=float), np.nan)}

    def choose(self, view, usable: np.ndarray) -> np.ndarray:
        usable = np.asarray(usable, dtype=bool)
        expected = np.asarray(view.expected, dtype=float)
        if usable.shape[1] == 2:
            # The same choice as the general case below, without its branchy where and its argmax
            # along a short axis (together most of this policy's time on pairs).
            u0, u1 = usable[:, 0], usable[:, 1]
            return (u1 & (~u0 | (expected[:, 1] > expected[:, 0]))).astype(np.int64)
        score = np.where(usable, expected, -np.inf)
        return np.argmax(score, axis=1).astype(np.int64)


@hookimpl
def balance_policies():
    return [ExpectedDamage()]
