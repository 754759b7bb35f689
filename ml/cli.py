"""Command line: `python -m ml definition | sample-data | run | execute | cleanup | lineage |
promote-model`."""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ml.argparsing import OneLineParser

if TYPE_CHECKING:
    from ml.settings import Settings

PROJECT_DIR = Path(__file__).resolve().parent.parent
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def cmd_definition(args: argparse.Namespace) -> int:
    from ml.definition.inputs import offline_definition_inputs
    from ml.settings import checks, load_stack_settings

    problem = checks.check_kms_key_arn(args.kms_key_arn) if args.kms_key_arn else None
    if problem:
        raise ValueError(f"--kms-key-arn {args.kms_key_arn!r} {problem}")
    _check_scoring_options(args)
    settings = load_stack_settings(args.project_dir, args.stack)
    if not args.kms_key_arn:
        key = settings.names.stand_in_kms_key_arn
        print(f"using stand-in KMS key {key} (pass --kms-key-arn)", file=sys.stderr)
    if args.scoring:
        print(_scoring_definition(args, settings))
        return 0
    from ml.definition.builder import build_definition

    print(build_definition(offline_definition_inputs(settings, args.kms_key_arn)))
    return 0


def _check_scoring_options(args: argparse.Namespace) -> None:
    from ml.contract import S3_URI

    model_options = [
        option
        for option, value in (
            ("--model-data-url", args.model_data_url),
            ("--model-image-uri", args.model_image_uri),
        )
        if value
    ]
    if not args.scoring:
        if model_options:
            raise ValueError(f"{', '.join(model_options)} only applies with --scoring")
        return
    if not args.model_data_url:
        raise ValueError("--scoring needs --model-data-url (the promoted model.tar.gz)")
    match = S3_URI.match(args.model_data_url)
    if not (match and match["key"]):
        raise ValueError(
            f"--model-data-url {args.model_data_url!r} is not an S3 URI; "
            "allowed: s3://<bucket>/<key>"
        )


def _scoring_definition(args: argparse.Namespace, settings: Settings) -> str:
    from ml.contract import XGBOOST_FRAMEWORK_VERSION
    from ml.definition.inputs import offline_scoring_inputs
    from ml.definition.scoring import build_scoring_definition
    from ml.definition.sdk import framework_image

    # A model approved in dev was trained by this project's pipeline, which serves with this image.
    image = args.model_image_uri or framework_image(
        "xgboost", settings.region, XGBOOST_FRAMEWORK_VERSION
    )
    inputs = offline_scoring_inputs(settings, args.model_data_url, image, args.kms_key_arn)
    return build_scoring_definition(inputs)


def cmd_sample_data(args: argparse.Namespace) -> int:
    from ml.sample_data import generate, write

    write(generate(args.rows, args.seed), args.out, with_label=not args.without_label)
    print(f"wrote {args.rows} rows to {args.out}")
    return 0


