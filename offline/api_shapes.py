"""Each resource's inputs as the API calls the provider makes with them, checked against AWS's
own request shapes (botocore's service models: required members, types, enums, patterns,
lengths, ranges), so a value AWS would reject fails here instead of in `pulumi up`.

`CALLS` is the one table: resource type -> the create-time calls (service, operation) and how
the Pulumi inputs become their parameters (as the Terraform AWS provider builds them; its
create functions, internal/service/<service>/<resource>.go).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from ml.botocore_models import botocore_session
from offline.internals import SECRET_SIGNATURE, SIGNATURE_KEY

Call = tuple[str, str, dict[str, Any]]  # service, operation, parameters
Inputs = dict[str, Any]


def _tags(inputs: Inputs, key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
    return [{key: k, value: v} for k, v in (inputs.get("tags") or {}).items()]


def _some(**params: Any) -> dict[str, Any]:
    """Parameters without the ones the program leaves unset."""
    return {k: v for k, v in params.items() if v is not None and v not in ([], {})}


def _alarm(i: Inputs) -> list[Call]:
    dimensions = [{"Name": k, "Value": v} for k, v in (i.get("dimensions") or {}).items()]
    warm_up = i.get("warmUpConfiguration")
    params = _some(
        AlarmName=i["name"], AlarmDescription=i.get("alarmDescription"),
        ActionsEnabled=i.get("actionsEnabled"), AlarmActions=i.get("alarmActions"),
        InsufficientDataActions=i.get("insufficientDataActions"), MetricName=i["metricName"],
        Namespace=i["namespace"], Statistic=i.get("statistic"), Dimensions=dimensions,
        Period=i["period"], EvaluationPeriods=i["evaluationPeriods"], Threshold=i["threshold"],
        ComparisonOperator=i["comparisonOperator"], TreatMissingData=i.get("treatMissingData"),
        Tags=_tags(i),
        WarmUpConfiguration=warm_up and _some(
            WarmUpPeriodDurationInMinutes=warm_up.get("warmUpPeriodDurationInMinutes"),
            OnlyStartEvaluatingAfterWarmUpPeriodEnds=warm_up.get(
                "onlyStartEvaluatingAfterWarmUpPeriodEnds"
            ),
        ),
    )  # fmt: skip
    return [("cloudwatch", "PutMetricAlarm", params)]


def _event_target(i: Inputs) -> list[Call]:
    transformer, retry = i.get("inputTransformer") or {}, i.get("retryPolicy") or {}
    target = _some(
        Id=i["targetId"], Arn=i["arn"],
        InputTransformer=transformer and {
            "InputPathsMap": transformer["inputPaths"],
            "InputTemplate": transformer["inputTemplate"],
        },
        RetryPolicy=retry and _some(
            MaximumRetryAttempts=retry.get("maximumRetryAttempts"),
            MaximumEventAgeInSeconds=retry.get("maximumEventAgeInSeconds"),
        ),
        DeadLetterConfig=i.get("deadLetterConfig") and {"Arn": i["deadLetterConfig"]["arn"]},
    )  # fmt: skip
    return [("events", "PutTargets", {"Rule": i["rule"], "Targets": [target]})]


def _lifecycle(i: Inputs) -> list[Call]:
    def rule(r: Inputs) -> dict[str, Any]:
        abort = r.get("abortIncompleteMultipartUpload")
        expire, noncurrent = r.get("expiration"), r.get("noncurrentVersionExpiration")
        return _some(
            ID=r["id"], Status=r["status"], Filter={"Prefix": (r.get("filter") or {})["prefix"]},
            Expiration=expire and {"Days": expire["days"]},
            NoncurrentVersionExpiration=noncurrent and {
                "NoncurrentDays": noncurrent["noncurrentDays"]
            },
            AbortIncompleteMultipartUpload=abort and {
                "DaysAfterInitiation": abort["daysAfterInitiation"]
            },
        )  # fmt: skip

    config = {"Rules": [rule(r) for r in i["rules"]]}
    return [
        (
            "s3",
            "PutBucketLifecycleConfiguration",
            {"Bucket": i["bucket"], "LifecycleConfiguration": config},
        )
    ]


def _encryption(i: Inputs) -> list[Call]:
    rules = [
        _some(
            ApplyServerSideEncryptionByDefault={
                "SSEAlgorithm": r["applyServerSideEncryptionByDefault"]["sseAlgorithm"],
                "KMSMasterKeyID": r["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"],
            },
            BucketKeyEnabled=r.get("bucketKeyEnabled"),
        )
        for r in i["rules"]
    ]
    config = {"Rules": rules}
    return [
        (
            "s3",
            "PutBucketEncryption",
            {"Bucket": i["bucket"], "ServerSideEncryptionConfiguration": config},
        )
    ]


def _schedule(i: Inputs) -> list[Call]:
    t = i["target"]
    parameters = (t.get("sagemakerPipelineParameters") or {}).get("pipelineParameters") or []
    target = _some(
        Arn=t["arn"], RoleArn=t["roleArn"],
        RetryPolicy=_some(
            MaximumEventAgeInSeconds=(t.get("retryPolicy") or {}).get("maximumEventAgeInSeconds"),
            MaximumRetryAttempts=(t.get("retryPolicy") or {}).get("maximumRetryAttempts"),
        ),
        DeadLetterConfig=t.get("deadLetterConfig") and {"Arn": t["deadLetterConfig"]["arn"]},
        SageMakerPipelineParameters={
            "PipelineParameterList": [{"Name": p["name"], "Value": p["value"]} for p in parameters]
        },
    )  # fmt: skip
    params = _some(
        Name=i["name"], GroupName=i.get("groupName"), Description=i.get("description"),
        ScheduleExpression=i["scheduleExpression"],
        ScheduleExpressionTimezone=i.get("scheduleExpressionTimezone"), State=i.get("state"),
        FlexibleTimeWindow={"Mode": i["flexibleTimeWindow"]["mode"]},
        KmsKeyArn=i.get("kmsKeyArn"), Target=target,
    )  # fmt: skip
    return [("scheduler", "CreateSchedule", params)]


def _queue(i: Inputs) -> list[Call]:
    attributes = _some(
        MessageRetentionPeriod=str(i["messageRetentionSeconds"])
        if "messageRetentionSeconds" in i else None,
        SqsManagedSseEnabled=str(i["sqsManagedSseEnabled"]).lower()
        if "sqsManagedSseEnabled" in i else None,
    )  # fmt: skip
    params = _some(QueueName=i["name"], Attributes=attributes, tags=i.get("tags"))
    return [("sqs", "CreateQueue", params)]


def _model(i: Inputs) -> list[Call]:
    container, vpc = i.get("primaryContainer") or {}, i.get("vpcConfig")
    params = _some(
        ModelName=i["name"], ExecutionRoleArn=i["executionRoleArn"],
        PrimaryContainer=_some(
            Image=container.get("image"), ModelDataUrl=container.get("modelDataUrl"),
            Environment=container.get("environment")),
        EnableNetworkIsolation=i.get("enableNetworkIsolation"),
        VpcConfig=vpc and {"Subnets": vpc["subnets"], "SecurityGroupIds": vpc["securityGroupIds"]},
        Tags=_tags(i),
    )  # fmt: skip
    return [("sagemaker", "CreateModel", params)]


CALLS: dict[str, Callable[[Inputs], list[Call]]] = {
    "aws:cloudwatch/dashboard:Dashboard": lambda i: [("cloudwatch", "PutDashboard", {
        "DashboardName": i["dashboardName"], "DashboardBody": i["dashboardBody"]})],
    "aws:cloudwatch/eventRule:EventRule": lambda i: [("events", "PutRule", _some(
        Name=i["name"], EventPattern=i["eventPattern"], Description=i.get("description"),
        Tags=_tags(i)))],
    "aws:cloudwatch/eventTarget:EventTarget": _event_target,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _alarm,
    "aws:cloudwatch/logGroup:LogGroup": lambda i: [
        ("logs", "CreateLogGroup", _some(logGroupName=i["name"], tags=i.get("tags"))),
        ("logs", "PutRetentionPolicy", {
            "logGroupName": i["name"], "retentionInDays": i["retentionInDays"]}),
    ],
    "aws:iam/role:Role": lambda i: [("iam", "CreateRole", _some(
        RoleName=i["name"], AssumeRolePolicyDocument=i["assumeRolePolicy"],
        Description=i.get("description"), MaxSessionDuration=i.get("maxSessionDuration"),
        Tags=_tags(i)))],
    "aws:iam/rolePolicy:RolePolicy": lambda i: [("iam", "PutRolePolicy", {
        "RoleName": i["role"], "PolicyName": i["name"], "PolicyDocument": i["policy"]})],
    "aws:kms/alias:Alias": lambda i: [("kms", "CreateAlias", {
        "AliasName": i["name"], "TargetKeyId": i["targetKeyId"]})],
    "aws:kms/key:Key": lambda i: [
        ("kms", "CreateKey", _some(Description=i.get("description"), Policy=i.get("policy"),
                                   Tags=_tags(i, "TagKey", "TagValue"))),
        ("kms", "ScheduleKeyDeletion", {
            "KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab",
            "PendingWindowInDays": i["deletionWindowInDays"]}),
    ],
    "aws:s3/bucket:Bucket": lambda i: [("s3", "CreateBucket", {"Bucket": i["bucket"]})],
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": _lifecycle,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": lambda i: [(
        "s3", "PutBucketOwnershipControls", {"Bucket": i["bucket"], "OwnershipControls": {
            "Rules": [{"ObjectOwnership": i["rule"]["objectOwnership"]}]}})],
    "aws:s3/bucketPolicy:BucketPolicy": lambda i: [("s3", "PutBucketPolicy", {
        "Bucket": i["bucket"], "Policy": i["policy"]})],
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": lambda i: [(
        "s3", "PutPublicAccessBlock", {"Bucket": i["bucket"], "PublicAccessBlockConfiguration": {
            "BlockPublicAcls": i["blockPublicAcls"], "IgnorePublicAcls": i["ignorePublicAcls"],
            "BlockPublicPolicy": i["blockPublicPolicy"],
            "RestrictPublicBuckets": i["restrictPublicBuckets"]}})],
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
        _encryption,
    "aws:s3/bucketVersioning:BucketVersioning": lambda i: [("s3", "PutBucketVersioning", {
        "Bucket": i["bucket"],
        "VersioningConfiguration": {"Status": i["versioningConfiguration"]["status"]}})],
    "aws:s3/objectCopy:ObjectCopy": lambda i: [("s3", "CopyObject", _some(
        Bucket=i["bucket"], Key=i["key"], CopySource=i["source"],
        ServerSideEncryption=i.get("serverSideEncryption"), SSEKMSKeyId=i.get("kmsKeyId"),
        BucketKeyEnabled=i.get("bucketKeyEnabled"), TaggingDirective=i.get("taggingDirective"),
        Tagging="&".join(f"{k}={v}" for k, v in (i.get("tags") or {}).items()) or None,
        ExpectedBucketOwner=i.get("expectedBucketOwner"),
        ExpectedSourceBucketOwner=i.get("expectedSourceBucketOwner")))],
    "aws:sagemaker/model:Model": _model,
    "aws:s3/bucketObjectv2:BucketObjectv2": lambda i: [("s3", "PutObject", _some(
        Bucket=i["bucket"], Key=i["key"], ContentType=i.get("contentType"),
        Tagging="&".join(f"{k}={v}" for k, v in (i.get("tags") or {}).items()) or None))],
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": lambda i: [(
        "sagemaker", "CreateModelPackageGroup", _some(
            ModelPackageGroupName=i["modelPackageGroupName"],
            ModelPackageGroupDescription=i.get("modelPackageGroupDescription"),
            Tags=_tags(i)))],
    "aws:sagemaker/pipeline:Pipeline": lambda i: [("sagemaker", "CreatePipeline", _some(
        PipelineName=i["pipelineName"], PipelineDisplayName=i.get("pipelineDisplayName"),
        PipelineDescription=i.get("pipelineDescription"),
        PipelineDefinition=i["pipelineDefinition"], RoleArn=i["roleArn"],
        ParallelismConfiguration=i.get("parallelismConfiguration") and {
            "MaxParallelExecutionSteps":
                i["parallelismConfiguration"]["maxParallelExecutionSteps"]},
        Tags=_tags(i), ClientRequestToken="terraform-20261201000000000000000001"))],
    "aws:scheduler/schedule:Schedule": _schedule,
    "aws:scheduler/scheduleGroup:ScheduleGroup": lambda i: [("scheduler", "CreateScheduleGroup",
        _some(Name=i["name"], Tags=_tags(i)))],
    "aws:sns/topic:Topic": lambda i: [("sns", "CreateTopic", _some(Name=i["name"], Attributes=_some(
        DisplayName=i.get("displayName"), KmsMasterKeyId=i.get("kmsMasterKeyId")),
        Tags=_tags(i)))],
    "aws:sns/topicPolicy:TopicPolicy": lambda i: [("sns", "SetTopicAttributes", {
        "TopicArn": i["arn"], "AttributeName": "Policy", "AttributeValue": i["policy"]})],
    "aws:sns/topicSubscription:TopicSubscription": lambda i: [("sns", "Subscribe", {
        "TopicArn": i["topic"], "Protocol": i["protocol"], "Endpoint": i["endpoint"]})],
    "aws:sqs/queue:Queue": _queue,
    "aws:sqs/queuePolicy:QueuePolicy": lambda i: [("sqs", "SetQueueAttributes", {
        "QueueUrl": i["queueUrl"], "Attributes": {"Policy": i["policy"]}})],
}  # fmt: skip


def calls_for(token: str, inputs: Inputs) -> list[Call]:
    return CALLS[token](_as_the_provider_sends(inputs))


def _as_the_provider_sends(value: Any) -> Any:
    """The engine carries every number as a double and secrets wrapped in a signed map; the
    provider sends whole numbers as integers and the secret's value itself."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict) and value.get(SIGNATURE_KEY) == SECRET_SIGNATURE:
        return _as_the_provider_sends(value["value"])
    if isinstance(value, dict):
        return {k: _as_the_provider_sends(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_the_provider_sends(v) for v in value]
    return value


def problems(service: str, operation: str, params: dict[str, Any]) -> list[str]:
    """Everything botocore's shapes say AWS would refuse in these parameters."""
    from botocore.validate import ParamValidator

    model = botocore_session().get_service_model(service).operation_model(operation)
    report = ParamValidator().validate(params, model.input_shape)
    found = [report.generate_report()] if report.has_errors() else []
    return found + list(_limits(params, model.input_shape, operation))


def _limits(value: Any, shape: Any, path: str) -> Iterator[str]:
    """What ParamValidator leaves to the service: enums, patterns, maximum lengths and ranges."""
    kind, meta = shape.type_name, shape.metadata
    if kind == "structure" and isinstance(value, dict):
        for name, member in shape.members.items():
            if name in value:
                yield from _limits(value[name], member, f"{path}.{name}")
    elif kind == "list" and isinstance(value, list):
        for index, item in enumerate(value):
            yield from _limits(item, shape.member, f"{path}[{index}]")
        if "max" in meta and len(value) > meta["max"]:
            yield f"{path}: {len(value)} items; at most {meta['max']}"
    elif kind == "map" and isinstance(value, dict):
        for key, item in value.items():
            yield from _limits(key, shape.key, f"{path} key")
            yield from _limits(item, shape.value, f"{path}[{key}]")
    elif kind == "string" and isinstance(value, str):
        yield from _string_limits(value, shape, path)
    elif kind in ("integer", "long", "double", "float") and isinstance(value, int | float):
        yield from _number_limits(value, meta, path)


def _number_limits(value: float, meta: dict[str, Any], path: str) -> Iterator[str]:
    if "max" in meta and value > meta["max"]:
        yield f"{path}: {value} is above {meta['max']}"


def _string_limits(value: str, shape: Any, path: str) -> Iterator[str]:
    meta = shape.metadata
    if shape.enum and value not in shape.enum:
        yield f"{path}: {value!r} is not one of {', '.join(shape.enum)}"
    if "max" in meta and len(value) > meta["max"]:
        yield f"{path}: {len(value)} characters; at most {meta['max']}"
    pattern = _compiled(meta.get("pattern"))
    if pattern is not None and not pattern.fullmatch(value):
        yield f"{path}: {value[:80]!r} does not match {meta['pattern']}"


def _compiled(pattern: str | None) -> re.Pattern[str] | None:
    """AWS writes Java regular expressions; the few Python cannot read are left unchecked."""
    if not pattern:
        return None
    try:
        return re.compile(pattern, re.DOTALL)
    except re.error:
        return None
