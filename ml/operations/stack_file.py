"""Set keys in a stack file's `config:` the way a person would edit it.

The file is reviewed in a pull request, so everything but the changed keys stays as it was:
comments, key order, quoting and indentation (a round-trip YAML load and dump). Existing keys
change in place; new ones go to the end of `config:`. The new text is checked and then renamed
over the old file, so a failure at any point leaves the file as it was.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import YAMLError

from ml.settings import ConfigSourceError

CONFIG = "config"
# The stack files' own layout: keys indented by 2, list items by 4 with the dash at 2.
MAPPING_INDENT = 2
SEQUENCE_INDENT = 4
SEQUENCE_DASH_OFFSET = 2
# Long ARNs and URLs stay on one line, as written.
NO_LINE_WRAP = 4096


def set_config_values(path: Path, values: Mapping[str, str]) -> None:
    """Give each `namespace:key` in `values` its value in the stack file at `path`."""
    original = path.read_text(encoding="utf-8")
    try:
        document = _round_trip().load(original)
    except YAMLError as error:
        raise ConfigSourceError(f"{path.name} is not valid YAML: {error}") from None
    if not isinstance(document, CommentedMap):
        raise ConfigSourceError(f"{path.name} must be a YAML mapping")
    config = document.get(CONFIG)
    if config is None:
        config = document[CONFIG] = CommentedMap()
    if not isinstance(config, CommentedMap):
        raise ConfigSourceError(f"{path.name}: `{CONFIG}:` must be a mapping of keys to values")
    for key, value in values.items():
        config[key] = value
    text = _dump(document)
    _check_only_these_changed(path.name, original, text, values)
    _replace(path, text)


def _round_trip() -> YAML:
    parser = YAML()  # round-trip mode: comments, order and quoting are kept
    parser.preserve_quotes = True
    parser.width = NO_LINE_WRAP
    parser.indent(mapping=MAPPING_INDENT, sequence=SEQUENCE_INDENT, offset=SEQUENCE_DASH_OFFSET)
    return parser


def _dump(document: Any) -> str:
    buffer = io.StringIO()
    _round_trip().dump(document, buffer)
    return buffer.getvalue()


def _check_only_these_changed(
    name: str, original: str, text: str, values: Mapping[str, str]
) -> None:
    """The written text, read by the parser Pulumi's files are read with elsewhere here, must
    mean the old configuration plus `values`: nothing else may change by accident."""
    if _config_of(text) != {**_config_of(original), **values}:
        raise ConfigSourceError(
            f"{name}: rewriting it would change more than {', '.join(values)}; edit it by hand"
        )


def _config_of(text: str) -> dict[str, Any]:
    config: dict[str, Any] = (yaml.safe_load(text) or {}).get(CONFIG) or {}
    return config


def _replace(path: Path, text: str) -> None:
    """Write beside the file, then rename over it: the file is either old or new, never half."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        # mkstemp creates the file private; the stack file keeps its own permissions.
        Path(temporary).chmod(path.stat().st_mode & 0o777)
        Path(temporary).replace(path)  # a rename: atomic within one folder
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
