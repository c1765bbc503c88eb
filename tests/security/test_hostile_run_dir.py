"""Hostile run directories: `report`, `export` and `run --resume` on a real run directory spoiled
the way an attacker or a careless user would. Each case must end in one line naming the problem,
the expected exit code, no traceback, no plugin code run (a marker file is not created) and no
file outside the run directory touched (a decoy folder of shard and temp files survives)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import tomllib

import pytest
import tomli_w

from balance.cli.main import main
from balance.runlock import LOCK_FILE
from tests.conftest import run_balance

def balance(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def commands(run_dir, tmp_path) -> dict[str, list]:
    """Every command that takes a run directory as input."""
    return {
        "report": ["report", "--result-dir", run_dir],
        "resume": ["run", "--resume", run_dir, "--workers", "1", "--no-reports"],
        "stage2": ["run", "--stage", "2", "--out", run_dir, "--workers", "1", "--no-reports"],
        "export": ["export", "--result-dir", run_dir, "--stage", "stage1", "--out", tmp_path / "x.parquet"],
        # the spoiled run against itself: the first one opened stops the command
        "diff": ["diff", run_dir, run_dir, "--out", tmp_path / "diff.md"],
    }


def assert_refused(capsys, args, code: int, needle: str, decoy, marker) -> str:
    got, _, err = balance(capsys, *args)
    err = err.strip()
    assert "Traceback" not in err
    assert got == code, err
    assert needle in err, err
    assert "\n" not in err, err
    assert not marker.exists(), "plugin code ran"
    decoy.assert_untouched()
    return err


# -- plugins named by the run directory -----------------------------------------------------------


def evil_code(marker) -> str:
    return f"from pathlib import Path\nPath({str(marker)!r}).write_text('ran')\n"


def name_plugin(run_dir, spec: str) -> None:
    cfg = run_dir / "config.toml"
    text = cfg.read_text()
    assert "load = []" in text
    cfg.write_text(text.replace("load = []", f"load = [{json.dumps(spec)}]"))


@pytest.fixture(params=["file_in_run", "file_outside", "folder", "module"])
def evil_plugin(request, run_dir, tmp_path, marker):
    """A config.toml naming a plugin whose import creates the marker file."""
    kind = request.param
    if kind == "file_in_run":
        (run_dir / "evil.py").write_text(evil_code(marker))
        spec = "evil.py"
    elif kind == "file_outside":
        (tmp_path / "evil_outside.py").write_text(evil_code(marker))
        spec = str(tmp_path / "evil_outside.py")
    elif kind == "folder":
        (run_dir / "evilpkg").mkdir()
        (run_dir / "evilpkg" / "__init__.py").write_text(evil_code(marker))
        spec = "evilpkg"
    else:
        (run_dir / "evil_mod_xyz.py").write_text(evil_code(marker))
        sys.path.insert(0, str(run_dir))  # importable by name: still must not be imported
        request.addfinalizer(lambda: sys.path.remove(str(run_dir)))
        spec = "evil_mod_xyz"
    name_plugin(run_dir, spec)
    return spec


@pytest.mark.parametrize("command", ["report", "resume", "stage2", "diff"])
def test_plugins_named_by_a_run_are_not_loaded_without_trust(capsys, run_dir, tmp_path, decoy, marker,
                                                             evil_plugin, command):
    err = assert_refused(capsys, commands(run_dir, tmp_path)[command], 2, "--trust-run-plugins", decoy, marker)
    assert evil_plugin in err


def test_trusting_the_run_loads_its_plugins(capsys, run_dir, marker):
    """The control: the same hostile plugin does run when the user says so (the marker test is sharp)."""
    (run_dir / "evil.py").write_text(evil_code(marker))
    name_plugin(run_dir, "evil.py")
    code, _, err = balance(capsys, "report", "--result-dir", run_dir, "--trust-run-plugins", "--reporters",
                           "stage1_pruning_report")
    assert code == 0, err
    assert marker.read_text() == "ran"


def test_code_execution_attempt_in_a_new_process(run_dir, tmp_path, decoy, marker):
    """As a user runs it: a separate process, the real entry point."""
    (run_dir / "evil.py").write_text(evil_code(marker))
    name_plugin(run_dir, "evil.py")
    for args in (["report", "--result-dir", str(run_dir)], ["run", "--resume", str(run_dir), "--workers", "1"]):
        result = run_balance(*args)
        assert result.returncode == 2 and "Traceback" not in result.stderr
        assert "evil.py" in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert not marker.exists()
    decoy.assert_untouched()


# -- manifests that name paths outside the run, or lie about their records -------------------------


def edit_manifest(run_dir, fn) -> None:
    path = run_dir / "manifest.json"
    m = json.loads(path.read_text())
    fn(m)
    path.write_text(json.dumps(m))


def stage1(m) -> dict:
    return m["stages"]["stage1"]


def shard0(m) -> dict:
    return stage1(m)["shards"][0]


def add_stage(name):
    def fn(m):
        m["stages"][name] = {"status": "running", "schema": stage1(m)["schema"], "total": 10, "records": 0,
                             "bytes": 0, "shards": [], "tables": {}, "stats": None}
    return fn


def set_in(get, key, value):
    def fn(m):
        get(m)[key] = value
    return fn


def overlapping(m):
    s = dict(shard0(m))
    s["name"], s["file"] = "stage1/000001", "stage1/000001.shard"
    stage1(m)["shards"].append(s)
    stage1(m)["records"] += s["records"]


def gap(m):
    s = shard0(m)
    s["start"] = 10
    s["records"] = s["stop"] - 10
    stage1(m)["records"] = s["records"]


def duplicate(m):
    stage1(m)["shards"].append(dict(shard0(m)))


def beyond_total(m):
    stage1(m)["total"] = shard0(m)["stop"] - 1


def table_outside(m):
    name = sorted(stage1(m)["tables"])[0]
    stage1(m)["tables"][name]["file"] = "../decoy.txt"


def table_other_stage(m):
    name = sorted(stage1(m)["tables"])[0]
    stage1(m)["tables"][name]["file"] = f"stage2/tables/{name}.msgpack"


MANIFEST_CASES = {
    # name: (edit(m, decoy), needle)
    "stage ../victim": (lambda m, d: add_stage("../victim")(m), "invalid stage name"),
    "stage absolute": (lambda m, d: add_stage(str(d.dir))(m), "invalid stage name"),
    "stage ..": (lambda m, d: add_stage("..")(m), "invalid stage name"),
    "stage a/b": (lambda m, d: add_stage("stage1/../../victim")(m), "invalid stage name"),
    "stage with NUL": (lambda m, d: add_stage("st\x00age")(m), "invalid stage name"),
    "shard file ../": (lambda m, d: set_in(shard0, "file", "../victim/000000.shard")(m), "leaves the run directory"),
    "shard file absolute": (lambda m, d: set_in(shard0, "file", str(d.dir / "000000.shard"))(m),
                            "not a relative path inside the run directory"),
    "shard file other stage": (lambda m, d: set_in(shard0, "file", "stage2/000000.shard")(m), "resolves outside"),
    "table file ../": (lambda m, d: table_outside(m), "leaves the run directory"),
    "table file other stage": (lambda m, d: table_other_stage(m), "resolves outside"),
    "duplicate shard": (lambda m, d: duplicate(m), "listed twice"),
    "overlapping shards": (lambda m, d: overlapping(m), "overlap"),
    "no shards, complete": (lambda m, d: stage1(m).update(shards=[], records=0), "lists no shards"),
    "gap, complete": (lambda m, d: gap(m), "records [0, 10) are in no shard"),
    "shard records lie": (lambda m, d: set_in(shard0, "records", shard0(m)["records"] + 1)(m), "records is"),
    "stage records lie": (lambda m, d: set_in(stage1, "records", stage1(m)["records"] + 5)(m), "the shards hold"),
    "unknown status": (lambda m, d: set_in(stage1, "status", "done")(m), "unknown status"),
    "no status": (lambda m, d: stage1(m).pop("status"), "unknown status"),
    "beyond total": (lambda m, d: beyond_total(m), "beyond the stage's"),
    "crc not hex": (lambda m, d: set_in(shard0, "crc32", "zzzz")(m), "8 hex digits"),
    "start negative": (lambda m, d: set_in(shard0, "start", -5)(m), "expected an integer"),
    "start a string": (lambda m, d: set_in(shard0, "start", "0")(m), "expected an integer"),
    "shard name of another stage": (lambda m, d: set_in(shard0, "name", "stage2/000000")(m), "are not a shard of stage1"),
    "stages a list": (lambda m, d: m.__setitem__("stages", []), "expected a table of stages"),
}


@pytest.mark.parametrize("command", ["report", "resume", "export", "diff"])
@pytest.mark.parametrize("case", sorted(MANIFEST_CASES))
def test_manifest_that_lies_or_escapes_stops_with_exit_3(capsys, run_dir, tmp_path, decoy, marker, case, command):
    edit, needle = MANIFEST_CASES[case]
    edit_manifest(run_dir, lambda m: edit(m, decoy))
    before = sorted(p.relative_to(run_dir) for p in run_dir.rglob("*"))
    assert_refused(capsys, commands(run_dir, tmp_path)[command], 3, needle, decoy, marker)
    assert sorted(p.relative_to(run_dir) for p in run_dir.rglob("*")) == before  # nothing deleted or added


def symlinked_shard(run_dir, decoy):
    shard = run_dir / "stage1" / "000000.shard"
    shard.unlink()
    shard.symlink_to(decoy.dir / "000000.shard")


def symlinked_stage_folder(run_dir, decoy):
    edit_manifest(run_dir, add_stage("stage3"))
    (run_dir / "stage3").symlink_to(decoy.dir, target_is_directory=True)


def symlinked_tables(run_dir, decoy):
    tables = run_dir / "stage1" / "tables"
    tables.rename(run_dir / "stage1" / "tables_real")
    tables.symlink_to(decoy.dir / "tables", target_is_directory=True)


FILE_CASES = {
    "shard file is a symlink out": (symlinked_shard, "resolves outside"),
    "stage folder is a symlink out": (symlinked_stage_folder, "symbolic link"),
    "tables folder is a symlink out": (symlinked_tables, "symbolic link"),
    "manifest nested 100000 deep": (lambda r, d: (r / "manifest.json").write_text("[" * 100_000 + "]" * 100_000),
                                    "manifest"),
    "manifest binary": (lambda r, d: (r / "manifest.json").write_bytes(os.urandom(64) + b"\xff\x00"), "manifest.json"),
    "manifest a list": (lambda r, d: (r / "manifest.json").write_text("[1, 2]"), "manifest"),
}


@pytest.mark.parametrize("command", ["report", "resume", "export", "diff"])
@pytest.mark.parametrize("case", sorted(FILE_CASES))
def test_run_files_that_escape_or_are_garbage_stop_with_exit_3(capsys, run_dir, tmp_path, decoy, marker, case,
                                                                command):
    spoil, needle = FILE_CASES[case]
    spoil(run_dir, decoy)
    assert_refused(capsys, commands(run_dir, tmp_path)[command], 3, needle, decoy, marker)


# -- mixed runs ------------------------------------------------------------------------------------


def edit_config(run_dir, edit) -> None:
    """Edit the run's config.toml as data: its layout is the TOML writer's business."""
    cfg = run_dir / "config.toml"
    data = tomllib.loads(cfg.read_text())
    edit(data)
    cfg.write_text(tomli_w.dumps(data))


def _set(path: str, value):
    def edit(data):
        *keys, last = path.split(".")
        node = data
        for key in keys:
            node = node[int(key)] if key.isdigit() else node[key]
        node[last] = value
    return edit


CONFIG_EDITS = {
    "seed": (_set("seed", 12), "seed"),
    "runs": (_set("stage1.runs", 4), "stage1.runs"),
    "grid": (_set("profiles.0.stats", [2, 2, 3, 0, 4]), "profiles[0].stats"),
    "scenario added": (_set("scenarios.0.enemy_hp", [60, 5]), "scenarios[0].enemy_hp"),
}


@pytest.mark.parametrize("command", ["report", "resume", "stage2", "diff"])
@pytest.mark.parametrize("case", sorted(CONFIG_EDITS))
def test_an_edited_config_is_not_mixed_into_the_run(capsys, run_dir, tmp_path, decoy, marker, case, command):
    edit, key = CONFIG_EDITS[case]
    edit_config(run_dir, edit)
    before = (run_dir / "manifest.json").read_bytes()
    err = assert_refused(capsys, commands(run_dir, tmp_path)[command], 2, f"config error: {key}:", decoy, marker)
    assert "differs from the config" in err
    assert (run_dir / "manifest.json").read_bytes() == before


def test_report_with_another_grid_stops(capsys, run_dir, tmp_path, decoy, marker):
    other = tmp_path / "other.toml"
    other.write_text((run_dir / "config.toml").read_text().replace('name = "Tanky"', 'name = "Sturdy"'))
    assert_refused(capsys, ["report", "--result-dir", run_dir, "--config", other], 2, "profiles[1].name", decoy, marker)


def test_report_with_other_report_settings_is_fine(capsys, run_dir, tmp_path):
    other = tmp_path / "other.toml"
    other.write_text((run_dir / "config.toml").read_text().replace("top_n = 5000", "top_n = 10"))
    code, _, err = balance(capsys, "report", "--result-dir", run_dir, "--config", other, "--reporters",
                           "stage1_pruning_report")
    assert code == 0, err


def test_tampered_recorded_config_is_caught(capsys, run_dir, tmp_path, decoy, marker):
    edit_manifest(run_dir, lambda m: m["config"].__setitem__("toml", m["config"]["toml"].replace("seed = 11", "seed = 12")))
    assert_refused(capsys, commands(run_dir, tmp_path)["report"], 2, "does not match its sha256", decoy, marker)


def test_resume_with_another_plugin_version_stops(capsys, run_dir, tmp_path, decoy, marker):
    def older(m):
        m["plugins"][0]["version"] = "0.0.1-old"
    edit_manifest(run_dir, older)
    name = json.loads((run_dir / "manifest.json").read_text())["plugins"][0]["name"]
    err = assert_refused(capsys, commands(run_dir, tmp_path)["resume"], 2, f"plugin {name} 0.0.1-old", decoy, marker)
    assert "mix results of two versions" in err


def test_binary_run_config_is_one_line(capsys, run_dir, tmp_path, decoy, marker):
    (run_dir / "config.toml").write_bytes(b"\xff\xfe\x00\x01binary")
    for command in ("report", "resume"):
        assert_refused(capsys, commands(run_dir, tmp_path)[command], 2, "not UTF-8 text", decoy, marker)


def test_running_stage_is_not_exported(capsys, run_dir, tmp_path, decoy, marker):
    edit_manifest(run_dir, set_in(stage1, "status", "running"))
    assert_refused(capsys, commands(run_dir, tmp_path)["export"], 3, "is not complete (status running)", decoy, marker)


def test_running_stage_is_not_compared(capsys, run_dir, tmp_path, decoy, marker):
    edit_manifest(run_dir, set_in(stage1, "status", "running"))
    assert_refused(capsys, commands(run_dir, tmp_path)["diff"], 3, "is not complete (status running)", decoy, marker)
    assert not (tmp_path / "diff.md").exists()


# -- a second writer -------------------------------------------------------------------------------

HOLD = """
import fcntl, os, socket, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
os.write(fd, f"pid={os.getpid()}\\nhost={socket.gethostname()}\\n".encode())
print("locked", flush=True)
time.sleep(120)
"""


def test_second_writer_stops_naming_the_holder(capsys, run_dir, tmp_path, decoy, marker):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(run_dir / LOCK_FILE)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        before = (run_dir / "manifest.json").read_bytes()
        started = time.monotonic()
        err = assert_refused(capsys, commands(run_dir, tmp_path)["resume"], 3,
                             f"in use by pid {holder.pid} on host {socket.gethostname()}", decoy, marker)
        assert time.monotonic() - started < 30  # at once, not after waiting (generous for a loaded machine)
        assert str(run_dir / LOCK_FILE) in err
        assert (run_dir / "manifest.json").read_bytes() == before
    finally:
        holder.kill()
        holder.wait()
    # the holder is gone: the kernel released its lock, and a writer gets it (no stale lock)
    from balance.runlock import run_lock

    with run_lock(run_dir):
        assert f"pid={os.getpid()}" in (run_dir / LOCK_FILE).read_text()



# -- the reports folder that comes with a run directory ---------------------------------------------


@pytest.mark.parametrize("link", ["reports", "reports/stage1"])
def test_symlinked_reports_folder_is_not_written_through(capsys, run_dir, tmp_path, decoy, marker, link):
    (run_dir / link).parent.mkdir(parents=True, exist_ok=True)
    (run_dir / link).symlink_to(decoy.dir, target_is_directory=True)
    assert_refused(capsys, ["report", "--result-dir", run_dir, "--reporters", "stage1_pruning_report"], 3,
                   "is a symbolic link", decoy, marker)


def test_hostile_written_index_deletes_nothing_outside(capsys, run_dir, tmp_path, decoy, marker):
    """The index of files reporters wrote (stale ones are removed) comes with the run directory too."""
    reports = run_dir / "reports"
    (reports / "stage1").mkdir(parents=True)
    outside = [os.path.relpath(p, reports) for p in decoy.files]
    (reports / "stage1" / "innocent.md").symlink_to(decoy.dir / "000000.shard")
    index = {"stage1_pruning_report": [*outside, *(str(p) for p in decoy.files), "stage1/innocent.md"],
             "stage1_cost_analysis": "../decoy.txt"}
    (reports / ".balance-reports.json").write_text(json.dumps(index))
    code, _, err = balance(capsys, "report", "--result-dir", run_dir, "--reporters",
                           "stage1_pruning_report,stage1_cost_analysis")
    assert code == 0, err
    assert not marker.exists()
    decoy.assert_untouched()
