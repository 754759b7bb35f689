from __future__ import annotations

import sys

from ml.packaging import STEPS_DIR

# The step scripts import their shared module by its bare name, as they do in the containers.
if str(STEPS_DIR) not in sys.path:
    sys.path.insert(0, str(STEPS_DIR))
