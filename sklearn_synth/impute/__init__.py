"""Imputers that fill missing cells with a generative model."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from ._generative import GenerativeImputer

__all__ = ["GenerativeImputer"]
