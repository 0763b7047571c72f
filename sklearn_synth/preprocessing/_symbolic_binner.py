"""SymbolicBinner: a table as sentences of per-column symbols, and back."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..base import TableInputMixin
from ..utils._columns import is_identifier_like
from ..utils._persistence import PersistenceMixin
from ..utils._random import resolve_sample_rng
from ..utils._validation import (
    check_no_infinity,
    check_table,
    column_label,
    is_dataframe,
    is_number_dtype,
    is_time_dtype,
    time_to_float,
)
from ._codecs import RARE_MARKER, ContinuousCodec, ValueCodec, _bin_edges, codec_from_parts
from ._identifiers import IdentifierCodec
from ._private_encoding import PrivateCounter, private_numeric_codec

_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _symbol_name(code):
    """The paper's symbol names: a..z, then a1..z1, a2..z2, ..."""
    letter, cycle = _LETTERS[code % 26], code // 26
    return letter if cycle == 0 else f"{letter}{cycle}"


def _is_numeric_column(values):
    """True when an object column holds only numbers and missing values."""
    for v in values:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.number)):
            return False
    return True


class SymbolicBinner(PersistenceMixin, TableInputMixin, OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Encode each column of a table as symbols, so a row reads as a sentence.

    Numeric columns are cut into bins (49 quantile bins by default, as in the
    symbolic-sequence paper); values frequent enough to fill a bin on their
    own, and columns with few distinct values (ports, protocols, flags,
    counts), get one symbol per value; categorical, string and boolean columns
    get one symbol per category. Every column also has a missing-value symbol
    and an unknown symbol. ``inverse_transform`` maps symbols back to values in
    the original columns, dtypes and container.

    Read more in the :ref:`User Guide <symbolic_encoding>`.

    Parameters
    ----------
    n_bins : int, default=49
        Number of bins per numeric column (an upper bound: bins that would
        repeat an edge are merged, and frequent values take bins of their own).
    strategy : {"quantile", "uniform", "kmeans"}, default="quantile"
        How bin edges are placed: equal counts, equal widths, or one-dimensional
        k-means centres.
    bins : {"per_column", "shared"}, default="per_column"
        ``"per_column"`` learns edges for each column. ``"shared"`` learns one
        set of edges over the values of all binned columns pooled together,
        which is what the paper's code did; no value gets a symbol of its own
        in that mode (columns with few distinct values still do).
    decode : {"empirical", "uniform", "midpoint"}, default="empirical"
        How ``inverse_transform`` turns a bin symbol into a number:
        ``"empirical"`` draws from the distribution of the training values that
        fell in the bin (summarised by 101 in-bin quantiles; repeated values
        come back exactly), ``"uniform"`` draws uniformly inside the bin and
        ``"midpoint"`` returns its centre. Integer-valued columns always decode
        to whole numbers inside the bin.
    max_distinct : int or None, default=None
        Numeric columns with at most this many distinct values get one symbol
        per value and come back exactly. None means ``n_bins``.
    handle_unknown : {"unknown_symbol", "error"}, default="unknown_symbol"
        What ``transform`` does with a category not seen during ``fit``: map it
        to the column's unknown symbol (with an ``UnknownCategoryWarning``;
        it decodes to a missing value) or raise ``ValueError``.
    value_protection : bool, default=True
        Keep no value seen in fewer than a few training rows, neither in the
        fitted binner (and so in a saved model) nor in what
        ``inverse_transform`` returns; see :ref:`value_protection`. Each
        column draws its own threshold ``k`` between ``rare_threshold`` and
        ``rare_threshold + rare_threshold // 2`` (so the threshold itself
        reveals nothing about a value's count):

        - *categories* seen in fewer than ``k`` rows share one symbol that
          decodes to ``"_RARE_"`` in columns of strings (to the most frequent
          value in boolean and other columns);
        - *exact numeric values* (ports, counts) seen in fewer than ``k`` rows
          are encoded as the nearest kept value;
        - *binned numeric columns* stop at their ``k``-th smallest and largest
          values (beyond them values are clipped), a value needs ``k`` rows to
          get a symbol of its own, and the quantile edges and in-bin tables
          are means of ``k`` neighbouring values, never single values;
        - *identifier-like columns* (strings, at least 90% of them distinct,
          20 rows or more) get one symbol that decodes to fresh identifiers of
          the same shape: common prefix, characters per position, lengths
          (longer than every training value where that shape leaves fewer
          than 2**48 possible values), unique within a call.

        False keeps every training value, as the paper's encoding did: use
        it only when the fitted binner and its output stay private.
    rare_threshold : int, default=5
        The smallest ``k`` of ``value_protection``.
    epsilon : float or None, default=None
        Fit the encoding with ``(epsilon, delta)``-differential privacy: the
        kept categories and exact values, the value ranges, bin edges and
        in-bin tables all come from Laplace-noised counts (see
        :ref:`differential_privacy`), with the budget split evenly over the
        columns. A value then needs a noisy count of at least
        ``max(k, 1 + ln(1 / (2 delta_column)) / epsilon_column)`` rows to be
        kept. Needs ``value_protection=True``, ``bins="per_column"`` and a
        ``"quantile"`` or ``"uniform"`` strategy; identifier columns decode
        to fresh 16-character hexadecimal strings, and numbers decode to whole
        numbers only in integer-typed columns, and ``symbol_counts_`` holds
        noisy counts. None fits without noise.
    delta : float or None, default=None
        The ``delta`` of ``epsilon``; None means ``1 / n_samples``.
    random_state : int, RandomState instance or None, default=None
        Seeds k-means, the protection thresholds and the random draws of
        ``inverse_transform``. With an int, the sequence of
        ``inverse_transform`` outputs is reproducible.

    Attributes
    ----------
    column_kinds_ : ndarray of str of shape (n_features,)
        ``"continuous"`` (binned), ``"exact"`` (numeric, one symbol per value),
        ``"categorical"`` or ``"identifier"`` (fresh values; under value
        protection only).
    bin_edges_ : list of ndarray or None
        Bin edges of each continuous column, None for the others.
    categories_ : list of ndarray or None
        Distinct values of each exact or categorical column, and the values
        with symbols of their own of each continuous column (under value
        protection, only those seen in enough rows; a categorical column's
        shared rare symbol, when it has one, is its last regular symbol).
    n_symbols_ : ndarray of int of shape (n_features,)
        Regular symbols per column. Symbol ``n_symbols_[j]`` is column j's
        missing-value symbol and ``n_symbols_[j] + 1`` its unknown symbol.
    vocabulary_sizes_ : ndarray of int of shape (n_features,)
        ``n_symbols_ + 2``.
    offsets_ : ndarray of int of shape (n_features,)
        Where each column's symbols start in one shared token space, after the
        reserved tokens ``pad_token`` (0) and ``start_token`` (1); see
        :meth:`to_tokens`.
    n_tokens_ : int
        Size of that token space.
    symbol_counts_ : list of ndarray of int
        Training count of every symbol of each column (zero for symbols the
        training data never used, which a language model should never emit).
        Under ``epsilon``, rounded noisy counts.
    epsilon_ : float or None
        The privacy budget the fitted encoding spent (``epsilon``), None
        without differential privacy.
    delta_ : float or None
        Its ``delta``.
    random_state_ : RandomState
        The generator ``inverse_transform`` draws from when called without
        ``random_state``.
    n_features_in_ : int
        Number of columns seen during ``fit``.
    feature_names_in_ : ndarray of str of shape (n_features,)
        Column names seen during ``fit``, when they are all strings.

    See Also
    --------
    sklearn.preprocessing.KBinsDiscretizer : Numeric-only binning without a
        decoder that reproduces the data.

    Notes
    -----
    Infinity is refused with an error that names the column; missing values
    (NaN, None, ``pd.NA``) get the missing-value symbol and come back missing.
    Values outside the training range are clipped to the edge bins with an
    ``OutOfRangeWarning``; unseen values of an exact numeric column map to the
    nearest training value with the same warning. Under value protection both
    happen to training rows too (the range stops at the k-th extremes, rare
    exact values have no symbol), so numeric columns then give no warning.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_synth.preprocessing import SymbolicBinner
    >>> X = np.array([[0.1, 80], [0.4, 443], [2.5, 80], [7.0, 22]])
    >>> binner = SymbolicBinner(n_bins=3, value_protection=False, random_state=0).fit(X)
    >>> binner.column_kinds_
    array(['continuous', 'exact'], dtype='<U10')
    >>> S = binner.transform(X)
    >>> S
    array([[0, 1],
           [1, 2],
           [2, 1],
           [2, 0]])
    >>> binner.render_sentences(S)
    ['a b', 'b c', 'c b', 'c a']
    >>> binner.inverse_transform(S)[:, 1]
    array([ 80., 443.,  80.,  22.])
    """

    pad_token = 0
    start_token = 1

    _parameter_constraints = {
        "n_bins": [Interval(Integral, 2, None, closed="left")],
        "strategy": [StrOptions({"quantile", "uniform", "kmeans"})],
        "bins": [StrOptions({"per_column", "shared"})],
        "decode": [StrOptions({"empirical", "uniform", "midpoint"})],
        "max_distinct": [Interval(Integral, 1, None, closed="left"), None],
        "handle_unknown": [StrOptions({"unknown_symbol", "error"})],
        "value_protection": ["boolean"],
        "rare_threshold": [Interval(Integral, 1, None, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither"), None],
        "delta": [Interval(Real, 0, 1, closed="neither"), None],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_bins=49,
        *,
        strategy="quantile",
        bins="per_column",
        decode="empirical",
        max_distinct=None,
        handle_unknown="unknown_symbol",
        value_protection=True,
        rare_threshold=5,
        epsilon=None,
        delta=None,
        random_state=None,
    ):
        self.n_bins = n_bins
        self.strategy = strategy
        self.bins = bins
        self.decode = decode
        self.max_distinct = max_distinct
        self.handle_unknown = handle_unknown
        self.value_protection = value_protection
        self.rare_threshold = rare_threshold
        self.epsilon = epsilon
        self.delta = delta
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the symbols of every column.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            The table. Numeric, boolean, categorical and string columns may be
            mixed in a DataFrame, or in an object array.
        y : None
            Ignored. This parameter exists only for compatibility with
            :class:`~sklearn.pipeline.Pipeline`.

        Returns
        -------
        self : object
            The fitted binner.
        """
        self._fit(X)
        return self

    def fit_transform(self, X, y=None):
        """Fit, then return the symbols of ``X``.

        The same as ``fit(X).transform(X)``, without the warnings that
        ``transform`` gives for values that value protection clipped or merged.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            The table.
        y : None
            Ignored.

        Returns
        -------
        S : ndarray of int64 of shape (n_samples, n_features)
            Column-wise symbols.
        """
        return self._fit(X)

    @_fit_context(prefer_skip_nested_validation=True)
    def _fit(self, X):
        X = check_table(self, X, reset=True)
        self.random_state_ = check_random_state(self.random_state)
        columns, numeric, self._template = _split_columns(X)
        self._labels = list(X.columns) if is_dataframe(X) else None
        max_distinct = self.n_bins if self.max_distinct is None else self.max_distinct
        thresholds = self._protection_thresholds(len(columns))
        if self.epsilon is not None:
            return self._fit_private(X, columns, numeric, thresholds, max_distinct)
        self.epsilon_ = self.delta_ = None

        finite = {}
        for j, (col, is_num) in enumerate(zip(columns, numeric)):
            if is_num:
                check_no_infinity(col, column_label(self._labels, j))
                finite[j] = col[~np.isnan(col)]

        shared_edges = None
        if self.bins == "shared":
            pooled = [v for j, v in finite.items() if np.unique(v).size > max_distinct]
            if pooled:
                shared_edges = _bin_edges(
                    np.sort(np.concatenate(pooled)), self.n_bins, self.strategy, self.random_state_,
                    window=None if thresholds is None else self.rare_threshold,
                )
                if shared_edges.size == 1:
                    shared_edges = np.repeat(shared_edges, 2)

        codecs = []
        for j, (col, is_num) in enumerate(zip(columns, numeric)):
            k = None if thresholds is None else int(thresholds[j])
            declared = None
            dtype = self._template["dtypes"][j] if self._template["frame"] else None
            if isinstance(dtype, pd.CategoricalDtype):
                declared = dtype.categories
            codec = None
            if is_num and np.unique(finite[j]).size <= max_distinct:
                # None: under protection no value is frequent enough; bin it instead
                codec = ValueCodec.fit(finite[j], numeric=True, handle_unknown=self.handle_unknown,
                                       threshold=k)
            if is_num and codec is None:
                codec = ContinuousCodec.fit(
                    finite[j],
                    n_bins=self.n_bins,
                    strategy=self.strategy,
                    shared_edges=shared_edges,
                    rng=self.random_state_,
                    threshold=k,
                )
            elif not is_num:
                present = col[~np.asarray(pd.isna(col))]
                if k is not None and declared is None and is_identifier_like(present):
                    codec = IdentifierCodec.fit(present, k)
                else:
                    codec = ValueCodec.fit(present, numeric=False,
                                           handle_unknown=self.handle_unknown,
                                           declared=declared, threshold=k)
                if declared is not None and k is not None:
                    self._template["dtypes"][j] = _protected_categorical(dtype, codec)
            codecs.append(codec)
        self._set_codecs(codecs)
        S = self._encode(columns, warn=False)
        self.symbol_counts_ = [
            np.bincount(S[:, j], minlength=self.vocabulary_sizes_[j]) for j in range(len(codecs))
        ]
        return S

    def _fit_private(self, X, columns, numeric, thresholds, max_distinct):
        """The encoding from noisy counts only (see ``_private_encoding``)."""
        self._check_private_params()
        n_rows = X.shape[0]
        self.delta_ = 1.0 / n_rows if self.delta is None else float(self.delta)
        self.epsilon_ = float(self.epsilon)
        n_cols = len(columns)
        codecs, counts = [], []
        for j, (col, is_num) in enumerate(zip(columns, numeric)):
            counter = PrivateCounter(self.epsilon_ / n_cols, self.delta_ / n_cols,
                                     int(thresholds[j]), self.random_state_)
            dtype = self._template["dtypes"][j] if self._template["frame"] else self._template["dtype"]
            missing = np.asarray(pd.isna(col))
            if is_num:
                check_no_infinity(col, column_label(self._labels, j))
                integer = isinstance(dtype, np.dtype) and dtype.kind in "iu"
                codec, regular, n_missing = private_numeric_codec(
                    col[~missing], int(missing.sum()), counter, integer, self.n_bins,
                    max_distinct, self.strategy, self.handle_unknown)
            elif is_identifier_like(col[~missing]):
                codec = IdentifierCodec.public()
                regular, n_missing = counter.column_counts(np.array([0.0]), np.array([
                    (~missing).sum()]), int(missing.sum()), self.epsilon_ / n_cols)
            else:
                codec, regular, n_missing = self._private_categorical_codec(
                    col[~missing], int(missing.sum()), counter, dtype, j)
            codecs.append(codec)
            counts.append(np.concatenate([regular, [n_missing, 0.0]]))
        self._set_codecs(codecs)
        # noisy counts (post-processing of the released ones), so that a model
        # knows which symbols occur
        self.symbol_counts_ = [np.round(c).astype(np.int64) for c in counts]
        return self._encode(columns, warn=False)

    def _private_categorical_codec(self, present, n_missing, counter, dtype, j):
        kept, noisy, noisy_missing, noisy_rest = counter.kept_categories(present, n_missing)
        order = np.argsort(-noisy, kind="stable")
        categories = _sort_categories_like(kept, dtype)
        strings = not kept.size or all(isinstance(c, str) for c in kept)
        rare_value = RARE_MARKER if strings else kept[order[0]]
        codec = ValueCodec(np.asarray(categories, dtype=object), False, self.handle_unknown,
                           rare_value)
        if isinstance(dtype, pd.CategoricalDtype):
            self._template["dtypes"][j] = _protected_categorical(dtype, codec)
        by_value = dict(zip(kept, noisy))
        regular = [by_value[c] for c in categories]
        if codec.n_symbols > len(categories):  # the marker's symbol takes every other row
            regular.append(max(noisy_rest, 1.0))
        return codec, np.asarray(regular, dtype=float), noisy_missing

    def _check_private_params(self):
        wrong = []
        if not self.value_protection:
            wrong.append("value_protection=False (differential privacy drops rare values)")
        if self.bins != "per_column":
            wrong.append(f"bins={self.bins!r} (use 'per_column')")
        if self.strategy not in ("quantile", "uniform"):
            wrong.append(f"strategy={self.strategy!r} (use 'quantile' or 'uniform')")
        if wrong:
            raise ValueError(
                f"epsilon={self.epsilon} cannot be honoured with " + " and ".join(wrong) + ".")

    def _protection_thresholds(self, n_columns):
        """Each column's rare threshold under value protection (None when off)."""
        if not self.value_protection:
            return None
        k = self.rare_threshold
        return self.random_state_.randint(k, k + k // 2 + 1, size=n_columns)

    def _set_codecs(self, codecs):
        """Install the per-column codecs and the attributes derived from them."""
        self._codecs = codecs
        self.column_kinds_ = np.array([c.kind for c in codecs])
        self.bin_edges_ = [c.edges if c.kind == "continuous" else None for c in codecs]
        self.categories_ = [c.spikes if c.kind == "continuous" else c.categories for c in codecs]
        self.n_symbols_ = np.array([c.n_symbols for c in codecs], dtype=np.int64)
        self.vocabulary_sizes_ = self.n_symbols_ + 2
        self.offsets_ = 2 + np.concatenate([[0], np.cumsum(self.vocabulary_sizes_)[:-1]])
        self.n_tokens_ = int(2 + self.vocabulary_sizes_.sum())

    def transform(self, X):
        """Map every value to its column's symbol.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            The table, with the columns seen during ``fit``.

        Returns
        -------
        S : ndarray of int64 of shape (n_samples, n_features)
            Column-wise symbols; ``S[:, j]`` lies in ``[0, vocabulary_sizes_[j])``.
        """
        return self._encode(self._checked_columns(X))

    def _checked_columns(self, X):
        check_is_fitted(self)
        X = check_table(self, X, reset=False)
        if is_dataframe(X) and self._labels is not None and list(X.columns) != self._labels:
            # scikit-learn checks string names only; integer names are checked here
            raise ValueError(
                f"The columns must be those seen in fit, in the same order: expected "
                f"{self._labels}, got {list(X.columns)}. Select them with X[{self._labels}]."
            )
        columns, numeric, _ = _split_columns(X)
        for j, (col, is_num) in enumerate(zip(columns, numeric)):
            if is_num:
                check_no_infinity(col, column_label(self._labels, j))
            elif self._codecs[j].kind not in ("categorical", "identifier"):
                raise ValueError(
                    f"{column_label(self._labels, j)} was numeric during fit but holds "
                    "non-numeric values now; convert it to numbers."
                )
        return columns

    def sub_bins(self, X, n_sub_bins):
        """The slice of its bin that each value falls in.

        Every bin of a continuous column is cut into ``n_sub_bins`` slices of
        equal width (of equal counts of whole numbers for integer columns); a
        model can then choose a value's slice and :meth:`inverse_transform`
        draws inside it.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            The table, with the columns seen during ``fit``.
        n_sub_bins : int
            Slices per bin (at least 1).

        Returns
        -------
        sub_bins : ndarray of int64 of shape (n_samples, n_features)
            Slices ``0 .. n_sub_bins - 1``; -1 for cells whose symbol is not a
            bin (categories, exact values, missing values).
        """
        n = self._check_n_sub_bins(n_sub_bins)
        columns = self._checked_columns(X)
        S = self._encode(columns, warn=False)
        out = np.full(S.shape, -1, dtype=np.int64)
        for j, codec in enumerate(self._codecs):
            if codec.kind == "continuous":
                col = columns[j]
                out[:, j] = codec.sub_bins(np.asarray(col, dtype=np.float64), S[:, j], n)
        return out

    def sub_bin_mask(self, n_sub_bins):
        """Which slices each token can take, in the shared token space.

        Returns
        -------
        mask : ndarray of bool of shape (``n_tokens_``, n_sub_bins)
            Row ``offsets_[j] + s`` marks the non-empty slices of column j's
            symbol ``s``; all False for symbols that are not bins (and for the
            padding and start tokens). A bin of k < n_sub_bins whole numbers
            has only k non-empty slices.
        """
        check_is_fitted(self)
        n = self._check_n_sub_bins(n_sub_bins)
        mask = np.zeros((self.n_tokens_, n), dtype=bool)
        for j, codec in enumerate(self._codecs):
            if codec.kind == "continuous":
                start = self.offsets_[j]
                mask[start : start + self.vocabulary_sizes_[j]] = codec.sub_bin_mask(n)
        return mask

    def _check_n_sub_bins(self, n_sub_bins):
        if isinstance(n_sub_bins, (bool, np.bool_)) or not isinstance(
                n_sub_bins, (int, np.integer)) or n_sub_bins < 1:
            raise ValueError(f"n_sub_bins must be an int >= 1, got {n_sub_bins!r}.")
        return int(n_sub_bins)

    def _check_sub_bins(self, S, sub_bins, n_sub_bins):
        """Validated slices for the symbols ``S`` (None stays None)."""
        if sub_bins is None:
            return None
        n = self._check_n_sub_bins(n_sub_bins)
        sub = np.asarray(sub_bins)
        if sub.shape != S.shape or sub.dtype.kind not in "iu":
            raise ValueError(f"sub_bins must be an integer array of shape {S.shape}, got "
                             f"{sub.dtype} of shape {sub.shape}.")
        if ((sub < -1) | (sub >= n)).any():
            raise ValueError(f"sub_bins must lie in -1 .. {n - 1} (n_sub_bins={n}).")
        return sub.astype(np.int64, copy=False)

    def _encode(self, columns, warn=True):
        S = np.empty((columns[0].shape[0], len(columns)), dtype=np.int64)
        for j, (codec, col) in enumerate(zip(self._codecs, columns)):
            text = codec.kind in ("categorical", "identifier")
            if text and col.dtype != object:
                col = col.astype(object)
            elif not text and col.dtype == object:
                col = col.astype(np.float64)
            # under value protection a number beyond the protected range, or an exact
            # value without a symbol, is expected (training rows have them): no warning
            quiet = self.value_protection and not text
            S[:, j] = codec.encode(col, column_label(self._labels, j), warn and not quiet)
        return S

    def inverse_transform(self, X, *, random_state=None, fixed=None, sub_bins=None,
                          n_sub_bins=None):
        """Map symbols back to values in the original columns, dtypes and container.

        Parameters
        ----------
        X : array-like of int of shape (n_samples, n_features)
            Symbols, as returned by :meth:`transform` or sampled by a model.
        random_state : int, RandomState instance or None, default=None
            Seeds the in-bin draws of the ``"empirical"`` and ``"uniform"``
            decoders. None continues the fitted ``random_state_`` stream.
        fixed : array-like or DataFrame of shape (n_samples, n_features), default=None
            Values to return as they are: every cell of ``fixed`` that is not
            missing replaces the decoded value of its cell (a model's sample
            conditioned on those values keeps them exactly, not only their
            bin). The in-bin draws are the same with or without it.
        sub_bins : array-like of int of shape (n_samples, n_features), default=None
            The slice of its bin each value is drawn in (see :meth:`sub_bins`),
            -1 to draw anywhere in the bin; needs ``n_sub_bins`` and
            ``decode="empirical"``. Inside the slice the draw follows the
            training values that fall in it (uniform when none does).
        n_sub_bins : int, default=None
            The number of slices per bin ``sub_bins`` refers to.

        Returns
        -------
        X_original : DataFrame or ndarray of shape (n_samples, n_features)
            A DataFrame with the training columns and dtypes when ``fit`` got a
            DataFrame, else an ndarray (float64 for numeric tables, object when
            any column is categorical). Missing and unknown symbols decode to
            missing values.
        """
        check_is_fitted(self)
        S = self._check_symbols(X)
        sub = self._check_sub_bins(S, sub_bins, n_sub_bins)
        if sub is not None and self.decode != "empirical":
            raise ValueError("sub_bins need decode='empirical'; this binner decodes with "
                             f"decode={self.decode!r}.")
        rng = resolve_sample_rng(random_state, self.random_state_)
        decoded = [
            codec.decode(S[:, j], self.decode, rng)
            if sub is None or codec.kind != "continuous"
            else codec.decode(S[:, j], self.decode, rng, sub[:, j], n_sub_bins)
            for j, codec in enumerate(self._codecs)
        ]
        if fixed is not None:
            fixed = check_table(self, fixed, reset=False)
            if fixed.shape[0] != S.shape[0]:
                raise ValueError(
                    f"fixed has {fixed.shape[0]} rows but the symbols have {S.shape[0]}.")
            columns, _, _ = _split_columns(fixed)
            for j, col in enumerate(columns):
                given = ~np.asarray(pd.isna(col))
                if given.any():
                    kind = object if decoded[j].dtype == object else np.float64
                    decoded[j] = np.where(given, col, decoded[j]).astype(kind)
        return _assemble(decoded, self._template, S.shape[0])

    def _check_symbols(self, S):
        S = np.asarray(S)
        if S.ndim != 2 or S.shape[1] != self.n_features_in_:
            raise ValueError(
                f"Expected symbols of shape (n_samples, {self.n_features_in_}), got an array "
                f"of shape {S.shape}."
            )
        if S.dtype.kind not in "iu":
            if S.dtype.kind == "f" and np.all(S == np.round(S)):
                S = S.astype(np.int64)
            else:
                raise ValueError(f"Symbols must be integers, got dtype {S.dtype}.")
        S = S.astype(np.int64, copy=False)
        bad = (S < 0) | (S >= self.vocabulary_sizes_)
        if bad.any():
            row, j = np.argwhere(bad)[0]
            raise ValueError(
                f"Symbol {S[row, j]} at row {row} is out of range for "
                f"{column_label(self._labels, j)}, whose symbols are 0..."
                f"{self.vocabulary_sizes_[j] - 1}."
            )
        return S

    def log_cell_volume(self, S, *, sub_bins=None, n_sub_bins=None):
        """Log of the volume of each row's cell in the original space.

        A continuous column's bin symbol stands for an interval: its width
        (or, for integer-valued columns, the count of whole numbers in it)
        turns the probability of a symbol into a density. Exact values,
        categories and the missing/unknown symbols have volume 1.

        Parameters
        ----------
        S : array-like of int of shape (n_samples, n_features)
            Symbols from :meth:`transform`.
        sub_bins : array-like of int of shape (n_samples, n_features), default=None
            Slices from :meth:`sub_bins`: a binned value's cell is then its
            slice (-1: the whole bin).
        n_sub_bins : int, default=None
            The number of slices per bin ``sub_bins`` refers to.

        Returns
        -------
        log_volume : ndarray of shape (n_samples,)
            Sum over columns of the log cell size, so that
            ``log p(symbols) - log_cell_volume(S)`` is the log-density of a
            row under uniform in-bin decoding (with ``sub_bins``:
            ``log p(symbols, slices)`` and uniform decoding in the slice).
        """
        check_is_fitted(self)
        S = self._check_symbols(S)
        sub = self._check_sub_bins(S, sub_bins, n_sub_bins)
        total = np.zeros(S.shape[0])
        for j, codec in enumerate(self._codecs):
            volume = codec.log_volume(S[:, j])
            if sub is not None and codec.kind == "continuous":
                sliced = sub[:, j] >= 0
                volume[sliced] = codec.sub_bin_log_volume(S[:, j], sub[:, j], n_sub_bins)[sliced]
            total += volume
        return total

    def to_tokens(self, S):
        """Shift column-wise symbols into the shared token space.

        Parameters
        ----------
        S : array-like of int of shape (n_samples, n_features)
            Symbols from :meth:`transform`.

        Returns
        -------
        tokens : ndarray of int64 of shape (n_samples, n_features)
            ``S + offsets_``; tokens 0 and 1 are left for padding and start.
        """
        check_is_fitted(self)
        return self._check_symbols(S) + self.offsets_

    def from_tokens(self, tokens):
        """Inverse of :meth:`to_tokens`.

        Parameters
        ----------
        tokens : array-like of int of shape (n_samples, n_features)
            Tokens in the shared space.

        Returns
        -------
        S : ndarray of int64 of shape (n_samples, n_features)
            Column-wise symbols.
        """
        check_is_fitted(self)
        return self._check_symbols(np.asarray(tokens) - self.offsets_)

    def render_sentences(self, S, *, with_names=False):
        """Render rows of symbols as the paper's sentences (``a .. z, a1 .. w1``).

        Parameters
        ----------
        S : array-like of int of shape (n_samples, n_features)
            Symbols from :meth:`transform`.
        with_names : bool, default=False
            Prefix every symbol with its column name (``flow_duration=c1``).

        Returns
        -------
        sentences : list of str
            One space-separated sentence per row; ``_`` marks a missing value
            and ``?`` an unknown one.
        """
        check_is_fitted(self)
        S = self._check_symbols(S)
        names = (
            [str(n) for n in self.get_feature_names_out()] if with_names else None
        )
        vocab = []
        for j, n in enumerate(self.n_symbols_):
            words = [_symbol_name(c) for c in range(n)] + ["_", "?"]
            if names is not None:
                words = [f"{names[j]}={w}" for w in words]
            vocab.append(np.array(words, dtype=object))
        table = np.stack([vocab[j][S[:, j]] for j in range(S.shape[1])], axis=1)
        return [" ".join(row) for row in table]

    # ------------------------------------------------------- persistence
    _persisted_private = ("_template", "_labels")
    _state_parts = ("_codecs",)  # saved by _state_for_saving, rebuilt by _restore_state

    def _state_for_saving(self):
        state = super()._state_for_saving()
        if hasattr(self, "_codecs"):
            # the attributes derived from the codecs are rebuilt from them
            for name in ("column_kinds_", "bin_edges_", "categories_", "n_symbols_",
                         "vocabulary_sizes_", "offsets_", "n_tokens_"):
                del state[name]
            empirical = self.decode == "empirical"  # other decodings need no in-bin tables
            state["_codecs"] = [codec.to_parts(with_tables=empirical) for codec in self._codecs]
        return state

    def _restore_state(self, state, device):
        parts = state.pop("_codecs", None)
        super()._restore_state(state, device)
        if parts is not None:
            self._set_codecs([codec_from_parts(p, self.handle_unknown) for p in parts])

    def _check_restored_state(self):
        """Refuse a loaded state whose parts do not fit together."""
        from ..exceptions import ModelFormatError

        n = len(getattr(self, "_codecs", ()))
        template = getattr(self, "_template", None)
        ok = type(self.n_features_in_) is int and self.n_features_in_ == n >= 1
        if ok and isinstance(template, dict) and template.get("frame") is True:
            ok = (set(template) == {"frame", "columns", "dtypes"}
                  and isinstance(template["columns"], pd.Index)
                  and isinstance(template["dtypes"], list)
                  and len(template["columns"]) == len(template["dtypes"]) == n
                  and all(isinstance(d, (np.dtype, pd.api.extensions.ExtensionDtype))
                          for d in template["dtypes"]))
        elif ok and isinstance(template, dict) and template.get("frame") is False:
            numeric = template.get("numeric", [False] * n)
            ok = (set(template) <= {"frame", "dtype", "numeric"}
                  and isinstance(template.get("dtype"), np.dtype)
                  and isinstance(numeric, list) and len(numeric) == n
                  and all(isinstance(v, bool) for v in numeric))
        else:
            ok = False
        labels = getattr(self, "_labels", None)
        if ok and template["frame"]:
            ok = labels is not None and list(labels) == list(template["columns"])
        if not ok or (labels is not None and len(labels) != n):
            raise ModelFormatError("SymbolicBinner's stored columns and codecs do not fit together")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = []  # symbols are integers
        return tags


def _sort_categories_like(kept, dtype):
    """Kept categories in the declared order of a pandas categorical, else sorted."""
    from ._codecs import sort_categories

    if isinstance(dtype, pd.CategoricalDtype):
        wanted = set(kept)
        return [c for c in dtype.categories if c in wanted]
    return sort_categories(list(kept))


def _protected_categorical(dtype, codec):
    """A pandas categorical dtype that declares only the kept categories (and
    the rare marker where the column decodes to it): a declared category seen
    in too few rows must not survive in the fitted binner's template."""
    categories = list(codec.categories)
    if isinstance(getattr(codec, "rare_value", None), str) and codec.rare_value == RARE_MARKER \
            and RARE_MARKER not in categories:
        categories.append(RARE_MARKER)
    if categories == list(dtype.categories):
        return dtype
    try:
        index = pd.Index(categories, dtype=dtype.categories.dtype)
    except (TypeError, ValueError):  # the marker does not fit the categories' dtype
        index = pd.Index(categories, dtype=object)
    return pd.CategoricalDtype(index, ordered=dtype.ordered)


def _split_columns(X):
    """Columns as 1-D arrays (float64 for numeric, object otherwise), plus a
    template that records how to rebuild the container."""
    if is_dataframe(X):
        columns, numeric = [], []
        for name in X.columns:
            series = X[name]
            dtype = series.dtype
            if is_time_dtype(dtype):  # binned as the integer count of the dtype's unit
                columns.append(time_to_float(series))
                numeric.append(True)
                continue
            if not is_number_dtype(dtype):
                columns.append(series.to_numpy(dtype=object, na_value=np.nan))
                numeric.append(False)
            else:
                columns.append(series.to_numpy(dtype=np.float64, na_value=np.nan))
                numeric.append(True)
        template = {"frame": True, "columns": X.columns, "dtypes": list(X.dtypes)}
        return columns, numeric, template
    if X.dtype == object:
        columns, numeric = [], []
        for j in range(X.shape[1]):
            col = X[:, j]
            if _is_numeric_column(col):
                columns.append(np.array([np.nan if v is None else v for v in col], dtype=float))
                numeric.append(True)
            else:
                columns.append(col)
                numeric.append(False)
        template = {"frame": False, "dtype": np.dtype(object), "numeric": numeric}
        return columns, numeric, template
    if X.dtype.kind == "b":
        columns = [X[:, j].astype(object) for j in range(X.shape[1])]
        return columns, [False] * X.shape[1], {"frame": False, "dtype": X.dtype}
    columns = [X[:, j].astype(np.float64) for j in range(X.shape[1])]
    return columns, [True] * X.shape[1], {"frame": False, "dtype": X.dtype}


def _assemble(decoded, template, n_rows):
    """Rebuild the container ``fit`` received from decoded columns."""
    if not template["frame"]:
        dtype = template["dtype"]
        if dtype == object:
            out = np.empty((n_rows, len(decoded)), dtype=object)
            for j, col in enumerate(decoded):
                out[:, j] = col
            return out
        stacked = np.column_stack(decoded) if decoded else np.empty((n_rows, 0))
        if dtype.kind in "iub" and not np.isnan(stacked.astype(float)).any():
            return stacked.astype(dtype)
        return stacked.astype(np.float64) if dtype.kind in "iub" else stacked.astype(dtype)
    data = {}
    for j, (name, dtype) in enumerate(zip(template["columns"], template["dtypes"])):
        data[j] = _restore_dtype(decoded[j], dtype)
    frame = pd.DataFrame(data)
    frame.columns = template["columns"]
    return frame


def _float_to_time(values, dtype):
    missing = np.isnan(values)
    ticks = np.where(missing, 0, np.round(values)).astype(np.int64)
    if isinstance(dtype, pd.DatetimeTZDtype):
        naive = ticks.view(f"datetime64[{dtype.unit}]")
        naive[missing] = np.datetime64("NaT")
        return pd.Series(naive).dt.tz_localize("UTC").dt.tz_convert(dtype.tz).array
    out = ticks.view(dtype)
    out[missing] = np.datetime64("NaT") if dtype.kind == "M" else np.timedelta64("NaT")
    return out


def _restore_dtype(values, dtype):
    """Cast decoded values (float or object, NaN for missing) to ``dtype``."""
    if is_time_dtype(dtype):
        return _float_to_time(values.astype(np.float64), dtype)
    missing = pd.isna(values)
    if isinstance(dtype, pd.CategoricalDtype):
        return pd.Categorical(values, categories=dtype.categories, ordered=dtype.ordered)
    if pd.api.types.is_bool_dtype(dtype):
        if missing.any():
            return pd.array(np.where(missing, None, values), dtype="boolean")
        return values.astype(bool)
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        if missing.any():  # a numpy int column cannot hold NaN: use the nullable type
            nullable = "UInt" + dtype.name[4:] if dtype.kind == "u" else dtype.name.capitalize()
            return pd.array(np.where(missing, None, values), dtype=nullable)
        return values.astype(dtype)
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return values.astype(dtype)
    if dtype == object:
        return values.astype(object)
    return pd.array(np.where(missing, None, values) if missing.any() else values, dtype=dtype)