def _score_with_model(args: argparse.Namespace) -> int:
    from ml.local.inputs import InputError, check_score_inputs
    from ml.local.runner import StepFailed, score_with

    try:
        check_score_inputs(args.model, args.batch, args.output)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        scored = score_with(args.model, args.batch, args.output)
    except StepFailed as error:
        print(str(error), file=sys.stderr)
        return EXIT_FAILED
    print(f"predictions: {scored}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from ml.local.inputs import InputError, check_run_inputs, unlabelled_rows
    from ml.local.runner import QualityGateFailed, StepFailed, run_pipeline

    if args.model is not None:
        return _score_with_model(args)
    try:
        check_run_inputs(args.input, args.batch, args.output)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    batch = args.batch
    if batch is None:
        # Without --batch, score the input rows with their label removed (replacing any batch
        # an earlier run left there).
        folder = args.output / "batch"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        batch = folder / f"{args.input.stem}-batch.csv"
        batch.write_bytes(unlabelled_rows(args.input))
    try:
        result = run_pipeline(args.input, batch, args.output, args.mse_threshold)
    except (StepFailed, QualityGateFailed) as error:
        print(str(error), file=sys.stderr)
        return EXIT_FAILED
    metrics = ", ".join(f"{k} {v:.4f}" for k, v in result.metrics.items())
    print(f"metrics: {metrics}")
    print(f"predictions: {', '.join(map(str, result.predictions))}")
    return 0


def _default_threshold() -> float:
    from ml.settings import StackConfig

    return float(StackConfig.model_fields["mse_threshold"].default)


def cmd_execute(args: argparse.Namespace) -> int:
    from ml.operations.aws import check_account, stack_clients
    from ml.operations.execute import follow, parse_parameters, start
    from ml.settings import load_stack_settings

    settings = load_stack_settings(args.project_dir, args.stack)
    parameters = parse_parameters(args.param, settings)
    clients = stack_clients(settings)
    check_account(settings, clients.sts)
    arn = start(settings, clients.sagemaker, parameters)
    print(f"started {arn}", flush=True)
    if not args.wait:
        return 0
    outcome = follow(clients.sagemaker, arn, lambda line: print(line, flush=True))
    print(f"execution {outcome.status}")
    for step, reason in outcome.failures:
        print(f"  failed step {step}: {reason}", file=sys.stderr)
    return 0 if outcome.succeeded else EXIT_FAILED


def cmd_lineage(args: argparse.Namespace) -> int:
    from delivery.stack_history import stack_history
    from ml.operations.lineage import check, head_commit

    candidate = head_commit(args.project_dir)
    history = stack_history(args.stack_name, args.project_dir)
    verdict = check(args.project_dir, history, candidate)
    if verdict.first_deployment:
        print(f"{args.stack_name}: first deployment, {candidate[:12]}")
    else:
        print(f"{args.stack_name}: {candidate[:12]} descends from {str(verdict.deployed)[:12]}")
    return 0


def cmd_cleanup(args: argparse.Namespace) -> int:
    from ml.operations.aws import check_account, stack_clients
    from ml.operations.cleanup import cleanup
    from ml.settings import load_stack_settings

    settings = load_stack_settings(args.project_dir, args.stack)
    clients = stack_clients(settings)
    check_account(settings, clients.sts)
    cleaned = cleanup(settings, clients.sagemaker, lambda line: print(line, flush=True))
    print(
        f"stopped {len(cleaned.stopped)} execution(s), deleted {len(cleaned.model_packages)} "
        f"model package(s) and {len(cleaned.models)} model(s)"
    )
    return 0


def cmd_promote_model(args: argparse.Namespace) -> int:
    from ml.operations.promote import promote

    model = promote(args.project_dir, args.to, args.version, lambda line: print(line, flush=True))
    print(f"wrote Pulumi.{args.to}.yaml: {args.to} scores with dev model version {model.version}")
    print(f"  package:  {model.arn}")
    print(f"  artifact: {model.model_data_url}")
    print(f"  image:    {model.image_uri}")
    print(f"next: open a pull request with Pulumi.{args.to}.yaml; its preview shows the change")
    return 0


def _version(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a version; allowed: 1, 2, 3, ...")
    return int(text)


def parser() -> argparse.ArgumentParser:
    root = OneLineParser(prog="python -m ml", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)

    definition = commands.add_parser("definition", help="print a stack's pipeline definition")
    definition.add_argument(
        "--stack", required=True, help="dev, preprod, prod (Pulumi.<stack>.yaml)"
    )
    definition.add_argument("--kms-key-arn", help="the stack's KMS key ARN, once it exists")
    definition.add_argument(
        "--scoring",
        action="store_true",
        help="the scoring-only pipeline of registry mode (one batch transform with a promoted "
        "model) instead of the training one; needs --model-data-url",
    )
    definition.add_argument(
        "--model-data-url",
        metavar="S3_URL",
        help="with --scoring: the promoted model.tar.gz in the stack's bucket",
    )
    definition.add_argument(
        "--model-image-uri",
        metavar="IMAGE",
        help="with --scoring: the image that serves it (default: the XGBoost framework image "
        "the training pipeline uses); with the URL, it names the model the stack creates",
    )
    definition.add_argument("--project-dir", type=Path, default=PROJECT_DIR, help=argparse.SUPPRESS)
    definition.set_defaults(handler=cmd_definition)

    sample = commands.add_parser("sample-data", help="write seeded rows in the Abalone layout")
    sample.add_argument("--rows", type=int, default=4177, help="how many rows (default 4177)")
    sample.add_argument("--out", type=Path, required=True, help="the CSV file to write")
    sample.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    sample.add_argument("--without-label", action="store_true", help="rows to score (no rings)")
    sample.set_defaults(handler=cmd_sample_data)

    run = commands.add_parser("run", help="run the pipeline's steps locally")
    source = run.add_mutually_exclusive_group(required=True)
    source.add_argument("--input", type=Path, help="training CSV (Abalone layout)")
    source.add_argument(
        "--model",
        type=Path,
        help="a model.tar.gz to score with, as a registry-mode stage does (needs --batch)",
    )
    run.add_argument("--batch", type=Path, help="CSV rows to score (default: the input rows)")
    run.add_argument(
        "--output", type=Path, required=True, help="folder for each step's outputs (created)"
    )
    run.add_argument(
        "--mse-threshold",
        type=float,
        default=None,
        help="quality gate: the highest test MSE allowed (default: mseThreshold in Pulumi.yaml)",
    )
    run.set_defaults(handler=cmd_run)

    execute = commands.add_parser("execute", help="start the deployed pipeline of a stack")
    execute.add_argument("--stack", required=True, help="dev, preprod, prod")
    execute.add_argument("--wait", action="store_true", help="follow it; exit 1 unless it succeeds")
    execute.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a pipeline parameter (repeatable)",
    )
    execute.add_argument("--project-dir", type=Path, default=PROJECT_DIR, help=argparse.SUPPRESS)
    execute.set_defaults(handler=cmd_execute)

    clean = commands.add_parser(
        "cleanup", help="stop executions, delete registered models so `pulumi destroy` succeeds"
    )
    clean.add_argument("--stack", required=True, help="dev, preprod, prod")
    clean.add_argument("--project-dir", type=Path, default=PROJECT_DIR, help=argparse.SUPPRESS)
    clean.set_defaults(handler=cmd_cleanup)

    lineage = commands.add_parser(
        "lineage", help="refuse a commit that does not descend from the one the stack runs"
    )
    lineage.add_argument(
        "--stack-name", required=True, help="the stack's full name, e.g. ORG/ml-batch-pipeline/prod"
    )
    lineage.add_argument("--project-dir", type=Path, default=PROJECT_DIR, help=argparse.SUPPRESS)
    lineage.set_defaults(handler=cmd_lineage)

    promote = commands.add_parser(
        "promote-model",
        help="write a model approved in dev's registry into a stage's stack file (dev read access)",
    )
    promote.add_argument(
        "--to", required=True, choices=("preprod", "prod"), help="the stage to write it into"
    )
    promote.add_argument(
        "--version",
        type=_version,
        metavar="N",
        help="the version of dev's model package group (default: the newest Approved one)",
    )
    promote.add_argument("--project-dir", type=Path, default=PROJECT_DIR, help=argparse.SUPPRESS)
    promote.set_defaults(handler=cmd_promote_model)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    from ml.settings import ConfigSourceError, SettingsError

    args = parser().parse_args(argv)
    if getattr(args, "mse_threshold", 0) is None:
        args.mse_threshold = _default_threshold()
    try:
        code: int = args.handler(args)
    except (SettingsError, ConfigSourceError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except _operational_errors() as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED
    return code


def _operational_errors() -> tuple[type[Exception], ...]:
    """What the AWS commands raise for a reason the user can act on (credentials, access)."""
    from botocore.exceptions import BotoCoreError, ClientError

    from ml.operations.aws import WrongAccountError
    from ml.operations.cleanup import StillRunningError
    from ml.operations.lineage import LineageError
    from ml.operations.promote import PromotionRefusedError

    return (
        WrongAccountError,
        StillRunningError,
        LineageError,
        PromotionRefusedError,
        ClientError,
        BotoCoreError,
    )
