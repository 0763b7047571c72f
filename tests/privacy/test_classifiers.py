"""The neural classifiers of sklearn_synth.privacy: RelaxLoss, DP-SGD and the
privacy-domain classifier."""

import sys

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from sklearn_synth.exceptions import OptionalDependencyError
from sklearn_synth.privacy import (
    CycleGANPrivacyTransformer,
    DPSGDClassifier,
    PrivacyDomainClassifier,
    PrivacyValuator,
    RelaxLossClassifier,
)

pytest.importorskip("torch")
FAST = {"max_epochs": 8, "batch_size": 64, "lr": 3e-3, "random_state": 0}


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:600], y[:600], X[600:900], y[600:900]


def _train_loss(clf, X, y):
    proba = clf.predict_proba(X)
    return -np.mean(np.log(proba[np.arange(len(y)), np.searchsorted(clf.classes_, y)]))


def test_relaxloss_keeps_the_training_loss_near_alpha(digits):
    X, y, X_test, y_test = digits
    plain = RelaxLossClassifier(alpha=0.0, image_shape=None, **{**FAST, "max_epochs": 30}).fit(X, y)
    relaxed = RelaxLossClassifier(alpha=0.5, image_shape=None, **{**FAST, "max_epochs": 30}).fit(X, y)
    assert _train_loss(plain, X, y) < 0.05
    assert 0.2 < _train_loss(relaxed, X, y) < 1.0
    # the gap between training and test loss, which attacks read, shrinks
    gap = lambda c: _train_loss(c, X_test, y_test) - _train_loss(c, X, y)  # noqa: E731
    assert gap(relaxed) < gap(plain)
    assert relaxed.score(X_test, y_test) > 0.75


def test_images_get_the_cnn_and_rows_the_mlp(digits):
    X, y, X_test, _ = digits
    cnn = RelaxLossClassifier(alpha=0.0, **FAST).fit(X, y)           # 64 = 8 x 8: images
    assert cnn.architecture_ == "conv" and cnn.predict(X_test).shape == (300,)
    as_images = RelaxLossClassifier(alpha=0.0, **FAST).fit(X.reshape(-1, 1, 8, 8), y)
    np.testing.assert_allclose(as_images.predict_proba(X_test.reshape(-1, 1, 8, 8)),
                               cnn.predict_proba(X_test), atol=1e-6)
    mlp = RelaxLossClassifier(alpha=0.0, image_shape=None, **FAST).fit(X, y)
    assert mlp.architecture_ == "mlp"
    n_weights = sum(p.numel() for p in cnn.net_.module_.parameters())
    assert 5_000 < n_weights < 40_000


def test_augmentation_and_early_stopping(digits):
    X, y, X_test, y_test = digits
    crop = RelaxLossClassifier(alpha=0.0, augment="crop", **FAST)
    first, second = crop.fit(X, y).predict_proba(X_test), crop.fit(X, y).predict_proba(X_test)
    np.testing.assert_array_equal(first, second)          # the crops are seeded
    plain = RelaxLossClassifier(alpha=0.0, **FAST).fit(X, y).predict_proba(X_test)
    assert not np.allclose(first, plain)                   # and they change training
    stopped = RelaxLossClassifier(alpha=0.0, patience=1, **{**FAST, "max_epochs": 60}).fit(X, y)
    assert "valid_loss" in stopped.history_[-1] and len(stopped.history_) < 60
    with pytest.raises(ValueError, match="augment='crop' crops and flips images"):
        RelaxLossClassifier(augment="crop", image_shape=None).fit(X, y)
    with pytest.raises(ValueError, match="architecture='conv' needs images"):
        RelaxLossClassifier(architecture="conv", image_shape=None).fit(X, y)


def test_bad_input(digits):
    X, y, _, _ = digits
    with pytest.raises(ValueError, match="at least two classes; got one class"):
        RelaxLossClassifier().fit(X, np.zeros(len(X)))
    bad = X.astype(float).copy()
    bad[3, 5] = np.inf
    with pytest.raises(ValueError, match="Sample 3, feature 5 is not finite"):
        RelaxLossClassifier().fit(bad, y)
    fitted = RelaxLossClassifier(**{**FAST, "max_epochs": 1}).fit(X, y)
    with pytest.raises(ValueError, match="expecting 64 features"):
        fitted.predict(X[:, :10])


