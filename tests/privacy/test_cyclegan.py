import numpy as np
import pytest
from imblearn.pipeline import Pipeline
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from sklearn_synth.generators import DummySynthesizer
from sklearn_synth.privacy import (
    CycleGANPrivacyTransformer,
    PrivacyDomainResampler,
    PrivacyValuator,
)

pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _tiny(**kwargs):
    params = dict(
        valuator=PrivacyValuator(LogisticRegression(max_iter=200), n_models=2),
        fake_generator=DummySynthesizer(strategy="bootstrap"),
        max_epochs=3, hidden_size=16, random_state=0,
    )
    return CycleGANPrivacyTransformer(**{**params, **kwargs})


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:400], y[:400]


def test_transform_and_sample_shapes_for_each_input_form(digits):
    X, y = digits
    rows = _tiny(image_shape=None).fit(X, y)
    assert rows.architecture_ == "mlp"
    assert rows.transform(X[:5]).shape == (5, 64)
    assert rows.sample(3).shape == (3, 64)
    flat_images = _tiny(image_shape=(8, 8)).fit(X, y)
    assert flat_images.architecture_ == "conv" and flat_images.transform(X[:2]).shape == (2, 64)
    square = _tiny().fit(X, y)  # 64 features: read as 8 x 8 grey images by default
    assert square.architecture_ == "conv" and square.transform(X[:2]).shape == (2, 64)
    assert _tiny().fit(X[:, :63], y).architecture_ == "mlp"
    images = _tiny().fit(X.reshape(-1, 8, 8), y)
    assert images.transform(X[:2].reshape(-1, 8, 8)).shape == (2, 8, 8)
    assert images.sample(2).shape == (2, 8, 8)
    channels = _tiny().fit(X.reshape(-1, 1, 8, 8), y)
    assert channels.sample(2).shape == (2, 1, 8, 8)


def test_given_levels_skip_the_valuation(digits):
    X, y = digits
    levels = np.array(["safe", "vague", "risky", "vague"] * 100)
    tr = _tiny(valuator=None).fit(X, y, privacy_levels=levels)
    assert tr.valuator_ is None
    np.testing.assert_array_equal(tr.privacy_levels_, levels)
    with pytest.raises(ValueError, match="Unknown privacy levels"):
        _tiny().fit(X, y, privacy_levels=np.array(["safe", "meh"] * 200))
    with pytest.raises(ValueError, match="needs privacy-safe and privacy-risky samples"):
        _tiny().fit(X, y, privacy_levels=np.array(["risky"] * 400))


def test_history_holds_gan_losses_and_generators_start_at_identity(digits):
    X, y = digits
    untrained = _tiny(max_epochs=1, lr=1e-12).fit(X, y)
    # residual generators with a zero last layer: no training, no change
    np.testing.assert_allclose(untrained.transform(X[:10]), X[:10], atol=1e-4)
    trained = _tiny(max_epochs=10, lr=5e-3).fit(X, y)
    assert len(trained.history_) == 10
    for key in ("loss_g", "loss_d", "cycle"):
        assert np.isfinite(trained.history_[:, key]).all()
    assert np.abs(trained.transform(X[:10]) - X[:10]).mean() > 0.01  # it moved


def test_fakes_keep_their_labels_and_are_reproducible(digits):
    X, y = digits
    tr = _tiny().fit(X, y)
    Xf, yf = tr.sample_labeled(6, y=3, random_state=1)
    assert list(yf) == [3] * 6
    np.testing.assert_array_equal(Xf, tr.sample_labeled(6, y=3, random_state=1)[0])
    again = _tiny().fit(X, y)
    np.testing.assert_array_equal(tr.transform(X[:5]), again.transform(X[:5]))


