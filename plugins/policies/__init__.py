"""Built-in attack-choice policies for multi-attack characters."""
