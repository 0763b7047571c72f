from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import Pipeline
from sklearn.base import BaseEstimator
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KernelDensity
from sklearn.tree import DecisionTreeClassifier

from sklearn_synth.generators import DummySynthesizer, SequenceLMSynthesizer
from sklearn_synth.over_sampling import GenerativeOverSampler

TINY_LM = dict(max_epochs=3, embedding_dim=8, hidden_size=8, n_bins=10, batch_size=64, min_class_rows=50)


@pytest.fixture
def separated():
    """Two classes far apart: a synthetic row's values tell which class it came from."""
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(0, 1, (90, 3)), rng.normal(100, 1, (10, 3))])
    y = np.array([0] * 90 + [1] * 10)
    return X, y


@pytest.fixture
def three_classes():
    return make_classification(
        n_samples=300, n_classes=3, n_informative=3, weights=[0.7, 0.2, 0.1], random_state=0
    )


@pytest.mark.parametrize(
    "strategy",
    ["auto", "minority", "not minority", "all", {1: 150, 2: 100}, lambda y: {2: 60}],
)
def test_counts_follow_imblearn_sampling_strategy(three_classes, strategy):
    X, y = three_classes
    expected = Counter(RandomOverSampler(sampling_strategy=strategy).fit_resample(X, y)[1])
    sampler = GenerativeOverSampler(generator=DummySynthesizer(), sampling_strategy=strategy, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res) == expected
    assert X_res.shape == (y_res.size, X.shape[1])


def test_float_strategy_binary(separated):
    X, y = separated
    _, y_res = GenerativeOverSampler(
        generator=DummySynthesizer(), sampling_strategy=0.5, random_state=0
    ).fit_resample(X, y)
    assert Counter(y_res) == {0: 90, 1: 45}


def test_original_rows_first_and_input_untouched(separated):
    X, y = separated
    X_copy, y_copy = X.copy(), y.copy()
    X_res, y_res = GenerativeOverSampler(generator=DummySynthesizer(), random_state=0).fit_resample(X, y)
    np.testing.assert_array_equal(X_res[: len(X)], X)
    np.testing.assert_array_equal(y_res[: len(y)], y)
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)


def test_synthetic_rows_are_conditioned_on_their_label(separated):
    X, y = separated
    generator = DummySynthesizer(strategy="bootstrap")
    X_res, y_res = GenerativeOverSampler(generator=generator, random_state=0).fit_resample(X, y)
    new_X, new_y = X_res[len(X):], y_res[len(y):]
    assert set(new_y) == {1} and new_y.size == 80
    # every synthetic minority row lies with the minority class, none with the majority
    assert np.all(new_X > 50)


def test_shared_generator_is_fitted_once_on_all_rows(three_classes):
    X, y = three_classes
    sampler = GenerativeOverSampler(generator=DummySynthesizer(), random_state=0)
    sampler.fit_resample(X, y)
    first, second = sampler.generators_[1], sampler.generators_[2]
    assert first is second
    assert list(first.classes_) == [0, 1, 2]


def test_per_class_accepts_unconditional_generators(separated):
    X, y = separated
    sampler = GenerativeOverSampler(generator=KernelDensity(bandwidth=0.5), per_class=True, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res) == {0: 90, 1: 90}
    assert np.all(X_res[len(X):] > 50)
    assert set(sampler.generators_) == {1}
    assert sampler.generators_[1] is not sampler.generator


def test_shared_mode_needs_sample_labeled(separated):
    X, y = separated
    with pytest.raises(TypeError, match="no sample_labeled.*per_class=True"):
        GenerativeOverSampler(generator=KernelDensity()).fit_resample(X, y)


def test_too_small_class_names_class_and_minimum():
    X = np.arange(40, dtype=float).reshape(20, 2)
    y = np.array(["benign"] * 17 + ["heartbleed"] * 3)
    with pytest.raises(ValueError, match=r"min_class_size=6.*'heartbleed' \(3 rows\)"):
        GenerativeOverSampler(generator=DummySynthesizer()).fit_resample(X, y)
    # a class left out of the strategy is not grown, so its size does not matter
    _, y_res = GenerativeOverSampler(
        generator=DummySynthesizer(), min_class_size=3, random_state=0
    ).fit_resample(X, y)
    assert Counter(y_res) == {"benign": 17, "heartbleed": 17}


