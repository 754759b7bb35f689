"""The bootstrap's settings from the engine's strings: every problem at once, in its words."""

from __future__ import annotations

import json

import pytest

from bootstrap.settings import NAMESPACE, BootstrapSettingsError, build_settings

PROD: dict[str, object] = {
    "stage": "prod",
    "accountId": "333333333333",
    "githubRepository": "example-org/ml-batch-pipeline",
    "pulumiOrganization": "example-org",
    "reviewerUsers": ["alice-reviewer"],
}


def engine(values: dict[str, object], region: str | None = "eu-west-1") -> dict[str, str]:
    """What the engine hands the program: every value a string, structured ones as JSON."""
    raw = {
        f"{NAMESPACE}:{key}": value if isinstance(value, str) else json.dumps(value)
        for key, value in values.items()
    }
    return raw | ({"aws:region": region} if region is not None else {})


def problems(values: dict[str, object], region: str | None = "eu-west-1") -> list[str]:
    with pytest.raises(BootstrapSettingsError) as raised:
        build_settings(engine(values, region))
    return raised.value.problems


def test_defaults_and_engine_strings() -> None:
    settings = build_settings(engine(PROD | {"createOidcProvider": "false"}))
    assert settings.reviewers.users == ("alice-reviewer",)
    assert settings.create_oidc_provider is False
    assert settings.shared is False  # only dev manages the repository-wide settings by default
    assert (settings.delivery, settings.drift_schedule) == ("actions", "0 6 * * *")
    assert build_settings(engine(PROD | {"stage": "dev", "reviewerUsers": []})).shared is True


def test_every_problem_names_the_key_and_what_is_allowed() -> None:
    assert sorted(
        problems(
            {
                "stage": "prod",
                "accountId": "1234",
                "githubRepository": "example-org/ml-batch-pipeline",
                "pulumiOrganization": "",
                "delivery": "deployments",
                "driftSchedule": "every day",
                "pulumiBackendUrl": "s3://state-bucket",
            },
            region=None,
        )
    ) == [
        f"{NAMESPACE}:accountId: '1234' is not allowed; allowed: 12 digits",
        f"{NAMESPACE}:delivery: 'deployments' is not allowed; allowed: actions (Pulumi "
        "Deployments needs the Pulumi Cloud backend)",
        f"{NAMESPACE}:driftSchedule: 'every day' is not allowed; allowed: a five-field cron "
        "expression",
        f"{NAMESPACE}:pulumiOrganization: '' is not allowed; allowed: your Pulumi Cloud "
        "organization",
        f"{NAMESPACE}:region: not set; allowed: the stack's aws:region",
        f"{NAMESPACE}:reviewerUsers: a prod stack needs reviewers; allowed: at least one login "
        "in reviewerUsers or team slug in reviewerTeams",
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"stage": None}, "stage: not set; allowed: dev, preprod, prod"),
        ({"driftSchedule": "0 25 * * *"}, "'0 25 * * *' is not allowed; allowed: a five-field"),
        ({"reviewerUsers": ["not a login"]}, "'not a login' is not allowed; allowed: GitHub"),
        ({"previewToken": "personal"}, "previewUser: not set; allowed: the Pulumi login"),
        ({"createOidcProvider": "maybe"}, "'maybe' is not allowed; allowed: true or false"),
        (
            {"reviewerTeam": "ml"},
            "reviewerTeam: 'ml' is not a known setting; did you mean reviewerTe",
        ),
    ],
)
def test_one_bad_value(changes: dict[str, object], expected: str) -> None:
    values = {k: v for k, v in (PROD | changes).items() if v is not None}
    (problem,) = problems(values)
    assert expected in problem
