"""Validation of tables (DataFrames or arrays with mixed column types)."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import re
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.validation import check_array, validate_data

_DEVICE_STRING = re.compile(r"auto|(cpu|cuda|mps|xpu)(:\d+)?")


class _TorchDevice(HasMethods):
    # scikit-learn's parameter validation takes its own constraint classes only;
    # this one reuses HasMethods' plumbing with its own test
    def __init__(self):
        super().__init__([])

    def is_satisfied_by(self, val):
        if isinstance(val, str):
            return _DEVICE_STRING.fullmatch(val) is not None
        return type(val).__module__ == "torch" and type(val).__name__ == "device"

    def __str__(self):
        return "a device name ('cpu', 'cuda', 'cuda:N', 'mps' or 'auto') or a torch.device"


#: Parameter constraint of ``device`` parameters (checked without importing torch).
TORCH_DEVICE = _TorchDevice()


def is_dataframe(X):
    """Return True for a pandas DataFrame."""
    return isinstance(X, pd.DataFrame)


def is_number_dtype(dtype):
    """Numbers: integer and float dtypes, not booleans (which count as categories)."""
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def is_time_dtype(dtype):
    """True for datetime (naive or time-zone aware) and timedelta dtypes."""
    return pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype)


def time_to_float(series):
    """Datetimes and durations as floats counting the dtype's unit (NaN for NaT);
    time-zone aware columns count from the epoch in UTC."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    ticks = series.to_numpy().view(np.int64).astype(np.float64)
    ticks[series.isna().to_numpy()] = np.nan
    return ticks


def column_label(labels, j):
    """A readable name for column ``j`` in error messages."""
    if labels is None:
        return f"column {j}"
    return f"column {labels[j]!r}"


def check_table(estimator, X, *, reset):
    """Validate a table for an estimator that accepts mixed column types.

    DataFrames are returned unchanged (never copied or mutated): their feature
    names and count are checked with scikit-learn's ``validate_data``.
    Everything else goes through ``check_array`` with ``dtype=None``, so numeric
    arrays stay numeric and object arrays keep strings; sparse input, 1-D input,
    complex numbers and empty tables raise ``ValueError`` or ``TypeError``.
    Missing values are allowed; infinity is checked per column by the caller,
    which knows which columns are numeric.

    Parameters
    ----------
    estimator : estimator instance
        Receives ``n_features_in_`` (and ``feature_names_in_``) when ``reset``.
    X : array-like or DataFrame of shape (n_samples, n_features)
        The table.
    reset : bool
        True in ``fit``, False afterwards (checks the feature count and names).

    Returns
    -------
    X : DataFrame or ndarray
    """
    if is_dataframe(X):
        if X.shape[1] == 0:
            raise ValueError(
                f"Found a DataFrame with 0 columns while a minimum of 1 is required by "
                f"{type(estimator).__name__}."
            )
        if X.shape[0] == 0:
            raise ValueError(
                f"Found a DataFrame with 0 rows while a minimum of 1 is required by "
                f"{type(estimator).__name__}."
            )
        if not X.columns.is_unique:
            duplicated = list(X.columns[X.columns.duplicated()].unique())
            raise ValueError(
                f"DataFrame column names must be unique; {duplicated} appear more than "
                "once. Rename or drop the duplicates before fitting."
            )
        for name, dtype in X.dtypes.items():
            if pd.api.types.is_complex_dtype(dtype):
                raise ValueError(f"Complex data not supported (column {name!r}).")
        validate_data(estimator, X, reset=reset, skip_check_array=True)
        return X
    X = check_array(
        X,
        dtype=None,
        ensure_all_finite=False,
        ensure_min_samples=1,
        ensure_min_features=1,
        input_name="X",
    )
    if X.dtype.kind == "c":
        raise ValueError("Complex data not supported.")
    if X.dtype.kind in "mM":
        raise TypeError(
            "datetime64/timedelta64 arrays are not supported; convert them to numbers "
            "(for example seconds since an epoch) before fitting."
        )
    validate_data(estimator, X, reset=reset, skip_check_array=True)
    return X