def test_balanced_input_is_returned_as_is():
    X = np.arange(20, dtype=float).reshape(10, 2)
    y = np.array([0, 1] * 5)
    sampler = GenerativeOverSampler(generator=DummySynthesizer(), random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X)
    assert sampler.generators_ == {}


def test_reproducible_with_random_state_and_differs_across_seeds(three_classes):
    X, y = three_classes
    runs = [
        GenerativeOverSampler(generator=DummySynthesizer(), random_state=seed).fit_resample(X, y)[0]
        for seed in (3, 3, 4)
    ]
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.array_equal(runs[0], runs[2])


def test_generator_seed_is_not_overridden_when_set(three_classes):
    X, y = three_classes
    sampler = GenerativeOverSampler(generator=DummySynthesizer(random_state=11), random_state=0)
    sampler.fit_resample(X, y)
    assert sampler.generators_[1].random_state == 11
    unseeded = GenerativeOverSampler(generator=DummySynthesizer(), random_state=0)
    unseeded.fit_resample(X, y)
    assert isinstance(unseeded.generators_[1].random_state, int)
    assert unseeded.generator.random_state is None  # the parameter itself is left alone


@pytest.fixture
def mixed_table():
    rng = np.random.RandomState(0)
    n = 120
    label = np.array(["benign"] * 100 + ["attack"] * 20)
    X = pd.DataFrame(
        {
            "duration": np.where(label == "attack", rng.exponential(50, n), rng.exponential(1, n)),
            "packets": rng.poisson(5, n).astype("int64"),
            "protocol": pd.Categorical(rng.choice(["tcp", "udp"], n)),
            "flag": rng.choice(["S0", "SF", "REJ"], n).astype(object),
            "is_local": rng.rand(n) < 0.3,
        }
    )
    X.loc[::13, "duration"] = np.nan
    return X, pd.Series(label, name="label")


