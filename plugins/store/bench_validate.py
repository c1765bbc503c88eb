"""What the open-time manifest checks cost, side by side with parsing the manifest (docs/performance.md):

    .venv/bin/python -m balance_plugins.store.bench_validate --shards 100 1000 10000

Builds a manifest of one complete stage with N shards (real shard files are not needed: the checks
read the manifest and list each stage folder once) and times ``json.loads`` of its text and
:func:`check_manifest` on it in the same process, best of five.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from balance_plugins.store.validate import check_manifest


def manifest(n: int, per_shard: int = 1 << 20) -> dict:
    shards = [{"name": f"stage2/{i:06d}", "file": f"stage2/{i:06d}.shard", "start": i * per_shard,
               "stop": (i + 1) * per_shard, "records": per_shard, "bytes": 70 * per_shard, "frames": 16,
               "crc32": "0123abcd"} for i in range(n)]
    return {"stages": {"stage2": {"status": "complete", "schema": {}, "total": n * per_shard,
                                  "records": n * per_shard, "shards": shards, "tables": {}}}}


def best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--shards", type=int, nargs="+", default=[100, 1000, 10000])
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp)
        (run_dir / "stage2").mkdir()
        for n in args.shards:
            data = manifest(n)
            text = json.dumps(data)
            parse = best(lambda: json.loads(text))
            check = best(lambda: check_manifest(run_dir, data))
            print(f"{n:>7,} shards ({n:,} Mi records): json.loads {parse * 1e3:8.1f} ms, "
                  f"check_manifest {check * 1e3:8.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
