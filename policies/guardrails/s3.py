"""The stack bucket: no public access, no ACLs, customer-key encryption, versions, lifecycle,
TLS only, and deletion behaviour that follows the stage."""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity

from .common import (
    PROD,
    Rule,
    as_list,
    has_wildcard_principal,
    json_prop,
    peek,
    stage_of,
    statements,
    violation,
)

BUCKET = "aws:s3/bucket:Bucket"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
BUCKETS = (BUCKET, BUCKET_V2)
ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
)
ENCRYPTION_V2 = (
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
)
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
VERSIONING_V2 = "aws:s3/bucketVersioningV2:BucketVersioningV2"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
LIFECYCLE_V2 = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
ACCESS_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def _public_access_block(args: ResourceValidationArgs, report: ReportViolation) -> None:
    off = [flag for flag in ACCESS_FLAGS if args.props.get(flag) is not True]
    if off:
        violation(report, args.name, f"{', '.join(off)} not true", "set all four flags to true")


def _owner_enforced(args: ResourceValidationArgs, report: ReportViolation) -> None:
    rule = args.props.get("rule") or {}
    if rule.get("objectOwnership") != "BucketOwnerEnforced":
        violation(
            report,
            args.name,
            f"object ownership is {rule.get('objectOwnership')!r}, so ACLs still apply",
            "set rule.objectOwnership to BucketOwnerEnforced",
        )


def _no_acl(args: ResourceValidationArgs, report: ReportViolation) -> None:
    if args.props.get("acl") or args.props.get("grants"):
        violation(report, args.name, "grants access by ACL", "remove acl/grants; use IAM")


def _kms_with_bucket_key(args: ResourceValidationArgs, report: ReportViolation) -> None:
    rules = as_list(args.props.get("rules"))
    for rule in rules or [{}]:
        default = rule.get("applyServerSideEncryptionByDefault") or {}
        if default.get("sseAlgorithm") != "aws:kms" or not peek(default, "kmsMasterKeyId"):
            violation(
                report,
                args.name,
                "default encryption is not SSE-KMS with a customer-managed key",
                "set sseAlgorithm aws:kms and kmsMasterKeyId to the stack key's ARN",
            )
        if rule.get("bucketKeyEnabled") is not True:
            violation(report, args.name, "bucket key is off", "set bucketKeyEnabled to true")


def _versioning(args: ResourceValidationArgs, report: ReportViolation) -> None:
    status = (args.props.get("versioningConfiguration") or {}).get("status")
    if status != "Enabled":
        violation(
            report,
            args.name,
            f"versioning is {status!r}",
            "set versioningConfiguration.status Enabled",
        )


def _lifecycle(args: ResourceValidationArgs, report: ReportViolation) -> None:
    rules = [r for r in as_list(args.props.get("rules")) if r.get("status") == "Enabled"]
    wanted = {
        "an abort of incomplete multipart uploads": any(
            r.get("abortIncompleteMultipartUpload") for r in rules
        ),
        "an expiration of noncurrent versions": any(
            r.get("noncurrentVersionExpiration") for r in rules
        ),
        "an expiration of per-execution outputs": any(
            r.get("expiration") and ((r.get("filter") or {}).get("prefix") or "") for r in rules
        ),
    }
    missing = [what for what, present in wanted.items() if not present]
    if missing:
        violation(
            report,
            args.name,
            f"no enabled lifecycle rule for {', '.join(missing)}",
            "add the missing rules to the bucket's lifecycle configuration",
        )


def _tls_only(args: ResourceValidationArgs, report: ReportViolation) -> None:
    denies = [
        s
        for s in statements(json_prop(args.props, "policy"))
        if s.get("Effect") == "Deny"
        and "s3:*" in as_list(s.get("Action"))
        and (s.get("Condition") or {}).get("Bool", {}).get("aws:SecureTransport") == "false"
    ]
    if not denies:
        violation(
            report,
            args.name,
            "the bucket policy does not deny requests without TLS",
            'add a Deny of s3:* on the bucket and its objects when aws:SecureTransport is "false"',
        )


