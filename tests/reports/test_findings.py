"""Values in points and findings.md against numbers known exactly (the toy of :mod:`toy_values`),
and on a real small run (stage 1 and stage 2)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from balance.reporting import write_reports
from balance.session import open_session
from balance_plugins.reports.data import Attacks
from balance_plugins.reports.fair_costs import cost_error, fair_costs
from balance_plugins.reports.findings import mis_costed
from balance_plugins.reports.point_values import decimals, measure
from balance_plugins.store import MsgpackStore
from tests.reports import toy_values as toy


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory):
    return toy.make_toy_run(tmp_path_factory.mktemp("toy") / "run")


@pytest.fixture(scope="module")
def toy_values(toy_run):
    run = MsgpackStore().open(toy_run)
    return measure(run.stage_reader("stage1"), Attacks.load(run, "stage1"))


def test_flat_damage_comes_out_at_its_known_point_value(toy_values):
    assert set(toy_values.values) == set(toy.WORTH)
    for name, worth in toy.WORTH.items():
        v = toy_values.values[name]
        # turns are linear in damage without dice and the slope is exact by the toy's symmetry; the
        # store keeps cell means as float32 (relative error 6e-8 on ~40 turns): 1e-5 points is exact
        assert v.points.est == pytest.approx(worth, abs=1e-5), name
        assert v.points.lo <= worth <= v.points.hi, (name, v.points)
        for iv in (*v.by_profile.values(), *v.by_scenario.values()):
            assert iv.est == pytest.approx(worth, abs=1e-5), name
    # the price of a point: the median upgrade's turns per point paid. Per point, nick and edge save
    # PER_DAMAGE (a point buys a damage), whetstone 1.5 times, gilded half: the median of the four is
    # that of nick and edge, the mean over cells of PER_DAMAGE. The toy's plain-build slope is exact too
    # (its symmetry), so both conversions agree here; the price is the one that converts.
    assert toy_values.market == tuple(sorted(toy.UPGRADES))
    assert toy_values.price.est == pytest.approx(-toy.PER_DAMAGE.mean(), abs=1e-5)
    assert toy_values.in_points
    assert toy_values.slope.est == pytest.approx(-toy.PER_DAMAGE.mean(), abs=1e-5)
    assert toy_values.values["gilded"].cost == 2 and toy_values.values["reckless"].kind == "limit"


def test_every_pair_of_builds_is_counted(toy_values):
    bs = toy.builds()
    keys = {(t, frozenset((*u, *x))) for t, u, x in bs}
    for name in toy.WORTH:
        expected = sum(1 for t, s in keys if name in s and (t, s - {name}) in keys)
        assert toy_values.values[name].pairs == expected


def test_bootstrap_is_reproducible(toy_run, toy_values):
    run = MsgpackStore().open(toy_run)
    again = measure(run.stage_reader("stage1"), Attacks.load(run, "stage1"))
    assert again.values["gilded"].points == toy_values.values["gilded"].points


def test_fair_costs_price_limits_and_upgrades_in_findings_currency(toy_values):
    """Limits are bought with the same points as upgrades, so fair_costs.md prices both at the price
    of a point, as findings.md does: every fair cost is the value in points (the toy's costs are base
    costs), and the page's *lower* / *raise* are findings' over- / under-costed, limits included.
    Pricing limits against other limits instead (the toy has one limit: no fair cost at all) fails."""
    found = {f.name: f for f in fair_costs(toy_values)}
    assert set(found) == set(toy.WORTH)
    for name, worth in toy.WORTH.items():
        assert found[name].fair.est == pytest.approx(worth, abs=1e-5), name
    over, under = mis_costed(toy_values)
    assert {f.name for f in found.values() if f.verdict == "lower"} == {v.name for v in over} == {"gilded"}
    assert {f.name for f in found.values() if f.verdict == "raise"} == {v.name for v in under} \
        == {"whetstone", "reckless"}
    # how far a typical one is off its cost, |worth / cost - 1|: upgrades 0 (nick, edge), 0.5 (gilded
    # 1 for 2, whetstone 3 for 2), median 0.25; the one limit (worth 2 for 1) 1
    assert cost_error(toy_values, "upgrade").est == pytest.approx(0.25, abs=1e-5)
    assert cost_error(toy_values, "limit").est == pytest.approx(1.0, abs=1e-5)


def test_no_fair_cost_without_a_price(tmp_path, monkeypatch):
    """The toy whose price's interval reaches 0 (as in the test below): no value in points, hence no
    fair cost, and the page says why instead of dividing by a price that may be 0."""
    monkeypatch.setattr(toy, "UPGRADES", {"nick": (1, 0), "edge": (2, 0), "whetstone": (2, 3), "gilded": (2, -1)})
    run_dir = toy.make_toy_run(tmp_path / "run", build_sd=0.5, seed=4)
    run = MsgpackStore().open(run_dir)
    values = measure(run.stage_reader("stage1"), Attacks.load(run, "stage1"), replicates=200)
    assert not values.in_points
    found = fair_costs(values)
    assert found and all(np.isnan(f.fair.est) for f in found)
    assert all(f.verdict.startswith(("no fair cost", "no positive cost")) for f in found)
    assert np.isnan(cost_error(values, "upgrade").est)
    write_reports(open_session(run_dir / "config.toml"), run_dir, tmp_path / "out", only=["fair_costs"])
    md = (tmp_path / "out" / "stage1" / "fair_costs.md").read_text()
    assert "**No fair costs in this run**" in md
    assert "None: every fair cost's interval contains the current cost." in md


def _section(md: str, title: str) -> str:
    return md.split(f"## {title}", 1)[1].split("\n## ", 1)[0]


def test_findings_flag_the_over_costed_toy_upgrade(toy_run, tmp_path):
    write_reports(open_session(toy_run / "config.toml"), toy_run, tmp_path, only=["findings"])
    md = (tmp_path / "findings.md").read_text()
    over, under = _section(md, "Over-costed"), _section(md, "Under-costed")
    assert "`gilded`" in over and "for its cost of 2" in over
    assert re.search(r"`gilded` \(upgrade\) is worth about 1(\.0+)? points", over)
    assert "`whetstone`" in under and "`reckless`" in under
    for fair in ("`nick`", "`edge`"):
        assert fair not in over and fair not in under
    assert "`gilded` (cost 2) is never better than `nick` (cost 1)" in _section(md, "Dominated options")
    assert "Stage 2 has not run." in md
    # the page says which conversion it used, and the price it measured: exact here, 0.95 turns per point
    # (the float32 cell means leave a width of 1e-7, so the precision rule's cap of three decimals)
    assert "converted to points at the **price of a point**" in md
    assert "(median of 4 upgrades: 0.950 turns per point, 95% CI 0.950 to 0.950)" in md
    assert "No values in points" not in md
    # the toy's records have no dice groups, like a run from before them: the page says so, once
    assert md.count("bootstrap over builds only: this run's stage 1 predates the dice groups") == 1
    index = (tmp_path / "index.md").read_text().splitlines()
    assert index[4] == "| [findings.md](findings.md) | top |"


def test_without_a_price_findings_judge_by_turns(tmp_path, monkeypatch):
    """The honest fallback: when a point of a typical upgrade does not reliably save turns, there is
    no value in points. Here nick and edge add no damage, whetstone 3 and gilded takes one away: per
    point the upgrades save 0, 0, 1.5 k and -0.5 k turns, whose median is 0, so the price's interval
    cannot lie below 0 (each build also gets its own noise: the interval straddles 0)."""
    monkeypatch.setattr(toy, "UPGRADES", {"nick": (1, 0), "edge": (2, 0), "whetstone": (2, 3), "gilded": (2, -1)})
    run_dir = toy.make_toy_run(tmp_path / "run", build_sd=0.5, seed=4)
    run = MsgpackStore().open(run_dir)
    values = measure(run.stage_reader("stage1"), Attacks.load(run, "stage1"), replicates=200)
    assert values.price.lo < 0 < values.price.hi and not values.in_points
    assert all(np.isnan(v.points.est) for v in values.values.values())
    write_reports(open_session(run_dir / "config.toml"), run_dir, tmp_path / "out", only=["findings"])
    md = (tmp_path / "out" / "findings.md").read_text()
    assert "**No values in points in this run**: the price of a point has an interval reaching 0" in md
    # judged by turns: gilded (one damage less) makes attacks slower yet costs 2 points
    assert re.search(r"`gilded` \(upgrade\) adds [\d.]+ turns per combat \(95% CI [\d.]+ to [\d.]+\) for its cost of 2",
                     _section(md, "Over-costed"))
    assert "`whetstone` (upgrade) saves" in _section(md, "Under-costed")
    assert "is worth about" not in md


def test_decimals_follow_the_interval():
    assert decimals(1.7, 2.3) == 1  # ±0.3
    assert decimals(1.0, 9.0) == 0  # ±4
    assert decimals(1.97, 2.03) == 2  # ±0.03


def real_run_confirm_runs(run_dir) -> int:
    import tomllib
    return tomllib.loads((run_dir / "config.toml").read_text())["stage2"]["confirm_runs"]


def test_findings_on_a_real_run(real_run, real_reports):
    md = (real_reports / "findings.md").read_text()
    for title in ("Over-costed", "Under-costed", "Dominated options", "What the top pairs share", "Policy check"):
        assert f"## {title}" in md
    # the policy check, recomputed from the raw records and the solos table
    from tests.reports.helpers import records, table
    rec, solos = records(real_run, "stage2"), table(real_run, "stage2", "solos")
    so, sse = np.asarray(solos["overall"]), np.asarray(solos["se"])
    a, b = rec["a"], rec["b"]
    best = np.minimum(so[a], so[b])
    best_se = np.where(so[a] <= so[b], sse[a], sse[b])
    slower = int((rec["overall"].astype(float) - best > 3 * np.sqrt(rec["se"].astype(float) ** 2 + best_se**2)).sum())
    assert f"{slower:,} of {len(a):,} pairs" in _section(md, "Policy check")
    # the confirmed top: pair minus its better confirm solo against the paired error the
    # confirmation recorded (common dice), not the independent one
    conf, cs = table(real_run, "stage2", "confirmed"), table(real_run, "stage2", "confirm_solos")
    co, n = np.asarray(cs["overall"]), min(50, len(conf["a"]))
    ca, cb = np.asarray(conf["a"][:n]), np.asarray(conf["b"][:n])
    excess = np.asarray(conf["overall"][:n]) - np.minimum(co[ca], co[cb])
    worse = int((excess > 3 * np.asarray(conf["solo_diff_se"][:n])).sum())
    assert (f"Of the confirmed top {n} ({real_run_confirm_runs(real_run)} runs per cell, fresh dice), {worse} are "
            "slower than their better attack alone by more than 3 standard errors of the difference (paired:"
            in _section(md, "Policy check"))
    # 4 stage-1 runs per cell: 4 dice groups of one run, redrawn with the builds
    assert "bootstrap over builds and over the dice all builds of a cell share (4 groups of runs)" in md
    assert "predates" not in md
    index = (real_reports / "index.md").read_text().splitlines()
    assert index[4] == "| [findings.md](findings.md) | top |"  # linked first
    assert "| [stage1_pruning_report.md](stage1/stage1_pruning_report.md) | stage1 |" in index