def test_bad_input(digits):
    X, y = digits
    Xbad = X.astype(float).copy()
    Xbad[7, 3] = np.nan
    with pytest.raises(ValueError, match="Sample 7, feature 3 is not finite"):
        _tiny().fit(Xbad, y)
    with pytest.raises(ValueError, match="multiples of 4"):
        _tiny(architecture="conv", image_shape=(2, 32)).fit(X, y)
    with pytest.raises(ValueError, match="does not hold 64 features"):
        _tiny(image_shape=(9, 9)).fit(X, y)
    fitted = _tiny().fit(X, y)
    with pytest.raises(ValueError, match="expecting 64 features"):
        fitted.transform(X[:, :10])


def test_resampler_builds_the_defended_training_set(digits):
    X, y = digits
    sampler = PrivacyDomainResampler(_tiny(), fake_ratio=0.5, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    assert X_res.shape == (600, 64) and sampler.n_fake_ == 200
    np.testing.assert_array_equal(y_res[:400], y)
    safe = sampler.transformer_.privacy_levels_ == "safe"
    np.testing.assert_array_equal(X_res[:400][safe], X[safe])  # safe samples kept as they are
    assert not np.allclose(X_res[:400][~safe], X[~safe])        # the others moved
    plain = PrivacyDomainResampler(_tiny(), transform_real=False, fake_ratio=0.0)
    X_plain, _ = plain.fit_resample(X, y)
    np.testing.assert_array_equal(X_plain, X)


def test_resampler_in_an_imblearn_pipeline(digits):
    X, y = digits
    pipe = Pipeline([
        ("privacy", PrivacyDomainResampler(_tiny(), fake_ratio=1.0, random_state=0)),
        ("clf", LogisticRegression(max_iter=300)),
    ]).fit(X, y)
    assert pipe.score(X, y) > 0.8  # predicts on untouched data


def test_verbose_prints_gan_losses_per_epoch(digits, capsys):
    X, y = digits
    _tiny(verbose=1, max_epochs=2).fit(X, y)
    out = capsys.readouterr().out
    assert "loss_g" in out and "loss_d" in out and "[PrivacyValuator]" in out


def test_feature_names_out_for_rows_only(digits):
    import pandas as pd

    X, y = digits
    names = [f"pixel{i}" for i in range(X.shape[1])]
    rows = _tiny().fit(X, y)
    assert list(rows.get_feature_names_out()) == [f"x{i}" for i in range(64)]
    assert list(rows.get_feature_names_out(names)) == names
    with pytest.raises(ValueError, match="input_features"):
        rows.get_feature_names_out(names[:3])
    images = _tiny().fit(X.reshape(-1, 8, 8), y)
    with pytest.raises(ValueError, match="returns images"):
        images.get_feature_names_out()
    assert pd.Index(rows.get_feature_names_out()).is_unique


def test_class_conditional_generators_read_the_labels(digits):
    X, y = digits
    gan = _tiny(max_epochs=2).fit(X, y)
    assert gan.net_.module_.n_classes == 10
    with_labels, without = gan.transform(X[:20], y[:20]), gan.transform(X[:20])
    assert with_labels.shape == without.shape == (20, 64)
    assert not np.allclose(with_labels, without)      # the class is an input
    with pytest.raises(ValueError, match="Label 42 was not seen in fit"):
        gan.transform(X[:2], [1, 42])
    plain = _tiny(max_epochs=2, class_conditional=False).fit(X, y)
    assert plain.net_.module_.n_classes == 0
    np.testing.assert_array_equal(plain.transform(X[:5], y[:5]), plain.transform(X[:5]))


def test_a_file_from_before_class_conditioning_loads_unconditional(digits, tmp_path):
    from sklearn_synth.utils import load_model
    from tests.reliability._files import resign

    X, y = digits
    gan = _tiny(max_epochs=1, class_conditional=False, image_shape=None,
                fake_generator=DummySynthesizer()).fit(X, y)
    path = gan.save(tmp_path / "new.safetensors")

    def drop_new_param(config):
        params = config["model"]["params"]
        params["dict"] = [[n, v] for n, v in params["dict"] if n != "class_conditional"]
        return config

    old = load_model(resign(path, tmp_path / "old.safetensors", drop_new_param, lambda a: a))
    assert old.class_conditional is False
    np.testing.assert_allclose(old.transform(X[:5]), gan.transform(X[:5]))
