"""Crafting model files as an attacker who knows the format would."""

import json

from sklearn_synth.utils._persistence import _digest, load_arrays


def resign(path, out, edit, edit_arrays=None):
    """Rewrite a model file with an edited configuration (and arrays) and a valid digest."""
    from safetensors.numpy import save_file

    arrays, config = load_arrays(path)
    config = edit(config)
    if edit_arrays is not None:
        arrays = edit_arrays(arrays)
    text = json.dumps(config)
    save_file(arrays, str(out), metadata={"format": "sklearn-synth", "format_version": "2",
                                          "config": text, "sha256": _digest(arrays, text)})
    return out


def without_param(path, out, name):
    """The model file at ``path`` as a version without parameter ``name`` wrote it."""

    def drop(config):
        params = config["model"]["params"]
        params["dict"] = [[n, v] for n, v in params["dict"] if n != name]
        return config

    return resign(path, out, drop)
