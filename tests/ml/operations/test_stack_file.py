"""Setting keys in a stack file: everything else stays as written, and a failure changes nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ml.operations import stack_file
from ml.operations.stack_file import set_config_values
from ml.settings import ConfigSourceError

STACK = """\
# Header comment.
config:
  aws:region: eu-west-1  # where it runs
  aws:allowedAccountIds:
    - "333333333333"
  ml-batch-pipeline:mseThreshold: "6.5"
  ml-batch-pipeline:modelSource: registry
"""


@pytest.fixture
def stack(tmp_path: Path) -> Path:
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(STACK, encoding="utf-8")
    return path


def test_existing_keys_change_in_place_and_new_ones_are_appended(stack: Path) -> None:
    set_config_values(
        stack,
        {"ml-batch-pipeline:modelSource": "pipeline", "ml-batch-pipeline:modelDataUrl": "s3://b/m"},
    )
    assert stack.read_text(encoding="utf-8") == STACK.replace(
        "modelSource: registry", "modelSource: pipeline"
    ) + ("  ml-batch-pipeline:modelDataUrl: s3://b/m\n")


@pytest.mark.parametrize("config", ["", "config:\n"])
def test_a_file_without_config_values_gets_them(tmp_path: Path, config: str) -> None:
    path = tmp_path / "Pulumi.preprod.yaml"
    path.write_text(f"# A comment.\nencryptionsalt: v1:abc\n{config}", encoding="utf-8")
    set_config_values(path, {"ml-batch-pipeline:modelSource": "registry"})
    assert path.read_text(encoding="utf-8") == (
        "# A comment.\nencryptionsalt: v1:abc\nconfig:\n  ml-batch-pipeline:modelSource: registry\n"
    )


def test_the_file_keeps_its_permissions(stack: Path) -> None:
    stack.chmod(0o640)
    set_config_values(stack, {"ml-batch-pipeline:modelSource": "registry"})
    assert stack.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("config: [a\n", "Pulumi.prod.yaml is not valid YAML: "),
        ("- a\n- b\n", "Pulumi.prod.yaml must be a YAML mapping"),
        ("# Only a comment.\n", "Pulumi.prod.yaml must be a YAML mapping"),
        ("config: 3\n", "Pulumi.prod.yaml: `config:` must be a mapping of keys to values"),
    ],
)
def test_a_file_in_another_shape_is_refused(stack: Path, text: str, problem: str) -> None:
    stack.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigSourceError) as refused:
        set_config_values(stack, {"ml-batch-pipeline:modelSource": "registry"})
    assert str(refused.value).startswith(problem)
    assert stack.read_text(encoding="utf-8") == text


def test_a_failed_write_leaves_the_file_as_it_was_and_no_temporary_file(
    stack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(_: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space left on device"):
        set_config_values(stack, {"ml-batch-pipeline:modelSource": "pipeline"})
    assert stack.read_bytes() == STACK.encode()
    assert [p.name for p in stack.parent.iterdir()] == [stack.name]


def test_a_rewrite_that_would_change_other_values_is_refused(
    stack: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dump = stack_file._dump
    monkeypatch.setattr(stack_file, "_dump", lambda doc: dump(doc).replace('"6.5"', '"9.5"'))
    with pytest.raises(ConfigSourceError) as refused:
        set_config_values(stack, {"ml-batch-pipeline:modelSource": "pipeline"})
    assert str(refused.value) == (
        "Pulumi.prod.yaml: rewriting it would change more than ml-batch-pipeline:modelSource; "
        "edit it by hand"
    )
    assert stack.read_bytes() == STACK.encode()
