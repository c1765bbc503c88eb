"""`balance export`: a run's stage-2 records as Parquet that DuckDB queries like the store reads."""

from __future__ import annotations

import sys

import duckdb
import numpy as np

from balance.cli.main import main

from .conftest import concat


def test_export_to_parquet_is_queryable_with_duckdb(stage2_run, tmp_path, capsys):
    out = tmp_path / "pairs.parquet"
    code = main(["export", "--result-dir", str(stage2_run.dir), "--format", "parquet", "--out", str(out)])
    assert code == 0
    assert capsys.readouterr().out.strip() == f"exported 5,000 stage2 records to {out}"
    data = concat(stage2_run.stage_reader("stage2").blocks())
    con = duckdb.connect()
    cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM '{out}'").fetchall()]
    assert cols[:3] == ["a_index", "b_index", "overall"]
    assert {"profile_mean_Evasive", "profile_mean_Tanky", "scenario_mean_Swarm 2", "buff_mean_No Buffs"} <= set(cols)
    n, best = con.execute(f"SELECT count(*), min(overall) FROM '{out}'").fetchone()
    assert n == 5000 and best == data["overall"].min()
    # per-cost aggregates in SQL equal the store's records
    rows = con.execute(f"SELECT total_cost, count(*), sum(overall) FROM '{out}' GROUP BY 1 ORDER BY 1").fetchall()
    for cost, count, total in rows:
        sel = data["total_cost"] == cost
        assert count == sel.sum() and np.isclose(total, data["overall"][sel].astype(np.float64).sum())
    tanky = con.execute(f'SELECT "profile_mean_Tanky", "usage_a_scenario_Boss" FROM \'{out}\' '
                        "ORDER BY a_index, b_index").fetchall()
    order = np.lexsort((data["b_index"], data["a_index"]))
    assert np.array_equal(np.array([t[0] for t in tanky], np.float32), data["profile_mean"][order, 1])
    assert np.array_equal(np.array([t[1] for t in tanky]), data["usage_a_scenario"][order, 0])


def test_export_of_a_corrupt_run_exits_3_naming_the_shard(stage2_run, tmp_path, capsys):
    shard = stage2_run.dir / "stage2" / "000002.shard"
    shard.write_bytes(shard.read_bytes()[:-2000])
    out = tmp_path / "x.parquet"
    code = main(["export", "--result-dir", str(stage2_run.dir), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 3 and err.startswith("error: shard stage2/000002 is corrupt at byte ")
    assert not out.exists() and not (tmp_path / "x.parquet.tmp").exists()
    code = main(["export", "--result-dir", str(stage2_run.dir), "--out", str(out), "--skip-corrupt"])
    printed = capsys.readouterr().out
    assert code == 0 and "records of corrupt shards skipped (stage2/000002)" in printed
    n = duckdb.connect().execute(f"SELECT count(*) FROM '{out}'").fetchone()[0]
    skipped = int(printed.split("; ")[1].split(" ")[0].replace(",", ""))
    assert n == 5000 - skipped and skipped > 0


def test_export_without_pyarrow_says_how_to_install_it(stage2_run, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # makes `import pyarrow` raise ImportError
    code = main(["export", "--result-dir", str(stage2_run.dir), "--out", str(tmp_path / "x.parquet")])
    assert code == 2
    assert "exporting to Parquet needs pyarrow" in capsys.readouterr().err


def test_export_of_a_non_run_directory(tmp_path, capsys):
    code = main(["export", "--result-dir", str(tmp_path), "--out", str(tmp_path / "x.parquet")])
    assert code == 2 and "is not a run directory" in capsys.readouterr().err
