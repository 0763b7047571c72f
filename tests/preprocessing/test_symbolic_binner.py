import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.stats import ks_2samp

from sklearn_synth.exceptions import OutOfRangeWarning, UnknownCategoryWarning
from sklearn_synth.preprocessing import SymbolicBinner

X_SMALL = np.array([[0.1, 80], [0.4, 443], [2.5, 80], [7.0, 22]])


def _mixed_frame(n=200, seed=0):
    rng = np.random.RandomState(seed)
    duration = np.where(rng.rand(n) < 0.3, 0.0, rng.lognormal(3, 2, size=n))
    return pd.DataFrame(
        {
            "duration": duration,
            "port": rng.choice([22, 80, 443, 8080], size=n).astype(np.int64),
            "bytes": rng.randint(0, 100_000, size=n).astype(np.int64),
            "proto": pd.Categorical(rng.choice(["tcp", "udp", "icmp"], size=n)),
            "flag": rng.rand(n) < 0.5,
            "host": rng.choice(["a.example", "b.example"], size=n).astype(object),
            "rate": np.where(rng.rand(n) < 0.1, np.nan, rng.normal(size=n)),
        }
    )


def _bin_of(binner, j, values):
    """Symbols of one column's values, through a full-width table."""
    return binner._codecs[j].encode(np.asarray(values, dtype=float), "col")


def test_column_kinds_and_vocabulary():
    X = _mixed_frame()
    binner = SymbolicBinner(n_bins=10, random_state=0).fit(X)
    assert list(binner.column_kinds_) == [
        "continuous", "exact", "continuous", "categorical", "categorical", "categorical",
        "continuous",
    ]
    assert binner.n_symbols_[1] == 4  # one symbol per port
    assert list(binner.categories_[1]) == [22, 80, 443, 8080]
    np.testing.assert_array_equal(binner.vocabulary_sizes_, binner.n_symbols_ + 2)
    assert binner.offsets_[0] == 2
    np.testing.assert_array_equal(np.diff(binner.offsets_), binner.vocabulary_sizes_[:-1])
    assert binner.n_tokens_ == 2 + binner.vocabulary_sizes_.sum()
    # the frequent zero duration has a symbol of its own
    assert 0.0 in binner.categories_[0]
    # missing values of "rate" are counted on its missing symbol
    missing = binner.n_symbols_[6]
    assert binner.symbol_counts_[6][missing] == X["rate"].isna().sum()
    assert all(c.sum() == len(X) for c in binner.symbol_counts_)


def test_round_trip_keeps_container_names_and_dtypes():
    X = _mixed_frame()
    binner = SymbolicBinner(n_bins=10, random_state=0).fit(X)
    out = binner.inverse_transform(binner.transform(X))
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == list(X.columns)
    assert list(out.dtypes) == list(X.dtypes)
    for column in ["port", "proto", "flag", "host"]:
        pd.testing.assert_series_equal(out[column], X[column])
    pd.testing.assert_series_equal(out["rate"].isna(), X["rate"].isna())
    assert (out["duration"][X["duration"] == 0] == 0).all()
    np.testing.assert_array_equal(binner.transform(out), binner.transform(X))


@pytest.mark.parametrize("decode", ["empirical", "uniform", "midpoint"])
@pytest.mark.parametrize("strategy", ["quantile", "uniform", "kmeans"])
@pytest.mark.parametrize("bins", ["per_column", "shared"])
def test_decoded_values_land_in_their_bin(decode, strategy, bins):
    X = _mixed_frame(n=500)
    binner = SymbolicBinner(
        n_bins=12, decode=decode, strategy=strategy, bins=bins, random_state=0
    ).fit(X)
    S = binner.transform(X)
    np.testing.assert_array_equal(binner.transform(binner.inverse_transform(S)), S)


def test_empirical_decoding_reproduces_marginals():
    X = _mixed_frame(n=3000, seed=1)
    binner = SymbolicBinner(random_state=0).fit(X)
    out = binner.inverse_transform(binner.transform(X))
    for column in ["duration", "bytes"]:
        assert ks_2samp(X[column], out[column]).statistic < 0.02
    # integer columns decode to whole numbers
    assert out["bytes"].dtype == np.int64


