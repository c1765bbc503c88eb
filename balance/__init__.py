"""balance: a plugin-based game balance framework.

Plugins mark their hook implementations with ``@balance.hookimpl`` (see :mod:`balance.hookspecs`).
"""

from importlib.metadata import PackageNotFoundError, version

from balance.hookspecs import hookimpl, hookspec

__all__ = ["__version__", "hookimpl", "hookspec"]

try:
    __version__ = version("balance")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"
