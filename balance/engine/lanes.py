"""A helper for kernels: a state whose per-lane arrays are compacted together."""

from __future__ import annotations

import numpy as np


class LaneState:
    """Holds per-lane numpy arrays as attributes; :meth:`take` keeps some lanes of every array whose
    first axis is the lane axis (``n`` lanes). Other attributes (scalars, per-cell constants whose
    first axis is not the lane count) are shared unchanged."""

    n: int

    def take(self, keep: np.ndarray) -> None:
        n = self.n
        for name, value in list(vars(self).items()):
            if isinstance(value, np.ndarray) and value.ndim >= 1 and value.shape[0] == n and not name.startswith("c_"):
                setattr(self, name, value[keep])
        self.n = len(keep)
