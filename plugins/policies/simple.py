"""Fixed-preference policies: ``first`` uses slot 0 whenever it is usable, else slot 1 (and so on);
``second`` prefers slot 1. They read only the usable mask."""

from __future__ import annotations

import numpy as np

from balance.hookspecs import hookimpl


class PreferSlot:
    """Use slot ``preferred`` whenever usable, otherwise the first usable slot (0 if none)."""

    #: Reads only the usable mask, so the engine does not build the kernel's policy view.
    needs_view = False

    def __init__(self, name: str, preferred: int):
        self.name = name
        self.preferred = preferred
        #: The same choice, for kernels that run whole combats themselves (balance.engine.protocol).
        self.rule = ("prefer_slot", preferred)

    def choose(self, view, usable: np.ndarray) -> np.ndarray:
        usable = np.asarray(usable, dtype=bool)
        p = min(self.preferred, usable.shape[1] - 1)
        if usable.shape[1] == 2:  # the general case below, without branches (pairs are the hot case)
            u0, u1 = usable[:, 0], usable[:, 1]
            return (u1 if p == 1 else ~u0 & u1).astype(np.int64)
        return np.where(usable[:, p], p, np.argmax(usable, axis=1)).astype(np.int64)


@hookimpl
def balance_policies():
    return [PreferSlot("first", 0), PreferSlot("second", 1)]
