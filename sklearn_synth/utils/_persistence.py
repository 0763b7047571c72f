"""The safe model format: weights and arrays in safetensors, configuration in JSON.

Loading executes no pickle: the file holds only named numeric arrays and one
JSON document in the safetensors header. Writes are atomic. A SHA-256 digest of
the configuration and of every array (name, dtype, shape, bytes) is stored
beside them, so a file modified after saving is refused instead of loaded with
altered weights. (The digest detects corruption and casual edits; it is not a
signature: whoever can rewrite the file can rewrite the digest.)

Every estimator is stored the same way (:class:`PersistenceMixin`): its class
name, its parameters and its fitted state, each value encoded by
:func:`encode_value` into JSON plus named arrays. Nested estimators (a
generator inside an over-sampler, a valuator inside the CycleGAN transformer)
are stored recursively.

A model file is untrusted input (its digest can be recomputed by anyone):
classes come from a fixed table (:func:`loadable_classes`), parameters are
validated and side-effect parameters of nested estimators kept at their
defaults, the state is limited to fitted attributes and checked by each class,
random states, dtypes and array widths are checked before use, networks are
compared with their weights on torch's meta device before they are built, and
every failure is a :class:`~sklearn_synth.exceptions.ModelFormatError`.
"""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import functools
import hashlib
import importlib
import json
import math
import re
import types
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import ModelFormatError, OptionalDependencyError, TrainingRowsError
from ._io import atomic_path

FORMAT = "sklearn-synth"
#: Version 2 (sklearn-synth 0.2): every estimator, stored as class, parameters
#: and state. Version 1 files (0.1, language models only) are refused.
FORMAT_VERSION = 2



def _safetensors_numpy():
    try:
        from safetensors import numpy as st
    except ImportError as exc:  # pragma: no cover - safetensors is a dependency
        raise OptionalDependencyError("Saving models needs 'pip install safetensors'.") from exc
    return st


# --------------------------------------------------------------- the codec
class _Writer:
    """Collects the arrays of one file while values are encoded."""

    def __init__(self, allow_training_rows):
        self.arrays = {}
        self.allow_training_rows = allow_training_rows

    def put(self, key, array):
        if key in self.arrays:  # pragma: no cover - keys are built from unique paths
            raise RuntimeError(f"duplicate array key {key!r}")
        self.arrays[key] = np.ascontiguousarray(array)
        return {"array": key}


def _dtype_to_json(dtype):
    if isinstance(dtype, pd.CategoricalDtype):
        return {"categorical": _scalar_list(dtype.categories), "ordered": bool(dtype.ordered)}
    return str(dtype)


_NUMPY_DTYPE = re.compile(
    r"[<>|=]?(b1|[iu][1248]|f[248]|c(8|16)|O|[mM]8\[(s|ms|us|ns)\]|[US](?P<width>\d{1,7}))"
    r"|bool|u?int(8|16|32|64)|float(16|32|64)|complex(64|128)|object"
    r"|(datetime|timedelta)64\[(s|ms|us|ns)\]"
)
_PANDAS_DTYPE = re.compile(r"U?Int(8|16|32|64)|Float(32|64)|boolean|string|str|category")
_TZ_DTYPE = re.compile(r"datetime64\[(s|ms|us|ns), (?P<tz>[A-Za-z0-9_+\-/]{1,64})\]")
#: Widest fixed-width string dtype a model file may name, in characters.
_MAX_STRING_WIDTH = 1 << 16


