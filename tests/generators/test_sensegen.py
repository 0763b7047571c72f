import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from sklearn_synth.generators import SenseGenSynthesizer

pytest.importorskip("torch")

TINY = dict(n_layers=1, hidden_size=16, dense_size=8, n_components=3, window=16, batch_size=32)


def _waves(n=24, length=48, channels=2, seed=0, offset=0.0):
    """Noisy sines of random phase and period; channel 1 lags channel 0."""
    rng = np.random.RandomState(seed)
    t = np.arange(length)
    period = rng.uniform(8, 16, size=(n, 1))
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    chans = [np.sin(2 * np.pi * t / period + phase + 0.5 * c) for c in range(channels)]
    X = np.stack(chans, axis=-1) + rng.normal(scale=0.05, size=(n, length, channels))
    return X + offset


@pytest.fixture(scope="module")
def fitted():
    return SenseGenSynthesizer(max_epochs=25, random_state=0, **TINY).fit(_waves())


def test_sample_shapes_for_each_input_form():
    X = _waves(n=8, length=20)
    gen = SenseGenSynthesizer(max_epochs=1, random_state=0, **TINY)
    assert gen.fit(X).sample(3).shape == (3, 20, 2)
    assert gen.sample(3, n_timesteps=7).shape == (3, 7, 2)
    assert gen.fit(X[..., 0]).sample(2).shape == (2, 20)  # 2-D: univariate series
    recordings = [X[0], X[1, :12], X[2, :15]]
    gen.fit(recordings)
    assert gen.n_timesteps_ == 15 and gen.window_ == 12  # median length; window cut to the shortest
    assert gen.sample(2).shape == (2, 15, 2)
    assert gen.fit(X.astype(np.float32)).sample(2).dtype == np.float32


def test_learns_the_dynamics(fitted):
    """Real series score higher than the same values shuffled in time, and samples oscillate."""
    X = _waves(seed=1)
    shuffled = np.random.default_rng(0).permuted(X, axis=1)
    assert fitted.score(X) > fitted.score(shuffled) + 0.5
    synth = fitted.sample(50, random_state=0)
    # lag-1 autocorrelation of a smooth wave is high; of white noise, about 0
    x = synth[..., 0] - synth[..., 0].mean(axis=1, keepdims=True)
    lag1 = (x[:, 1:] * x[:, :-1]).sum() / (x * x).sum()
    assert lag1 > 0.5


def test_values_come_back_in_original_units():
    X = _waves(seed=2) * 50 + 1000
    gen = SenseGenSynthesizer(max_epochs=5, random_state=0, **TINY).fit(X)
    np.testing.assert_allclose(gen.mean_, X.reshape(-1, 2).mean(0))
    synth = gen.sample(40, random_state=0)
    assert abs(synth.mean() - 1000) < 30 and 10 < synth.std() < 120


def test_score_is_a_density_in_original_units():
    """Rescaling the data leaves the network unchanged and shifts the per-step
    log-density by minus the log of the scale, per channel."""
    X = _waves(n=10, length=20)
    a = SenseGenSynthesizer(max_epochs=2, random_state=0, **TINY).fit(X)
    b = SenseGenSynthesizer(max_epochs=2, random_state=0, **TINY).fit(X * 10 + 5)
    np.testing.assert_allclose(b.score_samples(X * 10 + 5), a.score_samples(X) - 2 * np.log(10),
                               rtol=1e-5)


def test_score_samples_any_length_and_list(fitted):
    X = _waves(n=3, length=30)
    scores = fitted.score_samples([X[0], X[1, :10], X[2, :25]])
    assert scores.shape == (3,) and np.isfinite(scores).all()
    np.testing.assert_allclose(fitted.score_samples(X[:1]), scores[:1])


def test_class_conditional_sampling():
    low, high = _waves(n=12, seed=3), _waves(n=12, seed=4, offset=3.0)
    X = np.concatenate([low, high])
    y = np.array(["rest"] * 12 + ["walk"] * 12)
    gen = SenseGenSynthesizer(max_epochs=25, random_state=0, **TINY).fit(X, y)
    walk, labels = gen.sample_labeled(20, y="walk", random_state=0)
    rest, _ = gen.sample_labeled(20, y="rest", random_state=0)
    assert list(labels) == ["walk"] * 20
    assert walk.mean() > rest.mean() + 1.5
    assert gen.score_samples(X).shape == (24,)


def test_temperature_controls_spread(fitted):
    cold = fitted.set_params(temperature=0.3).sample(40, random_state=0)
    hot = fitted.set_params(temperature=1.5).sample(40, random_state=0)
    fitted.set_params(temperature=1.0)
    assert np.diff(cold, axis=1).std() < np.diff(hot, axis=1).std()


