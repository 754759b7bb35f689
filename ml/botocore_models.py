"""botocore sessions that share one loader, so each AWS service model is parsed once a process.

The settings checks and the SageMaker SDK both read SageMaker's service model (megabytes of
JSON); with a loader each they would parse it twice, about half a second per program run.
Sessions themselves are not shared: boto3 registers its handlers on each session it wraps.
"""

from __future__ import annotations

import functools
from typing import Any


@functools.cache
def _shared_loader() -> Any:
    import botocore.session

    return botocore.session.get_session().get_component("data_loader")


def botocore_session() -> Any:
    """A new botocore session reading service models through the process-wide loader."""
    import botocore.session

    session = botocore.session.get_session()
    session.register_component("data_loader", _shared_loader())
    return session
