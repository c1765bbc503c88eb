"""Stage-2 reports against values computed here from the raw records (plain numpy)."""

from __future__ import annotations

import math
import tomllib

import numpy as np
import pytest

from balance_rules.vitality import catalog as cat
from tests.reports.helpers import (
    attack_clusters,
    clustered_se,
    shown,
    bullet,
    carriers,
    enh_costs,
    first_table,
    num,
    order,
    records,
    section,
    table,
    tables,
)

TIERS = (50, 20, 5, 1, 0.1)


def short(att: dict, i: int) -> str:
    text = "+".join([att["attack_type"][i], *att["upgrades"][i]])
    return text + (f" [{', '.join(att['limits'][i])}]" if att["limits"][i] else "")


def read(out, name):
    return (out / "stage2" / name).read_text()


def tier_rows(rec, percent):
    size = math.ceil(len(rec["overall"]) * percent / 100 - 1e-9)
    return order(rec["overall"], rec["a"], rec["b"])[:size]


def test_tier_sizes_are_percentages_of_all_pairs_tested(synthetic_run, syn_reports):
    # 300 pairs: 0.1 % is 0.3 pairs, rounded up to 1 (a tier never rounds to nothing)
    assert len(records(synthetic_run, "stage2")["a"]) == 300
    for p, size in [(50, 150), (20, 60), (5, 15), (1, 3), (0.1, 1)]:
        for name in (f"enhancement_ranking_top_{p:g}.md", f"enhancement_saturation_top_{p:g}.md"):
            md = read(syn_reports, name)
            assert f"= **{size} pairs**" in md, name
            assert bullet(md, "Pairs tested (records read)") == "300"
            assert bullet(md, "Records skipped (corrupt shards)") == "0"


def test_top_pairs_confirmed_ranking_first_then_screening_order(run_and_reports):
    run, out = run_and_reports
    rec = records(run, "stage2")
    att = table(run, "stage2", "attacks")
    conf = table(run, "stage2", "confirmed")
    md = read(out, "top_1000_pairs.md")
    _, rows = first_table(md, "Top 1,000 Pairs")
    assert bullet(md, "Pairs tested (records read)") == f"{len(rec['a']):,}"
    # expected: the confirmation table by confirmed score (ties by a, b), then all other pairs by
    # screening score (ties by a, b)
    c_order = order(np.array(conf["overall"]), np.array(conf["a"]), np.array(conf["b"]))
    expect = [("confirmed", int(conf["a"][j]), int(conf["b"][j]), conf["overall"][j], conf["screening_overall"][j],
               conf["cost"][j], conf["synergy"][j], conf["timeouts"][j]) for j in c_order]
    done = {(e[1], e[2]) for e in expect}
    for i in order(rec["overall"], rec["a"], rec["b"]):
        if len(expect) >= 1000:
            break
        if (int(rec["a"][i]), int(rec["b"][i])) not in done:
            expect.append(("screening", int(rec["a"][i]), int(rec["b"][i]), rec["overall"][i], rec["overall"][i],
                           rec["cost"][i], rec["synergy"][i], rec["timeouts"][i]))
    assert len(rows) == len(expect) == min(1000, len(rec["a"]))
    for rank, (row, (src, a, b, turns, screening, cost, syn, tmo)) in enumerate(zip(rows, expect), 1):
        assert num(row[0]) == rank
        assert row[1] == short(att, a) and row[3] == short(att, b)
        assert (num(row[2]), num(row[4]), num(row[5])) == (att["cost"][a], att["cost"][b], cost)
        assert shown(row[6], float(turns), 1e-4)
        assert row[7] == src
        assert num(row[8]) == pytest.approx(float(screening), abs=0.006)
        assert num(row[9]) == pytest.approx(float(syn), abs=0.06)
        assert num(row[10]) == tmo


