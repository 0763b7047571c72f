"""Samples that are rows or images: one place that reads the input form of the
privacy estimators (rows ``(n, d)``, images ``(n, h, w)`` or ``(n, c, h, w)``,
or images flattened to rows), flattens it for the models and restores it.

Used by the privacy-domain CycleGAN and by the neural classifiers, which take
the same inputs.
"""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import math

import numpy as np
from sklearn.utils.validation import _check_feature_names

from ._validation import as_numeric

#: The smallest side of a square image that ``image_shape="auto"`` recognises in rows.
MIN_AUTO_SIDE = 8


def square_image_shape(n_features):
    """``(1, s, s)`` when ``n_features == s * s`` with ``s >= 8``, else None.

    The rule of ``image_shape="auto"``: flattened grey images (MNIST's 784
    pixels, scikit-learn's 64-pixel digits) are recognised; colour images
    flattened to rows are not (their channel order is ambiguous), so they need
    ``image_shape=(3, h, w)`` or 4-D input.
    """
    side = math.isqrt(int(n_features))
    return (1, side, side) if side >= MIN_AUTO_SIDE and side * side == n_features else None


class SampleFormMixin:
    """Flatten rows or images to rows in ``fit``, check and restore the form later.

    The estimator has an ``image_shape`` parameter: ``"auto"`` (square grey
    images in rows are recognised, see :func:`square_image_shape`), None (rows
    are rows) or a tuple ``(h, w)`` or ``(c, h, w)`` for flattened images.
    Sets ``n_features_in_`` (and ``feature_names_in_`` for a DataFrame), and the private ``_input_ndim``, ``_image_shape``
    (``(c, h, w)`` or None) and ``_dtype`` (floating dtype of the output).
    """

    _sample_form_attributes = ("_input_ndim", "_image_shape", "_dtype")

    def _rows(self, X, *, reset):
        """``X`` as float64 rows, checked (finite, non-empty, same form as in fit)."""
        name = type(self).__name__
        _check_feature_names(self, X, reset=reset)
        arr = as_numeric(X, name)
        if arr.ndim not in (2, 3, 4):
            raise ValueError(
                f"Expected rows (n, n_features), images (n, h, w) or (n, c, h, w); got shape "
                f"{arr.shape}. Reshape your data: X.reshape(-1, 1) for a single feature."
            )
        if arr.shape[0] == 0 or arr[0].size == 0:
            raise ValueError(f"Found array with 0 sample(s) or 0 feature(s) (shape={arr.shape}) "
                             f"while a minimum of 1 is required by {name}.")
        if not np.isfinite(arr).all():
            bad = np.argwhere(~np.isfinite(arr.reshape(arr.shape[0], -1)))[0]
            raise ValueError(
                f"Sample {bad[0]}, feature {bad[1]} is not finite; {name} does not model missing "
                "or infinite values: impute them first."
            )
        if reset:
            self._input_ndim = arr.ndim
            self._image_shape = self._resolve_image_shape(arr)
            self._dtype = arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float64)
        elif arr.ndim != self._input_ndim:
            raise ValueError(f"X has {arr.ndim} dimensions; {name} was fitted on "
                             f"{self._input_ndim}.")
        rows = arr.reshape(arr.shape[0], -1).astype(np.float64)
        if reset:
            self.n_features_in_ = rows.shape[1]
        elif rows.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {rows.shape[1]} features, but {name} is expecting "
                             f"{self.n_features_in_} features as input.")
        return rows

    def _resolve_image_shape(self, arr):
        if arr.ndim == 3:
            return (1, *arr.shape[1:])
        if arr.ndim == 4:
            return tuple(arr.shape[1:])
        if isinstance(self.image_shape, str):  # "auto"
            return square_image_shape(arr.shape[1])
        if self.image_shape is None:
            return None
        shape = tuple(int(s) for s in self.image_shape)
        if len(shape) == 2:
            shape = (1, *shape)
        if len(shape) != 3 or int(np.prod(shape)) != arr.shape[1]:
            raise ValueError(f"image_shape={self.image_shape} does not hold {arr.shape[1]} "
                             "features; give (height, width) or (channels, height, width).")
        return shape

    def _unrows(self, rows):
        """Rows back in the form ``fit`` got, in its floating dtype."""
        out = rows.astype(self._dtype, copy=False)
        if self._input_ndim == 2:
            return out
        shape = self._image_shape if self._input_ndim == 4 else self._image_shape[1:]
        return out.reshape(rows.shape[0], *shape)
