"""The built-in ``msgpack`` result store: run directories of a JSON manifest and checksummed
columnar msgpack shards, streamed in and out with bounded memory (see ``docs/performance.md``).

It implements the core's store contract (:mod:`balance.store`); the queries and aggregators its
reader answers are the core's (:mod:`balance.queries`, :mod:`balance.aggregates`)."""

from balance.store import Block, RunInfo
from balance_plugins.store.reader import StageReader
from balance_plugins.store.store import MsgpackStore, Run, StageStats
from balance_plugins.store.writer import StageWriter

__all__ = ["Block", "MsgpackStore", "Run", "RunInfo", "StageReader", "StageStats", "StageWriter"]
