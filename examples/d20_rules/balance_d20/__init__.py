"""balance-d20: a second, small rule system for balance (a classic d20 game), as a plugin package."""

__version__ = "0.1.0"