@pytest.mark.parametrize("percent", TIERS)
def test_enhancement_ranking_numbers(run_and_reports, percent):
    run, out = run_and_reports
    rec = records(run, "stage2")
    att = table(run, "stage2", "attacks")
    costs = enh_costs()
    idx = tier_rows(rec, percent)
    t = {k: v[idx] for k, v in rec.items()}
    tier_mean = float(t["overall"].astype(float).mean())
    md = read(out, f"enhancement_ranking_top_{percent:g}.md")
    # the tier's mean ± its error clustered by attack (pairs sharing an attack are not independent),
    # computed directly from the tier's records; the median and worst pair it replaced had no interval
    tier_se = clustered_se(t["overall"].astype(float), attack_clusters(t["a"], t["b"]))
    shown_mean = bullet(md, "Tier mean turns")
    assert shown(shown_mean, tier_mean)
    if len(idx) > 1:
        assert shown(shown_mean.split("±")[1], tier_se, 1e-4)
    else:  # one pair: no error to estimate, none printed
        assert "±" not in shown_mean.split("(")[0]
    assert "Tier median" not in md and "worst pair in the tier" not in md
    head, rows = first_table(md, "Enhancement Rankings")
    types = list(dict.fromkeys(att["attack_type"]))
    profiles = [c for c in head[16 + len(types):]]
    assert head[16:16 + len(types)] == types
    assert head[7:11] == ["vs Mean", "Eff", "Sig.", "Attacks"]
    names = {n for i in range(len(att["id"])) for n in (*att["upgrades"][i], *att["limits"][i])}
    seen = []
    effs = []
    for row in rows:
        name = row[1]
        has = carriers(att, name)
        in_a, in_b = has[t["a"]], has[t["b"]]
        carried = in_a | in_b
        seen.append(name)
        mean = t["overall"][carried].mean()
        # Efficiency divides by the points the carriers paid: base cost × the attack type's cost
        # factor (double on area types), averaged over the pairs carrying it by carrier type.
        ta = np.array(att["attack_type"])
        weights = np.array([((in_a & (ta[t["a"]] == typ)) | (in_b & (ta[t["b"]] == typ))).sum() for typ in types])
        factors = np.array([cat.ATTACK_TYPES[typ].cost_factor for typ in types])
        paid = costs[name] * (weights * factors).sum() / weights.sum()
        eff = (mean - tier_mean) / paid
        effs.append(eff)
        assert num(row[3]) == costs[name]
        assert num(row[4]) == carried.sum()
        assert num(row[5]) == pytest.approx(100 * carried.sum() / len(idx), abs=0.06)
        # the standard error clustered by the attack carrying it (pairs sharing it are not independent)
        pos = np.flatnonzero(carried)
        ia, ib = t["a"][pos], t["b"][pos]
        owners = np.flatnonzero(has)
        se = clustered_se(t["overall"][pos].astype(float),
                          [np.flatnonzero(((ia == k) | (ib == k))) for k in owners])
        assert shown(row[6], mean) and shown(row[7], mean - tier_mean) and shown(row[8], eff)
        if np.isfinite(se):
            assert shown(row[6].split("±")[1], se, 1e-4)
            assert row[9] == ("tie" if abs(mean - tier_mean) <= 1.96 * se else "better" if mean < tier_mean else "worse")
        assert num(row[10]) == len({int(k) for k in np.concatenate([ia[has[ia]], ib[has[ib]]])})
        assert num(row[11]) == t["timeouts"][carried].sum()
        assert num(row[12]) == pytest.approx(100 * in_a.sum() / (in_a.sum() + in_b.sum()), abs=0.6)
        if in_a.any():
            used1 = t["usage_a_profile"][in_a].astype(float).mean(axis=1).mean()
            assert num(row[14]) == pytest.approx(100 * used1, abs=0.6)
        for k, typ in enumerate(types):
            ta = np.array(att["attack_type"])
            by_type = (in_a & (ta[t["a"]] == typ)) | (in_b & (ta[t["b"]] == typ))
            cell = row[16 + k]
            if by_type.any():
                assert shown(cell, t["overall"][by_type].mean())
            else:
                assert cell == "–"
        for k, prof in enumerate(profiles):
            assert shown(row[16 + len(types) + k], t["by_profile"][carried, k].astype(float).mean(), 1e-3)
    # every enhancement carried by a tier pair is ranked, and only those, best efficiency first
    expected = {n for n in names if (carriers(att, n)[t["a"]] | carriers(att, n)[t["b"]]).any()}
    assert set(seen) == expected and len(seen) == len(expected)
    assert all(x <= y + 1e-12 for x, y in zip(effs, effs[1:]))
    assert (out / "stage2" / f"enhancement_efficiency_top_{percent:g}.png").read_bytes()[:4] == b"\x89PNG"
    assert f"](enhancement_efficiency_top_{percent:g}.png)" in md


