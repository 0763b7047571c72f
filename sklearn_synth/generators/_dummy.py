"""DummySynthesizer: baseline generators to compare real models against."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..base import BaseGenerator, TableInputMixin
from ..utils._audit import store_audit_sample
from ..utils._labels import fit_labels, prior_classes
from ..preprocessing import SymbolicBinner
from ..utils._random import draw_seed
from ..utils._validation import check_table, is_dataframe


class DummySynthesizer(TableInputMixin, BaseGenerator):
    """Baseline generator: independent columns, or a bootstrap of the training rows.

    ``strategy="independent"`` keeps every column's distribution but no
    dependence between columns (each column's symbols are drawn from their
    training frequencies and decoded by a :class:`SymbolicBinner`);
    ``strategy="bootstrap"`` resamples training rows, which is as faithful as
    a generator gets and copies real rows verbatim, so it marks the privacy
    end of the scale. Both are class-conditional when fitted with ``y``. Use
    them as the floor and ceiling that a real generator is measured between.

    Parameters
    ----------
    strategy : {"independent", "bootstrap"}, default="independent"
        How rows are generated.
    n_bins : int, default=49
        Bins per numeric column of the internal :class:`SymbolicBinner`
        (used for sampling by ``"independent"`` and for :meth:`score_samples`
        by both strategies).
    value_protection : bool, default=True
        Value protection of the internal binner (see :class:`SymbolicBinner`):
        ``"independent"`` samples no rare training value. ``"bootstrap"``
        returns training rows whatever this says: it is a ceiling to measure
        against, never a generator to share.
    random_state : int, RandomState instance or None, default=None
        Seeds fitting and the default sampling stream.

    Attributes
    ----------
    binner_ : SymbolicBinner
        The fitted encoder.
    symbol_probabilities_ : list of ndarray
        Per column, the training frequency of each symbol (add-one smoothed),
        over all rows.
    classes_ : ndarray or None
        Class labels when fitted with ``y``.
    class_prior_ : ndarray or None
        Their training frequencies.
    random_state_ : RandomState
        The default sampling stream.
    n_features_in_ : int
        Number of columns seen during ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen during ``fit``, when they are all strings.

    Notes
    -----
    The bootstrap strategy keeps the training rows in the fitted object (it
    samples from them); never share a fitted bootstrap model.

    Examples
    --------
    >>> from sklearn_synth.datasets import load_demo_table
    >>> from sklearn_synth.generators import DummySynthesizer
    >>> data = load_demo_table("iris")
    >>> gen = DummySynthesizer(random_state=0).fit(data.drop(columns="label"), data["label"])
    >>> X, y = gen.sample_labeled(3, y="setosa", random_state=0)
    >>> X.shape, list(y)
    ((3, 4), ['setosa', 'setosa', 'setosa'])
    """

    _parameter_constraints = {
        "strategy": [StrOptions({"independent", "bootstrap"})],
        "n_bins": [Interval(Integral, 2, None, closed="left")],
        "value_protection": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(self, strategy="independent", *, n_bins=49, value_protection=True,
                 random_state=None):
        self.strategy = strategy
        self.n_bins = n_bins
        self.value_protection = value_protection
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the baseline.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Training rows; mixed column types allowed in a DataFrame.
        y : array-like of shape (n_samples,), default=None
            Optional class labels, enabling :meth:`sample_labeled`.

        Returns
        -------
        self : object
            The fitted generator.
        """
        X = check_table(self, X, reset=True)
        self.random_state_ = check_random_state(draw_seed(self.random_state))
        classes = fit_labels(self, y, X.shape[0])
        self.binner_ = SymbolicBinner(
            n_bins=self.n_bins, value_protection=self.value_protection,
            random_state=draw_seed(self.random_state_),
        )
        S = self.binner_.fit_transform(X)
        self.symbol_probabilities_ = [
            _smoothed(S[:, j], v) for j, v in enumerate(self.binner_.vocabulary_sizes_)
        ]
        store_audit_sample(self, X, y, self.random_state_)
        if self.strategy == "bootstrap":
            self._rows = X.copy()
            self._row_classes = classes
        else:
            groups = [slice(None)] if classes is None else [classes == k for k in range(self.classes_.size)]
            self._class_probabilities = [
                [np.bincount(S[g, j], minlength=v) / S[g].shape[0] for j, v in enumerate(self.binner_.vocabulary_sizes_)]
                for g in groups
            ]
        return self

    _persisted_private = ("_class_probabilities", "_rows", "_row_classes")
    _training_row_attributes = ("_rows",)

    def _check_restored_state(self):
        """Refuse a loaded state whose parts do not fit together."""
        from ..exceptions import ModelFormatError

        sizes = self.binner_.vocabulary_sizes_
        n_groups = 1 if self.classes_ is None else self.classes_.size

        def distributions(table):
            return (isinstance(table, list) and len(table) == sizes.size and all(
                isinstance(p, np.ndarray) and p.shape == (size,) and p.dtype.kind == "f"
                and np.all(np.isfinite(p)) and np.all(p >= 0) and p.sum() > 0
                for p, size in zip(table, sizes)))

        ok = (self.n_features_in_ == sizes.size
              and distributions(self.symbol_probabilities_))
        if ok and self.strategy == "independent":
            table = getattr(self, "_class_probabilities", None)
            ok = (isinstance(table, list) and len(table) == n_groups
                  and all(distributions(t) for t in table))
        elif ok:
            rows, classes = getattr(self, "_rows", None), getattr(self, "_row_classes", None)
            ok = rows is not None and len(rows) >= 1 and (
                (classes is None and self.classes_ is None)
                or (isinstance(classes, np.ndarray) and classes.shape == (len(rows),)
                    and classes.dtype.kind in "iu" and set(np.unique(classes))
                    == set(range(n_groups))))
        if not ok:
            raise ModelFormatError("DummySynthesizer's stored tables do not fit together")

    def _sample(self, n_samples, rng):
        if self.strategy == "bootstrap":
            return self._take(rng.randint(self._n_rows(), size=n_samples))
        return self._draw_independent(prior_classes(self, n_samples, rng), n_samples, rng)

    def _sample_labeled(self, class_indices, rng):
        if self.strategy == "bootstrap":
            rows = np.empty(class_indices.size, dtype=np.int64)
            for k in np.unique(class_indices):
                members = np.flatnonzero(self._row_classes == k)
                where = class_indices == k
                rows[where] = members[rng.randint(members.size, size=where.sum())]
            return self._take(rows)
        return self._draw_independent(class_indices, class_indices.size, rng)

    def _draw_independent(self, class_indices, n_samples, rng):
        n_cols = self.n_features_in_
        S = np.empty((n_samples, n_cols), dtype=np.int64)
        groups = [(0, slice(None))] if class_indices is None else [
            (k, class_indices == k) for k in np.unique(class_indices)
        ]
        for k, where in groups:
            n = n_samples if class_indices is None else int(where.sum())
            for j in range(n_cols):
                p = self._class_probabilities[k][j]
                S[where, j] = np.searchsorted(np.cumsum(p), rng.random_sample(n) * p.sum(), "right")
        S = np.minimum(S, self.binner_.vocabulary_sizes_ - 1)
        return self.binner_.inverse_transform(S, random_state=rng)

    def _n_rows(self):
        return self._rows.shape[0]

    def _take(self, rows):
        if is_dataframe(self._rows):
            return self._rows.iloc[rows].reset_index(drop=True)
        return self._rows[rows]

    def score_samples(self, X):
        """Log-probability of each row's symbols under independent column frequencies.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        log_likelihood : ndarray of shape (n_samples,)
            Sum over columns of the log of the (smoothed) training frequency
            of the row's symbol in that column.
        """
        check_is_fitted(self)
        S = self.binner_.transform(X)
        return sum(np.log(p[S[:, j]]) for j, p in enumerate(self.symbol_probabilities_))


def _smoothed(symbols, vocabulary_size):
    counts = np.bincount(symbols, minlength=vocabulary_size) + 1.0
    return counts / counts.sum()