def check_n_samples(n_samples, name="n_samples"):
    """Check that ``n_samples`` is a non-negative integer and return it as int."""
    if isinstance(n_samples, bool) or not isinstance(n_samples, Integral):
        raise TypeError(f"{name} must be a non-negative int, got {n_samples!r}.")
    if n_samples < 0:
        raise ValueError(f"{name} must be a non-negative int, got {n_samples}.")
    return int(n_samples)


def check_no_infinity(values, label):
    """Raise a ValueError naming the column if ``values`` holds +/-inf."""
    bad = np.isinf(values)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise ValueError(
            f"{label} contains infinity ({rows.size} value(s), first at row {rows[0]}: "
            f"{values[rows[0]]}). Replace infinities with NaN (they then get the "
            "missing-value symbol) or with a finite cap before fitting; "
            "sklearn_synth.datasets.load_network_flows does this for CICFlowMeter files."
        )


def check_table_no_infinity(X):
    """Raise a ValueError naming the first numeric column of ``X`` holding +/-inf."""
    if is_dataframe(X):
        for name in X.columns:
            dtype = X[name].dtype
            if is_number_dtype(dtype):
                values = X[name].to_numpy(dtype=np.float64, na_value=np.nan)
                check_no_infinity(values, f"column {name!r}")
    elif X.dtype.kind == "f":
        for j in range(X.shape[1]):
            check_no_infinity(X[:, j], column_label(None, j))


def as_numeric(arr, what):
    """``arr`` as a real numeric array; complex, sparse, strings and other objects
    raise with a message naming ``what``."""
    if hasattr(arr, "toarray") or hasattr(arr, "tocsr"):
        raise TypeError(f"Sparse data was passed to {what}, but dense data is required; "
                        "use X.toarray().")
    arr = np.asarray(arr)
    if arr.dtype.kind == "c":
        raise ValueError(f"Complex data not supported by {what}; pass real values.")
    if arr.dtype.kind in "biuf":
        return arr
    try:
        return arr.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise type(exc)(
            f"{what} needs numeric values, got values of dtype {arr.dtype} that are not numbers "
            f"({exc}); convert them to floats (encode categories as numbers)."
        ) from None


def mean_and_std(values, axis=0):
    """Mean and standard deviation that do not overflow for values near the
    float range (1e300): computed on values divided by their largest magnitude."""
    size = np.max(np.abs(values), axis=axis, keepdims=True)
    size = np.where(size > 0, size, 1.0)
    scaled = values / size
    size = np.squeeze(size, axis=axis)
    return scaled.mean(axis=axis) * size, scaled.std(axis=axis) * size


def as_series_list(X, what):
    """Series as a list of float64 ``(n_timesteps_i, n_channels)`` arrays.

    ``X`` is a 3-D array ``(n_series, n_timesteps, n_channels)``, a 2-D array
    of univariate series or a list of 1-D or 2-D arrays; ``what`` names it in
    errors (no series, mismatched channels, NaN or infinite values).
    """
    if isinstance(X, (list, tuple)):
        series = [np.asarray(s, dtype=np.float64) for s in X]
        series = [s[:, None] if s.ndim == 1 else s for s in series]
    else:
        arr = np.asarray(X, dtype=np.float64)
        if arr.ndim == 2:
            arr = arr[..., None]
        if arr.ndim != 3:
            raise ValueError(
                f"{what} must be a 3-D array (n_series, n_timesteps, n_channels), a 2-D array of "
                f"univariate series or a list of 2-D arrays; got shape {arr.shape}."
            )
        series = list(arr)
    if not series:
        raise ValueError(f"{what} holds no series.")
    for i, s in enumerate(series):
        if s.ndim != 2 or s.shape[1] != series[0].shape[1]:
            raise ValueError(f"{what}: series {i} has shape {s.shape}, unlike series 0.")
        if not np.isfinite(s).all():
            raise ValueError(f"{what}: series {i} holds NaN or infinite values.")
    return series
