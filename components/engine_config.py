"""The configuration the Pulumi engine hands a program run, for the settings loaders.

Only the programs (the project's and the bootstrap's) read it; everything under ml/ works from
stack files or from values given to it, and never imports `pulumi`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ml.settings import Settings, build_settings
from ml.settings.loader import with_promotion_checked


def read_engine_config() -> dict[str, Any]:
    """Every `namespace:key` value of this program run (values are strings)."""
    from pulumi.runtime import config as runtime_config

    merged = dict(runtime_config.get_config_env())
    merged.update(runtime_config.CONFIG.get())
    return merged


def load_engine_settings(project_dir: Path) -> Settings:
    """Settings for the Pulumi program: the declared keys, values from the engine's config;
    the project's other stack files say where a promoted model may come from."""
    source = "the stack configuration"
    return with_promotion_checked(build_settings(read_engine_config(), source), project_dir, source)
