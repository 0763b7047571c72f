"""Conditioning SequenceLMSynthesizer on any columns, and imputing missing cells."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sklearn_synth.exceptions import OutOfRangeWarning
from sklearn_synth.generators import SequenceLMSynthesizer

TINY = {"embedding_dim": 16, "hidden_size": 16, "batch_size": 64, "min_class_rows": 0}


def _flows(n=600, seed=0):
    """proto decides the port, the port decides the size: every column is a
    function of the one before it, so conditioning on a later column says
    everything about the earlier ones."""
    rng = np.random.RandomState(seed)
    proto = rng.choice(["tcp", "udp"], n)
    port = np.where(proto == "udp", 53, rng.choice([80, 443], n))
    size = np.where(port == 53, rng.uniform(50, 100, n), rng.uniform(1000, 2000, n))
    return pd.DataFrame({"proto": proto, "port": port, "size": size})


@pytest.fixture(scope="module")
def trained():
    X = _flows()
    gen = SequenceLMSynthesizer(max_epochs=40, lr=1e-2, validation_fraction=0, patience=40,
                                random_state=0, **TINY).fit(X)
    return gen, X


@pytest.fixture(scope="module")
def quick():
    X = _flows(200)
    return SequenceLMSynthesizer(max_epochs=2, random_state=0, **TINY).fit(X), X


def test_conditions_on_a_later_column_set_the_earlier_ones(trained):
    gen, _ = trained
    rows = gen.sample(300, conditions={"port": 53}, random_state=0)
    assert (rows["port"] == 53).all()
    assert (rows["proto"] == "udp").mean() > 0.9
    assert rows["size"].between(40, 110).mean() > 0.9
    rows = gen.sample(300, conditions={"size": 1500.0}, random_state=0)
    assert (rows["size"] == 1500.0).all()
    assert (rows["proto"] == "tcp").mean() > 0.9
    assert rows["port"].isin([80, 443]).mean() > 0.9


def test_given_cells_come_back_exactly_with_their_dtypes(trained):
    gen, X = trained
    conditions = pd.DataFrame({"size": [77.123456789, np.nan, 1234.5], "proto": [None, "tcp", None]})
    rows = gen.sample(3, conditions=conditions, random_state=0)
    assert list(rows.columns) == list(X.columns)
    assert rows.dtypes.to_dict() == X.dtypes.to_dict()
    assert rows["size"].iloc[0] == 77.123456789 and rows["size"].iloc[2] == 1234.5
    assert rows["proto"].iloc[1] == "tcp"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_subset_of_given_cells_is_kept(quick, data):
    gen, X = quick
    rows = data.draw(st.lists(st.integers(0, len(X) - 1), min_size=1, max_size=8))
    conditions = X.iloc[rows].reset_index(drop=True).astype(object)
    keep = np.array(data.draw(st.lists(st.lists(st.booleans(), min_size=3, max_size=3),
                                       min_size=len(rows), max_size=len(rows))))
    conditions = conditions.where(keep)
    out = gen.sample(len(rows), conditions=conditions, random_state=data.draw(st.integers(0, 99)))
    for j, column in enumerate(X.columns):
        expected = X[column].iloc[rows].to_numpy()[keep[:, j]]
        np.testing.assert_array_equal(out[column].to_numpy()[keep[:, j]], expected)
    assert not out.isna().any().any()


def test_a_row_with_every_cell_given_comes_back_unchanged(quick):
    gen, X = quick
    out = gen.sample(5, conditions=X.head(5), random_state=0)
    pd.testing.assert_frame_equal(out, X.head(5).reset_index(drop=True))


def test_a_single_conditions_row_is_repeated(quick):
    gen, _ = quick
    out = gen.sample(7, conditions=pd.DataFrame({"proto": ["udp"]}), random_state=0)
    assert len(out) == 7 and (out["proto"] == "udp").all()


def test_conditions_are_reproducible_and_do_not_touch_the_caller(quick):
    gen, _ = quick
    conditions = pd.DataFrame({"port": [53, 80, np.nan]})
    before = conditions.copy()
    a = gen.sample(3, conditions=conditions, random_state=3)
    b = gen.sample(3, conditions=conditions, random_state=3)
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(conditions, before)


@pytest.mark.parametrize("conditions, error, match", [
    ({"nope": 1}, ValueError, "'nope'.*not seen during fit"),
    ({"proto": "icmp"}, ValueError, "proto.*'icmp'.*never seen"),
    (pd.DataFrame({"proto": ["tcp", "udp"]}), ValueError, "2 rows but n_samples=3"),
    ({"proto": ["tcp", "udp"], "port": [53, 80, 443]}, ValueError, "different lengths"),
    (pd.DataFrame([["tcp", "udp"]] * 3, columns=["proto", "proto"]), ValueError,
     r"unique; \['proto'\] appear"),
])
def test_bad_conditions_are_refused_with_the_fix(quick, conditions, error, match):
    gen, _ = quick
    with pytest.raises(error, match=match):
        gen.sample(3, conditions=conditions)


def test_a_number_outside_the_learned_range_warns_with_the_range(quick):
    gen, _ = quick
    with pytest.warns(OutOfRangeWarning, match=r"size.*1e\+06.*far outside the range \["):
        out = gen.sample(2, conditions={"size": 1e6}, random_state=0)
    assert (out["size"] == 1e6).all()


def test_a_fixed_order_model_conditions_on_leading_columns_only():
    X = _flows(200)
    gen = SequenceLMSynthesizer(column_shuffle=0, max_epochs=1, random_state=0, **TINY).fit(X)
    assert (gen.sample(4, conditions={"proto": "udp"}, random_state=0)["proto"] == "udp").all()
    with pytest.raises(ValueError, match="column_shuffle=0.*first columns"):
        gen.sample(4, conditions={"size": 75.0})


def test_models_fitted_on_arrays_take_conditions_by_position():
    rng = np.random.RandomState(0)
    X = rng.randn(200, 3)
    gen = SequenceLMSynthesizer(max_epochs=1, random_state=0, **TINY).fit(X)
    out = gen.sample(4, conditions={2: 0.25}, random_state=0)
    assert isinstance(out, np.ndarray) and (out[:, 2] == 0.25).all()
    full = np.full((2, 3), np.nan)
    full[:, 0] = [0.1, -0.2]
    np.testing.assert_array_equal(gen.sample(2, conditions=full, random_state=0)[:, 0], [0.1, -0.2])
    with pytest.raises(ValueError, match="by position 0..2"):
        gen.sample(1, conditions={"a": 1.0})


@pytest.fixture(scope="module")
def labeled():
    X = _flows(600)
    y = np.where(X["proto"] == "udp", "dns", "web")
    gen = SequenceLMSynthesizer(max_epochs=30, lr=1e-2, validation_fraction=0, patience=30,
                                random_state=0, **TINY).fit(X.drop(columns="proto"), y)
    return gen


def test_the_class_is_drawn_given_the_cells(labeled):
    _, y = labeled.sample_labeled(200, conditions={"port": 53}, random_state=0)
    assert (y == "dns").mean() > 0.9
    X, _ = labeled.sample_labeled(200, conditions={"port": 80}, random_state=0)
    assert (X["port"] == 80).all()
    X = labeled.sample(200, conditions={"port": 443}, random_state=0)
    assert (X["size"] > 500).mean() > 0.9


def test_labels_and_conditions_together(labeled):
    X, y = labeled.sample_labeled(y=["web", "web", "dns"], conditions={"size": 1500.0},
                                  random_state=0)
    assert list(y) == ["web", "web", "dns"] and (X["size"] == 1500.0).all()
    with pytest.raises(ValueError, match="y has 3 labels but conditions give 2 rows"):
        labeled.sample_labeled(2, y=["web", "web", "dns"],
                               conditions=pd.DataFrame({"port": [80, 53]}))


def test_sample_chunks_streams_the_conditions(quick):
    gen, _ = quick
    conditions = pd.DataFrame({"port": [53] * 5 + [80] * 6})
    chunks = list(gen.sample_chunks(11, chunk_size=4, conditions=conditions, random_state=0))
    assert [len(c) for c in chunks] == [4, 4, 3]
    np.testing.assert_array_equal(pd.concat(chunks)["port"], conditions["port"])
    again = list(gen.sample_chunks(11, chunk_size=4, conditions=conditions, random_state=0))
    pd.testing.assert_frame_equal(pd.concat(chunks), pd.concat(again))


# ------------------------------------------------------------------ impute
def _with_holes(X, seed=0, share=1 / 3):
    holes = X.copy().astype({"port": float})
    mask = np.random.RandomState(seed).rand(*X.shape) < share
    for j, column in enumerate(X.columns):
        holes.loc[mask[:, j], column] = np.nan if column != "proto" else None
    return holes, mask


@pytest.mark.parametrize("strategy", ["draw", "expected"])
def test_impute_fills_every_hole_and_keeps_the_rest(trained, strategy):
    gen, X = trained
    holes, mask = _with_holes(X.head(60))
    before = holes.copy()
    out = gen.impute(holes, strategy=strategy, n_draws=5, random_state=0)
    pd.testing.assert_frame_equal(holes, before)  # the caller's table is untouched
    assert not out.isna().any().any()
    assert out.dtypes.to_dict() == X.dtypes.to_dict()
    for j, column in enumerate(X.columns):
        observed = ~mask[:, j]
        np.testing.assert_array_equal(out[column].to_numpy()[observed],
                                      X[column].head(60).to_numpy()[observed])
    # the dependence is learned, so the holes are mostly filled right
    assert (out["proto"] == X["proto"].head(60)).mean() > 0.85
    assert (out["port"] == X["port"].head(60))[mask[:, 1]].mean() > 0.6


def test_expected_imputation_averages_the_draws(trained):
    gen, _ = trained
    holes = pd.DataFrame({"proto": ["udp"] * 20, "port": [53.0] * 20, "size": [np.nan] * 20})
    # 50 copies of the 20 identical rows are the same 1,000 draws as 50 draws of each row
    draws = gen.impute(pd.concat([holes] * 50, ignore_index=True), strategy="draw",
                       random_state=0)["size"]
    expected = gen.impute(holes, strategy="expected", n_draws=50, random_state=0)["size"]
    assert expected.nunique() > 1 and draws.nunique() > 100
    assert expected.mean() == pytest.approx(draws.mean(), rel=1e-9)
    # per-value and categorical cells take the most frequent draw
    holes = pd.DataFrame({"proto": [None] * 20, "port": [53.0] * 20, "size": [75.0] * 20})
    assert (gen.impute(holes, strategy="expected", n_draws=25, random_state=0)["proto"]
            == "udp").all()


def test_impute_never_draws_a_missing_value():
    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.choice(["x", "y"], 300), "b": rng.randn(300)})
    X.loc[rng.rand(300) < 0.5, "b"] = np.nan  # half the training values are missing
    gen = SequenceLMSynthesizer(max_epochs=2, random_state=0, **TINY).fit(X)
    out = gen.impute(X, random_state=0)
    assert not out.isna().any().any()
    pd.testing.assert_series_equal(out["a"], X["a"])


def test_impute_checks_its_arguments(quick):
    gen, X = quick
    with pytest.raises(ValueError, match="strategy must be"):
        gen.impute(X, strategy="mean")
    with pytest.raises(ValueError, match="n_draws must be a positive int"):
        gen.impute(X, strategy="expected", n_draws=0)
    with pytest.raises(ValueError, match="missing:\n- size"):
        gen.impute(X.iloc[:, :2])
    bad = X.head(3).copy()
    bad.loc[0, "size"] = np.inf
    with pytest.raises(ValueError, match="size"):
        gen.impute(bad)


def test_score_samples_ignores_the_column_orders_of_training(quick):
    # the likelihood stays the one of the columns' own order: conditional
    # training must not make it depend on anything random
    gen, X = quick
    np.testing.assert_array_equal(gen.score_samples(X.head(20)), gen.score_samples(X.head(20)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isfinite(gen.score_samples(X)).all()


def test_a_file_from_before_conditioning_loads_as_the_fixed_order_model(tmp_path):
    """Files written before ``column_shuffle`` and the bins' place embedding hold
    neither: they load as fixed-order models with no place embedding, and sample
    as they did."""
    import torch

    from sklearn_synth.utils import load_model
    from tests.reliability._files import resign

    gen = SequenceLMSynthesizer(column_shuffle=0, max_epochs=1, random_state=0,
                                **TINY).fit(_flows(200))
    with torch.no_grad():
        gen.net_.module_.ordinal.zero_()  # what an old model amounts to
    path = gen.save(tmp_path / "new.safetensors")
    dropped = {}

    def drop_new_things(config):
        params = config["model"]["params"]
        params["dict"] = [[n, v] for n, v in params["dict"] if n != "column_shuffle"]
        for name, value in config["model"]["state"]["dict"]:
            if name == "net_":
                for key, ref in value["dict"]:
                    if key == "ordinal":
                        dropped["key"] = ref["array"]
                value["dict"] = [[k, v] for k, v in value["dict"] if k != "ordinal"]
        return config

    def drop_arrays(arrays):
        return {k: v for k, v in arrays.items() if k != dropped["key"]}

    old = load_model(resign(path, tmp_path / "old.safetensors", drop_new_things, drop_arrays))
    assert old.column_shuffle == 0
    pd.testing.assert_frame_equal(old.sample(5, random_state=1), gen.sample(5, random_state=1))
    np.testing.assert_allclose(old.score_samples(_flows(20)), gen.score_samples(_flows(20)))
