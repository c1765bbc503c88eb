"""``balance diff`` on two real stage-1 runs (Vitality, a few seconds each) that differ in one rule
decision: ``armor_piercing_keeps_buff``. With it false, armor-piercing strikes ignore the defender's
durability buff (docs/vitality-rules.md), so only builds carrying ``armor_piercing`` can change:
the same seed gives both runs the same dice, and the diff must list ``armor_piercing`` alone (and
first), faster without the buff."""

from __future__ import annotations

import re

from balance.cli.main import main
from tests.conftest import run_balance
from tests.reports.helpers import section, tables

CONFIG = """\
rules = "vitality"
tier = 4
points_per_attack = 4
attacker = [2, 2, 2, 2, 4]
max_turns = 60
seed = 7
stages = ["stage1"]

[[profiles]]
name = "Tanky"
stats = [2, 2, 0, 4, 4]

[[buffs]]
name = "Shielded"
durability = 3

[[scenarios]]
name = "Boss"
enemy_hp = [60]

[[scenarios]]
name = "Swarm"
enemy_hp = [25, 10, 10, 10]

[stage1]
runs = 4

[rule_options]
armor_piercing_keeps_buff = {keep}
"""


def test_a_rule_decision_lists_the_one_enhancement_it_touches(tmp_path, capsys):
    for keep in ("true", "false"):
        (tmp_path / f"{keep}.toml").write_text(CONFIG.format(keep=keep))
        res = run_balance("run", str(tmp_path / f"{keep}.toml"), "--out", str(tmp_path / keep), "--no-reports",
                          "--workers", "1")
        assert res.returncode == 0, res.stderr
    code = main(["diff", str(tmp_path / "true"), str(tmp_path / "false"), "--out", str(tmp_path / "d.md")])
    stdout, _ = capsys.readouterr()
    assert code == 0
    page = (tmp_path / "d.md").read_text()
    assert "rule_options.armor_piercing_keeps_buff" in page
    (head, rows), = tables(section(page, "Enhancement effects (turns, same dice in both runs)"))
    assert [r[0] for r in rows] == ["`armor_piercing` (upgrade)"]
    assert float(rows[0][3].split()[0]) < 0  # faster once the buff no longer stops it
    m = re.search(r"changed at all on the same dice: ([\d,]+) of ([\d,]+)", stdout)
    assert m and 0 < int(m[1].replace(",", "")) < int(m[2].replace(",", ""))
