"""Torch plumbing shared by the neural generators: the skorch net, safe
save/load, and unpickling a CUDA-trained model on a CPU-only machine."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from pathlib import Path

import numpy as np

from ..exceptions import DeviceWarning
from ..utils._torch import import_torch, resolve_device, torch_generator


def _silent(*args, **kwargs):
    """A picklable sink for skorch messages we do not want printed."""


class TorchGeneratorMixin:
    """What the torch-backed generators share.

    The estimator provides ``patience``, ``gradient_clip``, ``batch_size``,
    ``validation_fraction``, ``device``, ``verbose`` and ``random_state``
    parameters, sets ``device_``, ``net_``, ``history_``, ``random_state_``,
    ``classes_``/``class_prior_`` and ``n_features_in_`` in ``fit``, and
    implements ``_build_net(torch, seed, valid=None)`` plus the two
    persistence hooks ``_arrays_to_save()`` and ``_restore_arrays(arrays,
    config)`` for what it keeps besides the network weights.
    """

    def _make_net(self, torch, *, module, criterion, seed, valid, lr, max_epochs, weight_decay=0.0,
                  **module_kwargs):
        """A skorch ``NeuralNet``: Adam, early stopping that restores the best
        weights, optional gradient clipping and progress bar, a predefined
        validation set, and a shuffling order drawn from ``seed`` only."""
        from skorch import NeuralNet
        from skorch.callbacks import EarlyStopping, GradientNormClipping, ProgressBar
        from skorch.dataset import Dataset
        from skorch.helper import predefined_split

        callbacks = [
            EarlyStopping(
                monitor="valid_loss" if valid is not None else "train_loss",
                patience=self.patience,
                load_best=True,
                sink=_silent,
            )
        ]
        if self.gradient_clip is not None:
            callbacks.append(GradientNormClipping(gradient_clip_value=self.gradient_clip))
        if self.verbose:
            callbacks.append(ProgressBar())
        return NeuralNet(
            module=module,
            criterion=criterion,
            optimizer=torch.optim.Adam,
            optimizer__weight_decay=weight_decay,
            lr=lr,
            max_epochs=max_epochs,
            batch_size=self.batch_size,
            train_split=None if valid is None else predefined_split(Dataset(*valid)),
            callbacks=callbacks,
            iterator_train__shuffle=True,
            iterator_train__generator=torch_generator(seed),
            device=str(self.device_),
            verbose=self.verbose,
            **{f"module__{k}": v for k, v in module_kwargs.items()},
        )

    # ---------------------------------------------------------- persistence
    def save(self, path):
        """Save the fitted model in the safe format, for sharing with other people.

        Weights and the model's other arrays go into a safetensors file whose
        header holds the configuration as JSON; loading it executes no pickle,
        and the file holds no training rows (only summaries such as bin
        statistics or per-channel means). The file is written to a temporary
        name and renamed, so an interrupted save never leaves a truncated
        model where a good one was.

        Parameters
        ----------
        path : str or path-like
            Destination, conventionally ``*.safetensors``.

        Returns
        -------
        path : pathlib.Path
            The written file.
        """
        from sklearn.utils.validation import check_is_fitted

        from .. import __version__
        from ..utils._persistence import (
            random_state_to_arrays,
            save_arrays,
            to_jsonable,
        )

        check_is_fitted(self)
        arrays, extra = self._arrays_to_save()
        for name, tensor in self.net_.module_.state_dict().items():
            arrays["module." + name] = tensor.detach().cpu().numpy()
        rng_arrays, rng_scalars = random_state_to_arrays(self.random_state_, "rng.")
        arrays.update(rng_arrays)
        params = self.get_params()
        params["device"] = str(params["device"])
        if not isinstance(params["random_state"], (int, type(None))):
            params["random_state"] = None
        history = [
            {k: v for k, v in epoch.items() if isinstance(v, (int, float, bool, str))}
            for epoch in self.history_
        ]
        classes = getattr(self, "classes_", None)
        config = {
            "estimator": type(self).__name__,
            "sklearn_synth_version": __version__,
            "params": to_jsonable(params, "A parameter"),
            **extra,
            "n_features_in": int(self.n_features_in_),
            "feature_names_in": to_jsonable(getattr(self, "feature_names_in_", None), "Column names"),
            "classes": None if classes is None else to_jsonable(classes, "A class label"),
            "classes_dtype": None if classes is None else str(classes.dtype),
            "class_prior": None if classes is None else self.class_prior_.tolist(),
            "rng": rng_scalars,
            "history": to_jsonable(history, "The training history"),
        }
        save_arrays(path, arrays, config)
        return Path(path)

    @classmethod
    def load(cls, path, *, device="cpu"):
        """Load a model written by :meth:`save` (no pickle is executed).

        Parameters
        ----------
        path : str or path-like
            The model file.
        device : str, default="cpu"
            Where to put the model; a model trained on a GPU loads on the CPU.

        Returns
        -------
        model : estimator
            A fitted model of this class that samples exactly like the saved
            one for the same ``random_state`` (and continues its default
            sampling stream).

        Raises
        ------
        ModelFormatError
            If the file is not a sklearn-synth model of this class, comes from
            an incompatible format version, or was modified.
        """
        from skorch.history import History

        from ..utils._persistence import (
            ModelFormatError,
            load_arrays,
            random_state_from_arrays,
        )

        torch = import_torch()
        arrays, config = load_arrays(path)
        if config.get("estimator") != cls.__name__:
            raise ModelFormatError(
                f"'{path}' holds a {config.get('estimator')!r} model, not a {cls.__name__}."
            )
        try:
            model = cls(**{**config["params"], "device": device})
            model.device_ = resolve_device(device)
            model.n_features_in_ = config["n_features_in"]
            if config["feature_names_in"] is not None:
                model.feature_names_in_ = np.asarray(config["feature_names_in"], dtype=object)
            if config["classes"] is None:
                model.classes_ = model.class_prior_ = None
            else:
                model.classes_ = np.asarray(config["classes"]).astype(config["classes_dtype"])
                model.class_prior_ = np.asarray(config["class_prior"])
            model.random_state_ = random_state_from_arrays(arrays, config["rng"], "rng.")
            model._restore_arrays(arrays, config)
            net = model._build_net(torch, seed=0)
            net.initialize()
            state = {k[len("module."):]: torch.as_tensor(v) for k, v in arrays.items()
                     if k.startswith("module.")}
            net.module_.load_state_dict(state)
            net.module_.to(model.device_)
        except (KeyError, ValueError, TypeError, RuntimeError, IndexError) as exc:
            raise ModelFormatError(f"'{path}' is damaged or inconsistent: {exc}") from exc
        model.net_ = net
        model.history_ = History(config["history"])
        return model

    def __setstate__(self, state):
        super().__setstate__(state)
        device = getattr(self, "device_", None)
        if device is not None and device.type == "cuda":
            torch = import_torch()
            if not torch.cuda.is_available():
                warnings.warn(
                    "This model was trained on CUDA, which is not available here; it was loaded "
                    "on the CPU.",
                    DeviceWarning,
                    stacklevel=2,
                )
                self.device_ = torch.device("cpu")
