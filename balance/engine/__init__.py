"""The vectorised combat engine: counter-based dice, lanes, the turn loop and result sums.

The engine knows nothing about any game: a rule system's kernel (see :mod:`balance.engine.protocol`)
supplies the combat rules, a policy (see :func:`balance.hookspecs.balance_policies`) the attack
choice of multi-attack characters.
"""

from balance.engine.dice import Dice, FixedDice
from balance.engine.simulator import SimResult, Simulator

__all__ = ["Dice", "FixedDice", "SimResult", "Simulator"]
