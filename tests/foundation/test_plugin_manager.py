"""The plugin manager uses pluggy as designed: call order (tryfirst, wrappers), check_pending,
components asked for once per session, one name per plugin however it is loaded."""

from __future__ import annotations

import json
import textwrap

import balance
from balance import hookspecs
from balance.plugin_manager import Plugins
from balance.session import open_session
from tests.conftest import REPO, run_balance
from tests.foundation.test_plugins import horde_site  # noqa: F401  (fixture)

GRID_CONFIG = """
[plugins]
load = ["extra.py"]
[[profiles]]
name = "Evasive"
stats = [2, 2, 4, 0, 4]
[[scenarios]]
name = "Boss"
enemy_hp = [100]
[[scenarios]]
name = "Pair"
enemy_hp = [20, 20]
"""


def session_with(tmp_path, plugin: str):
    (tmp_path / "extra.py").write_text(textwrap.dedent(plugin))
    (tmp_path / "c.toml").write_text(GRID_CONFIG)
    return open_session(tmp_path / "c.toml")


def test_hookimpl_is_exported_from_the_package():
    assert balance.hookimpl is hookspecs.hookimpl
    assert "from balance import hookimpl" in (REPO / "docs" / "hooks.md").read_text()


def test_plugins_are_called_in_load_order_and_tryfirst_goes_first(tmp_path):
    plain = """
        from balance import hookimpl
        from balance.grid import Profile

        @hookimpl
        def balance_profiles(config):
            return [Profile("Glass", (0, 0, 0, 0, 4))]
    """
    assert [p.name for p in session_with(tmp_path, plain).grid.profiles] == ["Evasive", "Glass"]
    first = plain.replace("@hookimpl\n", "@hookimpl(tryfirst=True)\n")
    assert [p.name for p in session_with(tmp_path, first).grid.profiles] == ["Glass", "Evasive"]


def test_a_hook_wrapper_changes_what_the_hook_returns(tmp_path):
    wrapper = """
        from balance import hookimpl

        @hookimpl(wrapper=True)
        def balance_scenarios(config):
            groups = yield
            return [[s for s in group if s.name != "Boss"] for group in groups]
    """
    session = session_with(tmp_path, wrapper)
    assert [s.name for s in session.grid.scenarios] == ["Pair"]
    assert "balance_scenarios" in session.plugins.info["extra"].hooks


def test_a_failing_hook_wrapper_is_named(tmp_path):
    wrapper = """
        from balance import hookimpl

        @hookimpl(wrapper=True)
        def balance_scenarios(config):
            groups = yield
            raise RuntimeError("wrapped badly")
    """
    (tmp_path / "extra.py").write_text(textwrap.dedent(wrapper))
    (tmp_path / "c.toml").write_text(GRID_CONFIG)
    result = run_balance("plugins", "--config", str(tmp_path / "c.toml"))
    assert result.returncode == 1
    assert result.stderr.strip() == "plugin extra failed in balance_scenarios: RuntimeError: wrapped badly"


def test_misspelt_hook_is_one_line_naming_the_plugin(tmp_path):
    for marker in ("@hookimpl\n", ""):  # marked or not: a balance_* function must be a known hook
        typo = tmp_path / "typo.py"
        typo.write_text(f"from balance import hookimpl\n\n{marker}def balance_senarios(config):\n    return []\n")
        result = run_balance("plugins", "--plugin", str(typo))
        assert result.returncode == 1, result.stderr
        assert result.stderr.strip() == (
            'plugin typo failed in load: unknown hook "balance_senarios" (did you mean balance_scenarios?)'
        )


