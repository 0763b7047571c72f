"""Listing the public estimators of the package (used by the common tests)."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import importlib
import inspect

from sklearn.base import BaseEstimator

# Public subpackages that hold estimators; each re-exports them in ``__all__``.
_ESTIMATOR_PACKAGES = ("preprocessing", "generators", "impute", "over_sampling", "privacy")


def all_estimators():
    """Return the public estimator classes of sklearn-synth.

    Returns
    -------
    estimators : list of (str, type)
        ``(name, class)`` pairs sorted by name, one for each public,
        non-abstract estimator class exported by a subpackage.

    Examples
    --------
    >>> from sklearn_synth.utils import all_estimators
    >>> "SymbolicBinner" in dict(all_estimators())
    True
    """
    found = {}
    for package in _ESTIMATOR_PACKAGES:
        module = importlib.import_module(f"sklearn_synth.{package}")
        for name in module.__all__:
            obj = getattr(module, name)
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseEstimator)
                and not inspect.isabstract(obj)
                and not name.startswith("_")
            ):
                found[name] = obj
    return sorted(found.items())
