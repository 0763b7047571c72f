"""Utilities: discovery of public estimators, random-state and torch helpers."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from ._discovery import all_estimators

__all__ = ["all_estimators"]
