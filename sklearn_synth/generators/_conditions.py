"""Conditions for sampling: partial rows over any subset of the training columns."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..utils._validation import check_n_samples, check_table, is_dataframe


def _column_key(estimator, key):
    """The position of ``key`` among the training columns, or a ``ValueError``
    that names it and the columns there are."""
    names = getattr(estimator, "feature_names_in_", None)
    if names is not None:
        hits = np.flatnonzero(names == key) if isinstance(key, str) else []
        if len(hits):
            return int(hits[0])
        raise ValueError(
            f"Column {key!r} in conditions was not seen during fit; the columns are "
            f"{list(names)}.")
    if isinstance(key, (int, np.integer)) and 0 <= key < estimator.n_features_in_:
        return int(key)
    raise ValueError(
        f"Column {key!r} in conditions was not seen during fit; the model was fitted "
        f"without column names, so name columns by position 0..{estimator.n_features_in_ - 1}.")


def conditions_table(estimator, conditions, n_samples):
    """The conditions as a full table: every training column, one row per output
    row, missing cells where nothing is given.

    ``conditions`` is a DataFrame over some of the training columns, a mapping
    of column to a value or an array of values, or (for a model fitted on an
    array) an array of the full width. Missing cells (NaN, None, ``pd.NA``)
    are free. A one-row condition is repeated ``n_samples`` times; otherwise
    its row count must be ``n_samples``.

    Returns
    -------
    table : DataFrame or ndarray of shape (n_samples, n_features_in_)
        A DataFrame with the training column names when the model was fitted
        on one, else an ndarray.
    """
    n_samples = check_n_samples(n_samples)
    if isinstance(conditions, Mapping):
        columns = {_column_key(estimator, k): v for k, v in conditions.items()}
        lengths = {np.size(v) for v in columns.values() if np.ndim(v) > 0}
        if len(lengths) > 1:
            raise ValueError(
                f"The arrays in conditions have different lengths {sorted(lengths)}; give "
                "one value per output row in every column, or a single value.")
        n_rows = lengths.pop() if lengths else 1
        given = {j: np.broadcast_to(np.asarray(v, dtype=object), (n_rows,))
                 for j, v in columns.items()}
    elif is_dataframe(conditions):
        if not conditions.columns.is_unique:  # before a dict keeps one of the duplicates
            duplicated = list(conditions.columns[conditions.columns.duplicated()].unique())
            raise ValueError(f"The conditions' column names must be unique; {duplicated} "
                             "appear more than once.")
        given = {_column_key(estimator, k): conditions[k].to_numpy(dtype=object)
                 for k in conditions.columns}
        n_rows = conditions.shape[0]
    else:
        table = check_table(estimator, conditions, reset=False)
        given = {j: np.asarray(table[:, j], dtype=object) for j in range(table.shape[1])}
        n_rows = table.shape[0]
    if n_rows == 0:
        raise ValueError("conditions has no rows; give at least one.")
    if n_rows != n_samples:
        if n_rows != 1:
            raise ValueError(
                f"conditions has {n_rows} rows but n_samples={n_samples}; one row is generated "
                f"per conditions row: pass n_samples={n_rows}, or a single row of conditions "
                "to repeat.")
        given = {j: np.repeat(v, n_samples) for j, v in given.items()}
    names = getattr(estimator, "feature_names_in_", None)
    cells = [given.get(j, np.full(n_samples, np.nan, dtype=object))
             for j in range(estimator.n_features_in_)]
    if names is None:
        return np.column_stack(cells).astype(object)
    frame = pd.DataFrame({name: pd.Series(col, dtype=object).infer_objects()
                          for name, col in zip(names, cells)})
    return frame
