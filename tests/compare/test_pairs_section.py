"""The pairs section of the run_diff comparer on synthetic runs with a confirmation ranking (the
comparer called directly: synthetic runs record a partial config, which the command would refuse)."""

from __future__ import annotations

import pytest

from balance.comparing import CompareContext
from balance.reporting import ReportContext
from balance.session import open_session
from balance_plugins.reports.run_diff import RunDiff, pair_scores, score_moves, top_changes
from balance_plugins.stages.synthetic import make_run
from balance_plugins.store import MsgpackStore
from tests.reports.helpers import section


def context(run_dir, tmp_path) -> ReportContext:
    return ReportContext(open_session(run_dir / "config.toml"), MsgpackStore().open(run_dir), run_dir, tmp_path)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    root = tmp_path_factory.mktemp("syn")
    return [make_run(root / f"s{seed}", budget=3, n_stage2=20, seed=seed, confirm_top=12) for seed in (11, 12)]


def test_a_run_against_itself_moves_nothing(synthetic, tmp_path):
    a = context(synthetic[0], tmp_path)
    result = RunDiff().compare(CompareContext(a, context(synthetic[0], tmp_path), ()))
    pairs = section(result.markdown, "Pairs (confirmation ranking)")
    assert "12 compared, 0 moved beyond noise, 12 within noise" in pairs
    assert "### Entered the top 10\n\n- None." in pairs and "### Left the top 10\n\n- None." in pairs
    assert "0 moved beyond noise" in section(result.markdown, "Builds (stage 1)")
    assert any(line.startswith("top 10 pairs: 0 entered, 0 left") for line in result.console)


def test_entered_and_left_are_the_two_top_sets_differences(synthetic, tmp_path):
    pa, pb = pair_scores(context(synthetic[0], tmp_path)), pair_scores(context(synthetic[1], tmp_path))
    top_a = {x for x, r in zip(pa.labels, pa.ranks) if r <= 10}
    top_b = {x for x, r in zip(pb.labels, pb.ranks) if r <= 10}
    entered, left = top_changes(pa, pb)
    assert len(entered) == len(top_b - top_a) and len(left) == len(top_a - top_b)
    assert all(line.split("`")[1] in top_b - top_a for line in entered)
    moves = score_moves(pa, pb)
    assert moves.compared + moves.only_a == len(pa.labels) and moves.compared + moves.only_b == len(pb.labels)
