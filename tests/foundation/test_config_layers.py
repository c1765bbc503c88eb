"""Configs as designers write them: partial TOML layered over the embedded default, and the older
tool's config.json files of both generations, every key mapped, warned about or refused."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import attrs
import pytest

from balance.session import open_session
from tests.conftest import run_balance

LEGACY = Path(__file__).parent / "legacy"
MINIMAL = {"tier": 4, "points_per_attack": 6, "scenarios": [{"name": "Boss", "num_enemies": 1, "enemy_hp": 100}]}


def write(tmp_path, name: str, content) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def warnings_of(path: Path) -> list[str]:
    result = run_balance("config", "show", str(path))
    assert result.returncode == 0, result.stderr
    return result.stderr.splitlines()


# -- partial TOML ---------------------------------------------------------------------------------

def test_partial_toml_from_the_issue_loads_over_the_default(tmp_path):
    path = write(tmp_path, "c.toml", "points_per_attack = 4\n[stage1]\nruns = 3\n")
    c, default = open_session(path).config, open_session().config
    assert (c.points_per_attack, c.stage1.runs) == (4, 3)
    assert attrs.evolve(c, points_per_attack=0).with_settings("stage1", attrs.evolve(c.stage1, runs=default.stage1.runs)) == default
    result = run_balance("config", "show", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == (
        "# keys from the file: points_per_attack, stage1.runs; every other key is the embedded default's"
    )
    shown = tomllib.loads(result.stdout)
    assert shown["stage1"]["runs"] == 3 and shown["stage1"]["prune"]["strategy"] == "hybrid"


def test_a_list_of_tables_replaces_the_defaults_and_tables_merge(tmp_path):
    path = write(tmp_path, "c.toml", '[[scenarios]]\nname = "Duel"\nenemy_hp = [40]\n[stage1.prune]\noverall_percent = 10.0\n')
    c, default = open_session(path).config, open_session().config
    assert [(s.name, s.enemy_hp) for s in c.scenarios] == [("Duel", (40,))]
    assert c.profiles == default.profiles  # not given: the default's
    assert c.stage1.prune.overall_percent == 10.0
    assert c.stage1.prune.strategy == default.stage1.prune.strategy  # the rest of the table stays
    assert c.stage1.runs == default.stage1.runs


def test_an_empty_list_is_the_files_choice_not_a_gap(tmp_path):
    result = run_balance("config", "show", str(write(tmp_path, "c.toml", "scenarios = []\n")))
    assert result.returncode == 2
    assert result.stderr.strip() == "config error: scenarios: at least one scenario is needed"


@pytest.mark.parametrize("rounds,expected", [
    ("runs = 0\nkeep_percent = 50.0", "stage1.rounds[0].runs: expected a positive integer or -1 (the stage's runs), got 0"),
    ("runs = 2\nkeep_percent = 0.0", "stage1.rounds[0].keep_percent: expected a percentage in (0, 100], got 0"),
    ("runs = 2\nkeep = 50.0", "stage1.rounds[0].keep: unknown key (known keys: runs, keep_percent)"),
])
def test_bad_round_is_one_line(tmp_path, rounds, expected):
    result = run_balance("config", "show", str(write(tmp_path, "c.toml", f"[[stage1.rounds]]\n{rounds}\n")))
    assert result.returncode == 2
    assert result.stderr.strip() == f"config error: {expected}"


def test_a_wrong_type_in_a_partial_file_still_names_the_key(tmp_path):
    result = run_balance("config", "show", str(write(tmp_path, "c.toml", "[stage1]\nruns = \"many\"\n")))
    assert result.returncode == 2
    assert result.stderr.strip() == 'config error: stage1.runs: expected an integer, got "many"'


def test_default_run_settings_are_unchanged_by_layering():
    # the embedded default is what it was: same grid, runs and seed, so the same numbers
    c = open_session().config
    assert (c.stage1.runs, c.stage1.rounds, c.stage2.max_turns, c.attack_types, c.seed) == (20, (), 0, (), 20261126)


# -- the older tool's files -------------------------------------------------------------------------

def test_minimal_older_shape_from_the_issue_loads(tmp_path):
    c = open_session(write(tmp_path, "config.json", MINIMAL)).config
    assert (c.budget_keys["tier"], c.points_per_attack) == (4, 6)
    assert [(s.name, s.enemy_hp) for s in c.scenarios] == [("Boss", (100,))]
    assert [p.name for p in c.profiles] == ["Evasive", "Tanky"]  # the embedded default's


def test_newer_generation_every_key_mapped():
    s = open_session(LEGACY / "newer.json")
    c = s.config
    assert (c.budget_keys["tier"], c.budget_keys["archetype"], c.points_per_attack, c.attacker) == (4, "dual_natured", 6, (3, 2, 1, 2, 4))
    assert [(p.name, p.stats) for p in c.profiles] == [
        ("Evasive", (2, 2, 4, 0, 4)), ("Tanky", (2, 2, 0, 4, 4)), ("Balanced", (2, 2, 2, 2, 4)),
    ]
    assert [(b.name, b.bonus("accuracy"), b.bonus("damage"), b.bonus("avoidance"), b.bonus("durability")) for b in c.buffs] == [("No Buffs", 0, 0, 0, 0), ("Bless vs Shield", 2, 1, 1, 3)]
    assert [(x.name, x.enemy_hp) for x in c.scenarios] == [
        ("Boss", (100,)), ("Pack", (25, 25, 25, 25)), ("Mixed", (50, 25, 25)),
    ]
    p = c.stage1.prune
    assert c.stage1.runs == 8
    assert (p.strategy, p.overall_percent, p.specialist_percent, p.enhancement_percent) == (
        "overall_specialists", 7.0, 3.0, 20.0,
    )
    assert (c.stage2.runs, c.stage2.max_turns, c.stage2.max_pairs, c.stage2.sample_fraction) == (3, 60, 5000, 0.25)
    assert c.max_turns == 100  # stage 1 keeps the default bound; stage 2 has its own
    assert c.performance.workers == 2


def test_newer_generation_warns_once_per_ignored_key():
    assert warnings_of(LEGACY / "newer.json") == [
        "config warning: defensive_profiles[].description (3 entries): ignored: descriptions are not used by runs or reports",
        "config warning: buff_configurations[].description (2 entries): ignored: descriptions are not used by runs or reports",
        "config warning: performance.chunk_size: ignored: work units are sized by the runner (performance.batch_size) "
        "and results do not depend on them",
        "config warning: performance.use_threading: ignored: work always runs in worker processes; set their number "
        "with performance.workers",
    ]


def test_stage2_max_turns_reaches_the_stage2_simulator():
    from balance_plugins.stages.stage1 import Stage1Task
    from balance_plugins.stages.stage2 import PairTask, SoloTask

    s = open_session(LEGACY / "newer.json")
    builds = (s.rules.parse("melee_ac"), s.rules.parse("area"))
    assert PairTask(builds, (0, 0), (1.0, 1.0), 2, 1, 1, "default", None).prepare(s)[0].max_turns == 60
    assert SoloTask(builds, 2, 1, 1, "default").prepare(s)[0].max_turns == 60
    assert Stage1Task(2, 1).prepare(s)[0].max_turns == 100


def test_older_generation_every_key_mapped():
    s = open_session(LEGACY / "older.json")
    c = s.config
    assert (c.budget_keys["tier"], c.budget_keys["archetype"], s.budget, c.attacker) == (3, "focused", 6, (2, 2, 2, 2, 3))
    assert c.attack_types == ("melee_dg", "area", "direct_damage", "direct_area_damage")
    assert [(p.name, p.stats) for p in c.profiles] == [("Defender", (1, 2, 2, 3, 3))]
    assert [(x.name, x.enemy_hp) for x in c.scenarios][0] == ("Boss", (100,))
    assert len(c.scenarios) == 4
    assert c.stage1.runs == 4
    # pruning (1 run, keep 50 %) first, then the progressive rounds; -1 = the stage's runs
    assert [(r.runs, r.keep_percent) for r in c.stage1.rounds] == [(1, 50.0), (2, 40.0), (-1, 100.0)]


def test_older_generation_warnings():
    assert warnings_of(LEGACY / "older.json") == [
        "config warning: use_threading: ignored: work always runs in worker processes; set their number with "
        "performance.workers",
        "config warning: use_gpu: ignored: the engine runs on the CPU; there is no GPU path",
        "config warning: build_chunk_size: ignored: work units are sized by the runner (performance.batch_size) "
        "and results do not depend on them",
        "config warning: dual_natured: ignored: it configures the dual_natured archetype, and this run's archetype "
        "is focused",
    ]


def test_attack_types_limit_the_stage1_enumeration():
    from balance_plugins.stages.common import stage1_builds

    s = open_session(LEGACY / "older.json")
    builds = stage1_builds(s)
    assert {b.attack_type for b in builds} == {"melee_dg", "area", "direct_damage", "direct_area_damage"}
    every = list(s.rules.enumerate_builds(s.budget))
    assert len(builds) == sum(b.attack_type in s.config.attack_types for b in every) < len(every)


def test_pruning_alone_is_a_quick_pass_then_the_stage_runs(tmp_path):
    data = {**MINIMAL, "simulation_runs": 7, "pruning": {"enabled": True, "top_percent": 0.1, "simulation_runs": 1}}
    c = open_session(write(tmp_path, "config.json", data)).config
    assert [(r.runs, r.keep_percent) for r in c.stage1.rounds] == [(1, 10.0), (-1, 100.0)]
    off = {**data, "pruning": {"enabled": False}, "progressive_elimination": {"enabled": False, "rounds": []}}
    assert open_session(write(tmp_path, "off.json", off)).config.stage1.rounds == ()


@pytest.mark.parametrize("name", ["newer.json", "older.json"])
def test_convert_writes_toml_that_loads_to_the_same_config(tmp_path, name):
    out = tmp_path / "converted.toml"
    result = run_balance("config", "convert", str(LEGACY / name), "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert open_session(out).config == open_session(LEGACY / name).config
    text = out.read_text()
    assert text.startswith(f"# converted from {LEGACY / name}")
    assert "# use_gpu: ignored" in text if name == "older.json" else "# performance.chunk_size: ignored" in text
    again = run_balance("config", "convert", str(LEGACY / name), "--output", str(out))
    assert again.returncode == 2 and again.stderr.strip() == (
        f"error: {out} exists; choose another --output (convert never overwrites)"
    )


def test_examples_legacy_config_is_a_newer_generation_file():
    from tests.examples.conftest import EXAMPLES

    data = json.loads((EXAMPLES / "legacy_config.json").read_text())
    assert {"character_config", "defensive_profiles", "buff_configurations", "stage1", "stage2", "performance"} <= set(data)
    assert {"simulation_runs", "top_percent", "pruning_strategy"} <= set(data["stage1"])
    assert "attacker_accuracy_bonus" in data["buff_configurations"][1]
    c = open_session(EXAMPLES / "legacy_config.json").config
    assert c.stage1.prune.overall_percent == 10.0 and c.buffs[1].bonus("accuracy") == 2


# -- bad values in the older files: one line each, exit 2 -------------------------------------------

def with_(base: dict, **changes) -> dict:
    data = json.loads(json.dumps(base))
    for key, value in changes.items():
        target, *path = key.split("__")
        node = data
        for part in [target, *path][:-1]:
            node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
        last = [target, *path][-1]
        node[int(last) if last.isdigit() else last] = value
    return data


NEWER = json.loads((LEGACY / "newer.json").read_text())
OLDER = json.loads((LEGACY / "older.json").read_text())

BAD = [
    ("fraction-as-percent", with_(NEWER, stage1__top_percent=20),
     "config error: stage1.top_percent: expected a fraction in (0, 1] (0.2 means 20%), got 20"),
    ("sample-fraction-zero", with_(NEWER, stage2__pair_sample_percent=0),
     "config error: stage2.pair_sample_percent: expected a fraction in (0, 1] (0.2 means 20%), got 0"),
    ("strategy-name", with_(NEWER, stage1__pruning_strategy="best_only"),
     'config error: stage1.pruning_strategy: unknown strategy "best_only" (strategies: overall_only, '
     "enhancement_based, hybrid)"),
    ("buff-key-typo", with_(NEWER, buff_configurations__1__attacker_acuracy_bonus=1),
     "config error: buff_configurations[1].attacker_acuracy_bonus: unknown key (did you mean attacker_accuracy_bonus?)"),
    ("num-enemies-zero", with_(NEWER, scenarios__1__num_enemies=0),
     "config error: scenarios[1].num_enemies: expected a positive integer, got 0"),
    ("hp-word", with_(NEWER, scenarios__1__enemy_hp="lots"),
     'config error: scenarios[1].enemy_hp: expected a positive integer, got "lots"'),
    ("hp-without-count", with_(NEWER, scenarios__0={"name": "Boss", "enemy_hp": 100}),
     "config error: scenarios[0].num_enemies: missing (needed with enemy_hp as one number)"),
    ("hp-list-count-differs", with_(NEWER, scenarios__0__enemy_hp=[100, 50]),
     "config error: scenarios[0].enemy_hp: lists 2 enemies, and num_enemies is 1"),
    ("both-hp-forms", with_(NEWER, scenarios__0__enemy_hp_list=[10]),
     "config error: scenarios[0]: give either enemy_hp_list or num_enemies + enemy_hp, not both"),
    ("stage2-max-turns", with_(NEWER, stage2__max_turns=-5),
     "config error: stage2.max_turns: expected 0 (the config's max_turns) or a positive integer, got -5"),
    ("unknown-archetype", with_(NEWER, archetype="glass_cannon"),
     'config error: archetype: unknown archetype "glass_cannon" (known: dual_natured, focused, versatile_master)'),
    ("two-archetypes", with_(OLDER, archetypes=["dual_natured", "focused"]),
     "config error: archetypes: a run screens one archetype, and this file lists 2 (dual_natured, focused); "
     "keep one (write one config per archetype)"),
    ("unknown-older-archetype", with_(OLDER, archetypes=["berserker"]),
     'config error: archetypes[0]: unknown archetype "berserker" (known: dual_natured, focused, versatile_master)'),
    ("unknown-attack-type", with_(OLDER, attack_types=["melee_dg", "laser"]),
     'config error: attack_types[1]: unknown attack type "laser" (attack types: melee_ac, melee_dg, ranged, area, '
     "direct_damage, direct_area_damage)"),
    ("fallback-for-dual-natured", with_(OLDER, archetypes=["dual_natured"]),
     "config error: dual_natured.fallback_attacks: a build paired with a plain fallback attack at a tier bonus has "
     "no equivalent here: a dual_natured character's two attacks are two full builds, which stage 2 pairs; remove "
     "the dual_natured table (or choose another archetype)"),
    ("round-runs-zero", with_(OLDER, progressive_elimination__rounds__1__simulation_runs=0),
     "config error: progressive_elimination.rounds[1].simulation_runs: expected a positive integer or -1 "
     "(the stage's runs), got 0"),
    ("round-keep-percent", with_(OLDER, progressive_elimination__rounds__0__keep_percent=40),
     "config error: progressive_elimination.rounds[0].keep_percent: expected a fraction in (0, 1] (0.2 means 20%), "
     "got 40"),
    ("round-unknown-key", with_(OLDER, progressive_elimination__rounds__0__keep=0.4),
     "config error: progressive_elimination.rounds[0].keep: unknown key (known keys: simulation_runs, keep_percent)"),
    ("pruning-enabled-missing", with_(OLDER, pruning={"top_percent": 0.5, "simulation_runs": 1}),
     "config error: pruning.enabled: missing (true or false)"),
    ("pruning-runs-minus-one", with_(OLDER, pruning__simulation_runs=-1),
     "config error: pruning.simulation_runs: expected a positive integer, got -1"),
    ("enabled-word", with_(OLDER, progressive_elimination__enabled="yes"),
     'config error: progressive_elimination.enabled: expected true or false, got "yes"'),
    ("defender-short", with_(OLDER, character_config__defender=[1, 2, 2]),
     "config error: character_config.defender: expected 5 values (focus, power, mobility, endurance, tier), got 3"),
    ("character-unknown", with_(OLDER, character_config__healer=[1, 2, 2, 2, 3]),
     "config error: character_config.healer: unknown key (known keys: attacker, defender)"),
    ("older-runs-word", with_(OLDER, simulation_runs="5"),
     'config error: simulation_runs: expected an integer, got "5"'),
    ("runs-twice", with_(OLDER, stage1={"simulation_runs": 3}),
     "config error: stage1.simulation_runs: given twice (also as simulation_runs)"),
]


@pytest.mark.parametrize("case_id,data,expected", BAD, ids=[b[0] for b in BAD])
def test_bad_older_value_is_one_config_error_line(tmp_path, case_id, data, expected):
    result = run_balance("config", "show", str(write(tmp_path, "config.json", data)))
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if not line.startswith("config warning: ")]
    assert errors == [expected]
    assert result.stdout == ""


def test_shown_config_round_trips_names_that_need_escaping(tmp_path):
    # Quotes, a backslash and non-ASCII need escaping or encoding; unprintable names are refused
    # by the config checks, so the DEL character the hand-written writer got wrong cannot occur.
    name = 'Boss "Big" \\ \u00e9'
    path = tmp_path / "c.toml"
    path.write_text(f"[[scenarios]]\nname = {json.dumps(name)}\nenemy_hp = [100]\n")
    result = run_balance("config", "show", str(path))
    assert result.returncode == 0, result.stderr
    again = write(tmp_path, "again.toml", result.stdout)
    assert open_session(again).config == open_session(path).config
    assert open_session(again).config.scenarios[0].name == name
