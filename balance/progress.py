"""Live progress for long work: items done, rate, ETA and the memory of the whole process tree."""

from __future__ import annotations

import os
import sys

import psutil
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


def tree_rss() -> int:
    """Resident memory of this process and all its children, in bytes."""
    me = psutil.Process(os.getpid())
    total = me.memory_info().rss
    for child in me.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.Error:
            pass
    return total


class RateColumn(ProgressColumn):
    def render(self, task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f}/s" if speed else "-/s", style="progress.data.speed")


class MemoryColumn(ProgressColumn):
    max_refresh = 1.0

    def render(self, task) -> Text:
        return Text(f"{tree_rss() / 2**20:,.0f} MiB", style="magenta")


def console() -> Console:
    """Messages for the user go to stderr, unwrapped, so that logs keep one line per message."""
    return Console(file=sys.stderr, soft_wrap=True)


def make_progress() -> Progress:
    """A progress display on stderr; quiet when stderr is not a terminal (logs get summary lines)."""
    out = console()
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TimeElapsedColumn(),
        MemoryColumn(),
        console=out,
        disable=not out.is_terminal,
    )
