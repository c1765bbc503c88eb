"""The policy check: how far stage 2's pair numbers can be trusted.

Owning a second attack can never make a competent player slower, so a pair whose mean turns is
worse than its better attack used alone (under the same cells, max turns and dice) is a policy
failure, not a fact about the rules. This counts them from the run's own data: each stage-2
record's ``overall`` and ``se`` against the better of its two solos (stage 2's ``solos`` table,
same runs, same dice), and the confirmation ranking against the ``confirm_solos`` table.

A pair counts as *worse* when ``pair - best solo > 3 × SE`` of that difference. Pair and solos are
played on the same dice (same seed, stream, cells and runs; a die never depends on the candidate),
so the right SE is that of the per-combat differences. The confirmation keeps every combat's turns
and records it (``solo_diff_se``), and the confirmed check uses it. Screening keeps only per-cell
sums of each pair (millions of pairs: no per-combat turns), so there the SE is the independent
``sqrt(se_pair² + se_solo²)``: larger than the paired one whenever pair and solo are positively
correlated on the shared dice, which makes the screening count a conservative (low) one.

The share's error counts attacks, not pairs: pairs that share an attack are not independent (one
attack the policy misplays drags all its pairs), pairs that share none are. With ``n_a`` the worse
pairs attack ``a`` is in, ``Var(worse) = Σ cov(I_p, I_q)`` over pairs p, q sharing an attack (p = q
included), each ``cov <= E[I_p I_q]``, and every such couple is counted in some ``n_a²``; so
``sqrt(Σ_a n_a²)`` bounds the count's standard deviation from above (its square estimates the bound
without bias), as the saturation report's shares do. With one worse pair per attack it is the
Poisson ``sqrt(worse)``.

    python -m balance_plugins.reports.policy_check RUN_DIR
"""

from __future__ import annotations

import argparse
import math
import sys

import attrs
import numpy as np

from balance.precision import decimals
from balance_plugins.reports.common import Z95, fnum

#: Standard errors of the difference beyond which a pair is worse than its better solo.
Z = 3.0
#: How many confirmed pairs the check covers (the pairing report's top list).
TOP = 50


@attrs.define
class WorseThanSolo:
    """Streaming aggregator: pairs slower than their better solo (counts, the worst ones)."""

    solo: np.ndarray
    solo_se: np.ndarray
    columns: tuple[str, ...] = ("a", "b", "overall", "se")
    count: int = 0
    worse: int = 0
    worse_turn: int = 0
    slower: int = 0
    worst_excess: float = 0.0
    worst_pct: float = 0.0
    #: The standard error of the largest excess's own difference (that pair's; NaN: no pair slower).
    worst_se: float = math.nan
    #: Per attack, the worse pairs it is in (either slot): the clusters of the share's error.
    per_attack: np.ndarray = attrs.field(
        default=attrs.Factory(lambda self: np.zeros(len(self.solo), dtype=np.int64), takes_self=True))

    def add(self, block) -> None:
        c = _compare(block["a"], block["b"], block["overall"], block["se"], self.solo, self.solo_se)
        self.count += len(c.excess)
        self.worse += int(np.count_nonzero(c.worse))
        for slot in ("a", "b"):
            self.per_attack += np.bincount(np.asarray(block[slot], dtype=np.intp)[c.worse],
                                           minlength=len(self.per_attack))
        self.worse_turn += int(np.count_nonzero(c.excess > 1.0))
        self.slower += int(np.count_nonzero(c.excess > 0))
        if len(c.excess):
            j = int(np.argmax(c.excess))
            if c.excess[j] > self.worst_excess:  # the same pair's excess, in turns and in % of its solo
                self.worst_excess, self.worst_se = float(c.excess[j]), float(c.diff_se[j])
                self.worst_pct = float(c.excess[j] / c.best[j] * 100)

    def result(self) -> "WorseThanSolo":
        return self

    def fresh(self) -> "WorseThanSolo":
        return WorseThanSolo(self.solo, self.solo_se)

    @property
    def share(self) -> float:
        return self.worse / self.count * 100 if self.count else math.nan

    @property
    def share_se(self) -> float:
        """Standard error of ``share`` in percentage points, attacks the clusters: sqrt(Σ_a n_a²) /
        pairs, an upper bound whatever the dependence among one attack's pairs (module docstring)."""
        if not self.count:
            return math.nan
        return math.sqrt(float((self.per_attack.astype(np.float64) ** 2).sum())) / self.count * 100


