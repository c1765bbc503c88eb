"""Benchmark: every stage-2 reporter on a synthetic run of N stage-2 records (real schema).

    python -m balance_plugins.reports.bench --records 10000000 [--dir DIR] [--out DIR] [--cold]

Writes the synthetic run to ``--dir`` first (in a child process, so its memory does not count)
unless it already holds one of that size, then runs all stage-2 reporters in this process through
``balance.reporting.write_reports`` (as ``balance report`` does) and prints wall seconds per
reporter, in total, and this process's peak RSS.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import psutil

STAGE2_REPORTERS = ("stage2_pairing_report", "enhancement_ranking", "enhancement_saturation", "top_1000_pairs",
                    "pair_cost_analysis", "synergy_analysis")


def ensure_run(run_dir: Path, records: int) -> None:
    manifest = run_dir / "manifest.json"
    if manifest.exists():
        have = json.loads(manifest.read_text())["stages"].get("stage2", {}).get("records")
        if have == records:
            return
        raise SystemExit(f"{run_dir} holds a run with {have} stage-2 records, not {records}; choose another --dir")
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "balance_plugins.stages.synthetic", "--out", str(run_dir),
                    "--pairs", str(records)], check=True)
    print(f"synthetic run written in {time.perf_counter() - t:,.1f} s")


def drop_cache(run_dir: Path) -> None:
    """Ask the kernel to drop the shards from the page cache (the host may still cache them)."""
    import os

    for path in (run_dir / "stage2").glob("*.shard"):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def peak_rss_bytes() -> int:
    # ru_maxrss is in KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run_reports(run_dir: Path, out_dir: Path, reporters=STAGE2_REPORTERS) -> dict:
    from balance.reporting import write_reports
    from balance.session import open_session

    session = open_session(run_dir / "config.toml")
    times = {}
    total = time.perf_counter()
    for name in reporters:
        t = time.perf_counter()
        write_reports(session, run_dir, out_dir, only=[name])
        times[name] = time.perf_counter() - t
    return {"seconds": time.perf_counter() - total, "per_reporter": times, "peak_rss": peak_rss_bytes()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="time all stage-2 reporters on a synthetic run")
    ap.add_argument("--records", type=int, default=10_000_000)
    ap.add_argument("--dir", help="synthetic run directory (default: /tmp/balance-report-bench-N)")
    ap.add_argument("--out", help="report folder (default: DIR/reports)")
    ap.add_argument("--cold", action="store_true", help="drop the shards from the page cache first")
    args = ap.parse_args(argv)
    run_dir = Path(args.dir or f"/tmp/balance-report-bench-{args.records}")
    ensure_run(run_dir, args.records)
    size = sum(p.stat().st_size for p in (run_dir / "stage2").glob("*.shard"))
    print(f"run: {run_dir} ({args.records:,} stage-2 records, {size / 2**20:,.0f} MiB of shards)")
    if args.cold:
        drop_cache(run_dir)
    res = run_reports(run_dir, Path(args.out or run_dir / "reports"))
    for name, s in res["per_reporter"].items():
        print(f"  {name:<24} {s:8.1f} s")
    print(f"all stage-2 reporters: {res['seconds']:.1f} s wall; peak RSS {res['peak_rss'] / 2**20:,.0f} MiB "
          f"(this process; {psutil.cpu_count()} CPUs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
