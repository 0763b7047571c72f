"""What every estimator holding a trained skorch net shares: the fit prelude,
training (optionally through Hugging Face Accelerate), safe save/load, and
unpickling a CUDA-trained model on a CPU-only machine.

Used by the generators, the privacy CycleGAN and the metrics' judges alike, so
it lives here and not in any of them.
"""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
from sklearn.utils import check_random_state

from ..exceptions import DeviceWarning
from ._labels import fit_labels
from ._persistence import PersistenceMixin
from ._random import draw_seed
from ._torch import (_silent, accelerated_net_class, fit_net, import_torch, resolve_device,
                     torch_seed)


class TorchStateMixin(PersistenceMixin):
    """Mixin for estimators that train a skorch net into ``net_``.

    The estimator has ``device`` and ``random_state`` parameters (and
    optionally ``accelerator``), implements ``_build_net(torch, seed,
    valid=None, accelerate=False)`` returning an uninitialized net once the
    fitted attributes it needs are set, and calls :meth:`_begin_fit` then
    :meth:`_train` in ``fit``. It gets ``device_``, ``random_state_``,
    ``net_`` and ``history_``, safe ``save``/``load`` of the weights, and
    pickles that load on a machine without the training device.
    """

    # where the model runs is chosen when loading (``load(path, device=...)``); an
    # accelerator is a runtime resource too: never pickled or saved
    _runtime_params = ("device", "accelerator")

    def _begin_fit(self, y, n_rows, n_seeds=1):
        """The prelude of every ``fit``: seeds, sampling stream, device and labels.

        Draws ``n_seeds`` seeds and then the fitted ``random_state_`` stream from
        ``random_state`` (in that order, so results do not depend on how many
        seeds a later version needs before them), resolves ``device_`` and sets
        ``classes_``/``class_prior_`` from ``y``.

        Returns
        -------
        rng : RandomState
            What is left of ``random_state`` for further draws.
        seeds : list of int
            ``n_seeds`` seeds.
        classes : ndarray of int or None
            Each row's class index (None without ``y``).
        """
        rng = check_random_state(self.random_state)
        seeds = [draw_seed(rng) for _ in range(n_seeds)]
        self.random_state_ = check_random_state(draw_seed(rng))
        self.device_ = resolve_device(self.device)
        classes = fit_labels(self, y, n_rows)
        return rng, seeds, classes

    def _train(self, torch, seed, X, y, valid=None, private=None):
        """Build the net, fit it on ``(X, y)`` and set ``net_`` and ``history_``.

        With an ``accelerator``, skorch's ``AccelerateMixin`` trains the net
        (data-parallel under ``accelerate launch``); with ``private`` (the
        DP-SGD options of ``_build_net``), Opacus does. The trained module is
        then put into a plain net, so the fitted model pickles, saves and
        samples like any other.

        Returns
        -------
        trained : skorch.NeuralNet
            The net that trained (the private one tells the privacy spent).
        """
        accelerator = getattr(self, "accelerator", None)
        if accelerator is not None:
            self.device_ = torch.device(accelerator.device)
        special = {"private": private} if private is not None else {}
        net = self._build_net(torch, seed, valid=valid, accelerate=accelerator is not None,
                              **special)
        fit_net(net, X, y, seed=seed, device=self.device_)
        trained = net
        if accelerator is not None or private is not None:
            plain = self._build_net(torch, seed)
            with torch_seed(seed):  # its initial weights are overwritten; global state is kept
                plain.initialize()
            # Opacus's recurrent layers also list their weights under their own
            # names ("rnn.l0.ih.weight"): take the ones the plain module has
            weights = net.module_.state_dict()
            plain.module_.load_state_dict({k: weights[k] for k in plain.module_.state_dict()})
            plain.history = net.history
            net = plain
        self.net_ = net
        self.history_ = net.history
        return trained

    def _net_options(self, valid=None, accelerate=False):
        """``make_net`` keyword arguments for the device, or for the accelerator."""
        if accelerate:
            options = {"device": None, "net_class": accelerated_net_class(),
                       "accelerator": self.accelerator}
            if not getattr(self, "verbose", 0):
                # skorch's AccelerateMixin prints through accelerator.print whatever the
                # net's verbose says; a silent sink keeps verbose=0 silent
                options["callbacks__print_log__sink"] = _silent
            return options
        return {"device": self.device_}

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
        self._check_weight_shapes(torch, weights)
        net = self._build_net(torch, seed=0)
        with torch_seed(0):  # the initial weights are overwritten; global state is kept
            net.initialize()
        net.module_.load_state_dict({k: torch.as_tensor(v) for k, v in weights.items()})
        net.module_.to(self.device_)
        self.net_ = net
        self.history_ = History(history)

    def _check_weight_shapes(self, torch, weights):
        """Compare the stored weights with the network the parameters describe,
        built on torch's "meta" device (shapes only, no memory), so that a file
        whose parameters ask for a huge network is refused before it is built."""
        from ..exceptions import ModelFormatError

        shapes = self._build_net(torch, seed=0)
        shapes.set_params(device="meta")
        with torch.device("meta"):
            shapes.initialize()
        expected = {k: tuple(v.shape) for k, v in shapes.module_.state_dict().items()}
        stored = {k: tuple(np.shape(v)) for k, v in weights.items()}
        if expected != stored:
            wrong = sorted(set(expected) ^ set(stored)) or sorted(
                k for k in expected if expected[k] != stored[k])
            raise ModelFormatError(
                f"the stored weights of {type(self).__name__} do not fit the network its "
                f"parameters describe (first difference: {wrong[0]!r})")

    def __getstate__(self):
        state = super().__getstate__()
        if state.get("accelerator") is not None:
            state = {**state, "accelerator": None}
        return state

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
