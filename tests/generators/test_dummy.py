import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV

from sklearn_synth.generators import DummySynthesizer


def _correlated(n=400, seed=0):
    rng = np.random.RandomState(seed)
    a = rng.normal(size=n)
    return pd.DataFrame({"a": a, "b": a + rng.normal(scale=0.05, size=n)})


def test_independent_keeps_marginals_but_not_correlation():
    X = _correlated()
    out = DummySynthesizer(random_state=0).fit(X).sample(4000)
    assert abs(out["a"].mean() - X["a"].mean()) < 0.1
    assert abs(out["a"].std() - X["a"].std()) < 0.1
    assert X.corr().iloc[0, 1] > 0.99 and abs(out.corr().iloc[0, 1]) < 0.1


def test_bootstrap_copies_training_rows():
    X = _correlated()
    out = DummySynthesizer("bootstrap", random_state=0).fit(X).sample(100)
    merged = out.merge(X, on=["a", "b"], how="left", indicator=True)
    assert (merged["_merge"] == "both").all()


@pytest.mark.parametrize("strategy", ["independent", "bootstrap"])
def test_class_conditional_rows_follow_their_class(strategy):
    rng = np.random.RandomState(0)
    y = np.repeat(["low", "high"], 200)
    X = pd.DataFrame({"v": np.where(y == "low", rng.normal(0, 1, 400), rng.normal(50, 1, 400))})
    gen = DummySynthesizer(strategy, random_state=0).fit(X, y)
    Xs, ys = gen.sample_labeled(y=np.array(["high"] * 50 + ["low"] * 50))
    # bins are shared by the classes, so a bin that straddles the gap between
    # them may decode a few rows to the other cluster
    assert (Xs["v"][ys == "high"] > 40).mean() > 0.9 and (Xs["v"][ys == "low"] < 10).mean() > 0.9
    _, ys = gen.sample_labeled(2000, random_state=0)
    assert abs((ys == "low").mean() - 0.5) < 0.05


def test_score_prefers_real_rows_and_drives_grid_search():
    X = _correlated().assign(proto=np.where(np.arange(400) % 10 == 0, "udp", "tcp"))
    gen = DummySynthesizer(random_state=0).fit(X)
    rare = X.assign(proto="udp")
    assert gen.score(X) > gen.score(rare)
    np.testing.assert_allclose(
        gen.score_samples(rare) - gen.score_samples(X.assign(proto="tcp")), np.log(41 / 361)
    )
    X = X.drop(columns="proto")
    search = GridSearchCV(DummySynthesizer(random_state=0), {"n_bins": [3, 20]}, cv=3).fit(X)
    assert search.best_params_["n_bins"] in (3, 20)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_invalid_parameters():
    with pytest.raises(ValueError, match="strategy"):
        DummySynthesizer("copula").fit(_correlated())
    with pytest.raises(TypeError, match="n_samples"):
        DummySynthesizer().fit(_correlated()).sample(2.5)
    with pytest.raises(ValueError, match="missing labels"):
        DummySynthesizer().fit(_correlated(4), np.array(["a", None, "b", "a"], dtype=object))
