"""`balance simulate`: text and JSON output, inline cells, errors with exit code 2."""

from __future__ import annotations

import json
import math

import pytest

from balance.cli.main import main


def _json(capsys, *args):
    assert main(["simulate", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_default_grid_and_overall(capsys):
    out = _json(capsys, "melee_dg", "--runs", "200", "--seed", "5")
    cells = out["cells"]
    assert [(c["profile"], c["scenario"]) for c in cells][:2] == [("Evasive", "Boss"), ("Evasive", "Mixed")]
    assert len(cells) == 8 and all(c["runs"] == 200 and c["buff"] == "No Buffs" for c in cells)
    assert out["overall"]["mean"] == pytest.approx(sum(c["mean"] for c in cells) / 8)
    assert out["overall"]["se"] == pytest.approx(math.sqrt(sum(c["se"] ** 2 for c in cells)) / 8)
    # the Tanky boss fight of plain melee_dg is ~16.5 turns (baselines.md); 200 runs: SE ~0.2
    tanky_boss = next(c for c in cells if c["profile"] == "Tanky" and c["scenario"] == "Boss")
    assert abs(tanky_boss["mean"] - 16.46) < 5 * tanky_boss["se"] + 0.03


def test_inline_profile_and_scenario_direct_exact(capsys):
    out = _json(capsys, "direct_damage", "--profile", "2,2,2,2,4", "--scenario", "100", "--runs", "3")
    assert out["cells"] == [{"profile": "2,2,2,2,4", "buff": "No Buffs", "scenario": "100", "mean": 17.0,
                             "se": 0.0, "timeouts": 0, "runs": 3}]


def test_max_turns_timeouts(capsys):
    out = _json(capsys, "direct_damage", "--profile", "2,2,2,2,4", "--scenario", "Boss", "--scenario", "100",
                "--runs", "4", "--max-turns", "10")
    assert [c["timeouts"] for c in out["cells"]] == [4, 4] and out["overall"]["timeouts"] == 8


def test_text_output_has_table(capsys):
    assert main(["simulate", "ranged", "--runs", "20", "--scenario", "Boss"]) == 0
    text = capsys.readouterr().out
    assert "Mean turns" in text and "Overall" in text and "Tanky" in text


@pytest.mark.parametrize(
    "args,needle",
    [
        (["melee_dg + nope"], "nope"),
        (["area + double_tap"], "illegal build"),
        (["ranged", "--profile", "Nope"], 'unknown profile "Nope"'),
        (["ranged", "--profile", "1,2"], "needs 5 numbers"),
        (["ranged", "--buff", "Huge"], 'unknown buff "Huge"'),
        (["ranged", "--scenario", "0,5"], "HP values from 1 to"),
        (["ranged", "--runs", "0"], "--runs"),
    ],
)
def test_bad_input_is_one_line_exit_2(capsys, args, needle):
    assert main(["simulate", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and "\n" not in err
