"""Stack settings: one declaration and one loader for the Pulumi program and the command line."""

from ml.settings.loader import build_settings, load_stack_settings, value_problem
from ml.settings.model import Settings, SettingsError
from ml.settings.sources import ConfigSourceError
from ml.settings.stack_config import StackConfig

__all__ = [
    "ConfigSourceError",
    "Settings",
    "SettingsError",
    "StackConfig",
    "build_settings",
    "load_stack_settings",
    "value_problem",
]