def _checked_dtype_text(text):
    """A dtype string from a model file, if it is one of the allowed ones (numpy
    numbers, strings, objects, dates; pandas' nullable and string dtypes;
    time-zone aware dates in an IANA zone). Nothing else is parsed, so a file
    cannot name a dtype whose construction reads other files."""
    if not isinstance(text, str):
        raise ModelFormatError(f"a dtype in the file is {type(text).__name__}, not a name")
    numpy_match = _NUMPY_DTYPE.fullmatch(text)
    if numpy_match:
        width = numpy_match.group("width")
        if width is not None and int(width) > _MAX_STRING_WIDTH:
            raise ModelFormatError(f"the file names a {width}-character string dtype (at most "
                                   f"{_MAX_STRING_WIDTH})")
        return text
    if _PANDAS_DTYPE.fullmatch(text):
        return text
    tz_match = _TZ_DTYPE.fullmatch(text)
    if tz_match and tz_match.group("tz") in _time_zones():
        return text
    raise ModelFormatError(f"the file names dtype {text[:80]!r}, which a model file may not")


@functools.cache
def _time_zones():
    import zoneinfo

    return frozenset(zoneinfo.available_timezones() | {"UTC"})


def _dtype_from_json(spec):
    if isinstance(spec, dict):
        categories = spec["categorical"]
        if not isinstance(categories, list) or not isinstance(spec["ordered"], bool):
            raise ModelFormatError("a categorical dtype in the file is malformed")
        return pd.CategoricalDtype(categories, ordered=spec["ordered"])
    return pd.api.types.pandas_dtype(_checked_dtype_text(spec))


def _scalar_list(values):
    """Plain JSON scalars (None for a missing value) from an iterable of cells."""
    out = []
    for v in values:
        if isinstance(v, np.generic):
            v = v.item()
        if v is None or v is pd.NA or v is pd.NaT:
            out.append(None)
        elif isinstance(v, (bool, int, float, str)):
            out.append(v)
        else:
            raise TypeError(
                f"A value of type {type(v).__name__} ({v!r}) cannot be stored in the safe model "
                "format; convert it to a string or number, or use pickle."
            )
    return out


def encode_value(value, out, key, what="A value"):
    """Encode ``value`` as JSON, moving numeric arrays into ``out`` under ``key``.

    Handles None, bools, numbers, strings, numpy scalars, dtypes and arrays,
    lists, tuples, dicts (any encodable keys), ``RandomState``, pandas
    indexes, series and data frames, and estimators (recursively).
    """
    from sklearn.base import BaseEstimator

    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"float": repr(value)}
    if isinstance(value, np.generic) and not isinstance(value, (np.datetime64, np.timedelta64)):
        return {"scalar": encode_value(value.item(), out, key, what), "dtype": value.dtype.str}
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biuf":
            return {**out.put(key, value), "ndarray": True}
        if value.dtype.kind in "mM":
            return {**out.put(key, value.view(np.int64)), "dtype": value.dtype.str}
        if value.dtype.kind in "OUS":
            return {"objects": _scalar_list(value.ravel()), "shape": list(value.shape),
                    "dtype": value.dtype.str}
        raise TypeError(f"{what}: arrays of dtype {value.dtype} cannot be stored in the safe "
                        "model format; use pickle.")
    if isinstance(value, (list, tuple)):
        items = [encode_value(v, out, f"{key}.{i}", what) for i, v in enumerate(value)]
        return {"tuple" if isinstance(value, tuple) else "list": items}
    if isinstance(value, dict):
        return {"dict": [[encode_value(k, out, f"{key}.k{i}", what),
                          encode_value(v, out, f"{key}.{i}", what)]
                         for i, (k, v) in enumerate(value.items())]}
    if isinstance(value, np.random.RandomState):
        name, keys, pos, has_gauss, cached = value.get_state()
        return {"random_state": [name, int(pos), int(has_gauss), float(cached)],
                **out.put(key, keys)}
    if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
        return {"numpy_dtype": np.dtype(value).str, "as_type": isinstance(value, type)}
    if isinstance(value, pd.api.extensions.ExtensionDtype):
        return {"pandas_dtype": _dtype_to_json(value)}
    if isinstance(value, pd.Index):
        return {"index": encode_value(value.to_numpy(), out, key, what),
                "dtype": _dtype_to_json(value.dtype)}
    if isinstance(value, pd.DataFrame):
        columns = [
            encode_value(_column_values(value.iloc[:, j]), out, f"{key}.c{j}", what)
            for j in range(value.shape[1])
        ]
        return {"frame": columns, "columns": encode_value(value.columns, out, key + ".names", what),
                "dtypes": [_dtype_to_json(d) for d in value.dtypes]}
    if isinstance(value, BaseEstimator):
        return {"estimator": estimator_to_spec(value, out, key + ".")}
    if callable(value):
        raise TypeError(f"{what} is a function ({value!r}); the safe model format stores no "
                        "code. Replace it by a value (a dict or a string), or use pickle.")
    raise TypeError(f"{what} holds a {type(value).__name__} ({value!r}), which the safe model "
                    "format cannot store; use pickle.")


