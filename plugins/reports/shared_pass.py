"""Several reporters' aggregators fed in one read pass, and their exact medians in one more.

A reporter registers its part (:data:`PARTS`: name -> (stage, build)); ``build(ctx, reader)``
gives its aggregators and which of them are :class:`~.stream.GroupHist` whose medians it needs.
When it asks for its results (:func:`results`), the parts of the reporters writing after it in
this process in this call (``context.lane``) are read in the same passes and kept for them: on
the default run's 5.4 M stage-2 records a pass costs about 0.3 CPU s before anything is computed.
A reporter selected alone, or not writing through the lanes, reads only its own part. Each
aggregator sees the same blocks in the same order as on a pass of its own, so every figure is the
same to the last bit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from balance_plugins.reports.data import records_key
from balance_plugins.reports.stream import group_medians

#: reporter name -> (stage, build(ctx, reader) -> (aggregators, keys of the GroupHists to take medians of))
PARTS: dict[str, tuple[str, Callable[[Any, Any], tuple[dict[str, Any], list[str]]]]] = {}

_CACHE: dict[tuple, dict[str, tuple[dict[str, Any], list[np.ndarray], int]]] = {}


def results(ctx, name: str) -> tuple[dict[str, Any], list[np.ndarray], int]:
    """Reporter ``name``'s part: its aggregators' results by key, the medians of its GroupHists
    (in the order it listed them; one array per histogram, one value per group) and the records of
    corrupt shards skipped."""
    stage, _ = PARTS[name]
    key = records_key(ctx, stage)
    if key not in _CACHE:
        _CACHE.clear()  # one run's parts: bounded memory however many runs a process reports
        _CACHE[key] = {}
    kept = _CACHE[key]
    if name not in kept:
        lane = list(getattr(ctx, "lane", ()))
        later = lane[lane.index(name) + 1:] if name in lane else []
        names = [name, *(n for n in later if n in PARTS and PARTS[n][0] == stage and n not in kept)]
        reader = ctx.reader(stage)
        built = {n: PARTS[n][1](ctx, reader) for n in names}
        res = reader.aggregate({f"{n}/{k}": a for n, (aggs, _) in built.items() for k, a in aggs.items()})
        hists = [(n, f"{n}/{k}") for n, (_, keys) in built.items() for k in keys]
        medians = group_medians(reader, *(res[k] for _, k in hists)) if hists else []
        for n, (aggs, _) in built.items():
            kept[n] = ({k: res[f"{n}/{k}"] for k in aggs}, [m for (o, _), m in zip(hists, medians) if o == n],
                       reader.skipped)
    return kept.pop(name)  # handed out once: a later call reads again