def test_midpoint_is_deterministic_and_random_decoders_follow_random_state():
    X = _mixed_frame()
    S = SymbolicBinner(n_bins=8).fit(X).transform(X)
    mid = SymbolicBinner(n_bins=8, decode="midpoint").fit(X)
    pd.testing.assert_frame_equal(mid.inverse_transform(S), mid.inverse_transform(S))
    emp = SymbolicBinner(n_bins=8, random_state=0).fit(X)
    a = emp.inverse_transform(S, random_state=1)
    pd.testing.assert_frame_equal(a, emp.inverse_transform(S, random_state=1))
    assert not a.equals(emp.inverse_transform(S, random_state=2))
    # without a random_state, successive calls continue one reproducible stream
    emp2 = SymbolicBinner(n_bins=8, random_state=0).fit(X)
    first = emp.inverse_transform(S)
    assert not first.equals(emp.inverse_transform(S))
    pd.testing.assert_frame_equal(first, emp2.inverse_transform(S))


def test_shared_bins_use_one_set_of_edges():
    rng = np.random.RandomState(0)
    X = np.column_stack([rng.rand(300) * 10, rng.rand(300) * 1000])
    binner = SymbolicBinner(value_protection=False, n_bins=20, bins="shared").fit(X)
    np.testing.assert_array_equal(binner.bin_edges_[0][1:-1], binner.bin_edges_[1][1:-1])
    # the small-range column uses only the first few shared bins
    assert binner.transform(X)[:, 0].max() < binner.transform(X)[:, 1].max()


def test_out_of_range_values_are_clipped_with_warning():
    binner = SymbolicBinner(value_protection=False, n_bins=3).fit(X_SMALL)
    with pytest.warns(OutOfRangeWarning, match="outside the training range"):
        S = binner.transform(np.array([[-100.0, 80], [1e9, 80]]))
    assert S[0, 0] == 0 and S[1, 0] == binner.n_symbols_[0] - 1


def test_unseen_numeric_value_of_exact_column_maps_to_nearest():
    binner = SymbolicBinner(value_protection=False, n_bins=3).fit(X_SMALL)
    with pytest.warns(OutOfRangeWarning, match="nearest training value"):
        S = binner.transform(np.array([[0.1, 81], [0.1, 400]]))
    np.testing.assert_array_equal(binner.categories_[1][S[:, 1]], [80, 443])


def test_unknown_category_symbol_or_error():
    X = pd.DataFrame({"proto": ["tcp", "udp", "tcp"], "n": [1.0, 2.0, 3.0]})
    binner = SymbolicBinner(value_protection=False).fit(X)
    new = pd.DataFrame({"proto": ["gre", "tcp"], "n": [1.0, 2.0]})
    with pytest.warns(UnknownCategoryWarning, match="gre"):
        S = binner.transform(new)
    assert S[0, 0] == binner.n_symbols_[0] + 1
    assert pd.isna(binner.inverse_transform(S)["proto"][0])
    strict = SymbolicBinner(value_protection=False, handle_unknown="error").fit(X)
    with pytest.raises(ValueError, match=r"column 'proto'.*\['gre'\].*unknown_symbol"):
        strict.transform(new)


def test_infinity_is_refused_with_column_name():
    X = pd.DataFrame({"flow_byts_s": [1.0, np.inf, 3.0], "n": [1, 2, 3]})
    with pytest.raises(ValueError, match="column 'flow_byts_s' contains infinity.*NaN"):
        SymbolicBinner().fit(X)
    binner = SymbolicBinner().fit(X.replace(np.inf, 2.0))
    with pytest.raises(ValueError, match="infinity"):
        binner.transform(X)


def test_constant_columns_and_single_row():
    X = np.array([[5.0, 1.0], [5.0, 2.0], [5.0, 3.0]])
    binner = SymbolicBinner(value_protection=False).fit(X)
    assert binner.n_symbols_[0] == 1
    np.testing.assert_array_equal(binner.inverse_transform(binner.transform(X)), X)
    one = SymbolicBinner(value_protection=False).fit(X[:1])
    np.testing.assert_array_equal(one.inverse_transform(one.transform(X[:1])), X[:1])


