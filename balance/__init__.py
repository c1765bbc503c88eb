"""balance: a plugin-based game balance framework."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("balance")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"
