"""Pair indexing and sampling: every pair exactly once, by index, the same whatever the batching."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balance_plugins.stages.pairs import fraction_threshold, pair_at, pair_count, pair_hash, pair_index, sampled


@pytest.mark.parametrize("n", [2, 3, 7, 50])
def test_pair_at_enumerates_every_unordered_pair_once_in_row_major_order(n):
    a, b = pair_at(np.arange(pair_count(n)), n)
    assert list(zip(a.tolist(), b.tolist())) == list(itertools.combinations(range(n), 2))


@given(n=st.integers(2, 10**5), data=st.data())
@settings(max_examples=200, deadline=None)
def test_pair_index_inverts_pair_at_for_large_n(n, data):
    i = data.draw(st.integers(0, pair_count(n) - 1))
    a, b = pair_at(np.array([i]), n)
    assert 0 <= a[0] < b[0] < n
    assert pair_index(a, b, n)[0] == i


def test_sample_is_deterministic_and_independent_of_batching():
    idx = np.arange(100_000)
    whole = idx[sampled(idx, 7, fraction_threshold(0.1))]
    parts = np.concatenate([r[sampled(r, 7, fraction_threshold(0.1))] for r in np.array_split(idx, 13)])
    assert np.array_equal(whole, parts)
    # Binomial(100000, 0.1): sd ~ 95; 5 sd bound.
    assert abs(len(whole) - 10_000) < 5 * 95
    assert not np.array_equal(whole, idx[sampled(idx, 8, fraction_threshold(0.1))])


@pytest.mark.parametrize("fraction,max_pairs", [(0.3, 0), (1.0, 500), (0.5, 700), (0.01, 0), (0.01, 900), (1.0, 0)])
def test_pair_sample_ordinals_cover_the_sample_in_index_order(fraction, max_pairs):
    from balance_plugins.stages.pairs import CHUNK, PairSample

    n = 500  # 124,750 pairs: the count table spans two chunks
    assert pair_count(n) > CHUNK
    sample = PairSample.build(n, seed=9, fraction=fraction, max_pairs=max_pairs)
    # Independently: the pairs under the fraction, then (if capped) the max_pairs smallest hashes.
    idx = np.arange(pair_count(n))
    h = pair_hash(idx, 9).astype(object)  # exact integer comparisons
    under = [i for i in idx if fraction >= 1 or h[i] < int(fraction * 2**64)]
    if max_pairs and len(under) > max_pairs:
        under = sorted(sorted(under, key=lambda i: h[i])[:max_pairs])
    assert sample.size == len(under)
    pieces = [sample.indices(lo, min(lo + 997, sample.size)) for lo in range(0, sample.size, 997)]
    got = np.concatenate(pieces) if pieces else np.array([], dtype=np.int64)
    assert got.tolist() == [int(i) for i in under]


def test_capped_sample_reaches_the_last_attacks():
    from balance_plugins.stages.pairs import PairSample

    # Capping by index would drop the pairs of the last (lowest-ranked) attacks.
    n, cap = 300, 5000
    sample = PairSample.build(n, seed=3, fraction=1.0, max_pairs=cap)
    assert sample.size == cap
    a, b = pair_at(sample.indices(0, cap), n)
    assert (a >= 280).sum() > 0
    # about as many as their share of all pairs (binomial; 4 standard deviations)
    share = ((np.arange(pair_count(n)) >= pair_index(np.array([280]), np.array([281]), n)[0]).mean())
    assert abs((a >= 280).mean() - share) < 4 * np.sqrt(share * (1 - share) / cap)
