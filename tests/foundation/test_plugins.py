"""Plugins: built-ins listed with versions; a real throwaway distribution is installed, listed,
called, disabled and replaced; a plugin that raises is named in one line."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from balance import __version__
from tests.conftest import run_balance


def plugins_json(*args, env=None):
    result = run_balance("plugins", "--format", "json", *args, env=env)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    return {p["name"]: p for p in data["plugins"]}, data["disabled"]


def test_builtins_listed_with_distribution_and_version():
    plugins, disabled = plugins_json()
    assert disabled == []
    for name in ("config_grid", "vitality"):
        assert plugins[name]["distribution"] == "balance"
        assert plugins[name]["version"] == __version__
    assert plugins["vitality"]["hooks"] == ["balance_rule_systems"]
    assert "rule system vitality" in plugins["vitality"]["provides"]
    assert "scenario Swarm 2" in plugins["config_grid"]["provides"]
    text = run_balance("plugins")
    assert text.returncode == 0 and "vitality" in text.stdout and __version__ in text.stdout


@pytest.fixture(scope="module")
def horde_site(tmp_path_factory):
    """Build and install a tiny plugin distribution with an entry point into a private folder."""
    root = tmp_path_factory.mktemp("horde")
    src = root / "src"
    src.mkdir()
    (src / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [build-system]
            requires = ["setuptools"]
            build-backend = "setuptools.build_meta"

            [project]
            name = "balance-horde"
            version = "1.2.3"

            [project.entry-points."balance"]
            horde = "balance_horde"

            [tool.setuptools]
            py-modules = ["balance_horde"]
            """
        )
    )
    (src / "balance_horde.py").write_text(
        textwrap.dedent(
            """
            from balance.grid import Scenario
            from balance.hookspecs import hookimpl

            @hookimpl
            def balance_scenarios(config):
                return [Scenario("Horde", (10,) * 12)]
            """
        )
    )
    site = root / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index",
         "--target", str(site), str(src)],
        check=True,
        capture_output=True,
    )
    return {"PYTHONPATH": str(site)}


def test_third_party_distribution_listed_and_called(horde_site):
    plugins, _ = plugins_json(env=horde_site)
    horde = plugins["horde"]
    assert (horde["distribution"], horde["version"], horde["hooks"]) == ("balance-horde", "1.2.3", ["balance_scenarios"])
    assert horde["provides"] == ["scenario Horde"]  # only known by calling the hook


def test_third_party_distribution_disabled(horde_site):
    plugins, disabled = plugins_json("--disable-plugin", "horde", env=horde_site)
    assert "horde" not in plugins and disabled == ["horde"]


def test_third_party_distribution_replaced_by_local_plugin(horde_site, tmp_path):
    local = tmp_path / "big_horde.py"
    local.write_text(
        "from balance.grid import Scenario\nfrom balance.hookspecs import hookimpl\n\n"
        "@hookimpl\ndef balance_scenarios(config):\n    return [Scenario('Horde', (10,) * 30)]\n"
    )
    clash = run_balance("plugins", "--plugin", str(local), env=horde_site)
    assert clash.returncode == 2
    assert clash.stderr.strip() == 'error: scenario "Horde" is provided by both horde and big_horde'
    plugins, disabled = plugins_json("--disable-plugin", "horde", "--plugin", str(local), env=horde_site)
    assert disabled == ["horde"]
    assert plugins["big_horde"]["provides"] == ["scenario Horde"]
    assert plugins["big_horde"]["distribution"] == "local"


def test_builtin_disabled_and_replaced_from_config(tmp_path):
    (tmp_path / "my_grid.py").write_text(
        "from balance.grid import Profile, Scenario\nfrom balance.hookspecs import hookimpl\n\n"
        "@hookimpl\ndef balance_profiles(config):\n    return [Profile('Glass', (0, 0, 0, 0, 4))]\n\n"
        "@hookimpl\ndef balance_scenarios(config):\n    return [Scenario('Duel', (40,))]\n"
    )
    config = tmp_path / "c.toml"
    config.write_text(
        '[plugins]\ndisable = ["config_grid"]\nload = ["my_grid.py"]\n\n'
        '[[profiles]]\nname = "Evasive"\nstats = [2, 2, 4, 0, 4]\n[[scenarios]]\nname = "Boss"\nenemy_hp = [100]\n'
    )
    from balance.session import open_session

    s = open_session(config)
    assert [p.name for p in s.grid.profiles] == ["Glass"]
    assert [x.name for x in s.grid.scenarios] == ["Duel"]
    assert "config_grid" not in s.plugins.info


def test_plugin_that_raises_is_named(tmp_path):
    boom = tmp_path / "boom.py"
    boom.write_text(
        "from balance.hookspecs import hookimpl\n\n@hookimpl\ndef balance_scenarios(config):\n"
        "    raise RuntimeError('kaput')\n"
    )
    result = run_balance("plugins", "--plugin", str(boom))
    assert result.returncode == 1
    assert result.stderr.strip() == "plugin boom failed in balance_scenarios: RuntimeError: kaput"
    debug = run_balance("plugins", "--plugin", str(boom), "--debug")
    assert debug.returncode == 1 and "Traceback" in debug.stderr


def test_unknown_plugin_to_disable():
    result = run_balance("plugins", "--disable-plugin", "nope")
    assert result.returncode == 2
    assert result.stderr.startswith('error: cannot disable unknown plugin "nope"')