@pytest.mark.parametrize(
    "X, match",
    [
        (np.empty((0, 2)), "0 sample"),
        (pd.DataFrame({"a": []}), "0 rows"),
    ],
)
def test_bad_input_errors(X, match):
    with pytest.raises((ValueError, TypeError), match=match):
        SymbolicBinner().fit(X)


def test_wrong_feature_count_and_bad_symbols():
    binner = SymbolicBinner(n_bins=3).fit(X_SMALL)
    with pytest.raises(ValueError, match="X has 3 features"):
        binner.transform(np.ones((2, 3)))
    with pytest.raises(ValueError, match="out of range for column 1"):
        binner.inverse_transform(np.array([[0, 99]]))
    with pytest.raises(ValueError, match="shape"):
        binner.inverse_transform(np.array([[0, 1, 2]]))
    with pytest.raises(ValueError, match="integers"):
        binner.inverse_transform(np.array([[0.5, 1]]))


def test_fit_does_not_mutate_input():
    X = _mixed_frame()
    before = X.copy()
    SymbolicBinner(random_state=0).fit(X).transform(X)
    pd.testing.assert_frame_equal(X, before)


def test_tokens_and_sentences():
    binner = SymbolicBinner(value_protection=False, n_bins=3, random_state=0).fit(X_SMALL)
    S = binner.transform(X_SMALL)
    tokens = binner.to_tokens(S)
    assert tokens.min() >= 2 and tokens.max() < binner.n_tokens_
    np.testing.assert_array_equal(binner.from_tokens(tokens), S)
    assert binner.render_sentences(S)[0] == "a b"
    named = binner.render_sentences(S[:1], with_names=True)
    assert named == ["x0=a x1=b"]
    paper = SymbolicBinner(value_protection=False).fit(np.arange(100.0)[:, None])
    words = paper.render_sentences(paper.transform(np.array([[0.0], [99.0]])))
    assert words == ["a", "w1"]  # the paper's 49 symbols run a..z, a1..w1


def test_set_output_pandas_and_feature_names():
    X = _mixed_frame()
    binner = SymbolicBinner(n_bins=5).set_output(transform="pandas").fit(X)
    out = binner.transform(X)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == list(X.columns)
    assert list(binner.get_feature_names_out()) == list(X.columns)
    # symbols given back as a DataFrame decode too
    assert binner.inverse_transform(out).shape == X.shape


def test_object_array_with_strings_and_numbers():
    X = np.array([["tcp", 1.5], ["udp", 2.5], ["tcp", None]], dtype=object)
    binner = SymbolicBinner(value_protection=False).fit(X)
    assert list(binner.column_kinds_) == ["categorical", "exact"]
    out = binner.inverse_transform(binner.transform(X))
    assert out.dtype == object
    assert list(out[:, 0]) == ["tcp", "udp", "tcp"]
    assert out[2, 1] is np.nan or np.isnan(out[2, 1])


def test_pickle_round_trip():
    X = _mixed_frame()
    binner = SymbolicBinner(n_bins=7, random_state=0).fit(X)
    restored = pickle.loads(pickle.dumps(binner))
    S = binner.transform(X)
    np.testing.assert_array_equal(restored.transform(X), S)
    pd.testing.assert_frame_equal(
        restored.inverse_transform(S, random_state=0), binner.inverse_transform(S, random_state=0)
    )


def test_paper_flow_features(flows_paper):
    """On the CIC-IDS2017 sample: every value stays in its bin, per-value columns
    come back exactly and empirical decoding keeps every column's distribution."""
    X, _ = flows_paper
    binner = SymbolicBinner(value_protection=False, random_state=0).fit(X)
    S = binner.transform(X)
    out = binner.inverse_transform(S)
    np.testing.assert_array_equal(binner.transform(out), S)
    assert list(out.dtypes) == list(X.dtypes)
    for j, column in enumerate(X.columns):
        if binner.column_kinds_[j] == "exact":
            pd.testing.assert_series_equal(out[column], X[column])
        assert ks_2samp(X[column], out[column]).statistic < 0.01, column


