"""Stage 2's screening summary in one read pass, shared by the reporters that need only that:
how many pairs, their timeouts and the moments of their turns, the best 50 pairs with every
column (``stage2_pairing_report``), the best 1,000 with the list's columns (``top_1000_pairs`` and
the HTML page's table of pairs) and the policy check against the solos.

Each of those read all of stage 2's records for its part (the default run: 5.4 M records, about
0.3 CPU s a pass before anything is computed); the result of one run directory is cached, so the
reporters that share ``SHARES`` (:mod:`balance.report_lanes` keeps them in one lane) read the
records once between them, and the page too when they write in its lane (on the default run
they do). Every figure is the one its
aggregator gives on its own pass: each aggregator sees the same blocks in the same order.
"""

from __future__ import annotations

from typing import Any

import attrs

from balance.aggregates import Count, Sums
from balance_plugins.reports.data import records_key
from balance_plugins.reports.policy_check import screening_aggregator
from balance_plugins.reports.stream import Moments, TopBy, column_key

#: The ``shares`` of the reporters that read this pass (see :mod:`balance.report_lanes`).
SHARES = "stage2_screening"
#: The pairing report's top list (every column).
BEST = 50
#: The top list's length and columns.
LIST = 1000
LIST_COLUMNS = ("a", "b", "overall", "se", "cost", "synergy", "timeouts")


@attrs.frozen
class Screening:
    count: int
    #: records of corrupt shards skipped (``--skip-corrupt``)
    skipped: int
    timeouts: int
    #: :class:`~.stream.Moments` of ``overall``
    overall: dict[str, float]
    #: the ``BEST`` pairs by overall (ties by a then b), every column
    best: dict[str, Any]
    #: the ``LIST`` pairs by overall (ties by a then b), ``LIST_COLUMNS``
    listed: dict[str, Any]
    #: the policy check's screening part (``WorseThanSolo``), when the run has solos
    check: Any


_CACHE: dict[tuple, Screening] = {}


def screening(ctx) -> Screening:
    """The summary of ``ctx``'s run, read once per run directory in this process."""
    solos = ctx.run.has_table("stage2", "solos")
    key = (*records_key(ctx, "stage2"), solos)
    if key not in _CACHE:
        reader = ctx.reader("stage2")
        aggregators = {
            "best": TopBy(BEST, column_key("overall"), ("overall",), reader.schema.names),
            "listed": TopBy(LIST, column_key("overall"), ("overall",), LIST_COLUMNS),
            "count": Count(), "timeouts": Sums(("timeouts",)), "overall": Moments("overall"),
        }
        if solos:
            aggregators["check"] = screening_aggregator(ctx.run)
        res = reader.aggregate(aggregators)
        _CACHE.clear()  # one run's summary: bounded memory however many runs a process reports
        _CACHE[key] = Screening(res["count"], reader.skipped, int(round(float(res["timeouts"].sums["timeouts"]))),
                                res["overall"], res["best"], res["listed"], res.get("check"))
    return _CACHE[key]
