"""Built-in plugins (installed as ``balance_plugins``)."""
