"""Pair indexing and sampling: every pair exactly once, by index, the same whatever the batching."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balance.pairs import pair_at, pair_count, pair_index, sample_fraction, sampled


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
    whole = idx[sampled(idx, seed=7, fraction=0.1)]
    parts = np.concatenate([r[sampled(r, 7, 0.1)] for r in np.array_split(idx, 13)])
    assert np.array_equal(whole, parts)
    # Binomial(100000, 0.1): sd ~ 95; 5 sd bound.
    assert abs(len(whole) - 10_000) < 5 * 95
    assert not np.array_equal(whole, idx[sampled(idx, seed=8, fraction=0.1)])


def test_sample_fraction_respects_max_pairs():
    assert sample_fraction(1000, 1.0, 100) == pytest.approx(0.1)
    assert sample_fraction(1000, 0.05, 100) == pytest.approx(0.05)
    assert sample_fraction(1000, 0.5, 0) == 0.5


@pytest.mark.parametrize("fraction,max_pairs", [(0.3, 0), (1.0, 500), (0.5, 700), (0.01, 0)])
def test_pair_sample_ordinals_cover_the_sample_in_index_order(fraction, max_pairs):
    from balance.pairs import CHUNK, PairSample

    n = 500  # 124,750 pairs: the count table spans two chunks
    assert pair_count(n) > CHUNK
    sample = PairSample.build(n, seed=9, fraction=fraction, max_pairs=max_pairs)
    idx = np.arange(pair_count(n))
    want = idx[sampled(idx, 9, sample_fraction(len(idx), fraction, max_pairs))]
    if max_pairs:
        want = want[:max_pairs]
    assert sample.size == len(want)
    pieces = [sample.indices(lo, min(lo + 997, sample.size)) for lo in range(0, sample.size, 997)]
    assert np.array_equal(np.concatenate(pieces), want)