def test_mixed_dataframe_keeps_columns_and_dtypes(mixed_table):
    X, y = mixed_table
    sampler = GenerativeOverSampler(generator=SequenceLMSynthesizer(**TINY_LM, random_state=0), random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert isinstance(X_res, pd.DataFrame) and isinstance(y_res, pd.Series)
    assert list(X_res.columns) == list(X.columns)
    assert dict(X_res.dtypes) == dict(X.dtypes)
    assert y_res.name == "label"
    assert Counter(y_res) == {"benign": 100, "attack": 100}
    new = X_res.iloc[len(X):]
    assert set(new["flag"]) <= {"S0", "SF", "REJ"}
    assert set(new["protocol"].astype(str)) <= {"tcp", "udp"}
    pd.testing.assert_frame_equal(X_res.iloc[: len(X)], X)


def test_grid_search_over_sampler_and_generator_parameters(mixed_table):
    X, y = mixed_table
    X = X.assign(protocol=X["protocol"].cat.codes, flag=X["flag"].map({"S0": 0, "SF": 1, "REJ": 2}))
    X = X.fillna(0.0)
    pipe = Pipeline(
        [
            ("over", GenerativeOverSampler(generator=SequenceLMSynthesizer(**TINY_LM), random_state=0)),
            ("clf", DecisionTreeClassifier(random_state=0)),
        ]
    )
    search = GridSearchCV(
        pipe,
        {"over__generator__hidden_size": [4, 8], "over__sampling_strategy": ["auto", 0.5]},
        cv=2,
        scoring="f1_macro",
    )
    search.fit(X, y)
    assert set(search.cv_results_["param_over__generator__hidden_size"]) == {4, 8}
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert search.predict(X).shape == (len(X),)


def test_verbose_reports_fits_and_draws(separated, capsys):
    X, y = separated
    GenerativeOverSampler(generator=DummySynthesizer(), verbose=1, random_state=0).fit_resample(X, y)
    out = capsys.readouterr().out
    assert "fitted DummySynthesizer on 100 rows (all classes)" in out
    # twice the missing rows are drawn, then the neighbour filter keeps 80 of them
    assert "generated 160 rows of class 1" in out
    assert "160 of 160 generated rows passed the filter" in out
    GenerativeOverSampler(generator=DummySynthesizer(), filter_neighbors=None, verbose=1,
                          random_state=0).fit_resample(X, y)
    assert "generated 80 rows of class 1" in capsys.readouterr().out


def test_default_generator_is_the_sequence_language_model(separated):
    X, y = separated
    sampler = GenerativeOverSampler(sampling_strategy={1: 12}, min_class_size=5, random_state=0)
    sampler.set_params()  # the default is resolved in fit_resample, never in __init__
    assert sampler.generator is None
    pytest.importorskip("torch")
    X_res, y_res = sampler.fit_resample(X[::2], y[::2])
    assert isinstance(sampler.generators_[1], SequenceLMSynthesizer)
    assert Counter(y_res)[1] == 12


@settings(deadline=None, max_examples=30)
@given(
    counts=st.lists(st.integers(6, 40), min_size=2, max_size=4),
    per_class=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_resampling_invariants(counts, per_class, seed):
    """Whatever the class sizes: the original rows come first and unchanged, every class
    reaches the majority count, and synthetic rows only carry labels that were asked for."""
    rng = np.random.RandomState(seed)
    y = np.repeat(np.arange(len(counts)), counts)
    X = rng.normal(size=(y.size, 3)) + y[:, None] * 10
    generator = DummySynthesizer(strategy="bootstrap")
    X_res, y_res = GenerativeOverSampler(
        generator=generator, per_class=per_class, random_state=seed
    ).fit_resample(X, y)
    np.testing.assert_array_equal(X_res[: y.size], X)
    np.testing.assert_array_equal(y_res[: y.size], y)
    assert set(Counter(y_res).values()) == {max(counts)}
    grown = {k for k, n in enumerate(counts) if n < max(counts)}
    assert set(y_res[y.size:]) == grown
    # bootstrap rows of class k are rows of class k: the label matches the data
    np.testing.assert_array_equal(np.round(X_res[y.size:].mean(axis=1) / 10), y_res[y.size:])


def test_small_classes_keep_leaves_them_and_warns():
    X = np.arange(60, dtype=float).reshape(30, 2)
    y = np.array(["benign"] * 20 + ["dos"] * 7 + ["heartbleed"] * 3)
    sampler = GenerativeOverSampler(generator=DummySynthesizer(), small_classes="keep",
                                    random_state=0)
    with pytest.warns(UserWarning, match=r"left 'heartbleed' \(3 rows\) as they are"):
        _, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res) == {"benign": 20, "dos": 20, "heartbleed": 3}
    assert sampler.sampling_strategy_ == {"dos": 13, "heartbleed": 0}


def test_generator_parameters_are_settable_with_the_default_generator():
    from sklearn.base import clone

    sampler = clone(GenerativeOverSampler()).set_params(generator__max_epochs=3)
    assert isinstance(sampler.generator, SequenceLMSynthesizer)
    assert sampler.generator.max_epochs == 3
    assert GenerativeOverSampler(generator=DummySynthesizer()).set_params(
        generator__n_bins=5).generator.n_bins == 5
    with pytest.raises(ValueError, match="Invalid parameter 'bogus'"):
        GenerativeOverSampler().set_params(generator__bogus=1)


def test_grid_search_over_the_default_generator_with_a_class_too_small_in_some_folds():
    from sklearn.model_selection import StratifiedKFold

    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(0, 1, (60, 2)), rng.normal(5, 1, (8, 2))])
    y = np.array([0] * 60 + [1] * 8)  # 5 or 6 rows of class 1 per training fold
    pipe = Pipeline([("over", GenerativeOverSampler(small_classes="keep", random_state=0)),
                     ("clf", DecisionTreeClassifier(random_state=0))])
    tiny = {"over__generator__hidden_size": 4, "over__generator__embedding_dim": 4,
            "over__generator__n_bins": 5, "over__generator__min_class_rows": 0}
    pipe.set_params(**tiny)
    search = GridSearchCV(pipe, {"over__generator__max_epochs": [1, 2]},
                          cv=StratifiedKFold(3, shuffle=True, random_state=0),
                          error_score="raise")
    with pytest.warns(UserWarning, match="as they are"):
        search.fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


