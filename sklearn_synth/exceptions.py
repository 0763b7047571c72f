"""Exceptions and warnings raised by sklearn-synth."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

__all__ = [
    "DataNotFoundError",
    "DeviceWarning",
    "ModelFormatError",
    "OptionalDependencyError",
    "OutOfRangeWarning",
    "PrivacyBudgetWarning",
    "TrainingRowsError",
    "UnknownCategoryWarning",
    "UnrepresentativeFoldWarning",
]


class OptionalDependencyError(ImportError):
    """An optional dependency needed by the requested feature is missing.

    The message names the package and the command that installs it.
    """


class DataNotFoundError(FileNotFoundError):
    """A data file or folder that a loader expected does not exist.

    The message names the expected location and where to get the data.
    """


class ModelFormatError(ValueError):
    """A model file is not in sklearn-synth's format, is from an incompatible
    version, or was modified.

    Also importable from :mod:`sklearn_synth.utils`.
    """


class TrainingRowsError(ValueError):
    """Saving was refused because the model keeps training rows.

    The safe model format stores no training rows unless asked
    (``save(path, allow_training_rows=True)``; on the command line
    ``--allow-training-rows``).
    """


class DeviceWarning(UserWarning):
    """A torch device was unavailable, or a model was moved between devices."""


class OutOfRangeWarning(UserWarning):
    """Values outside the range seen during ``fit`` were clipped to the edge bins."""


class PrivacyBudgetWarning(UserWarning):
    """A differentially private fit got a budget too small for its table: the
    noise will drown most of what the model could learn."""


class UnknownCategoryWarning(UserWarning):
    """Values not seen during ``fit`` were mapped to the unknown symbol."""


class UnrepresentativeFoldWarning(UserWarning):
    """A generator scorer got a held-out fold whose labels do not match the
    classes the generator was trained on (an unshuffled split of rows grouped by
    class): the score says nothing about the generator. Use a shuffled,
    stratified split."""
