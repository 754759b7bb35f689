"""The SageMaker SDK, loaded only when the program needs it and kept off the engine's output."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator

from ml.definition.inputs import DefinitionInputs


def build_definition(inputs: DefinitionInputs) -> str:
    with _quiet():
        from ml.definition.builder import build_definition as build

        return build(inputs)


def step_images(region: str) -> tuple[str, ...]:
    with _quiet():
        from ml.definition.builder import step_images as images

        return images(region)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    # The SDK prints "sagemaker.config INFO" lines to stdout at import, which the engine would
    # show in every preview as diagnostics; they say only that no SDK defaults file applies.
    with contextlib.redirect_stdout(io.StringIO()):
        yield
