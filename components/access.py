"""The pipeline execution role: what the jobs, models and registrations may do, and no more."""

from __future__ import annotations

import json

from pulumi_aws import iam

from components.context import Context
from components.documents.iam import (
    SAGEMAKER_SERVICE,
    ExecutionScope,
    execution_role_policy,
    service_trust_policy,
)
from components.sdk import step_images
from ml.definition.inputs import parameter_defaults


def create_execution_role(ctx: Context) -> iam.Role:
    return iam.Role(
        ctx.child("execution-role"),
        name=ctx.names.execution_role,
        description=f"Runs the jobs and models of the {ctx.names.pipeline} pipeline",
        assume_role_policy=json.dumps(service_trust_policy(SAGEMAKER_SERVICE)),
        tags=ctx.tags,
        opts=ctx.opts(),
    )


def read_uris(ctx: Context) -> tuple[str, ...]:
    """The data a run reads: the configured inputs, or the sample data in the stack bucket."""
    defaults = parameter_defaults(ctx.settings, ctx.names.bucket)
    if ctx.settings.promoted_model:
        return (defaults.batch_data_url,)  # registry mode trains on nothing
    return (defaults.input_data_url, defaults.batch_data_url)


def execution_scope(ctx: Context) -> ExecutionScope:
    """Everything the role's policy names follows from the settings: the document is whole in
    a first preview, before any ARN exists."""
    settings = ctx.settings
    vpc = settings.vpc
    promoted = settings.promoted_model
    return ExecutionScope(
        names=ctx.names,
        read_uris=read_uris(ctx),
        # The promoted package's own image, or the framework images the steps run.
        image_uris=(promoted.image_uri,) if promoted else step_images(settings.region),
        allowed_instance_types=settings.allowed_instance_types,
        max_runtime_seconds=settings.max_job_runtime_seconds,
        auto_approve_models=settings.auto_approve_models,
        subnet_ids=vpc.subnet_ids if vpc else (),
        security_group_ids=vpc.security_group_ids if vpc else (),
        input_key_arns=settings.input_kms_key_arns,
        scoring_only=promoted is not None,
    )


def attach_execution_policy(ctx: Context, role: iam.Role) -> iam.RolePolicy:
    return iam.RolePolicy(
        ctx.child("execution-policy"),
        name="pipeline-execution",
        # The name, not the id: the id is unknown until the role exists.
        role=role.name,
        policy=json.dumps(execution_role_policy(execution_scope(ctx))),
        opts=ctx.opts(),
    )
