"""imbalanced-learn samplers backed by the generators."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from ._generative import GenerativeOverSampler

__all__ = ["GenerativeOverSampler"]