def test_components_are_asked_for_once_per_session(tmp_path):
    counting = tmp_path / "counting.py"
    counting.write_text(textwrap.dedent("""
        from balance import hookimpl

        calls = []

        class Quiet:
            name = "quiet"
            needs_view = False

            def choose(self, view, usable):
                return usable.argmax(axis=1)

        @hookimpl
        def balance_policies():
            calls.append(1)
            return [Quiet()]
    """))
    plugins = Plugins(load=[counting])
    for _ in range(3):
        assert plugins.component("balance_policies", "quiet").plugin == "counting"
        plugins.components("balance_policies")
    module = plugins.pm.get_plugin("counting")
    assert module.calls == [1]


def plugins_json(*args, env=None):
    result = run_balance("plugins", "--format", "json", *args, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_same_name_by_entry_point_by_path_and_by_module(horde_site):  # noqa: F811
    site = horde_site["PYTHONPATH"]
    by_ep = plugins_json(env=horde_site)
    by_path = plugins_json("--plugin", f"{site}/balance_horde.py", env=horde_site)
    by_module = plugins_json("--plugin", "balance_horde", env=horde_site)
    for data in (by_ep, by_path, by_module):
        names = [p["name"] for p in data["plugins"]]
        assert names.count("horde") == 1 and "balance_horde" not in names
        horde = next(p for p in data["plugins"] if p["name"] == "horde")
        assert horde["source"] == f"{site}/balance_horde.py"
        assert horde["provides"] == ["scenario Horde"]
    # disabled by its name, it is not loaded by path either: it is the same plugin
    off = plugins_json("--disable-plugin", "horde", "--plugin", f"{site}/balance_horde.py", env=horde_site)
    assert "horde" not in [p["name"] for p in off["plugins"]] and off["disabled"] == ["horde"]


def test_two_different_plugins_with_one_name_are_refused(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "grid_extra.py").write_text("X = 1\n")
    result = run_balance("plugins", "--plugin", str(tmp_path / "a/grid_extra.py"), "--plugin", str(tmp_path / "b/grid_extra.py"))
    assert result.returncode == 2
    assert result.stderr.startswith('error: two plugins are named "grid_extra"')


def test_plugins_shows_source_hooks_and_selected_components():
    data = plugins_json()
    grid = next(p for p in data["plugins"] if p["name"] == "config_grid")
    assert grid["source"] == str(REPO / "plugins" / "scenarios" / "config_grid.py")
    assert grid["loaded_by"] == "entry point config_grid = balance_plugins.scenarios.config_grid"
    assert grid["hooks"] == ["balance_buffs", "balance_profiles", "balance_scenarios"]
    chosen = {(r["family"], r["name"]): r["plugin"] for r in data["selected"]}
    assert chosen[("rule system", "vitality")] == "vitality"
    assert chosen[("store", "msgpack")] == "store_msgpack"
    assert chosen[("policy", "default")] == "policy_default"
    assert chosen[("stage", "stage2")] == "stage2"
    assert ("reporter", "top_1000_pairs") in chosen
    text = run_balance("plugins")
    assert "selected by this config" in text.stdout and str(REPO / "plugins" / "scenarios") in text.stdout.replace("\n", "")


def test_a_guarded_method_is_wrapped_once_and_again_when_replaced():
    """Reading a component's method gives the same guarded wrapper each time (a stage reads
    ``build_cost`` once per build), but a method replaced on the object, or the same method bound
    to another object, is wrapped anew: the proxy never calls what the attribute no longer is."""
    import pytest

    from balance.errors import PluginError
    from balance.plugin_manager import Guarded

    class Rules:
        name = "toy"

        def __init__(self, k):
            self.k = k

        def cost(self, x):
            return self.k * x

    one, two = Rules(2), Rules(3)
    g = Guarded(one, "toy-plugin", "rules")
    assert g.cost is g.cost and g.cost(5) == 10
    one.cost = lambda x: -x
    assert g.cost(5) == -5
    one.cost = two.cost  # the same function, bound to another object
    assert g.cost(5) == 15
    one.cost = lambda x: 1 / 0
    with pytest.raises(PluginError, match="toy-plugin"):
        g.cost(5)
