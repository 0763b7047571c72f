"""Torch plumbing shared by the neural generators: the skorch net, safe
save/load, and unpickling a CUDA-trained model on a CPU-only machine."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

from ..exceptions import DeviceWarning, OptionalDependencyError
from ..utils._persistence import PersistenceMixin
from ..utils._torch import import_torch, resolve_device, torch_generator, torch_seed


def _silent(*args, **kwargs):
    """A picklable sink for skorch messages we do not want printed."""


class TorchStateMixin(PersistenceMixin):
    """Safe save/load and unpickling for estimators holding a skorch net in
    ``net_`` (built by ``_build_net(torch, seed)`` once the other fitted
    attributes are set) with its ``history_``, on ``device_``."""

    # where the model runs is chosen when loading (``load(path, device=...)``)
    _runtime_params = ("device",)

    def _state_for_saving(self):
        state = super()._state_for_saving()
        state.pop("device_", None)
        if "net_" in state:
            state["net_"] = {name: tensor.detach().cpu().numpy()
                             for name, tensor in self.net_.module_.state_dict().items()}
            state["history_"] = [
                {k: v for k, v in epoch.items() if isinstance(v, (int, float, bool, str))}
                for epoch in self.history_
            ]
        return state

    def _restore_state(self, state, device):
        from skorch.history import History

        weights = state.pop("net_", None)
        history = state.pop("history_", None)
        super()._restore_state(state, device)
        if weights is None:
            return
        torch = import_torch()
        self.device_ = resolve_device(self.device)
        net = self._build_net(torch, seed=0)
        net.initialize()
        net.module_.load_state_dict({k: torch.as_tensor(v) for k, v in weights.items()})
        net.module_.to(self.device_)
        self.net_ = net
        self.history_ = History(history)

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


class TorchGeneratorMixin(TorchStateMixin):
    """What the torch-backed generators share.

    The estimator provides ``patience``, ``gradient_clip``, ``batch_size``,
    ``validation_fraction``, ``device``, ``verbose`` and ``random_state``
    parameters, sets ``device_``, ``net_``, ``history_``, ``random_state_``,
    ``classes_``/``class_prior_`` and ``n_features_in_`` in ``fit``, and
    implements ``_build_net(torch, seed, valid=None, accelerate=False)``
    (passing ``accelerate`` on to :meth:`_make_net`); an ``accelerator``
    parameter (None or an ``accelerate.Accelerator``) selects skorch's
    Accelerate integration in :meth:`_train`.
    """

    # the accelerator is a runtime resource too: never pickled or saved
    _runtime_params = ("device", "accelerator")

    def _train(self, torch, seed, X, y, valid):
        """Build the net, fit it on ``(X, y)`` and set ``net_`` and ``history_``.

        With an ``accelerator``, skorch's ``AccelerateMixin`` trains the net
        (data-parallel under ``accelerate launch``); the trained module is then
        put into a plain net, so the fitted model pickles, saves and samples
        like any other.
        """
        accelerate = self.accelerator is not None
        if accelerate:
            self.device_ = torch.device(self.accelerator.device)
        net = self._build_net(torch, seed, valid=valid, accelerate=accelerate)
        with torch_seed(seed, self.device_):
            net.fit(X, y)
        if accelerate:
            plain = self._build_net(torch, seed)
            plain.initialize()
            plain.module_.load_state_dict(net.module_.state_dict())
            plain.history = net.history
            net = plain
        self.net_ = net
        self.history_ = net.history

    def __getstate__(self):
        state = super().__getstate__()
        if state.get("accelerator") is not None:
            state = {**state, "accelerator": None}
        return state

    def _make_net(self, torch, *, module, criterion, seed, valid, lr, max_epochs, weight_decay=0.0,
                  accelerate=False, **module_kwargs):
        """A skorch ``NeuralNet``: Adam, early stopping that restores the best
        weights, optional gradient clipping and progress bar, a predefined
        validation set, and a shuffling order drawn from ``seed`` only; with
        ``accelerate``, skorch's ``AccelerateMixin`` around ``self.accelerator``."""
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
        cls, extra = NeuralNet, {"device": str(self.device_)}
        if accelerate:
            cls, extra = _accelerated_net(), {"accelerator": self.accelerator, "device": None}
        return cls(
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
            verbose=self.verbose,
            **extra,
            **{f"module__{k}": v for k, v in module_kwargs.items()},
        )


def _accelerated_net():
    """skorch's ``NeuralNet`` with Hugging Face Accelerate support."""
    try:
        from skorch.hf import AccelerateMixin
    except ImportError as exc:  # pragma: no cover - skorch >= 0.12 has it
        raise OptionalDependencyError("accelerator= needs skorch >= 0.12.") from exc
    try:
        import accelerate  # noqa: F401
    except ImportError as exc:
        raise OptionalDependencyError(
            "accelerator= needs Hugging Face Accelerate: pip install accelerate.") from exc
    from skorch import NeuralNet

    class AcceleratedNet(AccelerateMixin, NeuralNet):
        """NeuralNet trained through an ``accelerate.Accelerator``."""

    return AcceleratedNet
