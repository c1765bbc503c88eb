"""Anti-synergy that survives a re-check: pairs slower than their better attack used alone.

Screening runs are few (2 per cell by default), so among millions of pairs many look slower than
their better solo by chance. The candidates — the pairs with the most negative gain over the better
solo that are slower beyond 3 combined standard errors in screening — are re-simulated with the
confirmation's runs on fresh dice (their own stream), pair and solos alike, under the run's policy.
A pair is *real anti-synergy* when the re-check is still slower beyond 3 standard errors of the
difference and both attacks take a real share of the turns; otherwise it was noise (or the policy played one
attack alone, which the re-check shows as the weaker solo: a policy fault, not a pair property).

Pair and solos share dice in both passes (a die never depends on the candidate). The re-check keeps
every combat's turns, so its error is that of the per-combat differences (paired); screening keeps
only sums, so the candidates are picked with the independent combined error, which is larger
whenever pair and solo are positively correlated: conservative.
"""

from __future__ import annotations

import attrs
import numpy as np

from balance.builds import Build
from balance.engine import Simulator
from balance_plugins.reports.policy_check import Z
from balance.paired import difference_se

#: Dice stream of the re-check (the stages use 0, 1, 2 and 100 + round).
STREAM_RECHECK = 3
#: Each attack must take at least this share of the pair's turns for the pair to "use both".
BOTH_USED = 0.05


@attrs.frozen
class Recheck:
    a: int
    b: int
    screening_excess: float  # pair - best solo, turns, screening
    pair: float
    pair_se: float
    best_solo: float
    best_solo_se: float
    share_a: float
    share_b: float
    #: standard error of pair - best solo from the per-combat differences on the shared dice
    diff_se: float

    @property
    def excess(self) -> float:
        return self.pair - self.best_solo

    @property
    def slower(self) -> bool:
        return self.excess > Z * self.diff_se

    @property
    def both_used(self) -> bool:
        return min(self.share_a, self.share_b) >= BOTH_USED

    @property
    def real(self) -> bool:
        return self.slower and self.both_used


def candidates(top: dict, solo: np.ndarray, solo_se: np.ndarray) -> list[int]:
    """Rows of ``top`` (most negative gain first) slower than the better solo beyond Z combined SE."""
    out = []
    for i in range(len(top["a"])):
        a, b = int(top["a"][i]), int(top["b"][i])
        j = a if solo[a] <= solo[b] else b
        if float(top["overall"][i]) - solo[j] > Z * float(np.hypot(top["se"][i], solo_se[j])):
            out.append(i)
    return out


def recheck(ctx, attacks, top: dict, rows: list[int], solo: np.ndarray) -> list[Recheck]:
    """Re-simulate the candidate pairs and their solos with the confirmation's runs, fresh dice."""
    if not rows:
        return []
    session, c = ctx.session, ctx.config
    pairs = np.array([(int(top["a"][i]), int(top["b"][i])) for i in rows])
    used = np.unique(pairs)
    local = {int(x): k for k, x in enumerate(used)}
    builds = [Build(attacks.types[x], attacks.upgrades[x], attacks.limits[x]) for x in used]
    policy = session.plugins.component("balance_policies", c.stage2.policy)
    sim = Simulator(session.kernel(), builds, session.grid, c.attacker, c.stage2.max_turns or c.max_turns, policy)
    score = session.plugins.component("balance_scorings", c.scoring)
    runs = c.stage2.confirm_runs
    lp = np.vectorize(local.get)(pairs)
    res = sim.run(lp, runs, c.seed, stream=STREAM_RECHECK)
    s_pair = score.score(res.turn_sum, res.turn_sumsq, res.timeouts, res.runs, session.grid)
    solos = sim.run(np.arange(len(used)), runs, c.seed, stream=STREAM_RECHECK)
    s_solo = score.score(solos.turn_sum, solos.turn_sumsq, solos.timeouts, solos.runs, session.grid)
    turns = np.maximum(res.uses.sum(axis=(1, 2)), 1)
    # every combat's turns, pair and solos on the same dice: the paired error of the difference
    pair_turns = sim.turns(lp, runs, c.seed, stream=STREAM_RECHECK)
    solo_turns = sim.turns(np.arange(len(used)), runs, c.seed, stream=STREAM_RECHECK)
    best = np.where(s_solo.overall[lp[:, 0]] <= s_solo.overall[lp[:, 1]], lp[:, 0], lp[:, 1])
    diff_se = difference_se(score, session.grid, pair_turns, solo_turns[best])
    out = []
    for n, i in enumerate(rows):
        j = best[n]
        a, b = pairs[n]
        out.append(Recheck(
            int(a), int(b), float(top["overall"][i]) - float(min(solo[a], solo[b])),
            float(s_pair.overall[n]), float(s_pair.se[n]), float(s_solo.overall[j]), float(s_solo.se[j]),
            float(res.uses[n, :, 0].sum() / turns[n]), float(res.uses[n, :, 1].sum() / turns[n]), float(diff_se[n])))
    return out
