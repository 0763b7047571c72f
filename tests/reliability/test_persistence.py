"""Every fitted estimator survives pickle and the safe format, and the safe
format refuses what it must refuse."""

import json
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from sklearn_synth.exceptions import TrainingRowsError
from sklearn_synth.generators import DummySynthesizer
from sklearn_synth.over_sampling import GenerativeOverSampler
from sklearn_synth.utils import ModelFormatError, all_estimators, load_model
from sklearn_synth.utils._persistence import load_arrays
from tests._estimators import fit_case, mixed_table
from tests.reliability._files import resign

NAMES = [name for name, _ in all_estimators()]


def assert_same(a, b):
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    else:
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


@pytest.fixture(scope="module", params=NAMES)
def fitted(request):
    return (request.param, *fit_case(request.param))


def test_pickle_round_trip(fitted):
    name, est, output = fitted
    restored = pickle.loads(pickle.dumps(est))
    assert type(restored).__name__ == name
    assert_same(output(est), output(restored))


def test_safe_round_trip(fitted, tmp_path):
    name, est, output = fitted
    path = est.save(tmp_path / "model.safetensors")
    loaded = type(est).load(path)
    assert repr(loaded) == repr(est)
    assert_same(output(est), output(loaded))
    assert_same(output(est), output(load_model(path)))
    # the file parses as safetensors without any pickle
    arrays, config = load_arrays(path)
    assert config["estimator"] == name and all(isinstance(v, np.ndarray) for v in arrays.values())


def test_loaded_generator_continues_the_default_stream(tmp_path):
    est, _ = fit_case("SequenceLMSynthesizer")
    loaded = type(est).load(est.save(tmp_path / "m.safetensors"))
    pd.testing.assert_frame_equal(est.sample(7), loaded.sample(7))


def test_device_is_chosen_when_loading(tmp_path):
    import torch

    from sklearn_synth.generators import SequenceLMSynthesizer
    from tests._estimators import TINY_LM

    X, y = mixed_table()
    gen = SequenceLMSynthesizer(device=torch.device("cpu"), random_state=0, **TINY_LM).fit(X, y)
    loaded = load_model(gen.save(tmp_path / "m.safetensors"), device="cpu")
    assert loaded.device == "cpu" and loaded.device_.type == "cpu"
    pd.testing.assert_frame_equal(loaded.sample(5, random_state=0), gen.sample(5, random_state=0))


