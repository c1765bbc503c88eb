"""Per-enhancement statistics over all records and over each tier (best X % of ALL records), in
the reader's two passes (``scan`` then ``tiers``).
Shared by the enhancement ranking, saturation and cost reports; the result of one run directory is
cached so that reporters run one after another in one process (``balance report`` runs a stage's
reporters in one process) read the records twice in total, not twice each.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from balance_plugins.reports.data import Attacks, records_key
from balance_plugins.reports.stream import ClusterTotals, Derive, Moments, SparseMembership, cluster_se
from balance.aggregates import Sums

SLOTS = {"stage1": ("attack",), "stage2": ("a", "b")}


@attrs.frozen
class EnhStats:
    """One population (all records, or one tier): ``size`` records; per enhancement e:
    ``counts[e]`` records carrying it, ``slot_counts[k][e]``, ``mean[e]`` / ``sd[e]`` of the score
    over carriers, ``timeouts[e]`` summed, ``by_profile[p][e]`` mean (and ``_se``), ``usage[k][e]`` mean share of
    turns of the slot-k attack carrying e (stage 2), and per (e, attack type) ``type_mean[e][t]`` /
    ``type_counts[e][t]`` (and ``type_se``).

    Standard errors are clustered by attack (:func:`~.stream.cluster_se`): the pairs carrying e
    through one attack share that attack, so they are not independent; treating them as such
    (sd / sqrt(pairs)) made ``± 0.00`` of a thousand pairs built on a handful of attacks. In stage 1
    each record is its own attack and the clustered error is sd / sqrt(n)."""

    size: int
    counts: np.ndarray
    slot_counts: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    timeouts: np.ndarray
    by_profile: np.ndarray
    by_profile_se: np.ndarray
    usage: np.ndarray | None
    type_counts: np.ndarray
    type_mean: np.ndarray
    type_se: np.ndarray
    score_mean: float
    score_sd: float
    #: Standard error of ``score_mean`` clustered by attack (stage 1: each record its own attack).
    score_se: float
    timeouts_total: int
    #: Standard error of ``mean`` clustered by attack.
    mean_se: np.ndarray
    #: Attacks carrying e in the population (the clusters of its standard error).
    attacks: np.ndarray
    #: Sum over those attacks of the squared number of e's records each is in (a record whose two
    #: attacks both carry e counts in both): the variance bound of ``counts`` (see
    #: :func:`~.enhancement_saturation.share_se`).
    cluster_nn: np.ndarray

    def se(self) -> np.ndarray:
        return self.mean_se


@attrs.frozen
class EnhTiers:
    count: int
    skipped: int
    #: Records carrying each enhancement, over all records.
    all_counts: np.ndarray
    #: Every statistic over all records (``everyone=True``), else None.
    all: EnhStats | None
    tiers: dict[float, EnhStats]


def _aggregators(attacks: Attacks, stage: str) -> dict[str, Any]:
    slots = SLOTS[stage]
    E = len(attacks.enh.names)
    T = len(attacks.type_names)
    derive = {"overall_sq": (("overall",), lambda b: np.asarray(b["overall"], np.float64) ** 2)}
    slot_values = None
    if stage == "stage2":
        # share of turns of each attack, averaged over the profiles (each profile weighs the same)
        derive["usage_a"] = (("usage_a_profile",), lambda b: np.asarray(b["usage_a_profile"], np.float64).mean(1))
        derive["usage_b"] = (("usage_b_profile",), lambda b: np.asarray(b["usage_b_profile"], np.float64).mean(1))
        slot_values = {"usage": ("usage_a", "usage_b")}
    enh = SparseMembership(attacks.members(), E, slots,
                           ("overall", "overall_sq", "timeouts", "by_profile"), slot_values)
    return {
        "enh": Derive(enh, derive),
        "type": SparseMembership(attacks.type_members(), E * T, slots, ("overall",)),
        "score": Moments("overall"),
        "score_clusters": ClusterTotals(slots, len(attacks), "overall"),
        "timeouts": Sums(("timeouts",)),
    }


def _mean_se(agg: dict[str, Any], value: str, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per member (rows: the value's positions), the mean over carriers and its standard error
    clustered by attack."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = agg["sums"][value] / n
    if value not in agg["clusters"]:
        return mean, np.full_like(mean, np.nan)
    return mean, np.stack([cluster_se(_column(agg["clusters"], value, w), value, mean[w], n)
                           for w in range(mean.shape[0])])


def _column(clusters: dict[str, Any], value: str, w: int) -> dict[str, Any]:
    tt, tn = clusters[value]
    return {**clusters, value: (tt[w], tn[w])}


def _stats(aggs: dict[str, Any], size: int, n_types: int) -> EnhStats:
    e, t, m = aggs["enh"], aggs["type"], aggs["score"]
    counts = e["counts"]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = e["sums"]["overall"][0] / counts
        var = e["sums"]["overall_sq"][0] / counts - mean**2
        sd = np.sqrt(np.maximum(var, 0) * counts / np.maximum(counts - 1, 1))
        sd[counts < 2] = np.nan
        usage = e["slot_sums"]["usage"] / e["slot_counts"] if "usage" in e["slot_sums"] else None
    by_profile, by_profile_se = _mean_se(e, "by_profile", counts)
    _, mean_se = _mean_se(e, "overall", counts)
    tc = t["counts"].reshape(-1, n_types)
    tm, tse = _mean_se(t, "overall", t["counts"])
    # one record gives no spread to estimate (its two clusters would say 0)
    score_se = cluster_se(aggs["score_clusters"], "overall", np.array([m["mean"]]), np.array([size]))[0] \
        if size > 1 else np.nan
    return EnhStats(size, counts, e["slot_counts"], mean, sd,
                    e["sums"]["timeouts"][0], by_profile, by_profile_se, usage, tc, tm[0].reshape(-1, n_types),
                    tse[0].reshape(-1, n_types), m["mean"], m["sd"], float(score_se),
                    int(round(float(aggs["timeouts"].sums["timeouts"]))), mean_se[0], e["clusters"]["g"],
                    e["clusters"]["nn"])


_CACHE: dict[tuple, EnhTiers] = {}


def enhancement_tiers(ctx, stage: str, attacks: Attacks, percents: Sequence[float],
                      everyone: bool = False) -> EnhTiers:
    """Per-tier enhancement statistics of ``stage`` (tiers: best ``p`` % of all records by overall
    score, ties broken by the attack indices; size ceil(p % × count)) and how many of all records
    carry each enhancement; with ``everyone``, every statistic over all records as well (on the
    default run's 5.4 M pairs that is the costlier half of the work, which no stage-2 report reads)."""
    key = (*records_key(ctx, stage), tuple(percents))
    if key in _CACHE and (_CACHE[key].all is not None or not everyone):
        return _CACHE[key]
    reader = ctx.reader(stage)
    aggs = _aggregators(attacks, stage)
    T = len(attacks.type_names)
    first_aggs = aggs if everyone else {"enh": SparseMembership(attacks.members(), len(attacks.enh.names),
                                                                SLOTS[stage])}
    first = reader.scan("overall", True, SLOTS[stage], top=0, quantiles=(), aggregators=first_aggs)
    res_tiers = reader.tiers(first, [float(p) for p in percents], aggs) if first.count else {}
    all_stats = _stats(first.aggregates, first.count, T) if everyone else None
    tiers = {float(p): _stats(r.aggregates, r.size, T) for p, r in res_tiers.items()}
    result = EnhTiers(first.count, first.skipped, first.aggregates["enh"]["counts"], all_stats, tiers)
    _CACHE.clear()  # keep one run's results: bounded memory however many runs a process reports
    _CACHE[key] = result
    return result
