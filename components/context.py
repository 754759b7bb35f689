"""What every child of the component shares: its settings, names, tags and resource options."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

from components.documents.arns import Arns
from ml.contract import ResourceNames
from ml.settings import Settings

TAG_STAGE = "stage"
TAG_MODEL_APPROVAL = "model-approval"
TAG_PROJECT = "project"
TAG_MANAGED_BY = "managed-by"
# The tags SageMaker Studio uses to list a pipeline and a model group under a project.
TAG_SAGEMAKER_PROJECT_NAME = "sagemaker:project-name"
TAG_SAGEMAKER_PROJECT_ID = "sagemaker:project-id"


@dataclass(frozen=True)
class Context:
    name: str
    settings: Settings
    parent: pulumi.Resource

    @property
    def names(self) -> ResourceNames:
        return self.settings.names

    @property
    def arns(self) -> Arns:
        return Arns(self.names)

    def child(self, role: str) -> str:
        return f"{self.name}-{role}"

    @property
    def tags(self) -> dict[str, str]:
        """Set on each resource itself, not only as provider default tags: policies read them
        from the resource's inputs, which default tags do not reach."""
        return {
            TAG_PROJECT: self.settings.project,
            TAG_STAGE: self.settings.stage,
            TAG_MODEL_APPROVAL: self.settings.model_approval_tag,
            TAG_MANAGED_BY: "pulumi",
        }

    @property
    def sagemaker_tags(self) -> dict[str, str]:
        project = self.settings.sagemaker_project
        if project is None:
            return self.tags
        return {
            **self.tags,
            TAG_SAGEMAKER_PROJECT_NAME: project.name,
            TAG_SAGEMAKER_PROJECT_ID: project.project_id,
        }

    def opts(
        self, *, keep: bool = False, depends_on: Sequence[pulumi.Resource] = ()
    ) -> pulumi.ResourceOptions:
        """`keep` marks data and identity the stage protects (bucket, key, model registry):
        protected and retained on delete where the stage says so, destroyable elsewhere."""
        protected = keep and self.settings.protect_resources
        return pulumi.ResourceOptions(
            parent=self.parent,
            protect=protected,
            retain_on_delete=protected,
            depends_on=list(depends_on),
        )
