"""Defences against membership inference: sample-level privacy valuation, the
privacy-domain CycleGAN defence, and the defences it is measured against
(RelaxLoss, DP-SGD) as scikit-learn classifiers."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from ._cyclegan import CycleGANPrivacyTransformer
from ._domain_classifier import PrivacyDomainClassifier
from ._dpsgd import DPSGDClassifier
from ._relaxloss import RelaxLossClassifier
from ._resampler import PrivacyDomainResampler
from ._valuation import PrivacyValuator

__all__ = [
    "CycleGANPrivacyTransformer",
    "DPSGDClassifier",
    "PrivacyDomainClassifier",
    "PrivacyDomainResampler",
    "PrivacyValuator",
    "RelaxLossClassifier",
]
