"""Loaders for the MNIST digits and CIFAR-10 images (from local copies;
nothing is downloaded)."""

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


def load_cifar10(path=None, *, subset="train"):
    """Load CIFAR-10 colour images as ``(n, 32, 32, 3)`` uint8 arrays and their labels.

    Reads the npz files of a local copy: ``cifar10_jpg_train_1000pc.npz``
    (the first 1,000 training images of each class) and
    ``cifar10_jpg_test.npz`` (the 10,000 test images), each with arrays ``X``
    (images, height x width x channels) and ``y`` (labels 0 to 9, in the
    order airplane, automobile, bird, cat, deer, dog, frog, horse, ship,
    truck). The privacy benchmark uses them in the paper's regime: a small
    CNN that overfits a few thousand images.

    Parameters
    ----------
    path : str or path-like, default=None
        The folder holding the npz files; None reads ``cifar10_jpg`` from
        :func:`get_data_home`.
    subset : {"train", "test"}, default="train"

    Returns
    -------
    X : ndarray of shape (n, 32, 32, 3), dtype uint8
        Channels last; ``X.transpose(0, 3, 1, 2)`` gives the ``(n, c, h, w)``
        form the privacy estimators take.
    y : ndarray of shape (n,), dtype uint8

    Examples
    --------
    >>> from sklearn_synth.datasets import load_cifar10
    >>> X, y = load_cifar10()  # doctest: +SKIP
    >>> X.shape  # doctest: +SKIP
    (10000, 32, 32, 3)
    """
    if subset not in ("test", "train"):
        raise ValueError(f"subset must be 'train' or 'test', got {subset!r}.")
    root = resolve_path(
        path, "cifar10_jpg", what="the CIFAR-10 folder",
        where_to_get="CIFAR-10 is at https://www.cs.toronto.edu/~kriz/cifar.html; pack it into "
                     "npz files with arrays X (n, 32, 32, 3) and y.",
    )
    name = "cifar10_jpg_train_1000pc.npz" if subset == "train" else "cifar10_jpg_test.npz"
    with np.load(root / name, allow_pickle=False) as data:
        X, y = np.asarray(data["X"], dtype=np.uint8), np.asarray(data["y"], dtype=np.uint8)
    if X.ndim != 4 or X.shape[1:] != (32, 32, 3) or X.shape[0] != y.shape[0]:
        raise ValueError(f"'{root / name}' holds images of shape {X.shape} and {y.shape[0]} "
                         "labels; expected (n, 32, 32, 3) and n.")
    return X, y
