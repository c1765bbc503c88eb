"""Benchmark of the msgpack store at full scale (documented in docs/performance.md):

    .venv/bin/python -m balance_plugins.store.bench --records 10000000 [--cold] [--dir DIR] [--keep]

Writes N synthetic stage-2-shaped records, then reads them back three ways — a plain read, the
reporter's pass 1 (count, quantiles, top 5,000, per-cost and synergy aggregates) and pass 2 (per
enhancement sums for five tiers) — and prints records/s, bytes/record and the peak RSS. Record
generation is timed apart from writing.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from balance.aggregates import Count, GroupSums, Histogram, MembershipSums, Sums
from balance_plugins.store import MsgpackStore, RunInfo
from balance_plugins.store.synthetic import stage2_block, stage2_schema

SYNERGY_BANDS = [-np.inf, -30, -15, -5, 5, 15, 30, np.inf]


def peak_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux (bytes on macOS)
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def n_attacks_for(records: int) -> int:
    """Smallest attack count whose pair count covers ``records`` (as stage 2 would have)."""
    n = 2
    while n * (n - 1) // 2 < records:
        n = int(n * 1.5) + 1
    return n


def evict(run_dir: Path) -> None:
    """Ask the kernel to drop the shards from the page cache, so the next read comes from disk."""
    for path in run_dir.glob("*/*.shard"):
        with open(path, "rb") as f:
            os.posix_fadvise(f.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


def run_bench(records: int, run_dir: Path, batch: int = 1 << 16, top: int = 5000, members: int = 40,
              quiet: bool = False, cold: bool = False) -> dict[str, float]:
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    store = MsgpackStore()
    n_attacks = n_attacks_for(records)
    run = store.create(run_dir, RunInfo(config={"bench": True}, stages=("stage2",)))
    w = run.stage_writer("stage2", stage2_schema(), total=records)
    gen_s = write_s = 0.0
    for s in range(0, records, batch):
        e = min(s + batch, records)
        t0 = time.perf_counter()
        block = stage2_block(s, e, n_attacks=n_attacks)
        t1 = time.perf_counter()
        w.write(s, e, block)
        write_s += time.perf_counter() - t1
        gen_s += t1 - t0
    t0 = time.perf_counter()
    w.finish({"items": records})
    write_s += time.perf_counter() - t0
    entry = run.manifest["stages"]["stage2"]
    out = {"records": records, "bytes_per_record": entry["bytes"] / max(records, 1),
           "write_rps": records / write_s, "generate_s": gen_s, "shards": len(entry["shards"])}
    say(f"write: {records:,} records in {write_s:.2f} s = {out['write_rps'] / 1e6:.2f} M records/s "
        f"(+{gen_s:.1f} s generating); {entry['bytes'] / 2**20:,.0f} MiB in {out['shards']} shards "
        f"= {out['bytes_per_record']:.1f} bytes/record")

    reader = store.open(run_dir).stage_reader("stage2")

    def timed_read(key: str, label: str) -> None:
        t0 = time.perf_counter()
        n = sum(len(b["overall"]) for b in reader.blocks())
        seconds = time.perf_counter() - t0
        out[key] = n / seconds
        say(f"{label}: {n:,} records in {seconds:.2f} s = {out[key] / 1e6:.2f} M records/s")

    if cold:
        evict(run_dir)
        timed_read("cold_read_rps", "read from disk (page cache dropped)")
    timed_read("read_rps", "read (all columns, verified, page cache warm)")

    t0 = time.perf_counter()
    first = reader.scan(tiebreak=("a_index", "b_index"), top=top, quantiles=(0.0, 0.01, 0.5, 0.99, 1.0), aggregators={
        "cost": GroupSums("total_cost", 32, ("overall",)),
        "synergy": Histogram("synergy", SYNERGY_BANDS),
        "all": Sums(("overall", "synergy")),
    })
    scan_s = time.perf_counter() - t0
    out["pass1_rps"] = first.count / scan_s
    say(f"pass 1 (count, quantiles, top {top:,}, per-cost sums, synergy bands): {scan_s:.2f} s = "
        f"{out['pass1_rps'] / 1e6:.2f} M records/s; median {first.quantiles[0.5]:.3f}, best {first.top['overall'][0]}")

    matrix = np.random.default_rng(1).integers(0, 2, (n_attacks, members)).astype(np.uint8)
    t0 = time.perf_counter()
    tiers = reader.tiers(first, (50, 20, 5, 1, 0.1), {
        "n": Count(), "enh": MembershipSums(matrix, ("a_index", "b_index"), ("overall",)),
        "cost": GroupSums("total_cost", 32, ("overall",)),
    })
    tiers_s = time.perf_counter() - t0
    out["pass2_rps"] = first.count / tiers_s
    say(f"pass 2 (5 tiers x per-enhancement sums over {members} enhancements, per-cost sums): {tiers_s:.2f} s = "
        f"{out['pass2_rps'] / 1e6:.2f} M records/s; tier sizes {[t.size for t in tiers.values()]}")
    out["peak_rss_mb"] = peak_rss_mb()
    say(f"peak RSS: {out['peak_rss_mb']:.0f} MiB")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--records", type=int, default=10_000_000)
    p.add_argument("--dir", type=Path, help="where to write the run (default: a temp dir, removed after)")
    p.add_argument("--keep", action="store_true", help="keep the run directory")
    p.add_argument("--cold", action="store_true", help="also time a read with the shards dropped from the page cache")
    args = p.parse_args(argv)
    base = args.dir or Path(tempfile.mkdtemp(prefix="balance-store-bench-"))
    run_dir = base / "run"
    try:
        run_bench(args.records, run_dir, cold=args.cold)
    finally:
        if not args.keep:
            shutil.rmtree(run_dir, ignore_errors=True)
            if args.dir is None:
                shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
