"""Synthetic data generators."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from ._dummy import DummySynthesizer
from ._pca_gaussian import PCAGaussianSynthesizer
from ._sensegen import SenseGenSynthesizer
from ._sequence_lm import SequenceLMSynthesizer

__all__ = ["DummySynthesizer", "PCAGaussianSynthesizer", "SenseGenSynthesizer", "SequenceLMSynthesizer"]
