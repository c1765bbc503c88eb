"""How many decimals a figure may show: the one rule every report and command prints by."""

from __future__ import annotations

import math
from typing import Any


def decimals(half: Any, default: int = 2) -> int:
    """Decimals a 95 % interval of half-width ``half`` allows: one significant digit of it
    (±0.3 -> 1 decimal, ±4 -> 0, ±0.03 -> 2), at most 3; ``default`` when it is unknown or 0."""
    try:
        h = float(half)
    except (TypeError, ValueError):
        return default
    if not math.isfinite(h) or h <= 0:
        return default
    return int(min(3, max(0, -math.floor(math.log10(h)))))
