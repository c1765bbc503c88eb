"""Bad input, table-driven: every case gives the expected exit code and one line naming the key or
argument and the problem, without a traceback, and (for `run`) before any directory is created."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from balance.cli.main import main
from tests.stages.tiny import TINY

BASE = TINY.format(seed=11, batch=0)
BUILD = "melee_dg + power_attack"


def config_with(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, 1)


def many_enemies(n: int) -> str:
    return config_with("enemy_hp = [60]", "enemy_hp = [" + ", ".join(["5"] * n) + "]")


#: name: (config text or bytes, exit code, the line must contain)
CONFIGS = {
    "invalid UTF-8": (b"seed = 1\n\xff\xfe\xfa", 2, "not UTF-8 text"),
    "binary": (bytes(range(256)) * 4, 2, "config error"),
    "NUL bytes": (b"\x00\x01\x02\x03", 2, "invalid TOML"),
    "seed 2**64": (config_with("seed = 11", f"seed = {2**64}"), 2, "config error: seed: expected an integer from 0 to 2**64 - 1"),
    "seed -1": (config_with("seed = 11", "seed = -1"), 2, "config error: seed:"),
    "negative profile stat": (config_with("stats = [2, 2, 4, 0, 4]", "stats = [2, 2, -4, 0, 4]"), 2,
                              "config error: profiles[0].stats[2]: expected a stat from 0 to 1,000"),
    "negative attacker stat": (config_with("attacker = [2, 2, 2, 2, 4]", "attacker = [-2, 2, 2, 2, 4]"), 2,
                               "config error: attacker[0]"),
    "huge stat": (config_with("stats = [2, 2, 4, 0, 4]", "stats = [2, 2, 4, 0, 4000000]"), 2,
                  "config error: profiles[0].stats[4]"),
    "max_turns unbounded": (config_with("max_turns = 60", "max_turns = 1000000000"), 2,
                            "config error: max_turns: 1,000,000,000 is above the limit of 10,000 turns"),
    "stage1 runs huge": (config_with("runs = 3", "runs = 100000000000"), 2,
                         "config error: stage1.runs: 100,000,000,000 is above the limit of 1,000,000"),
    "stage2 runs huge": (config_with("runs = 2", "runs = 5000000"), 2, "config error: stage2.runs"),
    "confirm runs huge": (config_with("confirm_runs = 6", "confirm_runs = 99999999"), 2, "config error: stage2.confirm_runs"),
    "enemy count huge": (many_enemies(1001), 2, "config error: scenarios[0].enemy_hp: 1,001 enemies are above the limit of 1,000"),
    "enemy hp huge": (config_with("enemy_hp = [60]", "enemy_hp = [60000000000]"), 2, "config error: scenarios[0].enemy_hp[0]"),
    "empty scenario name": (config_with('name = "Boss"', 'name = ""'), 2, "config error: scenarios[0].name: must not be empty"),
    "blank profile name": (config_with('name = "Evasive"', 'name = "   "'), 2, "config error: profiles[0].name: must not be empty"),
    "name with a newline": (config_with('name = "Boss"', 'name = "Bo\\nss"'), 2, "config error: scenarios[0].name"),
    "shard records huge": (BASE + "shard_records = 1000000000000\n", 2, "config error: performance.shard_records"),
    "workers huge": (BASE + "workers = 1000000\n", 2, "config error: performance.workers"),
    "unknown policy": (config_with("runs = 2", 'runs = 2\npolicy = "nope"'), 2,
                       'config error: stage2.policy: unknown policy "nope"'),
    "unknown scoring": (config_with("seed = 11", 'seed = 11\nscoring = "nope"'), 2,
                        'config error: scoring: unknown scoring "nope"'),
    "unknown store": (config_with("seed = 11", 'seed = 11\nstore = "nope"'), 2, 'config error: store: unknown store "nope"'),
    "top_n huge": (BASE + "\n[reports]\ntop_n = 100000000000\n", 2, "config error: reports.top_n"),
}


def one_line(capsys, args, code: int, needle: str) -> str:
    got = main([str(a) for a in args])
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    assert got == code, err
    assert needle in err, err
    assert "\n" not in err, err
    return err


@pytest.mark.parametrize("case", sorted(CONFIGS))
def test_bad_config_stops_run_before_any_directory(capsys, tmp_path, case):
    text, code, needle = CONFIGS[case]
    cfg = tmp_path / "bad.toml"
    cfg.write_bytes(text if isinstance(text, bytes) else text.encode())
    out = tmp_path / "out" / "run"
    one_line(capsys, ["run", cfg, "--out", out, "--workers", "1", "--no-reports"], code, needle)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("case", ["invalid UTF-8", "seed 2**64", "negative profile stat", "max_turns unbounded",
                                  "enemy count huge", "empty scenario name"])
def test_bad_config_stops_simulate(capsys, tmp_path, case):
    text, code, needle = CONFIGS[case]
    cfg = tmp_path / "bad.toml"
    cfg.write_bytes(text if isinstance(text, bytes) else text.encode())
    one_line(capsys, ["simulate", BUILD, "--config", cfg, "--runs", "2"], code, needle)


def test_deeply_nested_json_config(capsys, tmp_path):
    cfg = tmp_path / "deep.json"
    cfg.write_text("[" * 100_000 + "]" * 100_000)
    one_line(capsys, ["simulate", BUILD, "--config", cfg], 2, "nested too deeply")


#: name: (arguments after `balance`, exit code, the line must contain)
ARGS = {
    "simulate --runs 1e11": (["simulate", BUILD, "--runs", "1e11"], 2, "argument --runs: invalid int value: '1e11'"),
    "simulate --runs 10**11": (["simulate", BUILD, "--runs", "100000000000"], 2,
                               "--runs must be from 1 to 1,000,000 (got 100,000,000,000)"),
    "simulate --runs 0": (["simulate", BUILD, "--runs", "0"], 2, "--runs must be from 1"),
    "simulate --seed -1": (["simulate", BUILD, "--seed", "-1"], 2, "--seed must be from 0 to 2**64 - 1 (got -1)"),
    "simulate --seed 2**64": (["simulate", BUILD, "--seed", str(2**64)], 2, "--seed must be from 0 to 2**64 - 1"),
    "simulate --max-turns 10**9": (["simulate", BUILD, "--max-turns", "1000000000"], 2, "--max-turns must be from 1 to 10,000"),
    "simulate --profile -9,...": (["simulate", BUILD, "--profile", "-9,2,2,2,4"], 2,
                                  '--profile "-9,2,2,2,4": stats must be from 0 to 1,000'),
    "simulate --scenario -5": (["simulate", BUILD, "--scenario", "-5,10"], 2, '--scenario "-5,10" needs enemy HP'),
    "simulate 1001 enemies": (["simulate", BUILD, "--scenario", ",".join(["5"] * 1001)], 2, "1,001 enemies"),
    "simulate over budget": (["simulate", "melee_dg + power_attack, brutal, armor_piercing, accurate_attack"], 2,
                             "cost 7 exceeds budget 6"),
    "run --workers -1": (["run", "--workers", "-1"], 2, "argument --workers"),
    "run --stage 3": (["run", "--stage", "3"], 2, '--stage: unknown stage "3" (stages: all, stage1, stage2)'),
}


@pytest.mark.parametrize("case", sorted(ARGS))
def test_bad_argument_is_one_line(capsys, case):
    args, code, needle = ARGS[case]
    with pytest.raises(SystemExit) if "argument" in needle else _nothing() as exit_:
        got = main(args)
    if exit_ is not None:
        got = exit_.value.code
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and "\n" not in err, err
    assert got == code and needle in err, err


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


READ_ONLY = Path("/sys/balance-read-only-test")


def read_only_available() -> bool:
    try:
        READ_ONLY.mkdir()
    except OSError:
        return True
    READ_ONLY.rmdir()
    return False


def output_cases(tmp_path: Path, run_dir: Path) -> dict:
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    return {
        "run --out under a file": (["run", "--out", a_file / "run", "--no-reports"], 2, f"--out {a_file / 'run'}: {a_file} is a file"),
        "run --out a file": (["run", "--out", a_file, "--no-reports"], 2, "exists and is not a folder"),
        "run --out read-only": (["run", "--out", READ_ONLY / "run", "--no-reports", "--workers", "1"], 2,
                                f"--out {READ_ONLY / 'run'}: cannot create"),
        "report --output-dir under a file": (["report", "--result-dir", run_dir, "--output-dir", a_file / "r"], 2,
                                             "--output-dir"),
        "report --output-dir read-only": (["report", "--result-dir", run_dir, "--output-dir", READ_ONLY / "r"], 2,
                                          f"--output-dir {READ_ONLY / 'r'}: cannot create it"),
        "export --out a folder": (["export", "--result-dir", run_dir, "--stage", "stage1", "--out", tmp_path], 2,
                                  "is a folder"),
        "export --out in a missing folder": (["export", "--result-dir", run_dir, "--stage", "stage1", "--out",
                                              tmp_path / "no" / "x.parquet"], 2, "does not exist"),
        "export --out read-only": (["export", "--result-dir", run_dir, "--stage", "stage1", "--out",
                                    Path("/sys/x.parquet")], 3, "cannot write /sys/x.parquet"),
    }


@pytest.mark.parametrize("case", ["run --out under a file", "run --out a file", "run --out read-only",
                                  "report --output-dir under a file", "report --output-dir read-only",
                                  "export --out a folder", "export --out in a missing folder", "export --out read-only"])
def test_bad_output_place_is_one_line(capsys, tmp_path, run_dir, case):
    if "read-only" in case and not read_only_available():
        pytest.skip("/sys is writable here")
    args, code, needle = output_cases(tmp_path, run_dir)[case]
    before = sorted(run_dir.rglob("*"))
    one_line(capsys, args, code, needle)
    assert sorted(run_dir.rglob("*")) == before


def test_malformed_manifest_in_export(capsys, tmp_path, run_dir):
    (run_dir / "manifest.json").write_text('{"a":' * 50_000 + "1" + "}" * 50_000)
    one_line(capsys, ["export", "--result-dir", run_dir, "--out", tmp_path / "x.parquet"], 3, "nested too deeply")
    assert not (tmp_path / "x.parquet").exists()


# -- corrupt shards are skipped out loud -----------------------------------------------------------


def corrupt_shard(run_dir: Path) -> Path:
    shard = run_dir / "stage1" / "000000.shard"
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0xFF
    shard.write_bytes(bytes(data))
    return shard


def test_skip_corrupt_says_on_the_console_what_was_skipped(capsys, run_dir):
    corrupt_shard(run_dir)
    one_line(capsys, ["report", "--result-dir", run_dir, "--reporters", "stage1_pruning_report"], 3,
             "shard stage1/000000 is corrupt at byte")
    code = main(["report", "--result-dir", str(run_dir), "--reporters", "stage1_pruning_report", "--skip-corrupt"])
    out, err = capsys.readouterr()
    assert code == 0, err
    out = " ".join((out + err).split())  # the console may wrap long lines
    assert "of 1 corrupt shard(s)" in out and "stage1/000000:" in out and "records skipped (shard stage1/000000 is corrupt" in out
    report = (run_dir / "reports" / "stage1" / "stage1_pruning_report.md").read_text()
    assert "Records skipped (corrupt shards)" in report


# -- a report that cannot be written whole ---------------------------------------------------------


def test_report_write_failure_leaves_no_truncated_file_and_names_the_cause(run_dir, tmp_path):
    """A real write failure: the process's file size limit (RLIMIT_FSIZE) stops every write past
    16 kB with EFBIG, as a full disk stops writes with ENOSPC."""
    out = tmp_path / "reports"

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (16_000, 16_000))

    result = subprocess.run(
        [sys.executable, "-m", "balance.cli.main", "report", "--result-dir", str(run_dir), "--output-dir", str(out)],
        capture_output=True, text=True, preexec_fn=limit, timeout=600, env={**os.environ},
    )
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error")]
    assert result.returncode == 3 and len(errors) == 1, result.stderr
    err = errors[0]
    assert "file too large" in err and "cannot write" in err and "failed in" not in err
    leftovers = [p for p in out.rglob("*") if p.is_file()]
    assert not [p for p in leftovers if p.name.endswith(".tmp")]
    for png in (p for p in leftovers if p.suffix == ".png"):
        assert png.read_bytes().endswith(b"IEND\xaeB`\x82"), f"truncated {png}"
    for md in (p for p in leftovers if p.suffix == ".md"):
        assert md.read_text().endswith("\n")
