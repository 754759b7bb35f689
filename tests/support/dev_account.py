"""The dev stack's account as moto plays it: its ids and a pipeline to act on."""

from __future__ import annotations

import json
from typing import Any

DEV_ACCOUNT = "111111111111"
REGION = "eu-west-1"
PIPELINE = "ml-batch-pipeline-dev"


def create_pipeline(client: Any) -> None:
    definition = {"Version": "2020-12-01", "Parameters": [], "Steps": []}
    client.create_pipeline(
        PipelineName=PIPELINE,
        PipelineDefinition=json.dumps(definition),
        RoleArn=f"arn:aws:iam::{DEV_ACCOUNT}:role/ml-batch-pipeline-dev-execution",
    )
