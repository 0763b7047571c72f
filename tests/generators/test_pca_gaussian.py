import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import multivariate_normal
from sklearn.datasets import load_digits

from sklearn_synth.generators import PCAGaussianSynthesizer


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(3, 40), d=st.integers(1, 6),
       k=st.integers(1, 8))
def test_score_samples_is_the_exact_gaussian_density(seed, n, d, k):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, d) @ rng.randn(d, d) + rng.randn(d)
    gen = PCAGaussianSynthesizer(n_components=k).fit(X)
    U, lam, noise = gen.components_[0], gen.variances_[0], gen.noise_variances_[0]
    kept = lam > 0
    U = U[kept]
    cov = U.T @ np.diag(lam[kept]) @ U + noise * (np.eye(d) - U.T @ U)
    Z = rng.randn(5, d)
    expected = multivariate_normal(gen.means_[0], cov, allow_singular=False).logpdf(Z)
    np.testing.assert_allclose(gen.score_samples(Z), np.atleast_1d(expected), rtol=1e-6, atol=1e-6)


def test_classes_keep_their_own_mean_and_spread():
    X, y = load_digits(return_X_y=True)
    gen = PCAGaussianSynthesizer(n_components=16, random_state=0).fit(X, y)
    for digit in (0, 7):
        fakes, labels = gen.sample_labeled(400, y=digit, random_state=1)
        assert (labels == digit).all()
        assert np.abs(fakes.mean(axis=0) - X[y == digit].mean(axis=0)).mean() < 0.5
    # new samples, not copies: no fake is within a pixel of any training image
    fakes = gen.sample(200, random_state=2)
    nearest = np.min(((fakes[:, None, :] - X[None, :, :]) ** 2).sum(-1), axis=1)
    assert nearest.min() > 1.0
    assert gen.score(X) > gen.score(np.random.RandomState(0).uniform(0, 16, X.shape))


def test_value_protection_clips_below_the_extremes():
    rng = np.random.RandomState(0)
    X = rng.standard_t(2, size=(300, 3))
    out = PCAGaussianSynthesizer(n_components=2, random_state=0).fit(X).sample(5000)
    ordered = np.sort(X, axis=0)
    assert (out.max(axis=0) <= ordered[-6]).all() and (out.min(axis=0) >= ordered[5]).all()
    raw = PCAGaussianSynthesizer(n_components=2, value_protection=False).fit(X).sample(5000)
    assert (raw.max(axis=0) <= X.max(axis=0)).all()


def test_a_one_row_class_is_never_copied():
    X, y = load_digits(return_X_y=True)
    X, y = np.vstack([X[:300], X[300:301]]), np.r_[y[:300], [99]]
    gen = PCAGaussianSynthesizer(random_state=0).fit(X, y)
    fakes, _ = gen.sample_labeled(50, y=99)
    assert np.min(np.abs(fakes - X[-1]).sum(axis=1)) > 1.0
    # nor kept in the fitted state: the class mean is pulled toward the overall mean
    np.testing.assert_allclose(gen.means_[-1], (X[-1] + 9 * X.mean(axis=0)) / 10)
    assert np.abs(gen.means_[-1] - X[-1]).sum() > 1.0


def test_dataframe_in_dataframe_out():
    import pandas as pd

    X = pd.DataFrame({"a": np.linspace(0, 1, 30), "n": np.arange(30), "flag": np.arange(30) % 2 == 0})
    out = PCAGaussianSynthesizer(n_components=2, random_state=0).fit(X).sample(10)
    assert list(out.columns) == ["a", "n", "flag"] and list(out.dtypes) == list(X.dtypes)


def test_needs_two_rows():
    with pytest.raises(ValueError, match="minimum of 2"):
        PCAGaussianSynthesizer().fit(np.ones((1, 3)))
