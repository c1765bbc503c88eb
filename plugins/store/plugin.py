"""Entry point of the built-in ``msgpack`` result store plugin."""

from __future__ import annotations

from balance.hookspecs import hookimpl
from balance_plugins.store.store import MsgpackStore

__version__ = MsgpackStore.version


@hookimpl
def balance_stores():
    return [MsgpackStore()]
