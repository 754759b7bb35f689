"""`BatchInferencePipeline`: everything one stage needs to train, gate, register and score."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_aws import sagemaker

from components.access import attach_execution_policy, create_execution_role
from components.context import Context
from components.monitoring import create_monitoring
from components.promoted import copy_promoted_artifact, create_promoted_model
from components.scheduling import create_schedule, create_scheduler_role
from components.sdk import build_definition, build_scoring_definition
from components.storage import create_bucket, create_key, upload_code, upload_sample_data
from ml.contract import PROJECT
from ml.definition.inputs import definition_inputs, scoring_inputs
from ml.packaging import CodePackage, build_code_package
from ml.settings import Settings

TYPE_TOKEN = f"{PROJECT}:index:BatchInferencePipeline"


@dataclass(frozen=True)
class BatchInferencePipelineArgs:
    settings: Settings
    # The code archives to upload; None builds them from this checkout's ml/steps.
    code: CodePackage | None = None


class BatchInferencePipeline(pulumi.ComponentResource):
    pipeline_name: pulumi.Output[str]
    pipeline_arn: pulumi.Output[str]
    bucket_name: pulumi.Output[str]
    schedule_name: pulumi.Output[str]
    model_package_group_name: pulumi.Output[str]
    dashboard_url: pulumi.Output[str]
    alert_topic_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: BatchInferencePipelineArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        settings = args.settings
        ctx = Context(name, settings, self)
        code = args.code or build_code_package(ctx.names.bucket)

        role = create_execution_role(ctx)
        scheduler_role = create_scheduler_role(ctx)
        # The key policy names both roles, which must exist first.
        key = create_key(ctx, users=(role, scheduler_role))
        stack_bucket = create_bucket(ctx, key)
        promoted = settings.promoted_model
        uploads = [
            # A scoring-only pipeline runs no step script: the model carries its serving code.
            *([] if promoted else upload_code(ctx, stack_bucket, code)),
            *upload_sample_data(ctx, stack_bucket),
        ]
        group = sagemaker.ModelPackageGroup(
            ctx.child("model-group"),
            model_package_group_name=ctx.names.model_package_group,
            model_package_group_description=f"Models trained by {ctx.names.pipeline}",
            tags=ctx.sagemaker_tags,
            # Every input but the tags forces a replacement under the same fixed name: delete
            # first (refused while it holds versions, so nothing is lost) rather than collide.
            opts=pulumi.ResourceOptions.merge(
                ctx.opts(keep=True), pulumi.ResourceOptions(delete_before_replace=True)
            ),
        )
        role_policy = attach_execution_policy(ctx, role)
        if promoted:
            artifact = copy_promoted_artifact(ctx, stack_bucket, key, promoted)
            model = create_promoted_model(ctx, role, artifact, promoted, [role_policy, artifact])
            serving: list[pulumi.Resource] = [model]
            definition = pulumi.Output.all(key.arn, model.name).apply(
                lambda values: build_scoring_definition(scoring_inputs(settings, *values))
            )
            purpose = f"Batch-score with the model promoted from dev ({settings.stage})"
        else:
            definition = pulumi.Output.all(role.arn, key.arn).apply(
                lambda arns: _definition(settings, arns[0], arns[1], code)
            )
            purpose = f"Train, gate, register and batch-score ({settings.stage})"
            serving = []
        pipeline = sagemaker.Pipeline(
            ctx.child("pipeline"),
            pipeline_name=ctx.names.pipeline,
            pipeline_display_name=ctx.names.pipeline,
            pipeline_description=purpose,
            role_arn=role.arn,
            pipeline_definition=definition,
            parallelism_configuration=sagemaker.PipelineParallelismConfigurationArgs(
                max_parallel_execution_steps=settings.max_parallel_steps
            ),
            tags=ctx.sagemaker_tags,
            # A run may start as soon as the pipeline exists: its code (or model), data, model
            # group and permissions are in place first.
            opts=ctx.opts(depends_on=[role_policy, group, *uploads, *serving]),
        )
        schedule = create_schedule(ctx, pipeline, key, scheduler_role)
        monitoring = create_monitoring(ctx, key, pipeline, definition, schedule)

        region = settings.region
        self.pipeline_name = pipeline.pipeline_name
        self.pipeline_arn = pipeline.arn
        self.bucket_name = stack_bucket.bucket.bucket
        self.schedule_name = schedule.schedule.name
        self.model_package_group_name = group.model_package_group_name
        self.dashboard_url = monitoring.dashboard.dashboard_name.apply(
            lambda dashboard: (
                f"https://{region}.console.aws.amazon.com/cloudwatch/home"
                f"?region={region}#dashboards:name={dashboard}"
            )
        )
        self.alert_topic_arn = monitoring.topic.arn
        self.register_outputs(
            {
                "pipelineName": self.pipeline_name,
                "pipelineArn": self.pipeline_arn,
                "bucketName": self.bucket_name,
                "scheduleName": self.schedule_name,
                "modelPackageGroupName": self.model_package_group_name,
                "dashboardUrl": self.dashboard_url,
                "alertTopicArn": self.alert_topic_arn,
            }
        )


def _definition(settings: Settings, role_arn: str, key_arn: str, code: CodePackage) -> str:
    return build_definition(definition_inputs(settings, role_arn, key_arn, code.uris))
