"""The SageMaker SDK, loaded only when the program needs it (importing it costs seconds)."""

from __future__ import annotations

from ml.definition.inputs import DefinitionInputs, ScoringInputs


def build_definition(inputs: DefinitionInputs) -> str:
    from ml.definition.builder import build_definition as build

    return build(inputs)


def build_scoring_definition(inputs: ScoringInputs) -> str:
    from ml.definition.scoring import build_scoring_definition as build

    return build(inputs)


def step_images(region: str) -> tuple[str, ...]:
    from ml.definition.builder import step_images as images

    return images(region)
