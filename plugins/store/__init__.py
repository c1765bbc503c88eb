"""The built-in ``msgpack`` result store: run directories of a JSON manifest and checksummed
columnar msgpack shards, streamed in and out with bounded memory (see ``docs/performance.md``)."""

from balance_plugins.store.aggregates import Count, GroupSums, Histogram, MembershipSums, Sums
from balance_plugins.store.reader import Block, StageReader
from balance_plugins.store.store import MsgpackStore, Run, RunInfo, StageStats
from balance_plugins.store.tiers import ScanResult, TierResult
from balance_plugins.store.writer import StageWriter

__all__ = [
    "Block",
    "Count",
    "GroupSums",
    "Histogram",
    "MembershipSums",
    "MsgpackStore",
    "Run",
    "RunInfo",
    "ScanResult",
    "StageReader",
    "StageStats",
    "StageWriter",
    "Sums",
    "TierResult",
]