def test_tampered_file_is_refused(fitted, tmp_path):
    _, est, _ = fitted
    path = est.save(tmp_path / "model.safetensors")
    data = bytearray(path.read_bytes())
    data[-3] ^= 0x01  # one bit of the last array
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(bytes(data))
    with pytest.raises(ModelFormatError, match="modified"):
        type(est).load(bad)
    bad.write_bytes(path.read_bytes()[: len(data) // 2])
    with pytest.raises(ModelFormatError, match="truncated or modified"):
        type(est).load(bad)


def test_other_version_and_class_are_refused(tmp_path):
    from safetensors.numpy import save_file

    est, _ = fit_case("DummySynthesizer")
    path = est.save(tmp_path / "m.safetensors")
    old = tmp_path / "old.safetensors"
    save_file({"w": np.zeros(2)}, str(old),
              metadata={"format": "sklearn-synth", "format_version": "1", "config": "{}"})
    with pytest.raises(ModelFormatError, match="version 1.*reads version 2"):
        load_model(old)
    foreign = tmp_path / "foreign.safetensors"
    save_file({"w": np.zeros(2)}, str(foreign))
    with pytest.raises(ModelFormatError, match="not a sklearn-synth model"):
        load_model(foreign)
    with pytest.raises(ModelFormatError, match="holds a 'DummySynthesizer' model, not a"):
        GenerativeOverSampler.load(path)
    with pytest.raises(FileNotFoundError):
        load_model(tmp_path / "missing.safetensors")


def test_only_estimator_classes_are_constructed(tmp_path):
    est, _ = fit_case("DummySynthesizer")
    path = est.save(tmp_path / "m.safetensors")

    def evil(config):
        config["model"]["class"] = "os.system"
        return config

    with pytest.raises(ModelFormatError, match="not one of the estimators a model file may hold"):
        load_model(resign(path, tmp_path / "evil.safetensors", evil))

    def not_estimator(config):
        config["model"]["class"] = "sklearn.utils.Bunch"
        return config

    with pytest.raises(ModelFormatError, match="not one of the estimators a model file may hold"):
        load_model(resign(path, tmp_path / "bunch.safetensors", not_estimator))


def test_unfitted_and_unstorable_estimators_are_refused(tmp_path):
    with pytest.raises(NotFittedError):
        DummySynthesizer().save(tmp_path / "m.safetensors")
    X, y = mixed_table()
    sampler = GenerativeOverSampler(
        sampling_strategy=lambda y: {"attack": 120}, generator=DummySynthesizer(), random_state=0
    )
    sampler.fit_resample(X, y)
    with pytest.raises(TypeError, match="Parameter .sampling_strategy. of GenerativeOverSampler is a function.*use pickle"):
        sampler.save(tmp_path / "m.safetensors")
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_training_rows_are_stored_only_on_request(tmp_path):
    X, y = mixed_table()
    boot = DummySynthesizer(strategy="bootstrap", random_state=0).fit(X, y)
    with pytest.raises(TrainingRowsError, match="holds training rows.*allow_training_rows=True"):
        boot.save(tmp_path / "m.safetensors")
    nested = GenerativeOverSampler(generator=DummySynthesizer(strategy="bootstrap"), random_state=0)
    nested.fit_resample(X, y)
    with pytest.raises(TrainingRowsError, match="DummySynthesizer \\(_rows\\) holds training rows"):
        nested.save(tmp_path / "m.safetensors")
    loaded = load_model(boot.save(tmp_path / "m.safetensors", allow_training_rows=True))
    pd.testing.assert_frame_equal(loaded.sample(9, random_state=2), boot.sample(9, random_state=2))
    pd.testing.assert_frame_equal(loaded.sample_labeled(4, y="attack", random_state=2)[0],
                                  boot.sample_labeled(4, y="attack", random_state=2)[0])


def _row_patterns(row):
    """Byte patterns a stored copy of a training row would contain."""
    numbers = [float(v) for v in row if isinstance(v, (int, float, np.number)) and not pd.isna(v)]
    yield np.asarray(numbers, dtype=np.float64).tobytes()
    yield np.asarray(numbers, dtype=np.float32).tobytes()
    yield json.dumps([v.item() if isinstance(v, np.generic) else v for v in row])[1:-1].encode()
    yield ",".join(map(str, row)).encode()


@pytest.mark.parametrize("name", ["SymbolicBinner", "DummySynthesizer", "SequenceLMSynthesizer",
                                  "GenerativeOverSampler", "CycleGANPrivacyTransformer",
                                  "PrivacyDomainResampler", "PrivacyValuator",
                                  "SenseGenSynthesizer"])
def test_saved_model_holds_no_training_row(name, tmp_path):
    """With default parameters no training row (as float64, float32, JSON or
    CSV text) appears in the saved bytes, and continuous values with more
    than 101 rows per bin are summarised rather than stored."""
    from tests._estimators import numeric_table, series

    rng = np.random.RandomState(7)
    n = 6000  # > 49 bins x 101 table entries: the decode tables interpolate
    X = pd.DataFrame({"x": rng.standard_normal(n) * 1e3 + 0.123456789,
                      "z": rng.gamma(2.0, 3.0, n), "port": rng.choice([22, 80], n)})
    y = np.where(np.arange(n) % 5 == 0, "a", "b")
    est, _ = fit_case(name)  # the tiny configuration, refitted below on this table
    if name in ("SymbolicBinner",):
        est.fit(X)
    elif name in ("DummySynthesizer", "SequenceLMSynthesizer"):
        est.set_params(random_state=0).fit(X.iloc[:1500], y[:1500])
        X, y = X.iloc[:1500], y[:1500]
    elif name == "GenerativeOverSampler":
        est.fit_resample(X.iloc[:1500], y[:1500])
        X, y = X.iloc[:1500], y[:1500]
    elif name == "SenseGenSynthesizer":
        X = series() + 0.123456789
    else:
        X, _ = numeric_table()
        X = X + 0.123456789
    blob = est.save(tmp_path / "m.safetensors").read_bytes()
    rows = X.reshape(-1, X.shape[-1]) if isinstance(X, np.ndarray) else X.to_numpy(dtype=object)
    for row in rows:
        for pattern in _row_patterns(list(row)):
            assert pattern not in blob
    if name == "SymbolicBinner":  # 6,000 rows: the continuous columns are summarised
        values = X["x"].to_numpy()
        stored = sum(np.float64(v).tobytes() in blob for v in values[:500])
        assert stored / 500 < 0.05


def test_uniform_decoding_stores_only_bin_edges(tmp_path):
    from sklearn_synth.preprocessing import SymbolicBinner

    X = pd.DataFrame({"x": np.random.RandomState(0).standard_normal(300) + 0.123456789})
    sizes = {}
    for protect in (False, True):
        for decode in ("empirical", "uniform"):
            binner = SymbolicBinner(decode=decode, value_protection=protect, random_state=0).fit(X)
            path = tmp_path / f"{decode}{protect}.safetensors"
            blob = binner.save(path).read_bytes()
            stored = sum(np.float64(v).tobytes() in blob for v in X["x"])
            sizes[decode, protect] = stored
            loaded = load_model(path)
            S = binner.transform(X)
            pd.testing.assert_frame_equal(loaded.inverse_transform(S, random_state=1),
                                          binner.inverse_transform(S, random_state=1))
    # unprotected, the empirical tables of a 300-row table hold its values and uniform
    # decoding keeps the edges only; protected, neither holds any but the k-th extremes
    assert sizes["empirical", False] == 300 and sizes["uniform", False] <= 50
    assert sizes["empirical", True] <= 2 and sizes["uniform", True] <= 2


def test_metadata_round_trip_and_validation(tmp_path):
    from sklearn_synth.utils import model_metadata

    X, y = mixed_table()
    gen = DummySynthesizer(random_state=0).fit(X, y)
    layout = {"columns": ["a", "label", "b"], "label_column": "label", "note": None, "n": 3}
    assert model_metadata(gen.save(tmp_path / "m.safetensors", metadata=layout)) == layout
    assert model_metadata(gen.save(tmp_path / "plain.safetensors")) == {}
    for bad in ({"x": {"nested": 1}}, {1: "a"}, ["columns"], {"x": [1, 2]}):
        with pytest.raises(TypeError, match="metadata"):
            gen.save(tmp_path / "bad.safetensors", metadata=bad)
    with pytest.raises(ValueError, match="larger than"):
        gen.save(tmp_path / "bad.safetensors", metadata={"x": "y" * 70_000})
    assert not (tmp_path / "bad.safetensors").exists()


def test_load_model_returns_the_metadata_from_the_same_read(tmp_path):
    X, y = mixed_table()
    path = DummySynthesizer(random_state=0).fit(X, y).save(tmp_path / "m.safetensors",
                                                           metadata={"label_column": "y"})
    model, metadata = load_model(path, return_metadata=True)
    assert isinstance(model, DummySynthesizer) and metadata == {"label_column": "y"}
