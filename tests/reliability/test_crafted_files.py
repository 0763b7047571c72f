"""Model files crafted by an attacker (JSON edited, digest recomputed) are
refused with ModelFormatError, quickly, in bounded memory, without running
code, importing modules, opening other files or starting processes."""

import json
import sys
import time
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sklearn_synth.cli import main
from sklearn_synth.exceptions import ModelFormatError
from sklearn_synth.generators import DummySynthesizer
from sklearn_synth.utils import all_estimators, load_model
from sklearn_synth.utils._persistence import _digest, load_arrays
from tests._estimators import fit_case
from tests.reliability._files import resign


def _fields(spec):
    """The name -> encoded value pairs of an estimator spec's params or state."""
    return {name: value for name, value in spec["dict"]}


def _first_with(node, key):
    """The first dict under ``node`` that has ``key``."""
    if isinstance(node, dict):
        if key in node:
            return node
        node = list(node.values())
    if isinstance(node, list):
        for item in node:
            found = _first_with(item, key)
            if found is not None:
                return found
    return None


def _set_field(spec, name, value):
    spec["dict"] = [[n, value if n == name else v] for n, v in spec["dict"]]
    if name not in _fields(spec):
        spec["dict"].append([name, value])


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    """A saved model of every estimator and the function giving what it produces."""
    folder = tmp_path_factory.mktemp("models")
    out = {}
    for name, _ in all_estimators():
        estimator, output = fit_case(name, random_state=0)
        out[name] = (estimator.save(folder / f"{name}.safetensors"), output)
    return out


@pytest.fixture(scope="module")
def saved(cases):
    return {name: path for name, (path, _) in cases.items()}


