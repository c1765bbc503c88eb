"""Wall time of a ``balance`` command from process start to exit: the minimum over N fresh runs.

    python tests/benchmarks/startup.py 10 balance build check "melee_dg + power_attack"

The minimum is the figure least disturbed by other work on the machine.
"""

from __future__ import annotations

import subprocess
import sys
import time


def wall(cmd: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main(argv: list[str]) -> None:
    runs, cmd = int(argv[0]), argv[1:]
    best = min(wall(cmd) for _ in range(runs))
    print(f"{best:.3f} s (minimum of {runs} runs): {' '.join(cmd)}")


if __name__ == "__main__":
    main(sys.argv[1:])