# --- properties -------------------------------------------------------------

_floats = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@st.composite
def _tables(draw):
    n_rows = draw(st.integers(1, 40))
    n_cols = draw(st.integers(1, 4))
    columns = {}
    for j in range(n_cols):
        kind = draw(st.sampled_from(["float", "int", "cat", "bool"]))
        if kind == "float":
            values = draw(hnp.arrays(np.float64, n_rows, elements=_floats))
            nan_mask = draw(hnp.arrays(np.bool_, n_rows))
            values = np.where(nan_mask & (draw(st.booleans())), np.nan, values)
        elif kind == "int":
            values = draw(hnp.arrays(np.int64, n_rows, elements=st.integers(-1000, 1000)))
        elif kind == "cat":
            values = np.array(
                draw(st.lists(st.sampled_from(["x", "y", "zé", None]), min_size=n_rows, max_size=n_rows)),
                dtype=object,
            )
        else:
            values = draw(hnp.arrays(np.bool_, n_rows))
        columns[f"c{j}_{kind}"] = values
    return pd.DataFrame(columns)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    X=_tables(),
    n_bins=st.integers(2, 12),
    decode=st.sampled_from(["empirical", "uniform", "midpoint"]),
    bins=st.sampled_from(["per_column", "shared"]),
)
def test_property_round_trip(X, n_bins, decode, bins):
    before = X.copy()
    binner = SymbolicBinner(value_protection=False, n_bins=n_bins, decode=decode, bins=bins, random_state=0).fit(X)
    pd.testing.assert_frame_equal(X, before)  # never mutates the caller's data
    S = binner.transform(X)
    assert S.shape == X.shape
    np.testing.assert_array_equal(binner.transform(X), S)  # deterministic
    assert ((S >= 0) & (S < binner.vocabulary_sizes_)).all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # decoded values are never out of range
        out = binner.inverse_transform(S)
        np.testing.assert_array_equal(binner.transform(out), S)  # every value in its bin
    assert list(out.columns) == list(X.columns)
    for j, column in enumerate(X.columns):
        pd.testing.assert_series_equal(out[column].isna(), X[column].isna(), check_names=False)
        if binner.column_kinds_[j] != "continuous":  # exact values come back exactly
            present = X[column].notna()
            pd.testing.assert_series_equal(out[column][present], X[column][present])
    assert list(out.dtypes) == list(X.dtypes)


def test_datetime_and_duration_columns_round_trip():
    X = pd.DataFrame({
        "t": pd.to_datetime(np.arange(200) * 3600, unit="s"),
        "tz": pd.date_range("2020-03-28", periods=200, freq="h", tz="Europe/Berlin"),
        "d": pd.to_timedelta(np.arange(200) % 5, unit="s"),
    })
    X.loc[5, "t"] = pd.NaT
    binner = SymbolicBinner(n_bins=7, random_state=0).fit(X)
    assert list(binner.column_kinds_) == ["continuous", "continuous", "exact"]
    S = binner.transform(X)
    decoded = binner.inverse_transform(S, random_state=0)
    assert list(decoded.dtypes) == list(X.dtypes)
    assert decoded["t"].isna().tolist() == X["t"].isna().tolist()
    np.testing.assert_array_equal(binner.transform(decoded), S)
    assert decoded["t"].min() >= X["t"].min() and decoded["tz"].max() <= X["tz"].max()


