"""Game rule plugins (installed as ``balance_rules``)."""
