"""PCAGaussianSynthesizer: a class-conditional probabilistic PCA, a generator
for wide numeric rows (flattened images, hundreds of columns)."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral

import numpy as np
import pandas as pd
from scipy.special import logsumexp
from sklearn.base import _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted, validate_data

from ..base import BaseGenerator
from ..utils._audit import store_audit_sample
from ..utils._labels import fit_labels, prior_classes
from ..utils._random import draw_seed
from ..utils._validation import is_dataframe

__all__ = ["PCAGaussianSynthesizer"]

#: The column dtypes a DataFrame output may have (a loaded file names them).
_OUTPUT_DTYPES = {"bool", "float16", "float32", "float64", "int8", "int16", "int32", "int64",
                  "uint8", "uint16", "uint32", "uint64"}

#: Classes with fewer rows share the covariance pooled over all classes.
_MIN_OWN_COVARIANCE_ROWS = 10


class PCAGaussianSynthesizer(BaseGenerator):
    """Gaussian rows from a probabilistic PCA per class.

    Each class (or the whole table, without labels) is modelled as a Gaussian
    whose covariance is ``n_components`` principal directions plus isotropic
    noise (Tipping and Bishop's probabilistic PCA): ``x = mean + U z + e``.
    Fitting is one SVD per class and sampling is a matrix product, so it
    scales to hundreds or thousands of numeric columns (flattened images),
    where a per-column model's vocabulary does not fit in memory. Rows are new
    draws from a smooth density, never copies of training rows; they are
    blurry where the data are not Gaussian. It is the default generator of
    fake samples in :class:`~sklearn_synth.privacy.CycleGANPrivacyTransformer`
    for images and wide rows.

    Parameters
    ----------
    n_components : int, default=32
        Principal directions per class (at most the class's rows minus one).
    value_protection : bool, default=True
        Clip every sampled feature to the range between its 5th smallest and
        5th largest training value, so that no extreme training value comes
        back; False clips to the training minimum and maximum.
    random_state : int, RandomState instance or None, default=None
        Seeds the default sampling stream.

    Attributes
    ----------
    means_ : ndarray of shape (n_groups, n_features)
        The mean of each class (one group without labels).
    components_ : ndarray of shape (n_groups, ``n_components_``, n_features)
        Orthonormal principal directions per group (zero rows past a group's rank).
    variances_ : ndarray of shape (n_groups, ``n_components_``)
        The variance along each direction.
    noise_variances_ : ndarray of shape (n_groups,)
        The variance left over, in every other direction.
    feature_range_ : ndarray of shape (2, n_features)
        Lowest and highest value a sampled feature may take.
    n_components_ : int
    classes_, class_prior_ : ndarray or None
    random_state_ : RandomState
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Notes
    -----
    Classes with fewer than 10 rows share the covariance pooled over every
    class's centred rows, and their mean is completed to 10 rows with the
    overall mean (a class of one row has the mean ``(row + 9 overall) / 10``),
    so that no fitted attribute, saved file or sample holds a training row.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_synth.generators import PCAGaussianSynthesizer
    >>> X, y = load_digits(return_X_y=True)
    >>> gen = PCAGaussianSynthesizer(n_components=16, random_state=0).fit(X, y)
    >>> X_new, y_new = gen.sample_labeled(4, y=3, random_state=0)
    >>> X_new.shape, y_new.tolist()
    ((4, 64), [3, 3, 3, 3])
    """

    _parameter_constraints = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "value_protection": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(self, n_components=32, *, value_protection=True, random_state=None):
        self.n_components = n_components
        self.value_protection = value_protection
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit one probabilistic PCA per class.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric rows.
        y : array-like of shape (n_samples,), default=None
            Optional class labels, enabling :meth:`sample_labeled`.

        Returns
        -------
        self : object
        """
        self._output_dtypes = (np.array([str(t) for t in X.dtypes]) if is_dataframe(X)
                               else None)
        original = X
        X = validate_data(self, X, dtype=np.float64, ensure_min_samples=2)
        self.random_state_ = check_random_state(draw_seed(self.random_state))
        classes = fit_labels(self, y, X.shape[0])
        store_audit_sample(self, original, y, self.random_state_)
        groups = ([np.arange(X.shape[0])] if classes is None
                  else [np.flatnonzero(classes == k) for k in range(self.classes_.size)])
        k = min(self.n_components, X.shape[1])
        self.n_components_ = k
        centred = np.concatenate([X[g] - X[g].mean(axis=0) for g in groups])
        pooled = _ppca(centred, k)
        # a class of fewer rows is completed with the overall mean, so that its mean is
        # never one training row (or an average of two) kept verbatim
        overall = X.mean(axis=0)
        self.means_ = np.stack([
            (X[g].sum(axis=0) + max(_MIN_OWN_COVARIANCE_ROWS - g.size, 0) * overall)
            / max(g.size, _MIN_OWN_COVARIANCE_ROWS) for g in groups])
        fits = [_ppca(X[g] - m, k) if g.size >= _MIN_OWN_COVARIANCE_ROWS else pooled
                for g, m in zip(groups, self.means_)]
        self.components_ = np.stack([f[0] for f in fits])
        self.variances_ = np.stack([f[1] for f in fits])
        self.noise_variances_ = np.array([f[2] for f in fits])
        ordered = np.sort(X, axis=0)
        rank = min(5, (X.shape[0] - 1) // 2) if self.value_protection else 0
        self.feature_range_ = np.stack([ordered[rank], ordered[X.shape[0] - 1 - rank]])
        return self

    def _draw(self, group_of_row, rng):
        n, d = group_of_row.size, self.n_features_in_
        out = np.empty((n, d))
        for g in np.unique(group_of_row):
            rows = np.flatnonzero(group_of_row == g)
            z = rng.standard_normal((rows.size, self.n_components_))
            spread = np.sqrt(np.maximum(self.variances_[g] - self.noise_variances_[g], 0.0))
            out[rows] = (self.means_[g] + (z * spread) @ self.components_[g]
                         + np.sqrt(self.noise_variances_[g]) * rng.standard_normal((rows.size, d)))
        return self._as_fitted(np.clip(out, *self.feature_range_))

    def _as_fitted(self, rows):
        """A DataFrame with the training columns and dtypes (integers rounded,
        booleans thresholded at one half) when ``fit`` got one."""
        if self._output_dtypes is None:
            return rows
        names = getattr(self, "feature_names_in_", range(rows.shape[1]))
        columns = {}
        for name, values, dtype in zip(names, rows.T, self._output_dtypes):
            kind = np.dtype(dtype).kind
            if kind == "b":
                values = values > 0.5
            elif kind in "iu":
                values = np.round(values)
            columns[name] = values.astype(dtype)
        return pd.DataFrame(columns)

    def _sample(self, n_samples, rng):
        groups = prior_classes(self, n_samples, rng)
        return self._draw(np.zeros(n_samples, dtype=np.int64) if groups is None else groups, rng)

    def _sample_labeled(self, class_indices, rng):
        return self._draw(class_indices, rng)

    _persisted_private = ("_output_dtypes",)

    def score_samples(self, X):
        """Log-density of each row (the class mixture for a labeled model).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_density : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        d = self.n_features_in_
        per_group = np.empty((self.means_.shape[0], X.shape[0]))
        for g in range(self.means_.shape[0]):
            r = X - self.means_[g]
            p = r @ self.components_[g].T
            variances, noise = np.maximum(self.variances_[g], 1e-300), self.noise_variances_[g]
            inside = np.sum(p ** 2 / variances, axis=1)
            outside = np.maximum(np.sum(r ** 2, axis=1) - np.sum(p ** 2, axis=1), 0.0) / noise
            n_kept = int(np.count_nonzero(self.variances_[g]))
            log_det = np.sum(np.log(variances[:n_kept])) + (d - n_kept) * np.log(noise)
            per_group[g] = -0.5 * (inside + outside + log_det + d * np.log(2 * np.pi))
        if self.class_prior_ is None:
            return per_group[0]
        return logsumexp(per_group + np.log(self.class_prior_)[:, None], axis=0)

    def _check_restored_state(self):
        """Refuse a loaded state whose arrays do not fit together."""
        from ..exceptions import ModelFormatError

        n_groups = 1 if self.classes_ is None else self.classes_.size
        k, d = self.n_components_, self.n_features_in_
        arrays = (self.means_, self.components_, self.variances_, self.noise_variances_,
                  self.feature_range_)
        ok = (all(isinstance(a, np.ndarray) and a.dtype.kind == "f" and np.isfinite(a).all()
                  for a in arrays)
              and self.means_.shape == (n_groups, d)
              and self.components_.shape == (n_groups, k, d)
              and self.variances_.shape == (n_groups, k) and (self.variances_ >= 0).all()
              and self.noise_variances_.shape == (n_groups,) and (self.noise_variances_ > 0).all()
              and self.feature_range_.shape == (2, d))
        dtypes = self._output_dtypes
        if ok and dtypes is not None:
            ok = (isinstance(dtypes, np.ndarray) and dtypes.shape == (d,)
                  and all(str(t) in _OUTPUT_DTYPES for t in dtypes))
        if not ok:
            raise ModelFormatError("PCAGaussianSynthesizer's stored arrays do not fit together")


def _ppca(centred, k):
    """Directions ``(k, d)``, their variances ``(k,)`` and the noise variance of
    the probabilistic PCA of centred rows (directions past the rank are zero)."""
    n, d = centred.shape
    _, singular, directions = np.linalg.svd(centred, full_matrices=False)
    eigen = singular ** 2 / max(n - 1, 1)
    kept = min(k, eigen.size)
    total = max(float(np.sum(centred ** 2)) / max(n - 1, 1), 1e-12)
    # a floor keeps the density proper when the rows span fewer than d directions
    noise = max(float(np.sum(eigen[kept:])) / max(d - kept, 1), 1e-6 * total / d)
    components = np.zeros((k, d))
    variances = np.zeros(k)
    components[:kept] = directions[:kept]
    variances[:kept] = np.maximum(eigen[:kept], noise)
    return components, variances, noise
