"""A helper for kernels: a state whose per-lane arrays are compacted and extended together."""

from __future__ import annotations

import numpy as np

from balance.engine.lanes_np import gather


class LaneState:
    """Holds per-lane numpy arrays as attributes; :meth:`take` keeps some lanes of every array whose
    first axis is the lane axis (``n`` lanes) and :meth:`extend` appends the lanes of another state.
    Other attributes (scalars, per-cell constants whose first axis is not the lane count, names
    starting with ``c_``) are shared unchanged."""

    n: int

    def _lane_arrays(self) -> dict[str, np.ndarray]:
        n = self.n
        return {name: value for name, value in vars(self).items()
                if isinstance(value, np.ndarray) and value.ndim >= 1 and value.shape[0] == n
                and not name.startswith("c_")}

    def take(self, keep: np.ndarray) -> None:
        for name, value in self._lane_arrays().items():
            setattr(self, name, gather(value, keep))
        self.n = len(keep)

    def extend(self, other: LaneState) -> None:
        """Append the lanes of ``other`` (a fresh state over the same cells). A lane array that only
        one of the two holds (a feature only one side's attacks carry, or a per-turn scratch array)
        gets zeros for the other side's lanes, which is every such array's starting value."""
        mine, theirs = self._lane_arrays(), other._lane_arrays()
        for name in mine.keys() | theirs.keys():
            a = mine.get(name)
            b = theirs.get(name)
            if a is None:
                a = np.zeros((self.n, *b.shape[1:]), dtype=b.dtype)
            if b is None:
                b = np.zeros((other.n, *a.shape[1:]), dtype=a.dtype)
            setattr(self, name, np.concatenate([a, b]))
        self.n += other.n
