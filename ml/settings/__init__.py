"""Stack settings: one loader for the Pulumi program and the command-line tools."""

from ml.settings.loader import build_settings, load_engine_settings, load_stack_settings
from ml.settings.model import Settings, SettingsError
from ml.settings.sources import ConfigSourceError

__all__ = [
    "ConfigSourceError",
    "Settings",
    "SettingsError",
    "build_settings",
    "load_engine_settings",
    "load_stack_settings",
]
