"""Transformers that prepare tables for the sequence models, and column relations."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from ._relations import ColumnRelation, find_relations, relation_violations
from ._symbolic_binner import SymbolicBinner

__all__ = ["ColumnRelation", "SymbolicBinner", "find_relations", "relation_violations"]
