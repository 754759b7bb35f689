"""The Pulumi program: one BatchInferencePipeline per stack, configured by Pulumi.<stack>.yaml."""

from pathlib import Path

import pulumi

from components.engine_config import load_engine_settings
from components.guard import ensure_account
from components.pipeline import BatchInferencePipeline, BatchInferencePipelineArgs
from ml.settings import SettingsError

try:
    # The program's folder holds every stack file (the engine runs it from there).
    settings = load_engine_settings(Path(__file__).resolve().parent)
except SettingsError as error:
    # A RunError prints the message alone: every bad key, its value and what is allowed.
    raise pulumi.RunError(str(error)) from None
ensure_account(settings)

pipeline = BatchInferencePipeline("batch-inference", BatchInferencePipelineArgs(settings=settings))

pulumi.export("pipelineName", pipeline.pipeline_name)
pulumi.export("pipelineArn", pipeline.pipeline_arn)
pulumi.export("bucketName", pipeline.bucket_name)
pulumi.export("scheduleName", pipeline.schedule_name)
pulumi.export("modelPackageGroupName", pipeline.model_package_group_name)
pulumi.export("dashboardUrl", pipeline.dashboard_url)
pulumi.export("alertTopicArn", pipeline.alert_topic_arn)
