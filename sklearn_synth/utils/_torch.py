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
