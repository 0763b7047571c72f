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
are stored recursively. Classes are looked up by name among sklearn-synth's
public estimators, or, for estimators passed as parameters, among the classes
of scikit-learn and imbalanced-learn; nothing else is ever constructed.
"""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import hashlib
import importlib
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import ModelFormatError, OptionalDependencyError, TrainingRowsError
from ._io import atomic_path

FORMAT = "sklearn-synth"
#: Version 2 (sklearn-synth 0.2): every estimator, stored as class, parameters
#: and state. Version 1 files (0.1, language models only) are refused.
FORMAT_VERSION = 2

# Modules whose estimator classes may be named in a model file.
_TRUSTED_MODULES = ("sklearn_synth.", "sklearn.", "imblearn.")



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


def _dtype_from_json(spec):
    if isinstance(spec, dict):
        return pd.CategoricalDtype(spec["categorical"], ordered=spec["ordered"])
    return pd.api.types.pandas_dtype(spec)


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
        return np.dtype(spec["dtype"]).type(decode_value(spec["scalar"], arrays))
    if "random_state" in spec:
        name, pos, has_gauss, cached = spec["random_state"]
        rng = np.random.RandomState()
        rng.set_state((name, arrays[spec["array"]], pos, has_gauss, cached))
        return rng
    if "array" in spec:
        array = arrays[spec["array"]]
        return array.view(spec["dtype"]) if "dtype" in spec else array
    if "objects" in spec:
        array = np.empty(len(spec["objects"]), dtype=object)
        array[:] = spec["objects"]
        return array.reshape(spec["shape"]).astype(spec["dtype"])
    if "list" in spec:
        return [decode_value(v, arrays, device) for v in spec["list"]]
    if "tuple" in spec:
        return tuple(decode_value(v, arrays, device) for v in spec["tuple"])
    if "dict" in spec:
        return {decode_value(k, arrays, device): decode_value(v, arrays, device)
                for k, v in spec["dict"]}
    if "numpy_dtype" in spec:
        dtype = np.dtype(spec["numpy_dtype"])
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
        return estimator_from_spec(spec["estimator"], arrays, device)
    raise ValueError(f"unknown value in a model file: {sorted(spec)}")


def _class_path(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def _resolve_class(path):
    from sklearn.base import BaseEstimator

    from ._discovery import all_estimators

    ours = {_class_path(cls): cls for _, cls in all_estimators()}
    if path in ours:
        return ours[path]
    module_name, _, name = path.rpartition(".")
    if not path.startswith(_TRUSTED_MODULES) or not module_name:
        raise ValueError(f"the file names class {path!r}, which is not an estimator of "
                         "sklearn-synth, scikit-learn or imbalanced-learn")
    cls = getattr(importlib.import_module(module_name), name, None)
    if not (isinstance(cls, type) and issubclass(cls, BaseEstimator)):
        raise ValueError(f"{path!r} is not an estimator class")
    return cls


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
    """
    name = type(estimator).__name__
    params = estimator.get_params(deep=False)
    for runtime in getattr(estimator, "_runtime_params", ()):  # resources, not model state
        if runtime in params:
            params[runtime] = None
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


def estimator_from_spec(spec, arrays, device=None):
    """Inverse of :func:`estimator_to_spec`."""
    cls = _resolve_class(spec["class"])
    params = decode_value(spec["params"], arrays, device)
    if device is not None and "device" in params:
        params["device"] = device
    estimator = cls(**params)
    state = decode_value(spec["state"], arrays, device)
    restore_state = getattr(estimator, "_restore_state", None)
    if restore_state is not None:
        restore_state(state, device)
    else:
        for k, v in state.items():
            setattr(estimator, k, v)
    return estimator


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


def load_model(path, *, device="cpu", expected=None):
    """Load any estimator saved with ``save`` (no pickle is executed).

    Parameters
    ----------
    path : str or path-like
        A file written by an estimator's ``save`` method.
    device : str, default="cpu"
        Where torch models go.
    expected : type, default=None
        Refuse a file holding another class.

    Returns
    -------
    estimator : object
        The fitted estimator.

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
    name = config.get("estimator")
    if expected is not None and name != expected.__name__:
        raise ModelFormatError(f"'{path}' holds a {name!r} model, not a {expected.__name__}.")
    try:
        return estimator_from_spec(config["model"], arrays, device)
    except (KeyError, ValueError, TypeError, RuntimeError, IndexError, AttributeError) as exc:
        raise ModelFormatError(f"'{path}' is damaged or inconsistent: {exc}") from exc


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
    except (KeyError, json.JSONDecodeError) as exc:
        raise ModelFormatError(f"'{path}' has a damaged configuration ({exc}).") from exc
    return arrays, config
