"""Each SDK internal the offline renders use still does what they rely on (offline/internals.py).
A failure names the installed version: re-read the SDK's code before moving the pin."""

from __future__ import annotations

import tomllib
from importlib.metadata import version
from pathlib import Path

import pulumi
import pytest
from pulumi_policy import ResourceValidationArgs

from offline import internals

PULUMI = f"pulumi {version('pulumi')}"
POLICY = f"pulumi-policy {version('pulumi-policy')}"


def test_both_sdks_are_pinned_to_the_minor_version_the_internals_were_read_at(
    project_dir: Path,
) -> None:
    project = tomllib.loads((project_dir / "pyproject.toml").read_text())
    groups = project["dependency-groups"].values()
    pins = [*project["project"]["dependencies"], *(pin for group in groups for pin in group)]
    for package in ("pulumi", "pulumi-policy"):
        minor = ".".join(version(package).split(".")[:2])
        assert f"{package}~={minor}.0" in pins, f"{package} must stay pinned with ~={minor}.0"


def test_a_deserialized_unknown_is_kept_as_the_unknown_marker() -> None:
    from google.protobuf import struct_pb2

    request = struct_pb2.Struct()
    request.update({"arn": internals.rpc.UNKNOWN})
    inputs = internals.rpc.deserialize_properties(request, keep_unknowns=True)
    assert isinstance(inputs["arn"], internals.Unknown), f"{PULUMI} no longer keeps unknowns"


def test_an_awaited_output_resolves_synchronously() -> None:
    value = internals.sync_await(pulumi.Output.from_input("x").future())
    assert value == "x", PULUMI


def test_not_applicable_raises_the_error_the_harness_catches() -> None:
    args = ResourceValidationArgs(
        resource_type="aws:s3/bucket:Bucket",
        props={},
        urn="urn:pulumi:dev::p::aws:s3/bucket:Bucket::b",
        name="b",
        opts=None,  # type: ignore[arg-type]
        provider=None,
    )
    with pytest.raises(internals.NotApplicableError):
        args.not_applicable("a reason")


def test_the_proxy_raises_on_an_unknown_value_and_names_its_path() -> None:
    props = internals.unknown_checking_proxy({"policy": internals.UNKNOWN_STRING_VALUE})
    with pytest.raises(internals.UnknownValueError) as raised:
        _ = props["policy"]
    assert raised.value.message == "string value at .policy can't be known during preview", POLICY