@pytest.mark.parametrize("percent", [20, 0.1])
def test_enhancement_saturation_numbers(run_and_reports, percent):
    run, out = run_and_reports
    rec = records(run, "stage2")
    att = table(run, "stage2", "attacks")
    idx = tier_rows(rec, percent)
    md = read(out, f"enhancement_saturation_top_{percent:g}.md")
    _, rows = first_table(md, "Enhancement Saturation Rankings")
    rates = []
    a, b = rec["a"][idx], rec["b"][idx]
    for row in rows:
        has = carriers(att, row[1])
        n = (has[a] | has[b]).sum()
        everyone = (has[rec["a"]] | has[rec["b"]]).sum()
        assert num(row[4]) == n
        # the error's units are the attacks carrying the enhancement: per attack, the tier pairs it
        # is in (a pair whose two attacks both carry it counts in both); se = sqrt(sum n_k^2) / size
        per_attack = np.array([((a == k) | (b == k)).sum() for k in np.flatnonzero(has)])
        per_attack = per_attack[per_attack > 0]
        assert num(row[5]) == len(per_attack)
        rate, all_rate = 100 * n / len(idx), 100 * everyone / len(rec["a"])
        se = 100 * math.sqrt((per_attack**2).sum()) / len(idx)
        # a wrong model (pairs independent: binomial) is smaller whenever an attack is in 2+ pairs
        assert shown(row[6], rate) and shown(row[6].split("±")[1], se, 1e-4)
        assert num(row[7]) == pytest.approx(all_rate, abs=0.06)
        assert shown(row[8], rate / all_rate) and shown(row[8].split("±")[1], se / all_rate, 1e-4)
        assert row[9] == ("no" if abs(rate - all_rate) <= 1.96 * se else
                          "above 1" if rate > all_rate else "below 1")
        rates.append((-rate, row[1]))
    assert rates == sorted(rates)
    assert "Band" not in md
    # the summary's average over the enhancements seen, ± the mean of their errors (a bound: the error
    # of a mean is at most the mean of the errors); no figure without an error (median rate, tier turns)
    shares = [(100 * n / len(idx), se) for n, se in seen_shares(att, rec, idx)]
    line = bullet(md, "Average saturation rate")
    assert shown(line, np.mean([r for r, _ in shares])) and shown(line.split("±")[1], np.mean([e for _, e in shares]), 1e-4)
    assert "Median saturation rate" not in md and "worst pair in the tier" not in md


def seen_shares(att, rec, idx):
    """(tier pairs carrying it, its standard error in points) of every enhancement seen in the tier."""
    a, b = rec["a"][idx], rec["b"][idx]
    out = []
    for name in {n for i in range(len(att["id"])) for n in (*att["upgrades"][i], *att["limits"][i])}:
        has = carriers(att, name)
        n = int((has[a] | has[b]).sum())
        if n:
            per_attack = np.array([((a == k) | (b == k)).sum() for k in np.flatnonzero(has)])
            out.append((n, 100 * math.sqrt((per_attack**2).sum()) / len(idx)))
    return out