# ------------------------------------------------------- neighbour filter
class _HalfAstray(BaseEstimator):
    """Gives class 1 half of its rows in its corner, half anywhere."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y=None):
        return self

    def sample(self, n_samples=1, random_state=None):
        return self.sample_labeled(n_samples, y=1, random_state=random_state)[0]

    def sample_labeled(self, n_samples=1, *, y=None, random_state=None):
        rng = np.random.RandomState(random_state)
        rows = np.where(rng.rand(n_samples, 1) < 0.5, rng.normal(8.5, 0.3, (n_samples, 2)),
                        rng.uniform(0, 10, (n_samples, 2)))
        return rows, np.full(n_samples, y)


def _tiny_class_in_a_corner():
    rng = np.random.RandomState(0)
    X = np.vstack([rng.uniform(0, 10, (300, 2)), rng.normal(8.5, 0.3, (8, 2))])
    y = np.array([0] * 300 + [1] * 8)
    return X, y


def test_neighbor_filter_keeps_the_rows_of_a_tiny_class_in_its_region():
    from sklearn_synth.metrics import class_neighbor_score

    X, y = _tiny_class_in_a_corner()
    shares, rates = {}, {}
    for k in (None, 5):
        sampler = GenerativeOverSampler(generator=_HalfAstray(), filter_neighbors=k,
                                        random_state=0)
        X_res, y_res = sampler.fit_resample(X, y)
        assert Counter(y_res) == {0: 300, 1: 300}  # the counts hold either way
        new = slice(len(y), None)
        shares[k] = class_neighbor_score(X, y, X_res[new], y_res[new], n_neighbors=1)
        rates[k] = sampler.acceptance_rates_[1]
    assert shares[None] < 0.6 and shares[5] > 0.85
    assert rates[None] == 1.0 and 0.3 < rates[5] < 0.7


def test_neighbor_filter_fills_a_class_it_cannot_satisfy_with_its_best_rows(capsys):
    X, y = _tiny_class_in_a_corner()
    X[y == 1] += 20  # where the generator never goes: no row passes
    sampler = GenerativeOverSampler(generator=_HalfAstray(), random_state=0, verbose=1)
    X_res, y_res = sampler.fit_resample(X, y)
    assert Counter(y_res) == {0: 300, 1: 300}
    import re

    filled = re.search(r"(\d+) filled from the best rejected", capsys.readouterr().out)
    assert int(filled.group(1)) > 250
    assert sampler.acceptance_rates_[1] < 0.02


def test_neighbor_filter_is_reproducible_and_checked():
    X, y = _tiny_class_in_a_corner()
    a = GenerativeOverSampler(generator=_HalfAstray(), random_state=3)
    b = GenerativeOverSampler(generator=_HalfAstray(), random_state=3)
    np.testing.assert_array_equal(a.fit_resample(X, y)[0], b.fit_resample(X, y)[0])
    with pytest.raises(ValueError, match="filter_neighbors"):
        GenerativeOverSampler(generator=DummySynthesizer(), filter_neighbors=0).fit_resample(X, y)


def test_acceptance_rates_round_trip_through_the_safe_format(tmp_path):
    from sklearn_synth.utils import load_model

    X, y = _tiny_class_in_a_corner()
    sampler = GenerativeOverSampler(generator=DummySynthesizer(), random_state=0)
    sampler.fit_resample(X, np.where(y == 1, "rare", "common"))
    loaded = load_model(sampler.save(tmp_path / "over.safetensors"))
    assert loaded.acceptance_rates_ == sampler.acceptance_rates_
    assert set(loaded.acceptance_rates_) == {"rare"}
