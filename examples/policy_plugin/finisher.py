"""A custom attack-choice policy: ``finisher``.

Each turn, if one of the lane's usable attacks drops the current target (the first standing
enemy) with probability at least :data:`THRESHOLD`, use the one most likely to (ties: the larger
expected damage); otherwise do what the built-in ``greedy`` policy does (the usable attack with
the largest expected HP removed).

It reads only numbers from the kernel's policy view, never names:

- ``view.expected`` (lanes, k): expected enemy HP removed this turn (every kernel the built-in
  ``greedy`` policy works with offers it);
- ``view.kill_chance`` (lanes, k): probability of dropping the current target this turn. The d20
  example kernel offers it; the Vitality kernel does not, and then this policy stops with a
  clear message rather than silently acting as ``greedy``.

``raced_finisher`` reuses the engine's race (balance.engine.protocol.Policy.race, as the built-in
``default`` does with ``greedy``): per pair and cell, attack A alone, attack B alone, ``finisher``
and ``greedy`` on pilot dice, the winner reported on the evaluation dice; so it is never slower
than the better solo, nor than ``finisher`` turn by turn, beyond the pilot's noise.

Select one with ``[stage2] policy = "finisher"`` (or ``"raced_finisher"``) and load it as a local
plugin::

    balance run my.toml --plugin examples/policy_plugin/finisher.py
"""

from __future__ import annotations

import numpy as np

from balance.hookspecs import hookimpl
from balance_plugins.policies.expected_damage import ExpectedDamage

__version__ = "0.1.0"

#: Kill chance from which finishing the current target beats raw expected damage.
THRESHOLD = 0.5


class Finisher:
    name = "finisher"

    def __init__(self, threshold: float = THRESHOLD):
        self.threshold = threshold

    def choose(self, view, usable: np.ndarray) -> np.ndarray:
        usable = np.asarray(usable, dtype=bool)
        expected = np.where(usable, np.asarray(view.expected, dtype=float), -np.inf)
        default = np.argmax(expected, axis=1)
        kill = getattr(view, "kill_chance", None)
        if kill is None:
            raise ValueError(
                f"the finisher policy needs a kill_chance in the rule system's policy view, and "
                f"{type(view).__name__} has none (use another policy with these rules)"
            )
        kill = np.where(usable, np.asarray(kill, dtype=float), -1.0)
        finishing = kill >= self.threshold
        # Most likely to finish first; among equal chances the larger expected damage.
        score = np.where(finishing, kill * 1e6 + np.where(usable, expected, 0.0), -np.inf)
        best = np.argmax(score, axis=1)
        return np.where(finishing.any(axis=1), best, default).astype(np.int64)


class RacedFinisher:
    """``finisher`` and ``greedy`` raced with each attack alone (no ``choose``: the engine races)."""

    name = "raced_finisher"
    race = (Finisher(), ExpectedDamage())


@hookimpl
def balance_policies():
    return [Finisher(), RacedFinisher()]
