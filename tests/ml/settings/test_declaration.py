"""One declaration per setting: each Pulumi.yaml's `config:` block is it, written out."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import BaseModel

from bootstrap.settings import NAMESPACE, BootstrapConfig
from ml.contract import PROJECT
from ml.settings import StackConfig, value_problem
from ml.settings.declared import pulumi_config

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("project_dir", "namespace", "declaration"),
    [(ROOT, PROJECT, StackConfig), (ROOT / "bootstrap", NAMESPACE, BootstrapConfig)],
    ids=["program", "bootstrap"],
)
def test_pulumi_yaml_config_is_the_declaration(
    project_dir: Path, namespace: str, declaration: type[BaseModel]
) -> None:
    document = yaml.safe_load((project_dir / "Pulumi.yaml").read_text(encoding="utf-8"))
    expected = pulumi_config(declaration)
    assert document["name"] == namespace
    # Same keys in the same order, each with the same type, items, description and default.
    assert list(document["config"].items()) == list(expected.items()), yaml.safe_dump(
        {"config": expected}, sort_keys=False, width=1000
    )


def test_every_declared_default_passes_its_own_checks() -> None:
    for key, spec in pulumi_config(StackConfig).items():
        if "default" in spec:
            assert value_problem(key, spec["default"]) is None, key


def test_one_value_is_checked_by_its_declaration() -> None:
    assert value_problem("transformInstanceCount", 0) == "is out of range; allowed: 1 to 100"
    assert value_problem("transformInstanceCount", "4") is None  # as the engine passes it
    assert value_problem("stage", "qa") == "is not allowed; allowed: dev, preprod, prod"
    assert value_problem("alarmEmails", ["ops@example"]) == (
        "is not an e-mail address; allowed: name@example.com"
    )