def _no_public_principal(args: ResourceValidationArgs, report: ReportViolation) -> None:
    for statement in statements(json_prop(args.props, "policy")):
        if statement.get("Effect") == "Allow" and has_wildcard_principal(statement):
            violation(
                report,
                args.name,
                f"statement {statement.get('Sid', '')!r} allows any principal",
                "name the account or service principals instead of *",
            )


def _destroyable_by_stage(args: ResourceValidationArgs, report: ReportViolation) -> None:
    force_destroy = args.props.get("forceDestroy") is True
    if stage_of(args.props) == PROD:
        if force_destroy or not args.opts.protect:
            violation(
                report,
                args.name,
                "prod data can be deleted (forceDestroy on or protect off)",
                "set protectResources: true on the stack (protect, retain, no forceDestroy)",
            )
    elif not force_destroy:
        violation(
            report,
            args.name,
            f"a {stage_of(args.props)} bucket with versions cannot be deleted by pulumi destroy",
            "set forceDestroy (protectResources: false) on stages that are torn down",
        )


POLICIES = [
    Rule(
        "s3-public-access-block",
        "Every bucket's public access block turns on all four settings.",
        Severity.CRITICAL,
        "Create an aws.s3.BucketPublicAccessBlock with all four flags true.",
        ("S3.1", "S3.8", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"),
    ).on([ACCESS_BLOCK], _public_access_block),
    Rule(
        "s3-bucket-owner-enforced",
        "Buckets disable ACLs with the BucketOwnerEnforced ownership setting.",
        Severity.HIGH,
        "Create an aws.s3.BucketOwnershipControls with objectOwnership BucketOwnerEnforced.",
        ("S3.12",),
    ).on([OWNERSHIP], _owner_enforced),
    Rule(
        "s3-no-acl-grants",
        "Buckets grant nothing through ACLs.",
        Severity.HIGH,
        "Remove acl and grants from the bucket; grant access with IAM policies.",
        ("S3.12", "S3.2", "S3.3"),
    ).on(BUCKETS, _no_acl),
    Rule(
        "s3-sse-kms-bucket-key",
        "Bucket default encryption is SSE-KMS with a customer-managed key and a bucket key.",
        Severity.HIGH,
        "Set the bucket's encryption configuration to aws:kms with the stack key and "
        "bucketKeyEnabled true.",
        ("S3.17", "CKV_AWS_145"),
    ).on([ENCRYPTION, ENCRYPTION_V2], _kms_with_bucket_key),
    Rule(
        "s3-versioning-enabled",
        "Buckets keep object versions.",
        Severity.MEDIUM,
        "Create an aws.s3.BucketVersioning with status Enabled.",
        ("S3.14",),
    ).on([VERSIONING, VERSIONING_V2], _versioning),
    Rule(
        "s3-lifecycle-rules",
        "Lifecycle rules abort stale uploads and expire old versions and per-run outputs.",
        Severity.MEDIUM,
        "Add lifecycle rules: abortIncompleteMultipartUpload, noncurrentVersionExpiration, and "
        "an expiration on the executions/ prefix.",
        ("S3.13", "S3.10"),
    ).on([LIFECYCLE, LIFECYCLE_V2], _lifecycle),
    Rule(
        "s3-tls-only",
        "Bucket policies deny every request made without TLS.",
        Severity.HIGH,
        'Add a Deny statement for s3:* with Condition Bool aws:SecureTransport "false".',
        ("S3.5", "CKV_AWS_379"),
    ).on([POLICY], _tls_only),
    Rule(
        "s3-no-public-principal",
        "Bucket policies allow no wildcard principal.",
        Severity.CRITICAL,
        "Replace Principal * in Allow statements with the account or service principals.",
        ("S3.2", "S3.3"),
    ).on([POLICY], _no_public_principal),
    Rule(
        "s3-deletion-follows-stage",
        "Prod buckets are protected and never force-destroyed; other stages stay destroyable.",
        Severity.HIGH,
        "Set protectResources: true in Pulumi.prod.yaml, false elsewhere.",
        ("S3 data protection",),
    ).on(BUCKETS, _destroyable_by_stage),
]