def _column_values(series):
    values = series.to_numpy()
    if values.dtype.kind in "biufmM":
        return values
    return np.asarray(series.astype(object).where(series.notna(), None), dtype=object)


def _rows_refused(what):
    return TrainingRowsError(
        f"{what} holds training rows, and the safe model format does not store training rows "
        "by default. Pass allow_training_rows=True to save(), knowing that everyone who gets "
        "the file gets these rows, or use a generator that does not keep them."
    )


def decode_value(spec, arrays, device=None):
    """Inverse of :func:`encode_value`."""
    if spec is None or isinstance(spec, (bool, int, float, str)):
        return spec
    if isinstance(spec, list):  # pragma: no cover - lists are always wrapped
        raise ValueError("unwrapped list in a model file")
    if "float" in spec:
        return float(spec["float"])
    if "scalar" in spec:
        dtype = np.dtype(_checked_dtype_text(spec["dtype"]))
        if dtype.kind not in "biufc":
            raise ModelFormatError(f"a scalar in the file has dtype {dtype}")
        return dtype.type(decode_value(spec["scalar"], arrays))
    if "random_state" in spec:
        return _random_state(spec, arrays)
    if "array" in spec:
        array = arrays[spec["array"]]
        if "dtype" not in spec:
            return array
        dtype = np.dtype(_checked_dtype_text(spec["dtype"]))
        if dtype.kind not in "mM" or array.dtype != np.int64:
            raise ModelFormatError(f"an array in the file is viewed as {dtype}")
        return array.view(dtype)
    if "objects" in spec:
        return _object_array(spec)
    if "list" in spec:
        return [decode_value(v, arrays, device) for v in spec["list"]]
    if "tuple" in spec:
        return tuple(decode_value(v, arrays, device) for v in spec["tuple"])
    if "dict" in spec:
        return {decode_value(k, arrays, device): decode_value(v, arrays, device)
                for k, v in spec["dict"]}
    if "numpy_dtype" in spec:
        dtype = np.dtype(_checked_dtype_text(spec["numpy_dtype"]))
        return dtype.type if spec["as_type"] else dtype
    if "pandas_dtype" in spec:
        return _dtype_from_json(spec["pandas_dtype"])
    if "index" in spec:
        return pd.Index(decode_value(spec["index"], arrays), dtype=_dtype_from_json(spec["dtype"]))
    if "frame" in spec:
        names = decode_value(spec["columns"], arrays)
        data = {j: pd.Series(decode_value(c, arrays)).astype(_dtype_from_json(d))
                for j, (c, d) in enumerate(zip(spec["frame"], spec["dtypes"]))}
        frame = pd.DataFrame(data)
        frame.columns = names
        return frame
    if "estimator" in spec:
        return estimator_from_spec(spec["estimator"], arrays, device, nested=True)
    raise ValueError(f"unknown value in a model file: {sorted(spec)}")


