"""The community's one YAML file: `load_config(path) -> Config`.

`root.py` holds the root model and the loader; each section has its module.
"""

from bot.config.base import Locale, locale_of
from bot.config.root import Config, ConfigError, load_config, parse_config

__all__ = ["Config", "ConfigError", "Locale", "load_config", "locale_of", "parse_config"]
