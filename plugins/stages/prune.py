"""Stage-1 pruning strategies: which single attacks go on to pairing.

- overall: the best X % by overall score;
- specialists: the best Y % of each profile's ranking (every profile, or those the config names);
- enhancement: for every upgrade and limit, the best Z % of the attacks that carry it;
- overall_specialists: the union of the first two (the older tool's "overall_only");
- hybrid: the union of the three.

Each kept attack records why it was kept. The kept set is ordered by overall score, then by the
canonical build id.
"""

from __future__ import annotations

import attrs
import numpy as np

from balance_plugins.stages.ranking import ordered, top_count

REASONS = ("overall", "specialist", "enhancement")


@attrs.frozen
class Pruned:
    kept: np.ndarray  # indices into the stage-1 attacks, in final order
    reasons: np.ndarray  # (len(kept), 3) bool: kept as overall / specialist / enhancement pick
    cutoffs: dict  # what each strategy's cutoff was, for the report


def prune(
    overall: np.ndarray,
    by_profile: np.ndarray,
    enhancements: list[tuple[str, ...]],
    tiebreak: np.ndarray,
    config,
    profile_names: list[str],
    eligible: np.ndarray | None = None,
) -> Pruned:
    """``eligible`` (bool per attack; default all): after screening rounds, only the last round's
    survivors may be kept, while the percentages stay shares of every attack, so that switching
    rounds on does not change how many attacks a strategy keeps."""
    n = len(overall)
    everyone = np.arange(n)

    def best(scores: np.ndarray, among: np.ndarray, k: int) -> np.ndarray:
        if eligible is not None:
            among = among[eligible[among]]
        return among[ordered(scores[among], tiebreak[among])[:k]]

    strategy = config.strategy
    picks = np.zeros((n, 3), dtype=bool)
    cutoffs: dict = {}
    if strategy in ("overall", "overall_specialists", "hybrid"):
        top = best(overall, everyone, top_count(n, config.overall_percent))
        picks[top, 0] = True
        cutoffs["overall"] = {"kept": len(top), "worst_kept_score": float(overall[top[-1]]) if len(top) else None}
    if strategy in ("specialists", "overall_specialists", "hybrid"):
        wanted = config.specialist_profiles or tuple(profile_names)
        cutoffs["specialists"] = {}
        for p, name in enumerate(profile_names):
            if name not in wanted:
                continue
            top = best(by_profile[:, p], everyone, top_count(n, config.specialist_percent))
            picks[top, 1] = True
            cutoffs["specialists"][name] = {
                "kept": len(top), "worst_kept_score": float(by_profile[top[-1], p]) if len(top) else None,
            }
    if strategy in ("enhancement", "hybrid"):
        carriers: dict[str, list[int]] = {}
        for i, names in enumerate(enhancements):
            for e in names:
                carriers.setdefault(e, []).append(i)
        cutoffs["enhancement"] = {}
        for e in sorted(carriers):
            idx = np.asarray(carriers[e])
            top = best(overall, idx, top_count(len(idx), config.enhancement_percent))
            picks[top, 2] = True
            cutoffs["enhancement"][e] = {"carriers": len(idx), "kept": len(top)}
    chosen = np.flatnonzero(picks.any(axis=1))
    kept = chosen[ordered(overall[chosen], tiebreak[chosen])]
    return Pruned(kept, picks[kept], cutoffs)
