"""The audit sample: a bounded random sample of a generator's training rows,
kept in memory only, that the privacy scorers use as the members of a
membership-inference attack (a scorer only sees held-out rows). It is never
pickled, copied or saved, so a shared model carries no training rows."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

#: Most training rows (or series) a generator keeps in memory for privacy audits.
AUDIT_SAMPLE_SIZE = 2000

_ATTRIBUTE = "_audit_sample"


def store_audit_sample(estimator, X, y=None, random_state=None):
    """Keep a random sample of at most ``AUDIT_SAMPLE_SIZE`` rows of ``X`` on ``estimator``.

    Parameters
    ----------
    estimator : estimator instance
        The fitted generator.
    X : DataFrame, ndarray or list
        Training rows, or a list of series (one entry per series).
    y : array-like or None, default=None
        Their labels.
    random_state : int, RandomState instance or None, default=None
        Draws the sample when ``X`` has more rows than the bound.
    """
    n = len(X)
    rows = np.arange(n)
    if n > AUDIT_SAMPLE_SIZE:
        rows = np.sort(check_random_state(random_state).choice(n, AUDIT_SAMPLE_SIZE, replace=False))
    if isinstance(X, pd.DataFrame):
        sample = X.iloc[rows].reset_index(drop=True)
    elif isinstance(X, list):
        sample = [X[i] for i in rows]
    else:
        sample = np.array(np.asarray(X)[rows])
    labels = None if y is None else np.asarray(y)[rows]
    setattr(estimator, _ATTRIBUTE, (sample, labels))


def audit_sample(estimator):
    """The ``(X, y)`` audit sample of a fitted generator, or None if it keeps none
    (not fitted, or unpickled, copied or loaded from a file)."""
    return getattr(estimator, _ATTRIBUTE, None)


def without_audit_sample(state):
    """``state`` (an estimator's ``__dict__``) without the audit sample, for pickling."""
    if _ATTRIBUTE not in state:
        return state
    return {key: value for key, value in state.items() if key != _ATTRIBUTE}
