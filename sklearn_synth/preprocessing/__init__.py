"""Transformers that prepare tables for the sequence models."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from ._symbolic_binner import SymbolicBinner

__all__ = ["SymbolicBinner"]
