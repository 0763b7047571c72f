"""GenerativeImputer: a scikit-learn transformer around a generator's impute."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from sklearn_synth.generators import DummySynthesizer, SequenceLMSynthesizer
from sklearn_synth.impute import GenerativeImputer
from sklearn_synth.utils import load_model
from tests._estimators import TINY_LM, mixed_table


def _holes(X, seed=0):
    holes = X.copy()
    hidden = np.random.RandomState(seed).rand(*X.shape) < 0.25
    for j, column in enumerate(X.columns):
        holes[column] = holes[column].astype(object).mask(hidden[:, j])
    return holes.astype({"duration": float, "port": float}), hidden


@pytest.fixture(scope="module")
def fitted():
    X, y = mixed_table(200)
    imputer = GenerativeImputer(SequenceLMSynthesizer(**TINY_LM), n_draws=4, random_state=0)
    return imputer.fit(X), X, y


def test_transform_fills_holes_and_is_repeatable(fitted):
    imputer, X, _ = fitted
    holes, hidden = _holes(X)
    out = imputer.transform(holes)
    assert not out.isna().any().any()
    assert list(out.columns) == list(X.columns)
    pd.testing.assert_frame_equal(out, imputer.transform(holes))
    assert (out["proto"].to_numpy()[~hidden[:, 2]] == X["proto"].to_numpy()[~hidden[:, 2]]).all()


def test_fit_transform_matches_fit_then_transform(fitted):
    imputer, X, _ = fitted
    holes, _ = _holes(X, seed=1)
    again = GenerativeImputer(SequenceLMSynthesizer(**TINY_LM), n_draws=4, random_state=0)
    pd.testing.assert_frame_equal(again.fit(X).transform(holes), imputer.transform(holes))


def test_feature_names_and_set_output_in_a_pipeline():
    rng = np.random.RandomState(0)
    X = rng.randn(120, 3)
    y = (X[:, 0] > 0).astype(int)
    X_holes = X.copy()
    X_holes[rng.rand(*X.shape) < 0.2] = np.nan
    imputer = GenerativeImputer(SequenceLMSynthesizer(**TINY_LM), random_state=0)
    assert isinstance(imputer.fit_transform(X_holes), np.ndarray)
    assert list(imputer.get_feature_names_out()) == ["x0", "x1", "x2"]
    imputer.set_output(transform="pandas")
    frame = imputer.fit_transform(X_holes)
    assert isinstance(frame, pd.DataFrame) and list(frame.columns) == ["x0", "x1", "x2"]
    pipe = make_pipeline(GenerativeImputer(SequenceLMSynthesizer(**TINY_LM), random_state=0),
                         LogisticRegression()).fit(X_holes, y)
    assert pipe.score(X_holes, y) > 0.6


def test_default_generator_parameters_are_searchable():
    imputer = GenerativeImputer().set_params(generator__max_epochs=3)
    assert isinstance(imputer.generator, SequenceLMSynthesizer)
    assert imputer.generator.max_epochs == 3


def test_a_generator_without_impute_is_refused():
    X, _ = mixed_table()
    with pytest.raises(ValueError, match="generator"):
        GenerativeImputer(DummySynthesizer()).fit(X)


def test_save_and_load_gives_the_same_completions(fitted, tmp_path):
    imputer, X, _ = fitted
    holes, _ = _holes(X, seed=2)
    path = imputer.save(tmp_path / "imputer.safetensors")
    loaded = load_model(path)
    pd.testing.assert_frame_equal(loaded.transform(holes), imputer.transform(holes))