def test_grid_search_with_default_scoring():
    X = _waves(n=12, length=20)
    search = GridSearchCV(SenseGenSynthesizer(max_epochs=2, random_state=0, **TINY),
                          {"n_components": [1, 3]}, cv=2).fit(X)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_save_load_samples_identically(fitted, tmp_path):
    from sklearn_synth.utils._persistence import ModelFormatError

    path = fitted.save(tmp_path / "sensegen.safetensors")
    loaded = SenseGenSynthesizer.load(path)
    np.testing.assert_array_equal(loaded.sample(5, random_state=3), fitted.sample(5, random_state=3))
    np.testing.assert_allclose(loaded.score_samples(_waves(n=2)), fitted.score_samples(_waves(n=2)))
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF
    (tmp_path / "bad.safetensors").write_bytes(bytes(data))
    with pytest.raises(ModelFormatError):
        SenseGenSynthesizer.load(tmp_path / "bad.safetensors")


def test_saved_file_holds_no_training_values(tmp_path):
    X = _waves(n=6, length=20) + 0.123456789
    gen = SenseGenSynthesizer(max_epochs=1, random_state=0, **TINY).fit(X)
    raw = gen.save(tmp_path / "m.safetensors").read_bytes()
    for value in X.ravel()[:50]:
        assert np.float64(value).tobytes() not in raw
        assert np.float32(value).tobytes() not in raw


@pytest.mark.parametrize(
    "X, match",
    [
        (np.zeros(10), "3-D array"),
        (np.zeros((2, 3, 4, 5)), "4 dimension"),
        ([], "empty list"),
        ([np.zeros((5, 2)), np.zeros((5, 3))], "series 1 has 3 channel"),
        ([np.ones((5, 1)), np.ones((1, 1))], "series 1 has 1 timestep"),
    ],
)
def test_bad_shapes_raise(X, match):
    with pytest.raises(ValueError, match=match):
        SenseGenSynthesizer(**TINY).fit(X)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_values_name_series_channel_and_step(bad):
    X = _waves(n=4, length=10)
    X[2, 7, 1] = bad
    with pytest.raises(ValueError, match=r"series 2, channel 1 holds (nan|inf) at timestep 7"):
        SenseGenSynthesizer(**TINY).fit(X)


def test_constant_channel_is_refused():
    X = _waves(n=4, length=10)
    X[..., 1] = 0.5
    with pytest.raises(ValueError, match="channel 1 is constant.*0.5"):
        SenseGenSynthesizer(**TINY).fit(X)


def test_channel_mismatch_at_score(fitted):
    with pytest.raises(ValueError, match="3 channel.*fitted with 2"):
        fitted.score_samples(np.zeros((2, 10, 3)))


def test_too_many_windows_refused_before_allocating(monkeypatch):
    import sklearn_synth.generators._sensegen as module

    monkeypatch.setattr(module, "_MAX_WINDOW_VALUES", 1000)
    with pytest.raises(ValueError, match="would not fit in memory"):
        SenseGenSynthesizer(**TINY).fit(_waves())


def test_input_not_mutated():
    X = _waves(n=6, length=20)
    before = X.copy()
    SenseGenSynthesizer(max_epochs=1, random_state=0, **TINY).fit(X).sample(3)
    np.testing.assert_array_equal(X, before)


def test_sampling_recurrence_matches_the_scored_density(fitted):
    """The step-by-step recurrence used to sample gives the mixture ``score_samples``
    scores, lags included: no step sees its own value or a later one."""
    import torch

    module = fitted.net_.module_.eval()
    assert fitted.ar_order == 8 and module.ar_order == 8
    z = torch.as_tensor(np.random.RandomState(0).normal(size=(3, 20, 2)), dtype=torch.float32)
    previous = torch.cat([torch.zeros_like(z[:, :1]), z[:, :-1]], dim=1)
    first = torch.zeros(z.shape[:2])
    first[:, 0] = 1
    with torch.no_grad():
        whole = module(previous, first)
        state, steps = None, []
        for t in range(z.shape[1]):
            params, state = module.step(previous[:, t], first[:, t], None, state)
            steps.append(params)
    for k, part in enumerate(whole):
        np.testing.assert_allclose(torch.stack([s[k] for s in steps], dim=1), part, atol=1e-5)


def test_autoregression_makes_smoother_traces_than_the_paper_head():
    """With the same small budget, lags bring the samples' roughness (spread of the
    step-to-step changes over the spread of the values) closer to the real one."""
    X = _waves(n=40, length=64, seed=3)

    def roughness(S):
        return np.diff(S, axis=1).std() / S.std()

    gaps = {}
    for ar_order in (0, 8):
        gen = SenseGenSynthesizer(max_epochs=8, ar_order=ar_order, random_state=0,
                                  **TINY).fit(X)
        gaps[ar_order] = abs(roughness(gen.sample(60, random_state=0)) - roughness(X))
    assert gaps[8] < gaps[0]


def test_a_file_from_before_ar_order_loads_with_the_paper_head(tmp_path):
    """Files written before ``ar_order`` existed hold no such parameter: they load
    with the head they were trained with, and sample as they did."""
    from sklearn_synth.utils import load_model
    from tests.reliability._files import without_param

    gen = SenseGenSynthesizer(max_epochs=1, ar_order=0, random_state=0, **TINY).fit(_waves())
    path = gen.save(tmp_path / "new.safetensors")

    old = load_model(without_param(path, tmp_path / "old.safetensors", "ar_order"))
    assert old.ar_order == 0
    np.testing.assert_array_equal(old.sample(3, random_state=1), gen.sample(3, random_state=1))
