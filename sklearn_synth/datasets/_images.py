"""Loader for the MNIST digits (from a local copy; nothing is downloaded)."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import gzip

import numpy as np

from ._home import resolve_path


def load_mnist(path=None, *, subset="test"):
    """Load MNIST digits as ``(n, 28, 28)`` uint8 images and their labels.

    Parameters
    ----------
    path : str or path-like, default=None
        The folder holding ``t10k-images-idx3-ubyte.gz`` and
        ``t10k-labels-idx1-ubyte.gz`` (the official test set, IDX format) and,
        for ``subset="train"``, ``mnist_train_png60k.npz`` (arrays ``X`` and
        ``y``). None reads ``mnist`` from :func:`get_data_home`.
    subset : {"test", "train"}, default="test"
        The 10,000 test digits or the 60,000 training digits.

    Returns
    -------
    X : ndarray of shape (n, 28, 28), dtype uint8
    y : ndarray of shape (n,), dtype uint8

    Examples
    --------
    >>> from sklearn_synth.datasets import load_mnist
    >>> X, y = load_mnist()  # doctest: +SKIP
    >>> X.shape, y[:3]  # doctest: +SKIP
    ((10000, 28, 28), array([7, 2, 1], dtype=uint8))
    """
    if subset not in ("test", "train"):
        raise ValueError(f"subset must be 'test' or 'train', got {subset!r}.")
    root = resolve_path(
        path, "mnist", what="the MNIST folder",
        where_to_get="MNIST is at http://yann.lecun.com/exdb/mnist/ (IDX files).",
    )
    if subset == "train":
        data = np.load(root / "mnist_train_png60k.npz")
        return np.asarray(data["X"], dtype=np.uint8), np.asarray(data["y"], dtype=np.uint8)
    with gzip.open(root / "t10k-images-idx3-ubyte.gz") as f:
        X = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)
    with gzip.open(root / "t10k-labels-idx1-ubyte.gz") as f:
        y = np.frombuffer(f.read(), np.uint8, offset=8)
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"'{root}' holds {X.shape[0]} images but {y.shape[0]} labels.")
    return X.copy(), y.copy()
