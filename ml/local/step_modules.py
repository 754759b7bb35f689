"""The step scripts' shared modules, importable by the local tools under the bare names the
scripts use inside the SageMaker containers (where ml/steps/ is their working directory)."""

from __future__ import annotations

import sys

from ml.packaging import STEPS_DIR

if str(STEPS_DIR) not in sys.path:
    sys.path.insert(0, str(STEPS_DIR))

import abalone

__all__ = ["abalone"]
