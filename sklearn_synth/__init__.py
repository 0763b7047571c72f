"""scikit-learn compatible synthetic data generators, transformers and scorers.

Importing the package does not import torch: the symbolic encoding, the
datasets and the metrics work without it; the neural generators import it
when they are fitted.
"""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

__version__ = "0.1.0.dev0"

__all__ = [
    "__version__",
    "base",
    "datasets",
    "exceptions",
    "generators",
    "impute",
    "metrics",
    "over_sampling",
    "preprocessing",
    "privacy",
    "utils",
]


def __getattr__(name):
    # Subpackages load on first access so that ``import sklearn_synth`` stays cheap.
    if name in __all__ and name != "__version__":
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
