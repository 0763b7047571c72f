"""Utilities: discovery of public estimators, random-state and torch helpers."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from ._discovery import all_estimators
from ._persistence import ModelFormatError, load_model, model_metadata

__all__ = ["ModelFormatError", "all_estimators", "load_model", "model_metadata"]
