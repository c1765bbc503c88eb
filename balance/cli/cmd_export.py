"""`balance export`: copy a stage's records from a run directory into a Parquet file (DuckDB,
pandas and polars read it), streaming block by block so memory stays bounded.

Shaped columns become one Parquet column per value, named by the schema's labels
(``by_profile_Evasive``) or by position (``by_profile_0``).
"""

from __future__ import annotations

import os
from pathlib import Path

import attrs

from balance import outfiles
from balance.config.model import Config
from balance.errors import StoreError, UsageError
from balance.plugin_manager import Plugins
from balance.runner import CONFIG_FILE
from balance.session import read_config


def register(subparsers) -> None:
    p = subparsers.add_parser("export", help="export a stage's records to Parquet")
    p.add_argument("--result-dir", required=True, metavar="DIR", help="a run directory")
    p.add_argument("--format", default="parquet", choices=["parquet"], help="output format (default: parquet)")
    p.add_argument("--out", required=True, metavar="FILE", help="the file to write")
    p.add_argument("--stage", default="stage2", help="which stage's records (default: stage2)")
    p.add_argument("--skip-corrupt", action="store_true", help="skip corrupt shards (the count is printed)")
    p.set_defaults(func=run)


def _import_pyarrow():
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise UsageError("exporting to Parquet needs pyarrow, which is not installed: "
                         "pip install 'balance[export]' (or pip install pyarrow)") from None
    return pyarrow, pyarrow.parquet


def open_run(run_dir: Path, disable=(), load=()):
    """Open a run read-only with the store its config names, else the default config's (the config
    is read as data: the run's plugins are not loaded, so a store only they provide cannot export)."""
    config = run_dir / CONFIG_FILE
    name = read_config(config if config.is_file() else None).data.get("store", attrs.fields(Config).store.default)
    if not isinstance(name, str):
        raise StoreError(f"{run_dir / CONFIG_FILE}: store is {name!r}, not a store name")
    store = Plugins(disable=disable or (), load=load or ()).component("balance_stores", name)
    if not store.has_run(run_dir):
        raise UsageError(f"{run_dir} is not a run directory (the {name} store finds no run there)")
    return store.open(run_dir)


def flat_fields(schema, pa):
    """(parquet field, column name, position or None) for every value of a record."""
    out = []
    for col in schema.columns:
        typ = pa.from_numpy_dtype(col.np_dtype)
        if not col.shape:
            out.append((pa.field(col.name, typ, nullable=False), col.name, None))
        else:
            for i, sub in enumerate(col.sub_names()):
                out.append((pa.field(sub, typ, nullable=False), col.name, i))
    names = [f.name for f, _, _ in out]
    clash = sorted({n for n in names if names.count(n) > 1})
    if clash:
        raise UsageError(f"cannot export: column names clash after flattening: {', '.join(clash)}")
    return out


def export_parquet(reader, out: Path) -> int:
    """Stream every record of ``reader`` into ``out`` (written as ``out.tmp``, renamed when done)."""
    pa, pq = _import_pyarrow()
    fields = flat_fields(reader.schema, pa)
    schema = pa.schema([f for f, _, _ in fields], metadata={"balance.stage": reader.stage})
    tmp = out.with_name(out.name + ".tmp")
    rows = 0
    try:
        with pq.ParquetWriter(tmp, schema) as writer:
            for block in reader.blocks():
                n = len(next(iter(block.values())))
                arrays = []
                for field, name, pos in fields:
                    values = block[name] if pos is None else block[name].reshape(n, -1)[:, pos]
                    arrays.append(pa.array(values, type=field.type))
                writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
                rows += n
        os.replace(tmp, out)
    except OSError as exc:
        raise outfiles.output_error(out, exc) from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    return rows


def check_out_file(out: Path) -> None:
    if out.is_dir():
        raise UsageError(f"--out {out}: is a folder, not a file")
    if not out.parent.is_dir():
        raise UsageError(f"--out {out}: the folder {out.parent} does not exist")
    if not os.access(out.parent, os.W_OK | os.X_OK):
        raise UsageError(f"--out {out}: the folder {out.parent} is not writable (permission denied)")


def run(args) -> int:
    run_dir = Path(args.result_dir)
    out = Path(args.out)
    check_out_file(out)
    run_ = open_run(run_dir, args.disable_plugin, args.plugin)
    if run_.stage_status(args.stage) == "running":
        raise StoreError(f"{args.stage} in {run_dir} is not complete (status running); "
                         "resume the run before exporting it")
    reader = run_.stage_reader(args.stage, skip_corrupt=args.skip_corrupt)
    rows = export_parquet(reader, out)
    corrupt = getattr(reader, "corrupt", {})
    note = ""
    if corrupt:
        note = f"; {reader.skipped:,} records of corrupt shards skipped ({', '.join(sorted(corrupt))})"
    print(f"exported {rows:,} {args.stage} records to {out}{note}")
    return 0