def _random_state(spec, arrays):
    """A stored ``RandomState``, checked: numpy does not range-check what
    ``set_state`` gets, and a bad position reads outside the generator's state."""
    name, pos, has_gauss, cached = spec["random_state"]
    keys = arrays[spec["array"]]
    if (name != "MT19937" or keys.dtype != np.uint32 or keys.shape != (624,)
            or type(pos) is not int or not 0 <= pos <= 624 or has_gauss not in (0, 1)
            or not isinstance(cached, float) or not math.isfinite(cached)):
        raise ModelFormatError("a random state in the file is not an MT19937 state with a "
                               "624-word key and a position from 0 to 624")
    rng = np.random.RandomState()
    rng.set_state((name, keys, pos, has_gauss, cached))
    return rng


def _object_array(spec):
    """An array of strings or objects, never wider or larger than what the file holds."""
    objects, shape = spec["objects"], spec["shape"]
    dtype = np.dtype(_checked_dtype_text(spec["dtype"]))
    if (not isinstance(objects, list) or not isinstance(shape, list)
            or not all(type(n) is int and n >= 0 for n in shape)
            or math.prod(shape) != len(objects) or dtype.kind not in "OUS"):
        raise ModelFormatError("an object array in the file is malformed")
    if not all(v is None or isinstance(v, (bool, int, float, str)) for v in objects):
        raise ModelFormatError("an object array in the file holds a value that is not a scalar")
    array = np.empty(len(objects), dtype=object)
    array[:] = objects
    if dtype.kind != "O":
        natural = array.astype(dtype.kind)  # as wide as the longest stored string
        if natural.dtype.itemsize < dtype.itemsize and len(objects):
            raise ModelFormatError(f"a {dtype} array in the file holds shorter strings")
        array = natural
    return array.reshape(shape).astype(dtype, copy=False)


