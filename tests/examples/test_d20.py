"""The d20 example rule system (examples/d20_rules), installed as a real distribution, runs
through both stages and every report with its own config, without any change to balance.

Thanks to common random numbers (dice depend on cell, run, turn and die role, never on the
attack), an upgrade that only adds to a roll makes every single combat end no later, so the
comparisons below are exact inequalities, not statistical ones."""

from __future__ import annotations

import json

import numpy as np

from tests.conftest import run_balance
from tests.examples.conftest import D20_CONFIG as CONFIG
from tests.stages.tiny import read_stage, read_table

REPORTS = {
    "stage1": ["stage1_pruning_report.md", "enhancement_saturation_report.md", "cost_analysis_report.md"],
    "stage2": ["stage2_pairing_report.md", "top_1000_pairs.md", "pair_cost_analysis.md", "synergy_analysis.md"]
    + [f"enhancement_{kind}_top_{x}.md" for kind in ("ranking", "saturation") for x in ("50", "20", "5", "1", "0.1")],
}


def stage1_by_build(out):
    """{build id: (overall, by_scenario)} from the stage-1 records."""
    records, ids = read_stage(out, "stage1"), read_table(out, "stage1", "attacks")["id"]
    return {ids[a]: (o, s) for a, o, s in zip(records["attack"], records["overall"], records["by_scenario"])}


def test_plugin_listed_from_its_distribution(d20_site):
    result = run_balance("plugins", "--format", "json", "--config", str(CONFIG), env=d20_site)
    assert result.returncode == 0, result.stderr
    plugins = {p["name"]: p for p in json.loads(result.stdout)["plugins"]}
    assert (plugins["d20"]["distribution"], plugins["d20"]["version"]) == ("balance-d20", "0.1.0")
    assert plugins["d20"]["provides"] == ["rule system d20"]


def test_legality_and_budget_come_from_the_d20_catalog(d20_site):
    ok = run_balance("build", "check", "melee + keen, extra_die", "--config", str(CONFIG), env=d20_site)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines()[1:] == ["cost 3 (budget 5)", "legal"]
    bad = run_balance("build", "check", "burst + keen [unreliable]", "--config", str(CONFIG), env=d20_site)
    assert bad.returncode == 1
    assert bad.stdout.splitlines()[1:] == ["cost 4 (budget 5)", "upgrade keen is not allowed on area attacks"]
    typo = run_balance("build", "check", "melee + keeen", "--config", str(CONFIG), env=d20_site)
    assert typo.returncode == 2 and "did you mean keen?" in typo.stderr
    count = run_balance("builds", "--count", "--by-type", "--format", "json", "--config", str(CONFIG), env=d20_site)
    assert json.loads(count.stdout) == {"total": 105, "by_type": {"melee": 45, "ranged": 45, "burst": 15}}


def test_run_writes_every_report_for_d20(d20_run):
    for stage, names in REPORTS.items():
        for name in names:
            assert (d20_run / "reports" / stage / name).is_file(), f"{stage}/{name} missing"
    pairing = (d20_run / "reports" / "stage2" / "stage2_pairing_report.md").read_text()
    assert "**Rules**: d20" in pairing and "Goblins" in pairing
    ranking = (d20_run / "reports" / "stage2" / "enhancement_ranking_top_50.md").read_text()
    assert "wide_burst" in ranking or "cleave" in ranking  # d20 enhancement names, with their costs
    confirmed = read_table(d20_run, "stage2", "confirmed")
    assert confirmed["rank"] == list(range(1, 11))
    assert confirmed["overall"] == sorted(confirmed["overall"])


def test_strictly_better_upgrades_beat_the_plain_attack(d20_run):
    s1 = stage1_by_build(d20_run)
    for plain in ("melee", "ranged"):
        for better in ("weapon_focus", "extra_die", "keen"):
            assert s1[f"{plain} + {better}"][0] < s1[plain][0], (plain, better)
    assert s1["burst + weapon_focus"][0] < s1["burst"][0]
    ogre, goblins = 0, 1  # scenario order of d20.toml
    # wide_burst reaches enemies 4 and 5: nothing changes against one ogre (same dice), a lot against goblins
    assert s1["burst + wide_burst"][1][ogre] == s1["burst"][1][ogre]
    assert s1["burst + wide_burst"][1][goblins] < s1["burst"][1][goblins]
    # cleave only acts when a target drops and another stands
    assert s1["melee + cleave"][1][ogre] == s1["melee"][1][ogre]
    assert s1["melee + cleave"][1][goblins] < s1["melee"][1][goblins]
    # the area attack is the swarm answer, the single-target one the ogre answer
    assert s1["burst"][1][goblins] < s1["melee"][1][goblins]
    assert s1["burst"][1][ogre] > s1["melee"][1][ogre]


def test_default_policy_uses_the_area_attack_against_the_swarm(d20_run):
    """The built-in default policy reads only the d20 kernel's view numbers (never names)."""
    s2, types = read_stage(d20_run, "stage2"), np.asarray(read_table(d20_run, "stage2", "attacks")["attack_type"])
    a_burst, b_burst = types[s2["a"]] == "burst", types[s2["b"]] == "burst"
    mixed = a_burst != b_burst
    assert mixed.sum() > 20
    burst_share = np.where(a_burst[:, None], s2["usage_a_scenario"], s2["usage_b_scenario"])[mixed].astype(float)
    ogre, goblins = burst_share.mean(axis=0)
    assert goblins > 0.5 > ogre


def test_same_seed_same_results_whatever_the_workers(d20_run, d20_site, tmp_path):
    again = tmp_path / "again"
    # d20_run ran on one worker; two workers each load the rule plugin from PYTHONPATH themselves
    result = run_balance("run", str(CONFIG), "--out", str(again), "--stage", "1", "--workers", "2", "--no-reports",
                         env=d20_site)
    assert result.returncode == 0, result.stderr
    first, second = read_stage(d20_run, "stage1"), read_stage(again, "stage1")
    for column in ("attack", "overall", "se", "cell_mean"):
        np.testing.assert_array_equal(first[column], second[column])


def test_simulate_is_reproducible_and_the_seed_matters(d20_site):
    def sim(*extra):
        r = run_balance("simulate", "ranged + keen", "--config", str(CONFIG), "--runs", "30", "--format", "json",
                        *extra, env=d20_site)
        assert r.returncode == 0, r.stderr
        return [c["mean"] for c in json.loads(r.stdout)["cells"]]

    assert sim() == sim()
    assert sim("--seed", "1") != sim()


def test_a_local_plugin_adds_one_upgrade_to_the_d20_catalog(d20_site):
    """examples/d20_rules/sharpened.py: a new rule system, d20 plus one pure-data upgrade."""
    config = str(CONFIG.parent / "d20_sharpened.toml")
    check = run_balance("build", "check", "melee + sharpened, keen", "--config", config, env=d20_site)
    assert check.returncode == 0, check.stderr
    assert check.stdout.splitlines()[1:] == ["cost 2 (budget 5)", "legal"]
    count = run_balance("builds", "--count", "--format", "json", "--config", config, env=d20_site)
    assert json.loads(count.stdout) == {"total": 147}  # 105 d20 builds + those with sharpened

    def turns(build):
        r = run_balance("simulate", build, "--config", config, "--format", "json", env=d20_site)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)["overall"]["mean"]

    # +1 damage with the same dice: every combat ends no later, and some earlier
    assert turns("melee + sharpened") < turns("melee")
    assert turns("ranged + keen, sharpened") < turns("ranged + keen")
