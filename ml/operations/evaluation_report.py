"""The metrics a registered model version was approved on, read back from its evaluation report.

The pipeline registers each version with the Evaluate step's evaluation.json as its model
quality statistics (ml/steps/evaluate.py writes it): {"regression_metrics": {"mse": {"value":
...}, "rmse": ..., "mae": ..., "r2": ...}, ...}.
"""

from __future__ import annotations

import json
from typing import Any

from ml.contract import S3_URI

SHOWN_METRICS = ("mse", "rmse", "mae", "r2")


class ReportUnreadableError(Exception):
    pass


def evaluation_summary(s3: Any, uri: str | None) -> str:
    """The report's metrics on one line, or why they cannot be shown. Never an error: the
    metrics inform the choice, the approval in the registry is what allows it."""
    try:
        metrics = read_metrics(s3, uri)
    except ReportUnreadableError as error:
        return f"not shown: {error}"
    shown = ", ".join(f"{name} {value:.4f}" for name, value in metrics.items())
    return f"{shown} ({uri})"


def read_metrics(s3: Any, uri: str | None) -> dict[str, float]:
    """The shown metrics the report holds, in SHOWN_METRICS order."""
    from botocore.exceptions import BotoCoreError, ClientError

    if not uri:
        raise ReportUnreadableError("the package names no evaluation report")
    where = S3_URI.match(uri)
    if where is None or not where["key"]:
        raise ReportUnreadableError(f"{uri} is not an S3 object URI")
    try:
        body = s3.get_object(Bucket=where["bucket"], Key=where["key"])["Body"].read()
        reported = json.loads(body)["regression_metrics"]
        metrics = {
            name: float(reported[name]["value"]) for name in SHOWN_METRICS if name in reported
        }
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code")
        raise ReportUnreadableError(f"cannot read {uri}: {code}") from None
    except BotoCoreError as error:
        raise ReportUnreadableError(f"cannot read {uri}: {error}") from None
    except (ValueError, KeyError, TypeError) as error:
        raise ReportUnreadableError(
            f"{uri} is not an evaluation report ({type(error).__name__}: {error})"
        ) from None
    if not metrics:
        raise ReportUnreadableError(f"{uri} holds none of {', '.join(SHOWN_METRICS)}")
    return metrics
