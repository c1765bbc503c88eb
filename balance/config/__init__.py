"""The run configuration: attrs models, TOML (native) and the older tool's config.json shape."""

from balance.config.load import load_config, load_config_text
from balance.config.model import Config

__all__ = ["Config", "load_config", "load_config_text"]