def _class_path(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


# The scikit-learn and imbalanced-learn estimators a model file may hold inside one
# of ours (a valuator's classifier, an over-sampler's generator, a pipeline's
# steps). A file never makes the loader import a module: only these are looked up.
_LOADABLE_THIRD_PARTY = (
    "sklearn.linear_model:LogisticRegression",
    "sklearn.linear_model:SGDClassifier",
    "sklearn.linear_model:RidgeClassifier",
    "sklearn.neural_network:MLPClassifier",
    "sklearn.ensemble:RandomForestClassifier",
    "sklearn.ensemble:ExtraTreesClassifier",
    "sklearn.ensemble:GradientBoostingClassifier",
    "sklearn.ensemble:HistGradientBoostingClassifier",
    "sklearn.tree:DecisionTreeClassifier",
    "sklearn.neighbors:KNeighborsClassifier",
    "sklearn.neighbors:KernelDensity",
    "sklearn.naive_bayes:GaussianNB",
    "sklearn.svm:SVC",
    "sklearn.svm:LinearSVC",
    "sklearn.mixture:GaussianMixture",
    "sklearn.decomposition:PCA",
    "sklearn.preprocessing:StandardScaler",
    "sklearn.preprocessing:MinMaxScaler",
    "sklearn.preprocessing:QuantileTransformer",
    "sklearn.pipeline:Pipeline",
    "imblearn.pipeline:Pipeline",
    "imblearn.over_sampling:RandomOverSampler",
    "imblearn.over_sampling:SMOTE",
    "imblearn.over_sampling:SMOTENC",
)
# Parameters that reach outside the estimator (files, processes, the console):
# a nested estimator from a file must keep their defaults.
_SIDE_EFFECT_PARAMS = ("memory", "n_jobs", "pre_dispatch", "verbose")


@functools.cache
def loadable_classes():
    """``{class path: class}`` of every estimator class a model file may name
    (built once; read-only)."""
    from ._discovery import all_estimators

    table = {_class_path(cls): cls for _, cls in all_estimators()}
    for entry in _LOADABLE_THIRD_PARTY:
        module, name = entry.split(":")
        cls = getattr(importlib.import_module(module), name)
        table[_class_path(cls)] = cls
    return types.MappingProxyType(table)


def _resolve_class(path):
    table = loadable_classes()
    if not isinstance(path, str) or path not in table:
        raise ModelFormatError(
            f"the file names class {str(path)[:120]!r}, which is not one of the estimators a "
            "model file may hold (sklearn-synth's, and the scikit-learn and imbalanced-learn "
            "estimators listed in sklearn_synth.utils._persistence)")
    return table[path]


def _check_params(cls, params, nested):
    """Refuse parameters with side effects at other than their defaults in nested
    estimators, and worker counts beyond this machine anywhere."""
    import inspect
    import os

    if not isinstance(params, dict) or not all(isinstance(k, str) for k in params):
        raise ModelFormatError(f"the parameters of {cls.__name__} in the file are malformed")
    defaults = {name: p.default for name, p in inspect.signature(cls.__init__).parameters.items()}
    for name in _SIDE_EFFECT_PARAMS:
        if name not in params or name not in defaults:
            continue
        value = params[name]
        if nested and value is not defaults[name] and value != defaults[name]:
            raise ModelFormatError(
                f"{cls.__name__} inside the model has {name}={value!r}; a nested estimator "
                f"from a file must keep the default ({defaults[name]!r}).")
        if name == "n_jobs" and value is not None and (
                type(value) is not int or abs(value) > (os.cpu_count() or 1)):
            raise ModelFormatError(f"{cls.__name__} in the file has n_jobs={value!r}")


_FITTED_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*_")


def _check_state_names(estimator, state):
    """Only fitted attributes (``name_``) and the private ones the class declares,
    never a name the class itself defines (a method the loader would call)."""
    cls = type(estimator)
    private = set(getattr(cls, "_persisted_private", ())) | set(getattr(cls, "_state_parts", ()))
    if not isinstance(state, dict):
        raise ModelFormatError(f"the state of {cls.__name__} in the file is malformed")
    for name in state:
        if not isinstance(name, str) or not (_FITTED_NAME.fullmatch(name) or name in private):
            raise ModelFormatError(f"the file sets attribute {str(name)[:80]!r} of "
                                   f"{cls.__name__}, which is not a fitted attribute")
        if name not in private and hasattr(cls, name):
            raise ModelFormatError(f"the file sets {name!r}, which {cls.__name__} defines")


def _state_of(estimator):
    """Fitted attributes (names ending in ``_``) plus the private ones the class lists."""
    keep = set(getattr(estimator, "_persisted_private", ()))
    return {k: v for k, v in vars(estimator).items()
            if (k.endswith("_") and not k.startswith("_")) or k in keep}


def _encode_fields(mapping, out, prefix, what):
    """Encode a dict of named fields, naming the field in any error."""
    return {"dict": [[k, encode_value(mapping[k], out, f"{prefix}.{k}", what.format(k))]
                     for k in sorted(mapping)]}


def estimator_to_spec(estimator, out, prefix):
    """Class, parameters and state of ``estimator``.

    The state is what its ``_state_for_saving()`` returns (for a scikit-learn
    estimator: its fitted attributes); attributes it names in
    ``_training_row_attributes`` are refused unless the writer allows rows.
    A nested estimator (``prefix`` not empty) is stored with the defaults of
    its runtime settings (``memory``, ``n_jobs``, ``pre_dispatch``,
    ``verbose``): they change no result, and a loader refuses other values
    in nested estimators.
    """
    import inspect

    name = type(estimator).__name__
    params = estimator.get_params(deep=False)
    for runtime in getattr(estimator, "_runtime_params", ()):  # resources, not model state
        if runtime in params:
            params[runtime] = None
    if prefix:
        defaults = inspect.signature(type(estimator).__init__).parameters
        for setting in _SIDE_EFFECT_PARAMS:
            if setting in params and setting in defaults:
                params[setting] = defaults[setting].default
    state_for_saving = getattr(estimator, "_state_for_saving", None)
    state = state_for_saving() if state_for_saving is not None else _state_of(estimator)
    if not out.allow_training_rows:
        held = [k for k in getattr(estimator, "_training_row_attributes", ())
                if state.get(k) is not None]
        if held:
            raise _rows_refused(f"{name} ({', '.join(held)})")
    return {
        "class": _class_path(type(estimator)),
        "params": _encode_fields(params, out, prefix + "p", f"Parameter {{!r}} of {name}"),
        "state": _encode_fields(state, out, prefix + "s", f"Attribute {{!r}} of {name}"),
    }


def estimator_from_spec(spec, arrays, device=None, *, nested=False):
    """Inverse of :func:`estimator_to_spec`: the class from the table of loadable
    classes, its parameters checked and validated, its state restricted to
    fitted attributes and checked by the class."""
    cls = _resolve_class(spec["class"])
    params = decode_value(spec["params"], arrays, device)
    _check_params(cls, params, nested)
    # a parameter added after the file was written takes the value that reproduces
    # the model the file holds, not the new default
    for name, value in getattr(cls, "_params_before_added", {}).items():
        params.setdefault(name, value)
    if device is not None and "device" in params:
        params["device"] = device
    estimator = cls(**params)
    if hasattr(estimator, "_validate_params"):
        estimator._validate_params()
    state = decode_value(spec["state"], arrays, device)
    _check_state_names(estimator, state)
    restore_state = getattr(estimator, "_restore_state", None)
    if restore_state is not None:
        restore_state(state, device)
    else:
        for k, v in state.items():
            setattr(estimator, k, v)
    _check_class_prior(estimator)
    check_state = getattr(estimator, "_check_restored_state", None)
    if check_state is not None and state:  # an unfitted nested estimator has no state
        check_state()
    return estimator


def _check_class_prior(estimator):
    """Classes and their prior, where an estimator keeps both, fit together."""
    if "class_prior_" not in vars(estimator):
        return
    classes, prior = getattr(estimator, "classes_", None), estimator.class_prior_
    if classes is None and prior is None:
        return
    ok = (isinstance(classes, np.ndarray) and isinstance(prior, np.ndarray)
          and classes.ndim == 1 and prior.shape == classes.shape and classes.size >= 1
          and prior.dtype.kind == "f" and np.all(np.isfinite(prior)) and np.all(prior >= 0)
          and abs(prior.sum() - 1) < 1e-6)
    if not ok:
        raise ModelFormatError(f"{type(estimator).__name__}'s stored classes and class prior "
                               "do not fit together")


class PersistenceMixin:
    """``save`` and ``load`` in the safe format for any sklearn-synth estimator.

    The state saved is what :meth:`_state_for_saving` returns: by default
    every fitted attribute (name ending in ``_``) plus the private attributes
    named in ``_persisted_private``. Estimators holding objects the codec
    does not know (torch networks, codecs) convert them there and back in
    :meth:`_restore_state`. Attributes named in ``_training_row_attributes``
    hold training rows: saving them needs ``allow_training_rows=True``.
    """

    _persisted_private = ()
    _training_row_attributes = ()

    def _state_for_saving(self):
        return _state_of(self)

    def _restore_state(self, state, device):
        for k, v in state.items():
            setattr(self, k, v)

    def save(self, path, *, allow_training_rows=False, metadata=None):
        """Save the fitted estimator in the safe format, for sharing with other people.

        Parameters, fitted arrays and network weights go into a safetensors
        file whose header holds the rest as JSON; loading it executes no
        pickle. The file holds no training rows: a model that keeps rows (for
        example ``DummySynthesizer(strategy="bootstrap")``) is refused unless
        ``allow_training_rows=True``. It is written to a temporary name and
        renamed, so an interrupted save never leaves a truncated file where a
        good one was.

        Parameters
        ----------
        path : str or path-like
            Destination, conventionally ``*.safetensors``.
        allow_training_rows : bool, default=False
            Store a model that keeps training rows anyway.
        metadata : dict or None, default=None
            A small description stored beside the model and read back by
            :func:`~sklearn_synth.utils.model_metadata`: string keys, values
            that are strings, numbers, booleans, None or lists of strings
            (the command line records the training table's column order here).

        Returns
        -------
        path : pathlib.Path
            The written file.
        """
        from sklearn.utils.validation import check_is_fitted

        from .. import __version__

        check_is_fitted(self)
        out = _Writer(allow_training_rows)
        config = {
            "estimator": type(self).__name__,
            "sklearn_synth_version": __version__,
            "model": estimator_to_spec(self, out, ""),
            "metadata": _check_metadata(metadata if metadata is not None else {}),
        }
        save_arrays(path, out.arrays, config)
        return Path(path)

    @classmethod
    def load(cls, path, *, device="cpu"):
        """Load an estimator written by :meth:`save` (no pickle is executed).

        Parameters
        ----------
        path : str or path-like
            The model file.
        device : str, default="cpu"
            Where torch models go; a model trained on a GPU loads on the CPU.

        Returns
        -------
        estimator : object
            A fitted estimator of this class that behaves exactly like the
            saved one (a generator samples the same rows for the same
            ``random_state``, and continues its default sampling stream).

        Raises
        ------
        ModelFormatError
            If the file is not a sklearn-synth model of this class, comes from
            an incompatible format version, or was modified.
        """
        return load_model(path, device=device, expected=cls)


def load_model(path, *, device="cpu", expected=None, return_metadata=False):
    """Load any estimator saved with ``save`` (no pickle is executed).

    Parameters
    ----------
    path : str or path-like
        A file written by an estimator's ``save`` method.
    device : str, default="cpu"
        Where torch models go.
    expected : type, default=None
        Refuse a file holding another class.
    return_metadata : bool, default=False
        Also return the ``metadata`` the file was saved with (see
        :func:`model_metadata`), from the same read of the file.

    Returns
    -------
    estimator : object
        The fitted estimator.
    metadata : dict
        Only when ``return_metadata`` is True.

    Raises
    ------
    ModelFormatError
        If the file is not a sklearn-synth model (of the expected class),
        comes from an incompatible format version, or was modified.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_synth.generators import DummySynthesizer
    >>> from sklearn_synth.utils import load_model
    >>> X = load_iris(as_frame=True).data
    >>> model = DummySynthesizer(random_state=0).fit(X)
    >>> path = model.save(pathlib.Path(tempfile.mkdtemp()) / "model.safetensors")
    >>> load_model(path).sample(2, random_state=0).equals(model.sample(2, random_state=0))
    True
    """
    arrays, config = load_arrays(path)
    metadata = _metadata_of(config, path) if return_metadata else None
    name = config.get("estimator")
    if expected is not None and name != expected.__name__:
        raise ModelFormatError(f"'{path}' holds a {name!r} model, not a {expected.__name__}.")
    try:
        estimator = estimator_from_spec(config["model"], arrays, device)
    except ModelFormatError as exc:
        raise ModelFormatError(f"'{path}' is refused: {exc}") from exc
    except Exception as exc:  # anything a crafted file provokes is a format error
        message = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
        raise ModelFormatError(f"'{path}' is damaged or inconsistent: {message}") from exc
    if expected is not None and type(estimator) is not expected:
        raise ModelFormatError(f"'{path}' holds a {type(estimator).__name__} model, not a "
                               f"{expected.__name__}.")
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    try:  # save() refuses unfitted estimators, so a file without a fitted state is crafted
        check_is_fitted(estimator)
    except NotFittedError:
        raise ModelFormatError(f"'{path}' holds no fitted state.") from None
    return (estimator, metadata) if return_metadata else estimator


def model_metadata(path):
    """The ``metadata`` a model file was saved with (``{}`` when none).

    Reads the file's header only: no estimator is built.

    Parameters
    ----------
    path : str or path-like
        A file written by an estimator's ``save`` method.

    Returns
    -------
    metadata : dict

    Raises
    ------
    ModelFormatError
        If the file is not a sklearn-synth model, or its metadata is malformed.
    """
    _, config = load_arrays(path)
    return _metadata_of(config, path)


def _metadata_of(config, path):
    try:
        return _check_metadata(config.get("metadata", {}))
    except (TypeError, ValueError) as exc:
        raise ModelFormatError(f"'{path}' has malformed metadata: {exc}") from exc


_MAX_METADATA_CHARS = 65_536


def _check_metadata(metadata):
    if not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict, got {type(metadata).__name__}.")
    for key, value in metadata.items():
        if not isinstance(key, str):
            raise TypeError(f"metadata keys must be strings, got {key!r}.")
        scalar = value is None or isinstance(value, (str, bool, int, float))
        strings = isinstance(value, list) and all(isinstance(v, str) for v in value)
        if not (scalar or strings):
            raise TypeError(f"metadata[{key!r}] must be a string, number, boolean, None or a "
                            f"list of strings, got {value!r}.")
    if len(json.dumps(metadata)) > _MAX_METADATA_CHARS:
        raise ValueError(f"metadata is larger than {_MAX_METADATA_CHARS:,} characters of JSON.")
    return dict(metadata)


# ------------------------------------------------------------ the file itself
def _digest(arrays, config_text):
    sha = hashlib.sha256(config_text.encode())
    for name in sorted(arrays):
        value = np.ascontiguousarray(arrays[name])
        sha.update(f"{name}|{value.dtype.str}|{value.shape}".encode())
        sha.update(value.tobytes())
    return sha.hexdigest()


def save_arrays(path, arrays, config):
    """Write ``arrays`` (name -> ndarray) and ``config`` (JSON-able dict) to ``path``."""
    st = _safetensors_numpy()
    arrays = {k: np.ascontiguousarray(v) for k, v in arrays.items()}
    config_text = json.dumps(config, allow_nan=True)
    header = {"format": FORMAT, "format_version": str(FORMAT_VERSION),
              "config": config_text, "sha256": _digest(arrays, config_text)}
    with atomic_path(path) as tmp:
        st.save_file(arrays, str(tmp), metadata=header)


def load_arrays(path):
    """Read a file written by :func:`save_arrays`; return ``(arrays, config)``.

    Raises
    ------
    ModelFormatError
        If the file is not a sklearn-synth model, is from another format
        version, or cannot be parsed (truncated or modified).
    """
    st = _safetensors_numpy()
    from safetensors import safe_open

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No model file at '{path}'.")
    try:
        with safe_open(str(path), framework="numpy") as handle:
            header = handle.metadata() or {}
        arrays = st.load_file(str(path))
    except Exception as exc:  # safetensors raises several types for corrupt files
        raise ModelFormatError(
            f"'{path}' is not a readable sklearn-synth model file ({exc}). It may be truncated "
            "or modified."
        ) from exc
    if header.get("format") != FORMAT:
        raise ModelFormatError(f"'{path}' is not a sklearn-synth model file.")
    if header.get("format_version") != str(FORMAT_VERSION):
        raise ModelFormatError(
            f"'{path}' uses model format version {header.get('format_version')}, this "
            f"sklearn-synth reads version {FORMAT_VERSION}; load it with the sklearn-synth "
            "version that saved it."
        )
    if header.get("sha256") != _digest(arrays, header.get("config", "")):
        raise ModelFormatError(
            f"'{path}' was modified after it was saved (its content does not match the digest "
            "stored with it); it may be truncated or modified. Ask for a fresh copy."
        )
    try:
        config = json.loads(header["config"])
    except (KeyError, json.JSONDecodeError, RecursionError) as exc:
        raise ModelFormatError(f"'{path}' has a damaged configuration ({exc}).") from exc
    if not isinstance(config, dict):
        raise ModelFormatError(f"'{path}' has a damaged configuration.")
    return arrays, config
