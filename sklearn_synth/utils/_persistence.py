"""The safe model format: weights and arrays in safetensors, configuration in JSON.

Loading executes no pickle: the file holds only named numeric arrays and one
JSON document in the safetensors header. Writes are atomic. A SHA-256 digest of
the configuration and of every array (name, dtype, shape, bytes) is stored
beside them, so a file modified after saving is refused instead of loaded with
altered weights. (The digest detects corruption and casual edits; it is not a
signature: whoever can rewrite the file can rewrite the digest.)
"""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import hashlib
import json
from pathlib import Path

import numpy as np

from ..exceptions import OptionalDependencyError
from ._io import atomic_path

FORMAT = "sklearn-synth"
FORMAT_VERSION = 1


class ModelFormatError(ValueError):
    """A model file is not in sklearn-synth's format, is from an incompatible
    version, or was modified."""


def _safetensors_numpy():
    try:
        from safetensors import numpy as st
    except ImportError as exc:  # pragma: no cover - safetensors is a dependency
        raise OptionalDependencyError("Saving models needs 'pip install safetensors'.") from exc
    return st


def to_jsonable(value, what):
    """A JSON-compatible copy of ``value`` (numpy scalars and arrays converted)."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v, what) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [to_jsonable(v, what) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(
        f"{what} holds a value of type {type(value).__name__} ({value!r}), which the safe "
        "model format cannot store; convert it to a string or number, or use pickle."
    )


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


def random_state_to_arrays(rng, prefix):
    """Split a RandomState's state into an array and JSON-able scalars."""
    name, keys, pos, has_gauss, cached = rng.get_state()
    return {f"{prefix}keys": keys}, [name, int(pos), int(has_gauss), float(cached)]


def random_state_from_arrays(arrays, scalars, prefix):
    rng = np.random.RandomState()
    name, pos, has_gauss, cached = scalars
    rng.set_state((name, arrays[f"{prefix}keys"], pos, has_gauss, cached))
    return rng