def test_pair_cost_analysis_numbers(run_and_reports):
    run, out = run_and_reports
    rec = records(run, "stage2")
    md = read(out, "pair_cost_analysis.md")
    x_all = rec["overall"].astype(float)
    overall = bullet(md, "Overall mean turns")
    assert shown(overall, x_all.mean())
    assert shown(overall.split("±")[1], clustered_se(x_all, attack_clusters(rec["a"], rec["b"])), 1e-4)
    assert "Overall median" not in md
    _, rows = first_table(md, "Cost Tier Summary")
    costs = sorted(set(rec["cost"].tolist()))
    assert [num(r[0]) for r in rows] == costs
    for row, c in zip(rows, costs):
        sel = rec["cost"] == c
        x = rec["overall"][sel].astype(float)
        assert num(row[1]) == sel.sum()
        assert shown(row[2], x.min())
        assert num(row[3]) == pytest.approx(np.median(x), abs=0.006)
        assert shown(row[4], x.mean())
        # clustered by attack: each pair in the clusters of both its attacks
        a, b = rec["a"][sel], rec["b"][sel]
        se = clustered_se(x, attack_clusters(a, b))
        if np.isfinite(se) and se > 0:
            assert shown(row[4].split("±")[1], se, 1e-4)
        # vs Mean: the cost's mean minus all pairs' mean, its error clustered by attack over all
        # pairs (the cost's pairs are among them; attacks recur across costs): each pair's
        # linearised share of the difference, summed per attack, here pair by pair
        y = rec["overall"].astype(float)
        infl = np.where(rec["cost"] == c, (y - x.mean()) / sel.sum(), 0.0) - (y - y.mean()) / len(y)
        attacks_all = np.union1d(rec["a"], rec["b"])
        totals = np.array([infl[(rec["a"] == k) | (rec["b"] == k)].sum() for k in attacks_all])
        g = len(attacks_all)
        dse = math.sqrt((totals**2).sum() * g / (g - 1))
        assert shown(row[5], x.mean() - y.mean())
        assert shown(row[5].split("±")[1], dse, 1e-4)
        assert shown(row[6], (x.mean() - y.mean()) / c)
        assert row[7] == ("tie" if abs(x.mean() - y.mean()) <= 1.96 * dse else
                          "better" if x.mean() < y.mean() else "worse")
        assert num(row[8]) == rec["timeouts"][sel].sum()
        # detailed top 10 at this cost: best pairs of that cost by score, ties by attack indices
        detail = tables(section(md, f"{c} Points"))[0][1]
        best = np.flatnonzero(sel)[order(rec["overall"][sel], rec["a"][sel], rec["b"][sel])[:10]]
        assert all(shown(r[3], float(rec["overall"][i]), 1e-4) for r, i in zip(detail, best))
        assert len(detail) == len(best)
    # the frontier: each cost's best pair against the best of every cheaper cost, a verdict only
    # beyond 1.96 standard errors of the difference (the two pairs' errors combined as independent)
    _, front = first_table(md, "Best Value per Cost")
    prev = None
    for row, c in zip(front, costs):
        sel = np.flatnonzero(rec["cost"] == c)
        i = sel[order(rec["overall"][sel], rec["a"][sel], rec["b"][sel])[0]]
        x, e = float(rec["overall"][i]), float(rec["se"][i])
        if prev is None:
            assert row[3] == "–" and row[4] == "yes (cheapest)"
        else:
            d, err = x - prev[0], math.hypot(e, prev[1])
            assert shown(row[3], d) and shown(row[3].split("±")[1], err, 1e-4)
            assert row[4] == ("yes" if d < -1.96 * err else "no" if d > 1.96 * err else "tied")
        if prev is None or x < prev[0]:
            prev = (x, e)
    assert (out / "stage2" / "pair_turns_by_cost.png").read_bytes()[:4] == b"\x89PNG"


def test_synergy_analysis_numbers(run_and_reports):
    run, out = run_and_reports
    rec = records(run, "stage2")
    s = rec["synergy"].astype(float)
    md = read(out, "synergy_analysis.md")
    _, rows = first_table(md, "Synergy Distribution")
    edges = [30, 15, 5, -5, -15, -30]  # bands are [lower, upper): top band is >= 30
    expect = [(s >= 30).sum()] + [((s >= lo) & (s < hi)).sum() for hi, lo in zip(edges, edges[1:])] + [(s < -30).sum()]
    assert [num(r[1]) for r in rows] == expect
    assert sum(expect) == len(s)
    assert num(bullet(md, "Synergy median")) == pytest.approx(np.median(s), abs=0.06)
    assert num(bullet(md, "Synergy mean")) == pytest.approx(s.mean(), abs=0.06)
    assert num(bullet(md, "Pairs with synergy ≥ 15%")) == (s >= 15).sum()
    pos = section(md, "Top 50 Positive Synergy Pairs (complementary)")
    neg = section(md, "Top 50 Negative Synergy Pairs (anti-synergy)")
    best = order(-s, rec["a"], rec["b"])[:50]
    worst = order(s, rec["a"], rec["b"])[:50]
    import re
    got_pos = [float(x) for x in re.findall(r"### Rank \d+: ([-+]\d+\.\d)% synergy", pos)]
    got_neg = [float(x) for x in re.findall(r"### Rank \d+: ([-+]\d+\.\d)% synergy", neg)]
    assert got_pos == pytest.approx([s[i] for i in best], abs=0.06)
    assert got_neg == pytest.approx([s[i] for i in worst], abs=0.06)
    assert "](synergy_distribution.png)" in md
    # "beats" / "worse than" its better solo only beyond 1.96 combined standard errors of pair -
    # better solo (screening: independent means), else "not distinguishable"
    solo = table(run, "stage2", "solos")
    so, sse = np.asarray(solo["overall"], float), np.asarray(solo["se"], float)
    a, b = rec["a"].astype(int), rec["b"].astype(int)
    j = np.where(so[a] <= so[b], a, b)
    excess = rec["overall"].astype(float) - so[j]
    err = np.hypot(rec["se"].astype(float), sse[j])
    beats, worse = excess < -1.96 * err, excess > 1.96 * err
    for sec, rows in ((pos, best), (neg, worst)):
        assert sec.count("**Beats its better half alone**") == int(beats[rows].sum())
        assert sec.count("**Worse than its better attack alone**") == int(worse[rows].sum())
        assert sec.count("**Not distinguishable from its better attack alone**") == int((~beats & ~worse)[rows].sum())
    # the point estimates alone would label differently (the test can tell the two rules apart)
    g = rec["gain_vs_best"].astype(float)
    assert int((g[best] > 0).sum()) != int(beats[best].sum()) or int((g[worst] <= 0).sum()) != int(worse[worst].sum())


