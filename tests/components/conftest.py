from __future__ import annotations

import pytest

from ml.contract import STAGES
from offline.recorder import StackGraph, render_stack


@pytest.fixture(scope="session")
def graphs() -> dict[str, StackGraph]:
    """Each stack rendered once from its real stack file; tests only read the records."""
    return {stage: render_stack(stage) for stage in STAGES}
