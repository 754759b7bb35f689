"""The SageMaker pipeline definition, built offline with the SDK.

Importing the package readies the process for the SDK first (see `sdk`), so no module of it can
import the SDK before its environment and loggers are set.
"""

from ml.definition import sdk as _sdk  # noqa: F401 (imported for its process set-up)
