"""Sample-level privacy valuation and the privacy-domain CycleGAN defence."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from ._valuation import PrivacyValuator

__all__ = ["PrivacyValuator"]
