"""Shared plumbing of the metrics: aligning real and synthetic tables, and
encoding mixed-type rows as numbers for kernels, distances and classifiers.

How metrics treat mixed dtypes and missing values: numeric columns (datetimes
and durations as counts of their unit) are mapped through their real-data
quantiles to a standard normal scale (so heavy-tailed flow features weigh like
any other column), with a missing value at the centre of that scale;
categorical, string and boolean columns are one-hot encoded over the real
categories (unseen synthetic categories encode as all zeros); a column with
missing values in the real rows also gets an indicator column.
"""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd
from sklearn.preprocessing import QuantileTransformer

from ..utils._validation import is_number_dtype, is_time_dtype, time_to_float


def as_frame(X, columns=None):
    """A DataFrame view of ``X`` (arrays get columns ``x0, x1, ...``)."""
    if isinstance(X, pd.DataFrame):
        return X
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"Expected a 2-D table, got an array of shape {X.shape}.")
    names = list(columns) if columns is not None else [f"x{j}" for j in range(X.shape[1])]
    return pd.DataFrame(X, columns=names)


def align_tables(X_real, *others, names=None):
    """Return the tables as DataFrames with the columns of ``X_real``, in its order.

    Raises
    ------
    ValueError
        If a table lacks columns of ``X_real`` or has extra ones (naming them),
        or has another number of columns, or no rows.
    """
    real = as_frame(X_real)
    names = names or [f"table {i + 2}" for i in range(len(others))]
    out = [real]
    if real.shape[0] == 0:
        raise ValueError("The real table has no rows.")
    for X, name in zip(others, names):
        if X is None:
            out.append(None)
            continue
        if isinstance(X, pd.DataFrame):
            missing = [c for c in real.columns if c not in X.columns]
            extra = [c for c in X.columns if c not in real.columns]
            if missing or extra:
                raise ValueError(
                    f"{name} does not have the real table's columns: missing {missing}, "
                    f"extra {extra}. Pass tables with the same columns."
                )
            frame = X[list(real.columns)]
        else:
            arr = np.asarray(X)
            if arr.ndim != 2 or arr.shape[1] != real.shape[1]:
                raise ValueError(
                    f"{name} has shape {arr.shape}; the real table has {real.shape[1]} columns."
                )
            frame = pd.DataFrame(arr, columns=real.columns)
            for column in real.columns:  # arrays lose dtypes: follow the real table's
                if is_number_dtype(real[column].dtype):
                    frame[column] = pd.to_numeric(frame[column], errors="coerce")
        if frame.shape[0] == 0:
            raise ValueError(f"{name} has no rows.")
        out.append(frame)
    return out


def is_numeric(series):
    """Numbers, datetimes and durations (booleans count as categories)."""
    if is_time_dtype(series.dtype):
        return True
    return is_number_dtype(series.dtype)


class TableEncoder:
    """Fit on real rows; turn any aligned table into a float matrix (see module doc)."""

    def __init__(self, random_state=0):
        self.random_state = random_state

    def fit(self, X):
        self.numeric_ = [c for c in X.columns if is_numeric(X[c])]
        self.categorical_ = [c for c in X.columns if c not in self.numeric_]
        self.flag_missing_ = [c for c in X.columns if X[c].isna().any()]
        self.quantiles_ = None
        if self.numeric_:
            values = self._numeric_values(X)
            self.quantiles_ = QuantileTransformer(
                n_quantiles=min(1000, X.shape[0]),
                output_distribution="normal",
                subsample=100_000,
                random_state=self.random_state,
            ).fit(values)
        self.categories_ = {
            c: pd.Index(pd.unique(X[c].astype(object).dropna())) for c in self.categorical_
        }
        return self

    def _numeric_values(self, X):
        values = np.column_stack([
            time_to_float(X[c]) if is_time_dtype(X[c].dtype)
            else X[c].to_numpy(dtype=np.float64, na_value=np.nan)
            for c in self.numeric_
        ])
        if np.isinf(values).any():
            j = np.flatnonzero(np.isinf(values).any(axis=0))[0]
            raise ValueError(
                f"Column {self.numeric_[j]!r} contains infinity; replace it with NaN or a "
                "finite value before computing metrics."
            )
        return values

    def transform(self, X):
        blocks = []
        if self.numeric_:
            z = self.quantiles_.transform(self._numeric_values(X))
            blocks.append(np.nan_to_num(z, nan=0.0))
        if self.flag_missing_:  # missing values of any column get an indicator
            blocks.append(X[self.flag_missing_].isna().to_numpy(dtype=np.float64))
        for c in self.categorical_:
            codes = self.categories_[c].get_indexer(X[c].astype(object))
            onehot = np.zeros((X.shape[0], len(self.categories_[c])))
            known = codes >= 0
            onehot[np.flatnonzero(known), codes[known]] = 1.0
            blocks.append(onehot)
        return np.hstack(blocks) if blocks else np.zeros((X.shape[0], 0))


def row_hashes(X):
    """One hash per row over all columns (NaN equal to NaN), for exact-copy counts."""
    return pd.util.hash_pandas_object(X.reset_index(drop=True), index=False).to_numpy()
