"""Mocks that answer as AWS would: ARNs, ids and names derived from the inputs, stably."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi

CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity"
REGION = "aws:index/getRegion:getRegion"
OIDC_PROVIDER = "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider"
GITHUB_USER = "github:index/getUser:getUser"
GITHUB_TEAM = "github:index/getTeam:getTeam"
GITHUB_REPOSITORY = "github:index/getRepository:getRepository"
LOG_GROUPS = "aws:cloudwatch/getLogGroups:getLogGroups"
_NAMESPACE = uuid.UUID("5b6f3c1e-8f3a-4c55-9d1e-2a4b8c7d9e10")


def github_id(name: str) -> int:
    """A stable numeric id for a GitHub login or team slug, as the API would return."""
    return uuid.uuid5(_NAMESPACE, name).int % 10_000_000


class AwsMocks(pulumi.runtime.Mocks):
    """`caller_account` is who the credentials belong to; by default the stack's own account."""

    def __init__(
        self,
        account_id: str,
        region: str,
        caller_account: str | None = None,
        *,
        preview: bool = False,
        oidc_audiences: dict[str, list[str]] | None = None,
        log_groups: tuple[str, ...] = (),
    ) -> None:
        # Log groups that already exist in the account.
        self.log_groups = log_groups
        self.account_id = account_id
        # The audiences of OIDC providers that already exist in the account, by host.
        self.oidc_audiences = oidc_audiences or {}
        self.region = region
        self.caller_account = caller_account or account_id
        # In a preview of a new stack the provider knows only the inputs: ids and computed
        # values (ARNs) stay unknown, as they do in `pulumi preview`.
        self.preview = preview

    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        if args.token == CALLER_IDENTITY:
            account = self.caller_account
            return {
                "accountId": account,
                "arn": f"arn:aws:sts::{account}:assumed-role/deploy/offline",
                "userId": "AROAOFFLINE:offline",
                "id": account,
            }, []
        if args.token == REGION:
            return {"region": self.region, "name": self.region, "id": self.region}, []
        if args.token == OIDC_PROVIDER:
            host = str(args.args["url"]).removeprefix("https://")
            arn = f"arn:aws:iam::{self.account_id}:oidc-provider/{host}"
            audiences = self.oidc_audiences.get(host, [])
            return {"arn": arn, "url": host, "id": arn, "clientIdLists": audiences}, []
        if args.token == LOG_GROUPS:
            prefix = str(args.args.get("logGroupNamePrefix", ""))
            names = [name for name in self.log_groups if name.startswith(prefix)]
            return {"logGroupNames": names, "arns": names, "id": prefix}, []
        if args.token == GITHUB_REPOSITORY:
            name = str(args.args["fullName"])
            return {"fullName": name, "repoId": github_id(name), "id": name}, []
        if args.token in (GITHUB_USER, GITHUB_TEAM):
            name = str(args.args.get("username") or args.args.get("slug"))
            return {"id": str(github_id(name)), "login": name, "slug": name}, []
        raise NotImplementedError(f"no offline answer for the invoke {args.token}")

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        if self.preview:
            return "", dict(args.inputs)
        resource = _Resource(args.typ, args.name, dict(args.inputs), self.account_id, self.region)
        computed = _computed(resource)
        resource_id = str(computed.pop("id"))
        return resource_id, {**args.inputs, **computed}


@dataclass(frozen=True)
class _Resource:
    token: str
    name: str
    inputs: dict[str, Any]
    account: str
    region: str

    @property
    def stable_id(self) -> str:
        return str(uuid.uuid5(_NAMESPACE, f"{self.token}:{self.name}"))

    @property
    def physical(self) -> str:
        return _physical_name(self.inputs) or self.name

    def arn(self, resource: str, *, regional: bool = True) -> str:
        service = self.token.split(":")[1].split("/", maxsplit=1)[0]
        where = f"{self.region}:{self.account}" if regional else f":{self.account}"
        return f"arn:aws:{service}:{where}:{resource}"


def _key(r: _Resource) -> dict[str, Any]:
    return {"id": r.stable_id, "keyId": r.stable_id, "arn": r.arn(f"key/{r.stable_id}")}


def _queue(r: _Resource) -> dict[str, Any]:
    url = f"https://sqs.{r.region}.amazonaws.com/{r.account}/{r.physical}"
    return {"id": url, "url": url, "arn": r.arn(r.physical)}


def _schedule(r: _Resource) -> dict[str, Any]:
    group = r.inputs.get("groupName", "default")
    return {"id": f"{group}/{r.physical}", "arn": r.arn(f"schedule/{group}/{r.physical}")}