def test_pairing_report_uses_confirmed_ranking(run_and_reports):
    run, out = run_and_reports
    rec = records(run, "stage2")
    conf = table(run, "stage2", "confirmed")
    md = read(out, "stage2_pairing_report.md")
    assert bullet(md, "Total pairs tested") == f"{len(rec['a']):,}"
    n = min(len(conf["a"]), 50)
    sec = section(md, f"Top {n} pairs — confirmation ranking")
    import re
    heads = re.findall(r"### Rank (\d+): (.*)", sec)
    assert [int(r) for r, _ in heads] == list(range(1, n + 1))
    tied = [h.endswith("tied with #1") for _, h in heads]
    assert tied == [False] + [bool(x) for x in conf["tied_with_first"][1:n]]  # #1 is not "tied with" itself
    others = int(np.sum(conf["tied_with_first"][1:]))
    assert bullet(md, "Confirmed pairs").endswith(
        f"**other pairs statistically tied with #1**: {others} (difference within 1.96 standard errors of the "
        "difference; every confirmed pair plays the same dice, so the error is that of the per-combat differences)")
    turns = re.findall(r"\*\*Confirmed turns\*\*: (\d+(?:\.\d+)?)", sec)
    assert len(turns) == n and all(shown(t, float(x), 1e-4) for t, x in zip(turns, sorted(conf["overall"])[:n]))
    # ranks after the confirmed ones: the next screening pairs, not re-ordered
    if len(rec["a"]) > n:
        rest = section(md, f"Ranks {n + 1}–{min(50, len(rec['a']))} — screening ranking (not confirmed)")
        done = set(zip(conf["a"], conf["b"]))
        exp = [i for i in order(rec["overall"], rec["a"], rec["b"]) if (rec["a"][i], rec["b"][i]) not in done][: 50 - n]
        got = re.findall(r"\*\*Screening turns\*\*: (\d+(?:\.\d+)?)", rest)
        assert len(got) == len(exp) and all(shown(g, float(rec["overall"][i]), 1e-4) for g, i in zip(got, exp))
    # usage and performance tables carry the configured profile and scenario names
    schema_profiles = [p for p in re.findall(r"\| vs ([^|]+) \|", sec)]
    assert set(schema_profiles) == set(_profiles(run))


def _profiles(run):
    import tomllib
    return [p["name"] for p in tomllib.loads((run / "config.toml").read_text())["profiles"]]


def test_synergy_analysis_states_timeouts_as_a_rate(run_and_reports):
    run, out = run_and_reports
    rec = records(run, "stage2")
    config = tomllib.loads((run / "config.toml").read_text())
    cells = len(config["profiles"]) * len(config["buffs"]) * len(config["scenarios"])
    combats = len(rec["a"]) * cells * config["stage2"]["runs"]
    timeouts = int(rec["timeouts"].sum())
    md = read(out, "synergy_analysis.md")
    assert bullet(md, "Timeouts, all pairs") == (
        f"{timeouts:,} of {combats:,} combats ({100 * timeouts / combats:.2f}%) reached the turn limit"
    )
