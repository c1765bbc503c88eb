"""The run configuration: attrs models, TOML (native), the older tool's config.json shape, and the
embedded default. Most callers want :func:`balance.session.open_session`, which also loads plugins."""

from balance.config.load import ConfigSource, build_config, read_source
from balance.config.model import Config
from balance.config.toml_out import config_to_toml

__all__ = ["Config", "ConfigSource", "build_config", "config_to_toml", "read_source"]
