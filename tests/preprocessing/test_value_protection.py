"""Value protection: no rare value, extreme or identifier comes back, by default."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sklearn_synth.preprocessing import SymbolicBinner

ALPHABET = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def _conn_log(n=1000, seed=0):
    """A Zeek-like connection table with ids, rare categories, rare ports and extremes."""
    rng = np.random.RandomState(seed)
    uid = ["C" + "".join(rng.choice(ALPHABET, 17)) for _ in range(n)]
    service = rng.choice(["http", "dns", "ssl"], n).astype(object)
    service[:3] = ["irc", "irc", "gopher"]  # seen in 2 and 1 rows
    port = rng.choice([53, 80, 443], n).astype(np.int64)
    port[3:6] = [4444, 31337, 31337]
    proto = pd.Categorical(rng.choice(["tcp", "udp"], n), categories=["icmp", "tcp", "udp"])
    proto[6] = "icmp"
    duration = rng.lognormal(0, 2, n)
    flag = rng.rand(n) < 0.998
    return pd.DataFrame({"uid": uid, "service": service, "port": port, "proto": proto,
                         "duration": duration, "flag": flag})


def _rare_values(column, threshold=5):
    counts = pd.Series(column).value_counts()
    return set(counts.index[counts < threshold])


def _fit_decode(X, n=3000, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        binner = SymbolicBinner(random_state=0, **params).fit(X)
        S = binner.transform(X)
    rows = np.random.RandomState(1).randint(0, len(X), n)
    return binner, binner.inverse_transform(S[rows], random_state=0)


def test_defaults_hand_back_no_identifier_rare_value_or_extreme():
    X = _conn_log()
    binner, out = _fit_decode(X)
    assert list(binner.column_kinds_) == ["identifier", "categorical", "exact", "categorical",
                                          "continuous", "categorical"]
    # fresh identifiers: same prefix and length, unique, never a training id
    assert not set(out["uid"]) & set(X["uid"])
    assert out["uid"].is_unique
    assert out["uid"].str.len().eq(18).all() and out["uid"].str.startswith("C").all()
    # rare categories and rare exact values never come back
    for column in ["service", "port", "proto", "flag"]:
        assert not _rare_values(X[column]) & set(out[column]), column
    assert "_RARE_" in set(out["service"])  # the rare rows kept their share, as a marker
    assert set(out["port"]) <= {53, 80, 443}
    assert not out["flag"].eq(False).any()  # a rare boolean decodes to the frequent value
    # a declared categorical keeps only its frequent categories (plus the marker)
    assert list(out["proto"].cat.categories) == ["tcp", "udp", "_RARE_"]
    # numeric range: between the 5th to 7th smallest and largest training values
    values = np.sort(X["duration"].to_numpy())
    assert values[4] <= out["duration"].min() and out["duration"].max() <= values[-5]
    assert out["duration"].max() <= values[-5] and out["duration"].min() >= values[4]
    assert not set(out["duration"]) & (set(values[:4]) | set(values[-4:]))


def test_fitted_state_holds_no_rare_value():
    X = _conn_log()
    binner, _ = _fit_decode(X)
    held = set()
    for j, codec_values in enumerate(binner.categories_):
        held |= set(codec_values)
    for column in ["service", "port", "proto"]:
        assert not _rare_values(X[column]) & held
    # the in-bin tables and the edges are means of several values, not training values
    values = X["duration"].to_numpy()
    stored = binner.bin_edges_[4]
    assert np.isin(stored, values).sum() <= 2  # at most the k-th extremes
    assert binner.bin_edges_[4][0] > np.sort(values)[3]


def test_saved_model_holds_no_identifier_or_rare_category(tmp_path):
    X = _conn_log()
    binner, _ = _fit_decode(X)
    path = tmp_path / "binner.safetensors"
    binner.save(path)
    raw = path.read_bytes()
    for value in ["gopher", "irc", X["uid"][0], X["uid"][500]]:
        assert value.encode() not in raw
    assert b"http" in raw  # frequent categories are kept (the check above is meaningful)


def test_off_keeps_every_value():
    X = _conn_log()
    binner, out = _fit_decode(X.drop(columns="uid"), value_protection=False)
    assert {"irc", "gopher"} <= set(binner.categories_[0])
    assert 31337 in binner.categories_[1]
    assert binner.bin_edges_[3][[0, -1]].tolist() == [X["duration"].min(), X["duration"].max()]


def test_thresholds_are_drawn_per_column_and_reproducible():
    X = _conn_log()
    # a category seen in exactly 6 rows survives a threshold of 5 or 6, not 7
    service = X["service"].copy()
    service[10:16] = "ftp"
    kept = set()
    for seed in range(12):
        binner = SymbolicBinner(random_state=seed).fit(X.assign(service=service))
        kept.add("ftp" in set(binner.categories_[1]))
    assert kept == {True, False}
    a = SymbolicBinner(random_state=3).fit(X)
    b = SymbolicBinner(random_state=3).fit(X)
    np.testing.assert_array_equal(a.bin_edges_[4], b.bin_edges_[4])
    # rare_threshold moves the bounds
    strict = SymbolicBinner(rare_threshold=50, random_state=0).fit(X)
    assert set(strict.categories_[2]) == {53, 80, 443}
    assert strict.bin_edges_[4][-1] <= np.sort(X["duration"])[-50]


def test_short_identifiers_are_lengthened_beyond_every_training_value():
    ids = pd.DataFrame({"id": [f"f{i:04d}" for i in range(3000)], "v": np.arange(3000) % 7})
    binner, out = _fit_decode(ids)
    assert binner.column_kinds_[0] == "identifier"
    assert out["id"].str.len().min() > 5  # "f" + 4 digits leaves too few fresh values
    assert out["id"].str.startswith("f").all() and out["id"].is_unique
    assert not set(out["id"]) & set(ids["id"])


def test_protected_binner_round_trips_through_the_model_format(tmp_path):
    from sklearn_synth.utils import load_model

    X = _conn_log()
    binner, out = _fit_decode(X)
    binner.save(tmp_path / "b.safetensors")
    loaded = load_model(tmp_path / "b.safetensors")
    S = binner.transform(X.iloc[:200])
    pd.testing.assert_frame_equal(loaded.inverse_transform(S, random_state=4),
                                  binner.inverse_transform(S, random_state=4))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=hnp.arrays(np.float64, st.integers(1, 300),
                      elements=st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False)),
    decode=st.sampled_from(["empirical", "uniform", "midpoint"]),
    n_bins=st.integers(2, 60),
)
def test_property_no_value_beyond_the_kth_extreme_and_no_rare_float(values, decode, n_bins):
    X = values[:, None]
    binner, out = _fit_decode(X, n=500, decode=decode, n_bins=n_bins)
    out = out[:, 0]
    k = 5
    ordered = np.sort(values)
    low, high = ordered[min(k, values.size) - 1], ordered[max(values.size - k, 0)]
    if low <= high:
        assert out.min() >= low - 1e-9 * abs(low) and out.max() <= high + 1e-9 * abs(high)
    # a value seen in fewer than k rows comes back only as the k-th extreme (the clip
    # bound, which the clipped values then share) or by chance in a uniform draw
    rare = _rare_values(values) - {low, high}
    if decode != "uniform" and not np.all(values == np.round(values)):
        assert not rare & set(out)
