import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier

from sklearn_synth.privacy import PrivacyValuator

# the copies are deliberately trained briefly
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X / 16.0, y


def test_deterministic_model_gives_unanimous_runs(digits):
    """A model that ignores its seed trains the same copy every run: the runs agree
    fully, the overlap ratio is 1 and the levels follow the quantiles exactly."""
    X, y = digits
    valuator = PrivacyValuator(LogisticRegression(C=100, max_iter=300), n_models=3,
                               random_state=0)
    valuator.fit(X[:400], y[:400], X_reference=X[400:800], y_reference=y[400:800])
    assert valuator.overlap_ratio(0, 0.25) == 1.0
    assert valuator.overlap_ratio(0.5, 1.0) == 1.0
    levels = valuator.privacy_levels_
    assert np.mean(levels == "safe") == pytest.approx(0.25, abs=0.01)
    assert np.mean(levels == "risky") == pytest.approx(0.25, abs=0.01)
    # the safest samples are those the attack scores lowest
    d = valuator.run_distances_[0]
    assert d[levels == "safe"].max() <= d[levels == "vague"].min() + 1e-12
    assert d[levels == "vague"].max() <= d[levels == "risky"].min() + 1e-12


def test_independent_copies_partly_agree(digits):
    X, y = digits
    valuator = PrivacyValuator(MLPClassifier(hidden_layer_sizes=(64,), max_iter=60),
                               n_models=3, random_state=0)
    valuator.fit(X[:300], y[:300], X_reference=X[300:600], y_reference=y[300:600])
    chance = 0.25 ** 2
    assert chance < valuator.overlap_ratio(0, 0.25) < 1.0
    assert np.all(valuator.attack_advantages_ > 0)
    assert set(valuator.privacy_levels_) == {"safe", "vague", "risky"}
    assert np.all((valuator.privacy_scores_ > 0) & (valuator.privacy_scores_ <= 1))


def test_fold_mode_values_every_sample(digits):
    X, y = digits
    valuator = PrivacyValuator(LogisticRegression(max_iter=200), n_models=5,
                               reference_fraction=0.2, random_state=0).fit(X[:500], y[:500])
    # each sample is a member in 4 of the 5 runs
    assert np.all(np.sum(~np.isnan(valuator.run_distances_), axis=0) == 4)
    assert not np.isnan(valuator.privacy_scores_).any()
    with pytest.raises(ValueError, match="Fit it with X_reference"):
        valuator.overlap_ratio(0, 0.25)


def test_reproducible_and_n_jobs_invariant(digits):
    X, y = digits
    params = dict(estimator=MLPClassifier(hidden_layer_sizes=(16,), max_iter=30), n_models=2,
                  random_state=3)
    a = PrivacyValuator(**params).fit(X[:200], y[:200])
    b = PrivacyValuator(**params, n_jobs=2).fit(X[:200], y[:200])
    np.testing.assert_array_equal(a.run_distances_, b.run_distances_)
    np.testing.assert_array_equal(a.privacy_levels_, b.privacy_levels_)


def test_bad_arguments(digits):
    X, y = digits
    with pytest.raises(ValueError, match="at most 1"):
        PrivacyValuator(safe_quantile=0.6, risky_quantile=0.6).fit(X[:100], y[:100])
    with pytest.raises(ValueError, match="both X_reference and y_reference"):
        PrivacyValuator().fit(X[:100], y[:100], X_reference=X[100:200])
    with pytest.raises(ValueError, match="at least 10 samples"):
        PrivacyValuator(reference_fraction=0.2).fit(X[:8], y[:8])
    fitted = PrivacyValuator(LogisticRegression(), n_models=1).fit(
        X[:100], y[:100], X_reference=X[100:150], y_reference=y[100:150])
    with pytest.raises(ValueError, match="start < end"):
        fitted.overlap_ratio(0.5, 0.2)


def test_torch_module_through_skorch_and_progress_lines(digits, capsys):
    torch = pytest.importorskip("torch")
    from skorch import NeuralNetClassifier

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(64, 10)

        def forward(self, X):
            return self.layer(X)

    X, y = digits
    net = NeuralNetClassifier(Net, max_epochs=3, lr=0.1, criterion=torch.nn.CrossEntropyLoss,
                              train_split=None, verbose=0)
    valuator = PrivacyValuator(net, n_models=2, verbose=1, random_state=0)
    valuator.fit(X[:200].astype(np.float32), y[:200].astype(np.int64),
                 X_reference=X[200:300].astype(np.float32), y_reference=y[200:300].astype(np.int64))
    assert set(valuator.privacy_levels_) <= {"safe", "vague", "risky"}
    out = capsys.readouterr().out
    assert "[PrivacyValuator] model 1/2: 200 members, modified_entropy attack advantage" in out


def test_y_is_required_with_scikit_learns_message(digits):
    X, _ = digits
    with pytest.raises(ValueError, match="requires y to be passed, but the target y is None"):
        PrivacyValuator(LogisticRegression()).fit(X, None)


def test_default_estimator_does_not_flood_the_output_with_convergence_warnings(digits):
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    X, y = digits
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        PrivacyValuator(n_models=2, random_state=0).fit(X[:200], y[:200])


def test_memorization_finds_the_mislabeled_samples(digits):
    """A sample whose label is wrong can only be fitted by memorizing it: its
    score as a member is far above its score held out, so the memorization
    measure calls it risky, where the threshold distance calls it safe (the
    attack is unsure of it either way)."""
    X, y = digits
    X, y = X[:500], y[:500].copy()
    flipped = np.arange(0, 500, 25)
    y[flipped] = (y[flipped] + 5) % 10
    model = LogisticRegression(C=1e4, max_iter=500)
    memorized = PrivacyValuator(model, n_models=4, reference_fraction=0.25,
                                random_state=0).fit(X, y)
    assert memorized.risk_ == "memorization"
    assert np.isfinite(memorized.memorization_).all()
    assert np.mean(memorized.privacy_levels_[flipped] == "risky") > 0.8
    threshold = PrivacyValuator(model, n_models=4, reference_fraction=0.25, risk="threshold",
                                random_state=0).fit(X, y)
    assert np.mean(threshold.privacy_levels_[flipped] == "risky") < 0.5
    # every sample was scored held out once and as a member three times
    assert np.all(np.sum(~np.isnan(memorized.run_scores_), axis=0) == 4)


def test_memorization_needs_held_out_scores(digits):
    X, y = digits
    model = LogisticRegression(max_iter=50)
    few = PrivacyValuator(model, n_models=2, reference_fraction=0.25, random_state=0).fit(
        X[:200], y[:200])
    assert few.risk_ == "threshold"  # "auto": two of four folds held out
    with pytest.raises(ValueError, match="n_models=2 runs hold out 2 of the 4 folds"):
        PrivacyValuator(model, n_models=2, reference_fraction=0.25,
                        risk="memorization").fit(X[:200], y[:200])
    with pytest.raises(ValueError, match="X_reference was given"):
        PrivacyValuator(model, risk="memorization").fit(X[:200], y[:200], X[200:300], y[200:300])
    given = PrivacyValuator(model, n_models=2).fit(X[:200], y[:200], X[200:300], y[200:300])
    assert given.risk_ == "threshold" and np.isnan(given.memorization_).all()
