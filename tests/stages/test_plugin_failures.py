"""A plugin that raises inside a worker process is named in one line, whatever the worker count."""

from __future__ import annotations

import textwrap

import pytest

from tests.conftest import run_balance

CONFIG = """
points_per_attack = 2
[[profiles]]
name = "Evasive"
stats = [2, 2, 4, 0, 4]
[[scenarios]]
name = "Boss"
enemy_hp = [30]
[stage1]
runs = 2
[stage2]
policy = "stubborn"
[plugins]
load = ["stubborn.py"]
"""

PLUGIN = """
from balance.hookspecs import hookimpl

class Stubborn:
    name = "stubborn"

    def choose(self, view, usable):
        raise RuntimeError("no idea which attack")

@hookimpl
def balance_policies():
    return [Stubborn()]
"""


@pytest.mark.parametrize("workers", ["1", "2"])
def test_policy_failure_in_worker_names_the_plugin(tmp_path, workers):
    (tmp_path / "stubborn.py").write_text(textwrap.dedent(PLUGIN))
    config = tmp_path / "c.toml"
    config.write_text(CONFIG)
    result = run_balance("run", str(config), "--out", str(tmp_path / "run"), "--workers", workers, "--no-reports")
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last == "plugin stubborn failed in policy stubborn.choose: RuntimeError: no idea which attack"
    assert "Traceback" not in result.stderr
