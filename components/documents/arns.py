"""ARNs of resources whose names are deterministic, for policies written before they exist.

Every document that names a resource of this stack builds its ARN here from the resource's
name, so a first preview (where the provider has not assigned ARNs yet) already shows the whole
document and every policy can decide on it. The formats are those of AWS's Service
Authorization Reference (a test matches each against it).
"""

from __future__ import annotations

from dataclasses import dataclass

from ml.contract import S3_URI, ResourceNames


@dataclass(frozen=True)
class Arns:
    names: ResourceNames

    def arn(self, service: str, resource: str, *, region: bool = True) -> str:
        names = self.names
        where = f"{names.region}:{names.account_id}" if region else f":{names.account_id}"
        return f"arn:{names.partition}:{service}:{where}:{resource}"

    @property
    def account_root(self) -> str:
        return f"arn:{self.names.partition}:iam::{self.names.account_id}:root"

    @property
    def bucket(self) -> str:
        return s3_bucket_arn(self.names.partition, self.names.bucket)

    def role(self, name: str) -> str:
        return self.names.role_arn(name)

    @property
    def execution_role(self) -> str:
        return self.role(self.names.execution_role)

    @property
    def scheduler_role(self) -> str:
        return self.role(self.names.scheduler_role)

    def pipeline(self, name: str) -> str:
        # SageMaker writes the names in its ARNs in lower case (and so do its events).
        return self.sagemaker(f"pipeline/{name.lower()}")

    def topic(self, name: str) -> str:
        return self.arn("sns", name)

    def queue(self, name: str) -> str:
        return self.arn("sqs", name)

    def event_rule(self, name: str) -> str:
        """A rule on the account's default event bus."""
        return self.arn("events", f"rule/{name}")

    def sagemaker(self, resource: str) -> str:
        return self.arn("sagemaker", resource)

    @property
    def model_package_group(self) -> str:
        return self.sagemaker(f"model-package-group/{self.names.model_package_group}")

    @property
    def model_packages(self) -> str:
        # Versioned packages of a group are named <group>/<version>.
        return self.sagemaker(f"model-package/{self.names.model_package_group}/*")

    def log_group(self, name: str) -> str:
        return self.arn("logs", f"log-group:{name}")

    def alarm(self, name: str) -> str:
        return self.arn("cloudwatch", f"alarm:{name}")

    @property
    def schedule_group(self) -> str:
        return self.arn("scheduler", f"schedule-group/{self.names.pipeline}")

    def ops_item(self, severity: int, category: str) -> str:
        """The alarm action that opens a Systems Manager OpsItem."""
        return self.arn("ssm", f"opsitem:{severity}#CATEGORY={category}")

    def ec2(self, resource: str) -> str:
        return self.arn("ec2", resource)


def s3_bucket_arn(partition: str, bucket: str) -> str:
    return f"arn:{partition}:s3:::{bucket}"


def s3_location(uri: str) -> tuple[str, str]:
    """(bucket, key prefix) of an s3:// URI; the settings loader has already checked it."""
    match = S3_URI.match(uri)
    if not match:
        raise ValueError(f"{uri!r} is not an s3://bucket/key URI")
    return match["bucket"], match["key"] or ""


def ecr_repository_arn(partition: str, image_uri: str) -> str:
    """The repository ARN of `<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>`."""
    registry, _, repository = image_uri.partition("/")
    account, _, rest = registry.partition(".dkr.ecr.")
    region = rest.split(".", 1)[0]
    name = repository.split("@", 1)[0].rsplit(":", 1)[0]
    if not (account.isdigit() and region and name):
        raise ValueError(f"{image_uri!r} is not an ECR image URI")
    return f"arn:{partition}:ecr:{region}:{account}:repository/{name}"