@attrs.frozen
class _Comparison:
    best: np.ndarray
    excess: np.ndarray  # pair - best solo, turns (positive = the pair is slower)
    worse: np.ndarray  # beyond Z combined standard errors
    diff_se: np.ndarray  # the standard error of each excess


def _compare(a, b, overall, se, solo, solo_se, diff_se=None) -> _Comparison:
    """``diff_se``: the paired standard error of each pair minus its better solo (same dice), when
    known; else the independent combined one (conservative)."""
    a, b = np.asarray(a, dtype=np.intp), np.asarray(b, dtype=np.intp)
    sa, sb = solo[a], solo[b]
    use_a = sa <= sb
    best = np.where(use_a, sa, sb)
    best_se = np.where(use_a, solo_se[a], solo_se[b])
    excess = np.asarray(overall, dtype=np.float64) - best
    if diff_se is None:
        diff_se = np.sqrt(np.asarray(se, dtype=np.float64) ** 2 + best_se**2)
    diff_se = np.broadcast_to(np.asarray(diff_se, dtype=np.float64), excess.shape)
    return _Comparison(best, excess, excess > Z * diff_se, diff_se)


@attrs.frozen
class PolicyCheck:
    """The check's figures for one run (``confirmed_*`` are None without a confirmation)."""

    screening: WorseThanSolo
    confirmed_checked: int | None
    confirmed_worse: int | None
    confirmed_worse_pairs: tuple[tuple[int, int, float], ...]  # (a, b, excess turns)
    confirmed_paired: bool = False  # the confirmed check used paired differences


def solos(run, name: str):
    t = run.read_table("stage2", name)
    return np.asarray(t["overall"], dtype=np.float64), np.asarray(t["se"], dtype=np.float64)


def screening_aggregator(run) -> WorseThanSolo:
    """The aggregator to feed with stage 2's records (``StageReader.aggregate``)."""
    return WorseThanSolo(*solos(run, "solos"))


def confirmed_check(run, confirmed: dict | None, top: int = TOP):
    """(checked, worse, [(a, b, excess)], paired) over the first ``top`` confirmed pairs, or Nones;
    ``paired``: the paired standard error of pair minus better solo was used (recorded by the
    confirmation), else the independent one."""
    if confirmed is None or not run.has_table("stage2", "confirm_solos"):
        return None, None, (), False
    n = min(top, len(confirmed["a"]))
    solo, solo_se = solos(run, "confirm_solos")
    paired = confirmed.get("solo_diff_se")  # runs made before the confirmation kept it: independent
    c = _compare(confirmed["a"][:n], confirmed["b"][:n], confirmed["overall"][:n], confirmed["se"][:n], solo, solo_se,
                 None if paired is None else paired[:n])
    bad = tuple((int(confirmed["a"][i]), int(confirmed["b"][i]), float(c.excess[i])) for i in np.flatnonzero(c.worse))
    return n, len(bad), bad, paired is not None


def policy_check(run, reader, confirmed: dict | None) -> PolicyCheck:
    screening = reader.aggregate({"check": screening_aggregator(run)})["check"]
    return PolicyCheck(screening, *confirmed_check(run, confirmed))


