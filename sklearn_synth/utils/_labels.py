"""Class labels of class-conditional estimators: fitting, drawing and checking them."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd

from ._validation import check_n_samples


def fit_labels(estimator, y, n_rows):
    """Set ``classes_`` and ``class_prior_`` on ``estimator``; return each row's class index.

    ``y=None`` sets both to None (an unlabeled fit) and returns None.

    Raises
    ------
    ValueError
        If ``y`` is not 1-D with ``n_rows`` labels, or holds missing labels.
    """
    if y is None:
        estimator.classes_ = None
        estimator.class_prior_ = None
        return None
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or y.shape[0] != n_rows:
        raise ValueError(f"y must be 1-D with {n_rows} labels, got shape {y.shape}.")
    if y.dtype == object and pd.isna(y).any():
        raise ValueError("y contains missing labels; drop or label those rows first.")
    if y.dtype.kind == "f" and np.isnan(y).any():
        raise ValueError("y contains NaN labels; drop or label those rows first.")
    estimator.classes_, encoded, counts = np.unique(y, return_inverse=True, return_counts=True)
    estimator.class_prior_ = counts / counts.sum()
    return encoded


def is_labeled(estimator):
    """True if the fitted ``estimator`` was fitted with labels."""
    return getattr(estimator, "classes_", None) is not None


def prior_classes(estimator, n_samples, rng):
    """Class indices drawn from the training prior, or None for an unlabeled fit."""
    if not is_labeled(estimator):
        return None
    return rng.choice(estimator.classes_.size, size=n_samples, p=estimator.class_prior_)


def requested_classes(estimator, n_samples, y, rng):
    """Class indices of the rows ``sample_labeled(n_samples, y=y)`` asks for."""
    if not is_labeled(estimator):
        raise ValueError(
            f"{type(estimator).__name__} was fitted without labels; call fit(X, y) to "
            "use sample_labeled, or use sample."
        )
    if y is None:
        return prior_classes(estimator, check_n_samples(n_samples), rng)
    labels = np.asarray(y)
    if labels.ndim == 0:
        labels = np.repeat(labels, check_n_samples(n_samples))
    elif labels.ndim != 1:
        raise ValueError(f"y must be a label or a 1-D array of labels, got shape {labels.shape}.")
    return class_indices(estimator.classes_, labels)


def class_indices(classes, labels):
    """Positions of ``labels`` in the sorted ``classes``; unseen labels raise ValueError."""
    position = np.searchsorted(classes, labels)
    position = np.minimum(position, classes.size - 1)
    unknown = classes[position] != labels
    if np.any(unknown):
        bad = list(np.unique(labels[unknown]))[:5]
        raise ValueError(f"y contains labels not seen in fit: {bad}. Known classes: {list(classes)}.")
    return position
