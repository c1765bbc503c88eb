"""Placeholder, replaced below."""
def load_config(path=None, stat_names=None): raise NotImplementedError
def load_config_text(text, fmt, stat_names=None): raise NotImplementedError