def share_text(s: WorseThanSolo) -> str:
    """The share ± its standard error (attacks the clusters), to the precision its 95 % interval
    allows; none seen: the one-sided 95 % upper bound (1 - 0.05^(1/n) ≈ 3/n, pairs as independent
    units: with no worse pair there is no spread among attacks to measure)."""
    if s.count and s.worse == 0:
        return f"0%; at most {(1 - 0.05 ** (1 / s.count)) * 100:.1g}% at 95% confidence"
    half = Z95 * s.share_se
    # one significant digit of the half-width, as everywhere, but past the rule's 3 decimals too: a
    # share of millions of pairs can be 0.0004% ± 0.0002, which 3 decimals would print as 0
    d = max(decimals(half), -math.floor(math.log10(half))) if half > 0 else decimals(half)
    return f"{fnum(s.share, d)}% ± {fnum(s.share_se, d)}%"


def worst_text(s: WorseThanSolo) -> str:
    """The largest excess, said to be what it is: the maximum over all pairs of noisy screening
    differences. The largest of N noisy values is biased upward (with no pair truly slower it still
    grows like sqrt(2 ln N) standard errors), so it estimates no pair's excess; its own error is
    shown so the reader can see how many of those errors it is."""
    if not s.slower:
        return "none (no pair slower than its better solo)"
    d = decimals(1.96 * s.worst_se) if math.isfinite(s.worst_se) else 2
    own = f", that pair's own error ± {s.worst_se:.{d}f}" if math.isfinite(s.worst_se) else ""
    return (f"{s.worst_excess:.{d}f} turns ({s.worst_pct:.0f}%){own}: the maximum over {s.count:,} noisy "
            "screening pairs, biased upward; not an estimate of any pair's excess")


def lines(check: PolicyCheck, runs: int, confirm_runs: int) -> list[str]:
    """The check as report bullets."""
    s = check.screening
    out = [
        f"**Pairs slower than their better attack used alone by more than {Z:g} combined standard errors**: "
        f"{s.worse:,} of {s.count:,} ({share_text(s)}; screening, {runs} runs per cell; pair and solo share "
        "dice, but screening keeps no per-combat turns, so the error is that of two independent means, "
        "which is larger than the paired one when pair and solo are positively correlated: a conservative count)",
        f"**… by more than a whole turn**: {s.worse_turn:,}; **slower at all (point estimates, mostly noise)**: "
        f"{s.slower:,}; **largest excess**: {worst_text(s)}",
    ]
    if check.confirmed_checked is not None:
        out.append(
            f"**Confirmed top {check.confirmed_checked} slower than their better solo by more than {Z:g} standard "
            f"errors of the difference**: {check.confirmed_worse} ({confirm_runs} runs per cell, fresh dice; "
            + ("paired differences on the same dice)" if check.confirmed_paired
               else "independent means: this run kept no per-combat turns)"))
    return out


def main(argv: list[str] | None = None) -> int:
    from pathlib import Path

    from balance.cli.cmd_export import open_run
    from balance.errors import BalanceError
    from balance_plugins.reports.data import load_confirmed

    parser = argparse.ArgumentParser(prog="python -m balance_plugins.reports.policy_check",
                                     description="Pairs of a run that are slower than their better attack used alone.")
    parser.add_argument("run_dir")
    args = parser.parse_args(argv)
    try:
        run = open_run(Path(args.run_dir))
        for table in ("solos",):
            if not run.has_table("stage2", table):
                raise BalanceError(f"{args.run_dir} has no complete stage 2 (no {table} table)")
        check = policy_check(run, run.stage_reader("stage2"), load_confirmed(run))
    except (BalanceError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    s = check.screening
    print(f"pairs {s.count}  worse_3se {s.worse}  share {share_text(s)}  "
          f"worse_1turn {s.worse_turn}  slower {s.slower}  max_excess {s.worst_excess:.2f} ± {s.worst_se:.2f} turns "
          f"({s.worst_pct:.0f}%; a maximum over {s.count} noisy pairs: biased upward)")
    if check.confirmed_checked is not None:
        print(f"confirmed_top {check.confirmed_checked}  worse_3se {check.confirmed_worse}")
        for a, b, x in check.confirmed_worse_pairs:
            print(f"  pair ({a}, {b}) slower by {x:.2f} turns")
    return 0


if __name__ == "__main__":
    sys.exit(main())
