"""torch plumbing: import guard, device resolution, seeding without global state.

Nothing here imports torch at module import time, so ``sklearn_synth`` stays
importable without it.
"""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import contextlib

from ..exceptions import OptionalDependencyError

_INSTALL_HINT = (
    "Install the CPU build first with 'pip install torch==2.13.0' (or a build "
    "for your accelerator from pytorch.org), then 'pip install sklearn-synth'."
)


def import_torch():
    """Import and return torch, or raise an error that says how to install it.

    Returns
    -------
    torch : module

    Raises
    ------
    OptionalDependencyError
        If torch cannot be imported.
    """
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - torch is a hard dependency in CI
        raise OptionalDependencyError(
            f"This estimator needs PyTorch, which could not be imported ({exc}). "
            + _INSTALL_HINT
        ) from exc
    return torch


def resolve_device(device):
    """Turn a ``device`` parameter into a concrete ``torch.device``.

    Parameters
    ----------
    device : str or torch.device
        ``"cpu"``, ``"cuda"``, ``"cuda:N"``, ``"mps"``, ``"auto"`` (CUDA, then
        Apple MPS, then CPU) or a ``torch.device``.

    Returns
    -------
    device : torch.device

    Raises
    ------
    ValueError
        If the device string is malformed or names an accelerator that is not
        available on this machine.
    """
    torch = import_torch()
    if isinstance(device, str) and device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError) as exc:
        raise ValueError(
            f"device={device!r} is not a valid torch device; use 'cpu', 'cuda', "
            "'cuda:N', 'mps' or 'auto'."
        ) from exc
    if resolved.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} was requested but CUDA is not available on "
                "this machine; use device='cpu' or device='auto'."
            )
        if resolved.index is not None and resolved.index >= torch.cuda.device_count():
            raise ValueError(
                f"device={device!r} was requested but only "
                f"{torch.cuda.device_count()} CUDA device(s) exist."
            )
    if resolved.type == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise ValueError(
                f"device={device!r} was requested but MPS is not available; "
                "use device='cpu' or device='auto'."
            )
    return resolved


@contextlib.contextmanager
def torch_seed(seed, device="cpu"):
    """Seed torch inside the block and restore every global RNG state after it.

    Parameters
    ----------
    seed : int
        Seed for the CPU generator (and the accelerator's, if ``device`` is one).
    device : str or torch.device, default="cpu"
        The device whose generator is also forked and seeded.
    """
    torch = import_torch()
    device = torch.device(device)
    devices = []
    if device.type == "cuda":
        devices = [device.index if device.index is not None else torch.cuda.current_device()]
    with torch.random.fork_rng(devices=devices, device_type=device.type if devices else "cuda"):
        torch.manual_seed(seed)
        yield


def torch_generator(seed, device="cpu"):
    """Return a local ``torch.Generator`` seeded with ``seed`` on ``device``."""
    torch = import_torch()
    generator = torch.Generator(device=torch.device(device))
    generator.manual_seed(int(seed))
    return generator


@contextlib.contextmanager
def torch_threads(n_threads):
    """Use ``n_threads`` intra-op threads inside the block, then restore the old value.

    ``None`` leaves torch's setting alone.
    """
    torch = import_torch()
    if n_threads is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(int(n_threads))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@contextlib.contextmanager
def inference(module, dtype=None):
    """Run ``module`` for inference inside the block: evaluation mode, autograd off.

    The module's training mode is restored on exit, as skorch's
    ``evaluation_step`` does. With ``dtype`` the block gets a copy of the
    module cast to it (``torch.bfloat16`` for fast sampling, ``torch.float64``
    for likelihoods that must not depend on the batch), and the fitted module
    is left as it is.

    Parameters
    ----------
    module : torch.nn.Module
        The trained module.
    dtype : torch.dtype or None, default=None
        Cast a copy to this floating dtype; None uses ``module`` itself.

    Yields
    ------
    module : torch.nn.Module
        The module to call.
    """
    import copy

    torch = import_torch()
    if dtype is not None:
        module = copy.deepcopy(module).to(dtype)
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            yield module
    finally:
        module.train(was_training)


