"""Sample-level privacy valuation and the privacy-domain CycleGAN defence."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from ._cyclegan import CycleGANPrivacyTransformer
from ._resampler import PrivacyDomainResampler
from ._valuation import PrivacyValuator

__all__ = ["CycleGANPrivacyTransformer", "PrivacyDomainResampler", "PrivacyValuator"]
