"""Errors the CLI turns into one clear line and an exit code (a traceback only with ``--debug``)."""

from __future__ import annotations


class BalanceError(Exception):
    """An error a user can act on. ``str(error)`` is the whole message line."""

    exit_code = 1


class ConfigError(BalanceError):
    """A config that cannot be used; the message starts with ``config error:``."""

    exit_code = 2

    def __init__(self, path: str, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"config error: {path}: {problem}" if path else f"config error: {problem}")

    def __reduce__(self):  # errors raised in worker processes travel back pickled
        return type(self), (self.path, self.problem)


class PluginError(BalanceError):
    """A plugin raised; names the plugin and the hook or component method."""

    exit_code = 1

    def __init__(self, plugin: str, hook: str, message: str):
        self.plugin = plugin
        self.hook = hook
        self.message = message
        super().__init__(f"plugin {plugin} failed in {hook}: {message}")

    def __reduce__(self):  # errors raised in worker processes travel back pickled
        return type(self), (self.plugin, self.hook, self.message)


class UsageError(BalanceError):
    """A command-line argument that cannot be used (unknown build name, unknown reporter, ...)."""

    exit_code = 2


class StoreError(BalanceError):
    """A run directory or shard that cannot be read or written."""

    exit_code = 3


class OutputError(BalanceError):
    """A file a command writes (a report, an export) cannot be written: names the file and the
    cause (disk full, permission), not the plugin that was writing it."""

    exit_code = 3