def _refused(path, match):
    start = time.perf_counter()
    tracemalloc.start()
    try:
        with pytest.raises(ModelFormatError, match=match):
            load_model(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 10 and peak < 200 * 2**20


# 1. random states ------------------------------------------------------------
@pytest.mark.parametrize("position", [100_000_000, 5000, -1])
def test_a_random_state_position_out_of_range_is_refused(saved, tmp_path, position):
    def edit(config):
        state = _fields(config["model"]["state"])["random_state_"]
        state["random_state"][1] = position
        return config

    _refused(resign(saved["DummySynthesizer"], tmp_path / "m.safetensors", edit),
             "random state in the file is not an MT19937 state")


def test_a_random_state_parameter_of_a_nested_estimator_is_checked(saved, tmp_path):
    def edit(config):
        rng = _first_with(config["model"]["state"], "random_state")  # a nested generator's
        crafted = json.loads(json.dumps(rng))
        crafted["random_state"][1] = 5000
        _set_field(config["model"]["params"], "random_state", crafted)
        return config

    _refused(resign(saved["GenerativeOverSampler"], tmp_path / "m.safetensors", edit),
             "MT19937")


# 2. parameters, 4. denial of service, 5. state names: one crafted field each --------
_CRAFTED_FIELDS = [
    # estimator, part, field, value, the refusal's words
    ("SenseGenSynthesizer", "params", "sample_chunk_size", -1, "sample_chunk_size"),
    ("SequenceLMSynthesizer", "params", "sample_chunk_size", -1, "sample_chunk_size"),
    ("DummySynthesizer", "state", "extra_",
     {"objects": ["", "", ""], "shape": [3], "dtype": "<U1000000000"}, "dtype"),
    ("DummySynthesizer", "state", "extra_",
     {"objects": ["ab"], "shape": [1], "dtype": "<U60000"}, "holds shorter strings"),
    ("SequenceLMSynthesizer", "params", "hidden_size", 12000, "do not fit the network"),
    ("SenseGenSynthesizer", "params", "ar_order", 10**6, "do not fit the network"),
    ("SenseGenSynthesizer", "state", "n_timesteps_", 10**7, "default length"),
    ("DummySynthesizer", "state", "_restore_state", 1, "not a fitted attribute"),
    ("DummySynthesizer", "state", "sample", 1, "not a fitted attribute"),
    ("DummySynthesizer", "state", "__class__", 1, "not a fitted attribute"),
    ("DummySynthesizer", "state", "x", 1, "not a fitted attribute"),
    ("DummySynthesizer", "params", "_restore_state", 1, "damaged or inconsistent"),
]


@pytest.mark.parametrize("name, part, field, value, match", _CRAFTED_FIELDS,
                         ids=[f"{c[0]}-{c[2]}" for c in _CRAFTED_FIELDS])
def test_a_crafted_field_is_refused_before_it_is_used(saved, tmp_path, name, part, field, value,
                                                      match):
    """Invalid parameters (before any buffer is used), allocations larger than the
    file (string widths, network sizes, series lengths), and state names that are
    not fitted attributes."""
    def edit(config):
        _set_field(config["model"][part], field, value)
        return config

    _refused(resign(saved[name], tmp_path / "m.safetensors", edit), match)


def test_a_fitted_looking_name_the_class_does_not_define_loads(saved, tmp_path):
    def edit(config):
        _set_field(config["model"]["state"], "fit_", 1)
        return config

    assert load_model(resign(saved["DummySynthesizer"], tmp_path / "m.safetensors", edit)).fit_ == 1


# 3. nested estimators with side effects -------------------------------------------
def test_a_nested_pipeline_with_a_cache_folder_is_refused(tmp_path):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    from sklearn_synth.privacy import PrivacyValuator
    from tests._estimators import numeric_table

    X, y = numeric_table(n=60)
    valuator = PrivacyValuator(Pipeline([("clf", LogisticRegression(max_iter=50))]),
                               n_models=2, random_state=0).fit(X, y)
    path = valuator.save(tmp_path / "v.safetensors")
    assert load_model(path).n_models == 2
    cache = tmp_path / "cache"

    def edit(config):
        pipeline = _fields(config["model"]["params"])["estimator"]["estimator"]
        _set_field(pipeline["params"], "memory", str(cache))
        return config

    _refused(resign(path, tmp_path / "evil.safetensors", edit), "memory=.*must keep the default")
    assert not cache.exists()

    def workers(config):
        pipeline = _fields(config["model"]["params"])["estimator"]["estimator"]
        classifier = _fields(pipeline["params"])["steps"]["list"][0]["tuple"][1]["estimator"]
        _set_field(classifier["params"], "n_jobs", 64)
        return config

    _refused(resign(path, tmp_path / "jobs.safetensors", workers), "n_jobs=64")

    def top_level(config):
        _set_field(config["model"]["params"], "n_jobs", 10_000)
        return config

    _refused(resign(path, tmp_path / "top.safetensors", top_level), "n_jobs=10000")


# 5. the class table ----------------------------------------------------------------
@pytest.mark.parametrize("path", [
    "skorch.net.NeuralNet",
    "sklearn_synth.privacy._cyclegan_modules.NeuralNet",
    "sklearn.utils.tests.test_estimator_checks.BaseBadClassifier",
    "sklearn.utils.Bunch",
    "os.system",
    "builtins.eval",
])
def test_only_classes_from_the_table_are_built(saved, tmp_path, path):
    def edit(config):
        config["model"]["class"] = path
        return config

    modules = set(sys.modules)
    _refused(resign(saved["DummySynthesizer"], tmp_path / "m.safetensors", edit),
             "not one of the estimators a model file may hold")
    assert set(sys.modules) == modules  # nothing was imported because the file said so


def test_load_checks_the_class_it_built(saved):
    from sklearn_synth.over_sampling import GenerativeOverSampler

    with pytest.raises(ModelFormatError, match="not a GenerativeOverSampler"):
        GenerativeOverSampler.load(saved["DummySynthesizer"])
    assert type(DummySynthesizer.load(saved["DummySynthesizer"])) is DummySynthesizer


# 6. no file opened ------------------------------------------------------------------
_OPENED = []


def _audit(event, args):
    if event == "open" and _OPENED and _OPENED[0] == "recording":
        _OPENED.append(str(args[0]))


sys.addaudithook(_audit)


def _allowed_open(name, model_path):
    """The model file itself, or files of the Python installation (lazy imports)
    and the system's time-zone database."""
    import os

    roots = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    roots |= {"/usr/share/zoneinfo", "/usr/lib/python3"}
    real = os.path.realpath(name)
    return real == os.path.realpath(model_path) or any(
        real == root or real.startswith(root + os.sep) for root in roots)


@pytest.mark.parametrize("dtype", ["datetime64[ns, dateutil//etc/passwd]",
                                   "datetime64[ns, /etc/passwd]", "period[D]", "interval"])
def test_a_dtype_naming_a_file_is_refused_without_opening_it(saved, tmp_path, dtype):
    def edit(config):
        template = _fields(_fields(config["model"]["state"])["_template"])
        template["dtypes"]["list"][0] = {"pandas_dtype": dtype}
        return config

    path = resign(saved["SymbolicBinner"], tmp_path / "m.safetensors", edit)
    _OPENED[:] = ["recording"]
    try:
        _refused(path, "dtype")
    finally:
        opened = _OPENED[1:]
        _OPENED.clear()
    assert not any("passwd" in name for name in opened)


# 7. every failure is a ModelFormatError, and one line on the command line ----------
def test_deeply_nested_json_is_a_format_error(saved, tmp_path):
    def edit(config):
        deep = 1
        for _ in range(100_000):
            deep = {"list": [deep]}
        config["model"]["params"]["dict"].append(["n_bins", deep])
        return config

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 1000))
    try:
        path = resign(saved["DummySynthesizer"], tmp_path / "m.safetensors", edit)
    except RecursionError:  # json.dumps itself refuses; build the text by hand
        arrays, config = load_arrays(saved["DummySynthesizer"])
        text = json.dumps(config).replace('"dict": [', '"dict": [["n_bins", '
                                          + '{"list": [' * 100_000 + "1" + "]}" * 100_000
                                          + "], ", 1)
        from safetensors.numpy import save_file

        path = tmp_path / "m.safetensors"
        save_file(arrays, str(path), metadata={"format": "sklearn-synth", "format_version": "2",
                                               "config": text, "sha256": _digest(arrays, text)})
    _refused(path, "damaged")


