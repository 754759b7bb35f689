"""The two places the project reaches into the SageMaker SDK's internals (ml/definition/sdk.py),
held to what they claim against the pinned SDK. A failure names the SDK version: on an upgrade,
re-read the patched code and move or drop the patch."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import sagemaker
from sagemaker.config import config as sdk_config

from ml.definition import builder, sdk
from ml.definition.inputs import DefinitionInputs

SDK = f"sagemaker {sagemaker.__version__}"


@pytest.mark.parametrize("module_name", sdk.PATCHED_MODULES)
def test_each_patched_module_holds_the_sdks_config_validator(module_name: str) -> None:
    module = importlib.import_module(module_name)
    found = getattr(module, sdk.VALIDATOR, None)
    assert found is sdk_config.validate_sagemaker_config, (
        f"{SDK}: {module_name}.{sdk.VALIDATOR} is no longer the SDK's config validator; "
        "the bypass in ml/definition/sdk.py would patch nothing there"
    )


def test_building_a_session_validates_the_constant_config_only_through_the_bypass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[Any] = []
    monkeypatch.setattr(sdk, "validate_only_foreign_config", seen.append)
    sdk.pipeline_session(boto3.Session(region_name="eu-west-1"))
    assert seen, (
        f"{SDK} no longer validates its config through {', '.join(sdk.PATCHED_MODULES)} while "
        "building a session: the bypass in ml/definition/sdk.py does nothing, drop it"
    )
    assert all(config == sdk.NO_SDK_DEFAULTS for config in seen)
    # Outside the bypass the SDK's own validator is back in place.
    for name in sdk.PATCHED_MODULES:
        module = importlib.import_module(name)
        assert getattr(module, sdk.VALIDATOR) is sdk_config.validate_sagemaker_config


def test_a_build_takes_clients_from_boto3s_default_session_which_points_at_ours(
    monkeypatch: pytest.MonkeyPatch, dev_inputs: DefinitionInputs
) -> None:
    used: list[str] = []

    @contextlib.contextmanager
    def watched(session: boto3.Session) -> Iterator[None]:
        class Watched:
            def __getattr__(self, name: str) -> Any:
                used.append(name)
                return getattr(session, name)

        with sdk.default_boto_session(Watched()):
            yield

    monkeypatch.setattr(builder, "default_boto_session", watched)
    builder.build_definition(dev_inputs)
    assert used, (
        f"{SDK} no longer creates clients from boto3's default session while building the "
        "definition: the swap in ml/definition/sdk.py is unneeded, drop it"
    )