def _named(arn_resource: str) -> Callable[[_Resource], dict[str, Any]]:
    """Resources whose id is their name and whose ARN ends in `arn_resource` (with {name})."""
    return lambda r: {"id": r.physical, "arn": r.arn(arn_resource.format(name=r.physical))}


# What the provider fills in, for the resource types the component creates.
_COMPUTED: dict[str, Callable[[_Resource], dict[str, Any]]] = {
    "aws:kms/key:Key": _key,
    "aws:kms/alias:Alias": _named("{name}"),
    "aws:s3/bucket:Bucket": lambda r: {
        "id": r.physical,
        "arn": f"arn:aws:s3:::{r.physical}",
        "bucket": r.physical,
    },
    "aws:iam/role:Role": lambda r: {
        "id": r.physical,
        "arn": r.arn(f"role/{r.physical}", regional=False),
    },
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": lambda r: {
        "id": r.arn(f"oidc-provider/{r.inputs['url'].removeprefix('https://')}", regional=False),
        "arn": r.arn(f"oidc-provider/{r.inputs['url'].removeprefix('https://')}", regional=False),
    },
    "aws:sqs/queue:Queue": _queue,
    "aws:sns/topic:Topic": lambda r: {"id": r.arn(r.physical), "arn": r.arn(r.physical)},
    "aws:cloudwatch/metricAlarm:MetricAlarm": _named("alarm:{name}"),
    "aws:cloudwatch/dashboard:Dashboard": lambda r: {
        "id": r.physical,
        "dashboardArn": f"arn:aws:cloudwatch::{r.account}:dashboard/{r.physical}",
    },
    "aws:cloudwatch/eventRule:EventRule": lambda r: {
        "id": r.physical,
        "arn": f"arn:aws:events:{r.region}:{r.account}:rule/{r.physical}",
    },
    "aws:cloudwatch/logGroup:LogGroup": lambda r: {
        "id": r.physical,
        "arn": f"arn:aws:logs:{r.region}:{r.account}:log-group:{r.physical}",
    },
    "aws:scheduler/schedule:Schedule": _schedule,
    "aws:scheduler/scheduleGroup:ScheduleGroup": _named("schedule-group/{name}"),
    "aws:sagemaker/pipeline:Pipeline": _named("pipeline/{name}"),
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": _named("model-package-group/{name}"),
    "aws:s3/bucketObjectv2:BucketObjectv2": lambda r: {
        "id": r.inputs.get("key", r.name),
        "etag": r.stable_id.replace("-", ""),
    },
    # Configuration resources the provider identifies by what they configure.
    **dict.fromkeys(
        (
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
            "aws:s3/bucketPolicy:BucketPolicy",
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "aws:s3/bucketVersioning:BucketVersioning",
        ),
        lambda r: {"id": r.inputs["bucket"]},
    ),
    "aws:iam/rolePolicy:RolePolicy": lambda r: {"id": f"{r.inputs['role']}:{r.inputs['name']}"},
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": lambda r: {
        "id": f"{r.inputs['role']}/{r.inputs['policyArn']}"
    },
    "aws:cloudwatch/eventTarget:EventTarget": lambda r: {
        "id": f"{r.inputs['rule']}-{r.inputs['targetId']}"
    },
    "aws:sns/topicPolicy:TopicPolicy": lambda r: {"id": r.inputs["arn"]},
    "aws:sns/topicSubscription:TopicSubscription": lambda r: {
        "id": f"{r.inputs['topic']}:{r.stable_id}",
        "arn": f"{r.inputs['topic']}:{r.stable_id}",
    },
    "aws:sqs/queuePolicy:QueuePolicy": lambda r: {"id": r.inputs["queueUrl"]},
    "aws:s3/objectCopy:ObjectCopy": lambda r: {
        "id": r.inputs["key"],
        "etag": r.stable_id.replace("-", ""),
        "versionId": r.stable_id.replace("-", "")[:32],
    },
    "aws:sagemaker/model:Model": _named("model/{name}"),
}
COMPUTED_TYPES = frozenset(_COMPUTED)


def _computed(resource: _Resource) -> dict[str, Any]:
    compute = _COMPUTED.get(resource.token)
    if compute:
        return compute(resource)
    if resource.token.startswith("aws:"):
        # An AWS type the table does not know would get made-up outputs: say where to add it.
        raise NotImplementedError(
            f"offline/mocks.py has no entry for {resource.token}: add what the provider fills "
            "in (id, arn, ...) to _COMPUTED (docs/stacks.md, adding a resource type)"
        )
    return {"id": resource.physical if _physical_name(resource.inputs) else resource.stable_id}


def _physical_name(inputs: dict[str, Any]) -> str | None:
    for key in ("name", "bucket", "pipelineName", "modelPackageGroupName", "dashboardName"):
        value = inputs.get(key)
        if isinstance(value, str) and value:
            return value
    return None
