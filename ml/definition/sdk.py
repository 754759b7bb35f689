"""Everything the project does to the SageMaker SDK (2.x) besides calling it, in one place.

The SDK is built for notebooks: at import it probes the EC2 metadata endpoint for credentials,
prints a v2 deprecation notice, and logs on stdout which defaults files it skipped; at build
time it logs which image variant it picked and that parameter defaults stand in for run-time
values; it re-validates its config schema on every session; parts of it use boto3's default
session. A Pulumi program's stdout and stderr show in every preview, and a definition must not
depend on the user's profile or config files. Each adjustment below names why; the two that
reach into the SDK's internals are checked against the pinned SDK by tests/ml/definition/
test_sdk_fences.py, which fails naming the SDK version if they stop doing what they say.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import boto3
    from sagemaker.workflow.pipeline_context import PipelineSession

# With no credentials in the environment, boto3 would probe the EC2 metadata endpoint, which
# costs seconds off EC2 and tells the definition nothing.
os.environ.setdefault("AWS_EC2_METADATA_DISABLED", "true")
os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
# The SDK keeps a level an application set before its import (config_utils.
# get_sagemaker_config_logger): nothing below ERROR reaches stdout or a preview.
for _name in ("sagemaker", "sagemaker.config"):
    logging.getLogger(_name).setLevel(logging.ERROR)

# A non-empty config that sets nothing: the SDK then reads no defaults file (see pipeline_session).
NO_SDK_DEFAULTS = {"SchemaVersion": "1.0"}
# The name under which each patched SDK module imported the config validator.
VALIDATOR = "validate_sagemaker_config"
PATCHED_MODULES = ("sagemaker.session", "sagemaker.utils")


@contextlib.contextmanager
def expected_warnings_silenced() -> Iterator[None]:
    with warnings.catch_warnings():
        # The estimator form of TrainingStep is deprecated in favour of fit(), which is the
        # call that emits telemetry; the request it produces is the same.
        warnings.filterwarnings("ignore", message='.*TrainingStep using "estimator".*')
        # ModelStep uses CreateModelStep internally, and the session notes it starts no jobs.
        warnings.filterwarnings("ignore", message=".*deprecating the use of CreateModelStep.*")
        warnings.filterwarnings("ignore", message=".*Running within a PipelineSession.*")
        yield


@contextlib.contextmanager
def default_boto_session(session: boto3.Session) -> Iterator[None]:
    """Parts of the SDK (the estimator's interactive apps) create clients from boto3's default
    session; pointing it at ours keeps them on the shared loader and off the user's profile."""
    import boto3

    previous = boto3.DEFAULT_SESSION
    boto3.DEFAULT_SESSION = session
    try:
        yield
    finally:
        boto3.DEFAULT_SESSION = previous


def pipeline_session(boto_session: boto3.Session) -> PipelineSession:
    from sagemaker.workflow.pipeline_context import PipelineSession

    with constant_config_trusted():
        session = PipelineSession(
            boto_session=boto_session,
            # A non-empty config stops the SDK reading the user's defaults files at
            # construction...
            sagemaker_config=NO_SDK_DEFAULTS,
        )
    # ...and an empty one afterwards stops it re-validating that config on every lookup.
    session.sagemaker_config = {}
    return session


@contextlib.contextmanager
def constant_config_trusted() -> Iterator[None]:
    """Skip the SDK's JSON-schema validation of `NO_SDK_DEFAULTS` while the session is built.

    The SDK validates the config it is given three times during construction, re-checking its
    whole schema each time (~0.75 s, most of the definition's cost). The only config it sees
    here is the constant above, which a test validates against the SDK's schema once.
    """
    import importlib

    modules = [importlib.import_module(name) for name in PATCHED_MODULES]
    originals = [getattr(module, VALIDATOR) for module in modules]
    for module in modules:
        setattr(module, VALIDATOR, validate_only_foreign_config)
    try:
        yield
    finally:
        for module, original in zip(modules, originals, strict=True):
            setattr(module, VALIDATOR, original)


def validate_only_foreign_config(sagemaker_config: Any = None) -> None:
    if sagemaker_config != NO_SDK_DEFAULTS:
        from sagemaker.config.config import validate_sagemaker_config

        validate_sagemaker_config(sagemaker_config)


@functools.cache
def framework_image(framework: str, region: str, version: str) -> str:
    """The SDK re-reads its image tables (JSON) on every lookup; the answer never changes."""
    from sagemaker import image_uris

    return str(image_uris.retrieve(framework, region, version))
