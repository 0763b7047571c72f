"""Property-based tests: every public estimator, sampler and scorer on the
tables users really pass. Each case either works, with the promised shape,
columns and dtypes, or raises the documented error (ValueError or
TypeError) whose message names the column and the problem. An oracle below
says which, from the table alone."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sklearn_synth.exceptions import OutOfRangeWarning, UnknownCategoryWarning
from sklearn_synth.generators import (
    DummySynthesizer,
    SenseGenSynthesizer,
    SequenceLMSynthesizer,
)
from sklearn_synth.metrics import inlier_rate, mia_advantage, tstr_score
from sklearn_synth.over_sampling import GenerativeOverSampler
from sklearn_synth.preprocessing import SymbolicBinner
from sklearn_synth.privacy import (
    CycleGANPrivacyTransformer,
    PrivacyDomainResampler,
    PrivacyValuator,
)
from tests._estimators import TINY_GAN, TINY_LM, TINY_SENSEGEN
from tests.reliability._tables import tables

# Generating degenerate tables is the point: silence the health checks about it.
QUICK = settings(suppress_health_check=list(HealthCheck), deadline=None)
# each case trains a (tiny) network: a third of the profile's cases
TORCH = settings(QUICK, max_examples=max(10, settings.default.max_examples // 3))

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning", "ignore:.*privacy domain empty"
)


def expected_error(X, min_rows=1):
    """(error class, regex) that fitting on ``X`` must raise, or None."""
    if len(X) == 0:
        return ValueError, "0 rows"
    for name in X.columns:
        if pd.api.types.is_float_dtype(X[name]) and np.isinf(X[name]).any():
            return ValueError, f"column {re.escape(repr(name))} contains infinity"
    if len(X) < min_rows:
        return ValueError, f"at least {min_rows} rows"
    return None


def check_same_layout(out, X, n_rows):
    """Same columns and dtypes as ``X``, ``n_rows`` rows, and no missing value
    in a column that had none."""
    assert list(out.columns) == list(X.columns)
    for name in X.columns:
        if isinstance(X[name].dtype, pd.CategoricalDtype):
            # value protection declares only the kept categories, plus the rare marker
            kept = set(out[name].cat.categories) - {"_RARE_"}
            assert kept <= set(X[name].cat.categories), name
            assert out[name].cat.ordered == X[name].cat.ordered
        else:
            assert out[name].dtype == X[name].dtype, name
    assert len(out) == n_rows
    assert isinstance(out.index, pd.RangeIndex)
    for name in X.columns:
        if X[name].notna().all():
            assert out[name].notna().all(), name


def run_or_expect(error, action):
    if error is None:
        return action()
    with pytest.raises(error[0], match=error[1]):
        action()
    return None


@QUICK
@given(tables())
def test_symbolic_binner(table):
    X, _ = table
    before = X.copy()
    binner = SymbolicBinner(n_bins=5, random_state=0)
    if run_or_expect(expected_error(X), lambda: binner.fit(X)) is None:
        return
    pd.testing.assert_frame_equal(X, before)  # the caller's table is untouched
    S = binner.transform(X)
    assert S.shape == X.shape and S.dtype.kind == "i"
    decoded = binner.inverse_transform(S, random_state=0)
    check_same_layout(decoded, X, len(X))
    np.testing.assert_array_equal(binner.transform(decoded), S)


@QUICK
@given(tables(min_rows=2, kinds=("float", "int", "category", "string", "bool")), st.data())
def test_symbolic_binner_at_transform_time(table, data):
    X, kinds = table
    binner = SymbolicBinner(n_bins=5, random_state=0)
    if expected_error(X) is not None:
        return
    binner.fit(X)
    if X.shape[1] > 1:  # columns in another order: refused, naming the columns
        with pytest.raises(ValueError, match="same order|should match"):
            binner.transform(X[list(reversed(X.columns))])
    extra = pd.DataFrame({99 if isinstance(X.columns[0], (int, np.integer)) else "extra": np.ones(len(X))})
    with pytest.raises(ValueError, match="feature|columns must be"):  # a column missing or added
        binner.transform(X.iloc[:, :-1] if X.shape[1] > 1 else pd.concat([X, extra], axis=1))
    # unseen categories and values: a warning and the unknown/nearest symbol, never a crash
    changed = X.copy()
    name = data.draw(st.sampled_from(list(X.columns)))
    if kinds[name] in ("category", "string"):
        changed[name] = changed[name].astype(object)
        changed.loc[0, name] = "never-seen"
        if isinstance(X[name].dtype, pd.CategoricalDtype):
            changed[name] = pd.Categorical(changed[name])
        j = list(X.columns).index(name)
        if binner.n_symbols_[j] > len(binner.categories_[j]):
            # value protection: the column's shared rare (or identifier) symbol takes it
            S = binner.transform(changed)
            assert S[0, j] == binner.n_symbols_[j] - 1
        else:
            with pytest.warns(UnknownCategoryWarning, match=re.escape(repr(name))):
                S = binner.transform(changed)
            assert S[0, j] == binner.n_symbols_[j] + 1
    elif kinds[name] in ("float", "int") and np.isfinite(X[name]).all():
        changed[name] = changed[name].astype(float)
        changed.loc[0, name] = float(np.nanmax(np.abs(X[name]))) * 4 + 1e6
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", OutOfRangeWarning)
            S = binner.transform(changed)
        assert S.shape == X.shape


@pytest.mark.parametrize("make", [
    pytest.param(lambda: DummySynthesizer(random_state=0), id="DummySynthesizer"),
    pytest.param(lambda: DummySynthesizer(strategy="bootstrap", random_state=0), id="bootstrap"),
])
@QUICK
@given(table=tables())
def test_baseline_generators(make, table):
    _check_generator(make(), table[0], min_rows=1)


@TORCH
@given(table=tables())
def test_sequence_lm(table):
    gen = SequenceLMSynthesizer(random_state=0, **{**TINY_LM, "max_epochs": 1})
    _check_generator(gen, table[0], min_rows=2)


def _check_generator(gen, X, min_rows):
    if run_or_expect(expected_error(X, min_rows), lambda: gen.fit(X)) is None:
        return
    check_same_layout(gen.sample(7, random_state=0), X, 7)
    check_same_layout(gen.sample(0, random_state=0), X, 0)
    if X.isna().sum().sum() == 0 or not isinstance(gen, DummySynthesizer) or gen.strategy != "bootstrap":
        scores = gen.score_samples(X)
        assert scores.shape == (len(X),) and not np.isnan(scores).any()


@TORCH
@given(table=tables(min_rows=4), seed=st.integers(0, 3))
def test_over_sampler(table, seed):
    X, _ = table
    y = np.where(np.arange(len(X)) % 3 == seed % 3, "rare", "common")
    sampler = GenerativeOverSampler(generator=DummySynthesizer(), min_class_size=2, random_state=0)
    error = expected_error(X)
    n_rare = int((y == "rare").sum())
    if error is None and 0 < n_rare < 2 and n_rare < len(y) - n_rare:
        error = (ValueError, "min_class_size=2")
    result = run_or_expect(error, lambda: sampler.fit_resample(X, y))
    if result is None:
        return
    X_res, y_res = result
    counts = pd.Series(y_res).value_counts()
    assert counts.nunique() == 1  # every class grown to the majority count
    check_same_layout(X_res, X, len(y_res))
    pd.testing.assert_frame_equal(X_res.iloc[: len(X)], X.reset_index(drop=True),
                                  check_dtype=True)
    np.testing.assert_array_equal(y_res[: len(y)], y)


@QUICK
@given(table=tables(min_rows=1))
def test_scorers(table):
    X, _ = table
    y = np.arange(len(X)) % 2
    gen = DummySynthesizer(random_state=0)
    if run_or_expect(expected_error(X), lambda: gen.fit(X, y)) is None:
        return
    rate = inlier_rate(gen, X)
    assert 0.0 <= rate <= 1.0
    assert 0.0 <= mia_advantage(gen, X) <= 1.0  # 1 - advantage
    if len(X) >= 4:
        assert np.isfinite(tstr_score(gen, X, y))


# ---------------------------------------------------------------- numeric input
_CELLS = st.one_of(
    st.floats(-1e3, 1e3, allow_nan=False),
    st.sampled_from([0.0, 1e300, -1e300, 1e-300]),
)


@st.composite
def numeric_data(draw, max_rows=40):
    """A float matrix (maybe with NaN/inf cells and constant columns) and labels."""
    n = draw(st.integers(0, max_rows))
    d = draw(st.integers(1, 3))
    X = draw(arrays(np.float64, (n, d), elements=_CELLS))
    if n and draw(st.booleans()):
        X[:, draw(st.integers(0, d - 1))] = draw(_CELLS)  # a constant column
    if n and draw(st.integers(0, 4)) == 0:
        X[draw(st.integers(0, n - 1)), draw(st.integers(0, d - 1))] = draw(
            st.sampled_from([np.nan, np.inf, -np.inf]))
    y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)), dtype=int)
    return X, y


def expected_numeric_error(X, y, min_rows):
    if len(X) == 0:
        return ValueError, "0 sample"
    if not np.isfinite(X).all():
        return ValueError, "(NaN|infinity|not finite)"
    if np.unique(y).size < 2:
        return ValueError, "at least two classes"
    if len(X) < min_rows:
        return ValueError, f"at least {min_rows} samples"
    if np.bincount(y).min() < 2:
        return ValueError, "at least 2 samples of every class"
    return None


def _valuator():
    from sklearn.linear_model import LogisticRegression

    return PrivacyValuator(LogisticRegression(max_iter=50), n_models=2, reference_fraction=0.25,
                           random_state=0)


@QUICK
@given(numeric_data())
def test_privacy_valuator(data):
    X, y = data
    valuator = _valuator()
    if run_or_expect(expected_numeric_error(X, y, 8), lambda: valuator.fit(X, y)) is None:
        return
    assert valuator.privacy_scores_.shape == (len(X),)
    assert np.isfinite(valuator.privacy_scores_).all()
    assert set(valuator.privacy_levels_) <= {"safe", "vague", "risky"}


@TORCH
@given(numeric_data())
def test_cyclegan_transformer_and_resampler(data):
    X, y = data
    gan = CycleGANPrivacyTransformer(**{**TINY_GAN, "valuator": _valuator(),
                                        "fake_generator": DummySynthesizer()})
    if run_or_expect(expected_numeric_error(X, y, 8), lambda: gan.fit(X, y)) is None:
        return
    moved = gan.transform(X)
    assert moved.shape == X.shape and np.isfinite(moved).all()
    fakes, labels = gan.sample_labeled(5, random_state=0)
    assert fakes.shape == (5, X.shape[1]) and np.isfinite(fakes).all()
    resampler = PrivacyDomainResampler(gan, fake_ratio=0.5, random_state=0)
    X_res, y_res = resampler.fit_resample(X, y)
    n_fake = int(round(0.5 * len(y)))
    assert X_res.shape == (len(y) + n_fake, X.shape[1]) and np.isfinite(X_res).all()
    np.testing.assert_array_equal(y_res[: len(y)], y)


@st.composite
def series_data(draw):
    n = draw(st.integers(0, 5))
    length = draw(st.integers(1, 12))
    channels = draw(st.integers(1, 2))
    Z = draw(arrays(np.float64, (n, length, channels), elements=_CELLS))
    if n and draw(st.integers(0, 4)) == 0:
        Z[0, draw(st.integers(0, length - 1)), 0] = draw(st.sampled_from([np.nan, np.inf]))
    return Z


@TORCH
@given(series_data())
def test_sensegen(Z):
    gen = SenseGenSynthesizer(random_state=0, **{**TINY_SENSEGEN, "max_epochs": 1})
    error = None
    if Z.shape[0] == 0:
        error = (ValueError, "0 sample|0 series|empty")
    elif Z.shape[1] < 2:
        error = (ValueError, "needs at least 2 per series")
    elif not np.isfinite(Z).all():
        error = (ValueError, r"series \d+, channel \d+ holds (nan|inf)")
    else:
        stacked = Z.reshape(-1, Z.shape[2])
        size = np.max(np.abs(stacked), axis=0)
        spread = np.std(stacked / np.where(size > 0, size, 1), axis=0) * size
        if (spread <= 1e-12 * np.maximum(1.0, np.abs(stacked.mean(axis=0)))).any():
            error = (ValueError, r"channel \d+ is constant")
    if run_or_expect(error, lambda: gen.fit(Z)) is None:
        return
    out = gen.sample(3, random_state=0)
    assert out.shape == (3, Z.shape[1], Z.shape[2]) and np.isfinite(out).all()
    assert np.isfinite(gen.score_samples(Z)).all()
