"""Pruning strategies against an independent computation on small, hand-checkable data."""

import math

import numpy as np

from balance_plugins.stages.settings import PruneSettings as PruneConfig
from balance_plugins.stages.prune import prune


def data():
    rng = np.random.default_rng(3)
    n = 40
    overall = rng.integers(10, 30, n).astype(float)  # integer scores: many ties
    by_profile = np.stack([overall + rng.integers(-5, 5, n), overall + rng.integers(-5, 5, n)], axis=1)
    enh = [tuple(sorted({f"e{j}" for j in range(4) if (i >> j) & 1})) for i in range(n)]
    ids = [f"build{i:03d}" for i in range(n)]
    return overall, by_profile, enh, ids


def best(scores, ids, k, among=None):
    among = range(len(scores)) if among is None else among
    return sorted(among, key=lambda i: (scores[i], ids[i]))[:k]


def test_overall_keeps_top_percent_with_id_tiebreak():
    overall, by_profile, enh, ids = data()
    r = prune(overall, by_profile, enh, np.arange(40), PruneConfig("overall", overall_percent=10), ["P", "Q"])
    assert r.kept.tolist() == best(overall, ids, 4)


def test_hybrid_is_union_ordered_by_score_then_id():
    overall, by_profile, enh, ids = data()
    cfg = PruneConfig("hybrid", overall_percent=10, specialist_percent=5, enhancement_percent=20)
    r = prune(overall, by_profile, enh, np.arange(40), cfg, ["P", "Q"])
    want = set(best(overall, ids, 4))
    for p in range(2):
        want |= set(best(by_profile[:, p], ids, 2))
    for e in ["e0", "e1", "e2", "e3"]:
        carriers = [i for i in range(40) if e in enh[i]]
        want |= set(best(overall, ids, math.ceil(len(carriers) * 0.2), carriers))
    assert r.kept.tolist() == sorted(want, key=lambda i: (overall[i], ids[i]))
    assert r.reasons.any(axis=1).all()


def test_specialists_only_for_named_profiles():
    overall, by_profile, enh, ids = data()
    cfg = PruneConfig("specialists", specialist_percent=5, specialist_profiles=("Q",))
    r = prune(overall, by_profile, enh, np.arange(40), cfg, ["P", "Q"])
    assert set(r.kept.tolist()) == set(best(by_profile[:, 1], ids, 2))


def test_eligible_attacks_only_with_shares_of_every_attack():
    # After screening rounds only the survivors may be kept; the shares stay of all 40 attacks.
    overall, by_profile, enh, ids = data()
    eligible = np.zeros(40, dtype=bool)
    eligible[::3] = True  # 14 survivors
    among = np.flatnonzero(eligible).tolist()
    cfg = PruneConfig("overall_specialists", overall_percent=10, specialist_percent=5)
    r = prune(overall, by_profile, enh, np.arange(40), cfg, ["P", "Q"], eligible)
    expected = set(best(overall, ids, 4, among))  # 10 % of 40
    for p in range(2):
        expected |= set(best(by_profile[:, p], ids, 2, among))  # 5 % of 40
    assert set(r.kept.tolist()) == expected
    assert r.cutoffs["overall"]["kept"] == 4
    everyone = prune(overall, by_profile, enh, np.arange(40), cfg, ["P", "Q"], np.ones(40, dtype=bool))
    assert everyone.kept.tolist() == prune(overall, by_profile, enh, np.arange(40), cfg, ["P", "Q"]).kept.tolist()


def test_enhancement_share_counts_every_carrier_but_keeps_survivors():
    overall, by_profile, enh, ids = data()
    eligible = np.arange(40) >= 20
    r = prune(overall, by_profile, enh, np.arange(40), PruneConfig("enhancement", enhancement_percent=25), ["P", "Q"],
              eligible)
    for e in ("e0", "e1", "e2", "e3"):
        carriers = [i for i in range(40) if e in enh[i]]
        k = math.ceil(len(carriers) * 0.25)
        assert r.cutoffs["enhancement"][e] == {"carriers": len(carriers), "kept": k}
        assert set(best(overall, ids, k, [i for i in carriers if i >= 20])) <= set(r.kept.tolist())
    assert (r.kept >= 20).all()