@pytest.mark.parametrize("name", ["relaxloss", "dpsgd"])
def test_the_defences_serve_as_the_valuators_model(digits, name):
    if name == "dpsgd":
        pytest.importorskip("opacus")
        model = DPSGDClassifier(epsilon=50.0, **{**FAST, "max_epochs": 2})
    else:
        model = RelaxLossClassifier(alpha=0.0, **{**FAST, "max_epochs": 3})
    X, y, _, _ = digits
    valuator = PrivacyValuator(model, n_models=4, reference_fraction=0.25, random_state=0).fit(X, y)
    assert valuator.risk_ == "memorization"
    assert set(valuator.privacy_levels_) == {"safe", "vague", "risky"}


def test_dpsgd_spends_at_most_its_budget(digits):
    pytest.importorskip("opacus")
    X, y, X_test, y_test = digits
    clf = DPSGDClassifier(epsilon=4.0, **{**FAST, "max_epochs": 4}).fit(X, y)
    assert 3.0 < clf.epsilon_ <= 4.0 and clf.delta_ == pytest.approx(1 / 600)
    assert clf.noise_multiplier_ > 0.5
    assert clf.score(X_test, y_test) > 0.3
    looser = DPSGDClassifier(epsilon=50.0, **{**FAST, "max_epochs": 4}).fit(X, y)
    assert looser.noise_multiplier_ < clf.noise_multiplier_
    with pytest.raises(ValueError, match="patience=3 chooses an epoch"):
        DPSGDClassifier(patience=3).fit(X, y)


def test_dpsgd_without_opacus_names_the_extra(digits, monkeypatch):
    X, y, _, _ = digits
    monkeypatch.setitem(sys.modules, "opacus", None)
    with pytest.raises(OptionalDependencyError, match=r"sklearn-synth\[dp\]"):
        DPSGDClassifier().fit(X, y)


def _gan(**kwargs):
    return CycleGANPrivacyTransformer(
        valuator=PrivacyValuator(LogisticRegression(max_iter=100), n_models=4,
                                 reference_fraction=0.25),
        max_epochs=2, **kwargs)


def test_privacy_domain_without_moves_or_fakes_is_plain_training(digits):
    X, y, X_test, _ = digits
    domain = PrivacyDomainClassifier(_gan(), fake_ratio=0.0, strength=(0.0, 0.0), **FAST).fit(X, y)
    plain = RelaxLossClassifier(alpha=0.0, **FAST).fit(X, y)
    np.testing.assert_allclose(domain.predict_proba(X_test), plain.predict_proba(X_test),
                               atol=1e-5)


def test_privacy_domain_trains_on_fakes_and_moved_samples(digits):
    X, y, X_test, y_test = digits
    clf = PrivacyDomainClassifier(_gan(), fake_ratio=1.0, **FAST).fit(X, y)
    assert clf.n_fake_ == 600
    # every epoch sees the real samples and as many fakes
    assert len(clf.history_[-1]["batches"]) == -(-1200 // 64)
    assert clf.transformer_.valuator_.risk_ == "memorization"
    assert clf.score(X_test, y_test) > 0.8
    # nothing of the training data stays in the fitted net
    for _, callback in clf.net_.callbacks_:
        data = getattr(callback, "data", None)
        assert data is None or len(data) == 0
    moved_only = PrivacyDomainClassifier(_gan(), fake_ratio=0.0, **FAST).fit(X, y)
    assert not np.allclose(moved_only.predict_proba(X_test),
                           RelaxLossClassifier(alpha=0.0, **FAST).fit(X, y).predict_proba(X_test))
    with pytest.raises(ValueError, match="strength must be a pair"):
        PrivacyDomainClassifier(_gan(), strength=(1.0, 0.5)).fit(X, y)
