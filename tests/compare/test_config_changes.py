"""The config differences ``balance diff`` lists first: every recorded key, flattened generically."""

from balance.comparing import ABSENT, config_changes, default_out, flatten


def test_named_tables_are_keyed_by_name_so_reordering_is_no_change():
    a = {"profiles": [{"name": "Soft", "stats": [1, 2]}, {"name": "Hard", "stats": [3, 4]}]}
    b = {"profiles": [{"name": "Hard", "stats": [3, 4]}, {"name": "Soft", "stats": [1, 2]}]}
    assert flatten(a) == {"profiles[Soft].stats": [1, 2], "profiles[Hard].stats": [3, 4]}
    assert config_changes(a, b, (1, 1)) == []


def test_every_differing_key_is_listed_with_both_values_and_whether_it_shapes_numbers():
    a = {"seed": 1, "stage1": {"runs": 20}, "performance": {"workers": 2}, "rule_options": {}}
    b = {"seed": 2, "stage1": {"runs": 40}, "performance": {"workers": 0},
         "rules": {"vitality": {"upgrades": {"power_attack": {"cost": 2}}}}, "rule_options": {}}
    got = {c.key: (c.a, c.b, c.shapes_numbers) for c in config_changes(a, b, (1, 2))}
    assert got == {
        "seed": ("1", "2", True),
        "stage1.runs": ("20", "40", True),
        "performance.workers": ("2", "0", False),
        # a section this code has never heard of (rule overrides) shows as it is
        "rules.vitality.upgrades.power_attack.cost": (ABSENT, "2", True),
    }


def test_master_seed_listed_when_the_configs_do_not_say():
    (change,) = config_changes({}, {}, (1, 2))
    assert (change.key, change.a, change.b) == ("master seed", "1", "2")


def test_default_page_name_keeps_only_safe_characters(tmp_path):
    assert str(default_out(tmp_path / "run a", tmp_path / "b;rm")) == "diff-run_a-vs-b_rm.md"


def test_a_reporter_plugins_version_does_not_shape_the_numbers_a_rule_systems_does(tmp_path):
    from balance.comparing import shapes_numbers
    from balance.reporting import ReportContext
    from balance.session import open_session

    ctx = ReportContext(open_session(None), None, tmp_path, tmp_path)
    assert not shapes_numbers("compare_run_diff", ctx) and not shapes_numbers("report_findings", ctx)
    assert shapes_numbers("vitality", ctx) and shapes_numbers("stage1", ctx)
    assert shapes_numbers("a_plugin_nobody_loaded", ctx)