def test_the_command_line_reports_a_crafted_file_on_one_line(saved, tmp_path, capsys):
    def edit(config):
        config["model"]["class"] = "os.system"
        return config

    path = resign(saved["DummySynthesizer"], tmp_path / "m.safetensors", edit)
    assert main(["sample", str(path), "-n", "3", "-o", str(tmp_path / "out.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sklearn-synth: error: ") and err.count("\n") == 1
    assert "Traceback" not in err and not (tmp_path / "out.csv").exists()


# the property: any mutation of a saved file loads into a working estimator or is refused
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                     st.floats(allow_nan=False), st.text(max_size=20))
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.sampled_from(
                                ["list", "tuple", "dict", "array", "objects", "shape", "dtype",
                                 "estimator", "class", "params", "state", "random_state",
                                 "scalar", "float", "numpy_dtype", "pandas_dtype", "frame",
                                 "index", "categorical", "ordered", "as_type"]), inner,
                                max_size=4)),
    max_leaves=10,
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*prefix, i))


@settings(deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data(), name=st.sampled_from([name for name, _ in all_estimators()]))
def test_mutated_files_load_into_working_estimators_or_are_refused(cases, tmp_path_factory,
                                                                   data, name):
    saved = {n: path for n, (path, _) in cases.items()}
    _, config = load_arrays(saved[name])
    paths = list(_paths(config["model"]))
    target = data.draw(st.sampled_from(paths[1:]), label="path")
    value = data.draw(_VALUES, label="value")

    def edit(config):
        node = config["model"]
        for key in target[:-1]:
            node = node[key]
        node[target[-1]] = value
        return config

    folder = tmp_path_factory.mktemp("mutated")
    path = resign(saved[name], folder / "m.safetensors", edit)
    before = set(p.name for p in folder.iterdir())
    start = time.perf_counter()
    tracemalloc.start()
    _OPENED[:] = ["recording"]
    try:
        estimator = load_model(path)
    except ModelFormatError:
        estimator = None
    finally:
        opened = _OPENED[1:]
        _OPENED.clear()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert time.perf_counter() - start < 10 and peak < 200 * 2**20
    assert all(_allowed_open(name, path) for name in opened), opened
    if estimator is not None:
        assert type(estimator).__name__ == name
        cases[name][1](estimator)  # it samples, transforms or scores as the saved one did
    assert set(p.name for p in folder.iterdir()) == before  # nothing written beside it


def test_nested_runtime_settings_are_saved_at_their_defaults(tmp_path):
    """A legitimate model with a verbose or parallel nested estimator round-trips."""
    from sklearn.ensemble import RandomForestClassifier

    from sklearn_synth.privacy import PrivacyValuator
    from tests._estimators import numeric_table

    X, y = numeric_table(n=60)
    valuator = PrivacyValuator(RandomForestClassifier(n_estimators=5, n_jobs=2, verbose=0),
                               n_models=2, random_state=0).fit(X, y)
    loaded = load_model(valuator.save(tmp_path / "v.safetensors"))
    assert loaded.estimator.n_jobs is None  # a runtime setting, not part of the model
    np.testing.assert_array_equal(loaded.privacy_scores_, valuator.privacy_scores_)