# ------------------------------------------------------------------ sub-bins
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=hnp.arrays(np.float64, st.integers(30, 120),
                      elements=st.floats(-1e3, 1e3, allow_nan=False, width=32)),
    integer=st.booleans(),
    protect=st.booleans(),
    n_sub_bins=st.integers(1, 12),
)
def test_sub_bins_round_trip_and_stay_in_the_mask(values, integer, protect, n_sub_bins):
    # decoding inside a value's slice gives back its bin and its slice, the
    # slice is always one the mask allows, and a slice is no larger than its bin
    if integer:
        values = np.round(values)
    X = values[:, None]
    binner = SymbolicBinner(n_bins=6, value_protection=protect, random_state=0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OutOfRangeWarning)
        S = binner.transform(X)
        sub = binner.sub_bins(X, n_sub_bins)
    mask = binner.sub_bin_mask(n_sub_bins)
    tokens = binner.to_tokens(S)[:, 0]
    binned = sub[:, 0] >= 0
    assert mask[tokens[binned], sub[binned, 0]].all()
    assert not mask[tokens[~binned]].any()
    decoded = binner.inverse_transform(S, random_state=1, sub_bins=sub, n_sub_bins=n_sub_bins)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OutOfRangeWarning)
        np.testing.assert_array_equal(binner.transform(decoded), S)
        np.testing.assert_array_equal(binner.sub_bins(decoded, n_sub_bins), sub)
    whole = binner.log_cell_volume(S)
    sliced = binner.log_cell_volume(S, sub_bins=sub, n_sub_bins=n_sub_bins)
    assert (sliced <= whole + 1e-9).all()


def test_sub_bins_hold_equal_shares_of_the_training_rows():
    rng = np.random.RandomState(0)
    X = rng.lognormal(2, 1, size=(4000, 1))
    binner = SymbolicBinner(n_bins=4, value_protection=False, random_state=0).fit(X)
    sub = binner.sub_bins(X, 10)[:, 0]
    counts = np.bincount(sub, minlength=10)
    assert counts.min() > 0.8 * counts.mean() and counts.max() < 1.2 * counts.mean()


def test_decoding_in_a_slice_draws_only_inside_it():
    X = np.linspace(0, 100, 1001)[:, None]
    binner = SymbolicBinner(n_bins=2, value_protection=False, random_state=0).fit(X)
    S = np.zeros((500, 1), dtype=np.int64)  # the first bin, [0, 50)
    top = binner.inverse_transform(S, random_state=0, sub_bins=np.full((500, 1), 9),
                                   n_sub_bins=10)
    bottom = binner.inverse_transform(S, random_state=0, sub_bins=np.full((500, 1), 0),
                                      n_sub_bins=10)
    assert top.min() >= 44.9 and top.max() <= 50.0
    assert bottom.min() >= 0.0 and bottom.max() <= 5.1
    # -1 draws anywhere in the bin, exactly as without slices
    free = binner.inverse_transform(S, random_state=0, sub_bins=np.full((500, 1), -1),
                                    n_sub_bins=10)
    np.testing.assert_array_equal(free, binner.inverse_transform(S, random_state=0))


def test_a_bin_of_few_whole_numbers_masks_its_empty_slices():
    X = np.repeat([[1], [2], [3]], 20, axis=0).astype(float)
    X = np.vstack([X, [[10], [11], [12], [13]]])
    binner = SymbolicBinner(n_bins=2, max_distinct=2, value_protection=False,
                            random_state=0).fit(X)
    mask = binner.sub_bin_mask(10)
    assert mask.any(axis=1).sum() >= 1
    # no slice of a bin holds more whole numbers than the bin has
    assert (mask.sum(axis=1) <= 10).all()
    sub = binner.sub_bins(X, 10)
    tokens = binner.to_tokens(binner.transform(X))
    binned = sub >= 0
    assert mask[tokens[binned], sub[binned]].all()


def test_sub_bin_arguments_are_checked():
    binner = SymbolicBinner(n_bins=4, random_state=0).fit(_mixed_frame())
    X = _mixed_frame(20, seed=1)
    S = binner.transform(X)
    with pytest.raises(ValueError, match="n_sub_bins must be an int >= 1"):
        binner.sub_bins(X, 0)
    with pytest.raises(ValueError, match="shape"):
        binner.inverse_transform(S, sub_bins=np.zeros((3, 2), dtype=int), n_sub_bins=4)
    with pytest.raises(ValueError, match="-1 .. 3"):
        binner.inverse_transform(S, sub_bins=np.full(S.shape, 4), n_sub_bins=4)
    uniform = SymbolicBinner(n_bins=4, decode="uniform", random_state=0).fit(_mixed_frame())
    with pytest.raises(ValueError, match="decode='empirical'"):
        uniform.inverse_transform(S, sub_bins=np.zeros(S.shape, dtype=int), n_sub_bins=4)
