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
                             "se": 0.0, "timeouts": 0, "runs": 3, "p10": 17, "p50": 17, "p90": 17,
                             "one_turn_share": 0.0, "timeout_share": 0.0}]


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


def test_pair_with_distributions_and_text(capsys):
    """A pair: the same mean as the engine's compiled sums would give; percentiles ordered; the
    one-turn kills of a swarm of 10-HP enemies hit by an area attack; the share of turns per attack."""
    out = _json(capsys, "melee_dg [careful, charges_2]", "direct_area_damage [charges_1]", "--runs", "30",
                "--seed", "3", "--scenario", "10,10,10", "--profile", "2,2,2,2,4")
    (cell,) = out["cells"]
    assert out["partner"] == "direct_area_damage [charges_1]" and out["policy"] == "default"
    assert cell["p10"] <= cell["p50"] <= cell["p90"] and cell["p10"] >= 1
    assert 0 <= cell["one_turn_share"] <= 1 and cell["timeout_share"] == 0
    assert abs(sum(out["usage"]) - 1) < 1e-9
    assert main(["simulate", "melee_dg [careful, charges_2]", "direct_area_damage [charges_1]", "--runs", "10",
                 "--scenario", "Boss"]) == 0
    text = capsys.readouterr().out
    assert "p10/p50/p90" in text and "[careful, charges_2]" in text and "Share of turns" in text


def test_timeouts_and_one_turn_kills_as_shares(capsys):
    out = _json(capsys, "direct_damage", "--profile", "2,2,2,2,4", "--scenario", "100", "--runs", "4",
                "--max-turns", "10")
    assert out["overall"]["timeout_share"] == 1.0 and out["overall"]["p50"] == 10
    out = _json(capsys, "area", "--profile", "2,2,2,2,4", "--scenario", "1,1", "--runs", "40", "--seed", "2")
    o = out["overall"]
    # an enemy of 1 HP falls to any hit: the one-turn kills are the combats where both were hit at once
    assert 0 < o["one_turn_share"] <= 1 and (o["p10"] == 1) == (o["one_turn_share"] >= 0.1)