def _silent(*args, **kwargs):
    """A picklable sink for skorch messages we do not want printed."""


def make_net(
    module,
    criterion,
    *,
    seed,
    device,
    lr,
    max_epochs,
    batch_size,
    valid=None,
    patience=None,
    gradient_clip=None,
    max_time=None,
    verbose=0,
    callbacks=(),
    net_class=None,
    **kwargs,
):
    """Build the skorch net every torch estimator of the package trains.

    Adam; shuffled batches in an order drawn from ``seed`` only (a local
    ``torch.Generator``, never the global one); optionally a predefined
    validation set, early stopping that restores the best weights, gradient
    norm clipping and a progress bar when ``verbose``.

    Parameters
    ----------
    module, criterion : type or instance
        As skorch takes them.
    seed : int
        Seeds the shuffling order.
    device : torch.device, str or None
        Where the net trains (None: leave it to an accelerator).
    lr, max_epochs, batch_size : float, int, int
        Training schedule.
    valid : tuple (X, y) or None, default=None
        A validation set; None trains on everything (``train_split=None``).
    patience : int or None, default=None
        Early stopping on the validation loss (the training loss without
        ``valid``) with the best weights restored; None trains every epoch.
    gradient_clip : float or None, default=None
        Clip the gradient norm to this value.
    max_time : float or None, default=None
        Stop training after this many seconds, checked after every batch
        (with ``patience``, the best finished epoch's weights are kept).
    verbose : int, default=0
        skorch's epoch table, plus a progress bar when non-zero.
    callbacks : sequence, default=()
        More skorch callbacks, before the ones above.
    net_class : type or None, default=None
        A ``NeuralNet`` subclass (a custom ``train_step``, Accelerate);
        None is ``skorch.NeuralNet``.
    **kwargs
        Passed on to the net (``module__*``, ``optimizer__*``, ...).

    Returns
    -------
    net : skorch.NeuralNet
        Not initialized.
    """
    torch = import_torch()
    from skorch import NeuralNet
    from skorch.callbacks import EarlyStopping, GradientNormClipping, ProgressBar
    from skorch.dataset import Dataset
    from skorch.helper import predefined_split

    callbacks = list(callbacks)
    if patience is not None:
        callbacks.append(EarlyStopping(
            monitor="valid_loss" if valid is not None else "train_loss",
            patience=patience, load_best=True, sink=_silent,
        ))
    if gradient_clip is not None:
        callbacks.append(GradientNormClipping(gradient_clip_value=gradient_clip))
    if max_time is not None:  # after early stopping, whose on_train_end restores the best
        from ._callbacks import TimeBudget

        callbacks.append(TimeBudget(max_time))
    if verbose:
        callbacks.append(ProgressBar())
    options = {
        "optimizer": torch.optim.Adam,
        "lr": lr,
        "max_epochs": max_epochs,
        "batch_size": batch_size,
        "train_split": None if valid is None else predefined_split(Dataset(*valid)),
        "callbacks": callbacks,
        "iterator_train__shuffle": True,
        "iterator_train__generator": torch_generator(seed),
        "device": None if device is None else str(device),
        "verbose": verbose,
    }
    options.update(kwargs)
    return (net_class or NeuralNet)(module=module, criterion=criterion, **options)


def fit_net(net, X, y, *, seed, device="cpu"):
    """Fit ``net`` on ``(X, y)`` with torch seeded from ``seed`` (global state restored).

    Returns
    -------
    net : skorch.NeuralNet
        The fitted net.
    """
    with torch_seed(seed, "cpu" if device is None else device):
        net.fit(X, y)
    return net


def accelerated_net_class():
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
