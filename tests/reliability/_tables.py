"""Hypothesis strategies for the tables users really pass: mixed dtypes,
missing values, infinities, extreme magnitudes, constant and duplicate data,
odd column names and degenerate shapes."""

import numpy as np
import pandas as pd
from hypothesis import strategies as st

KINDS = ("float", "int", "bool", "category", "string", "datetime", "constant")
STRING_NAMES = ("a", "x1", "naïve", "列", "with space", "")
INTEGER_NAMES = (0, 1, 7, 12)

_FLOATS = st.one_of(
    st.floats(-1e3, 1e3, allow_nan=False, width=64),
    st.sampled_from([0.0, 1e300, -1e300, 1e-300, 5e-324, 2.5]),
)


@st.composite
def columns(draw, n_rows, kind, special):
    """One column of ``n_rows`` values; ``special`` adds NaN/None/inf cells."""
    if kind == "float":
        values = np.array(draw(st.lists(_FLOATS, min_size=n_rows, max_size=n_rows)), dtype=float)
        if special and n_rows:
            cells = draw(st.lists(st.integers(0, n_rows - 1), max_size=2))
            values[cells] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
        return values
    if kind == "int":
        return np.array(draw(st.lists(st.integers(-2**40, 2**40), min_size=n_rows,
                                      max_size=n_rows)), dtype=np.int64)
    if kind == "bool":
        return np.array(draw(st.lists(st.booleans(), min_size=n_rows, max_size=n_rows)))
    if kind in ("category", "string"):
        words = st.sampled_from(["tcp", "udp", "ünï", "", "icmp", "a b"])
        values = draw(st.lists(words, min_size=n_rows, max_size=n_rows))
        if special and n_rows:
            values[draw(st.integers(0, n_rows - 1))] = None
        if kind == "category":
            return pd.Categorical(values)
        return np.array(values, dtype=object)
    if kind == "datetime":
        seconds = draw(st.lists(st.integers(0, 10**9), min_size=n_rows, max_size=n_rows))
        return pd.to_datetime(np.array(seconds, dtype="int64"), unit="s")
    value = draw(st.sampled_from([3.5, 0, "same"]))
    return np.full(n_rows, value, dtype=object if isinstance(value, str) else None)


@st.composite
def tables(draw, min_rows=0, max_rows=12, kinds=KINDS, special=True):
    """A DataFrame and the kind of each of its columns."""
    n_rows = draw(st.integers(min_rows, max_rows))
    n_cols = draw(st.integers(1, 4))
    pool = draw(st.sampled_from([STRING_NAMES, INTEGER_NAMES]))
    names = draw(st.lists(st.sampled_from(pool), min_size=n_cols, max_size=n_cols, unique=True))
    picked = draw(st.lists(st.sampled_from(kinds), min_size=n_cols, max_size=n_cols))
    data = {name: draw(columns(n_rows, kind, special)) for name, kind in zip(names, picked)}
    frame = pd.DataFrame(data, index=pd.RangeIndex(n_rows))
    if n_rows and draw(st.booleans()):  # duplicate rows
        frame = pd.concat([frame, frame.iloc[: max(1, n_rows // 2)]], ignore_index=True)
    return frame, dict(zip(names, picked))
