"""What the neural classifiers of ``sklearn_synth.privacy`` share: input
forms, the default networks, scaling, training through skorch, prediction and
safe save/load. Each public classifier (RelaxLoss, DP-SGD, the privacy
domain) is one subclass in its own module."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_consistent_length, check_is_fitted, column_or_1d

from ..utils._images import SampleFormMixin
from ..utils._random import validation_split
from ..utils._torch import import_torch, inference, make_net
from ..utils._torch_estimator import TorchStateMixin
from ..utils._validation import TORCH_DEVICE

#: Constraints of the parameters every neural classifier has.
NEURAL_PARAMETERS = {
    "architecture": [StrOptions({"auto", "mlp", "conv"})],
    "image_shape": [tuple, None, StrOptions({"auto"})],
    "hidden_size": [Interval(Integral, 1, None, closed="left")],
    "width": [Interval(Integral, 1, None, closed="left")],
    "max_epochs": [Interval(Integral, 1, None, closed="left")],
    "batch_size": [Interval(Integral, 1, None, closed="left")],
    "lr": [Interval(Real, 0, None, closed="neither")],
    "weight_decay": [Interval(Real, 0, None, closed="left")],
    "label_smoothing": [Interval(Real, 0, 1, closed="left")],
    "augment": [StrOptions({"crop", "crop_flip"}), None],
    "patience": [Interval(Integral, 1, None, closed="left"), None],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "device": [TORCH_DEVICE],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}

#: The shared parameters, as the numpydoc of each classifier lists them.
NEURAL_PARAMETERS_DOC = """\
    architecture : {"auto", "mlp", "conv"}, default="auto"
        ``"mlp"``: one hidden ReLU layer of ``hidden_size`` units, for rows;
        ``"conv"``: three blocks of 3 x 3 convolution, GroupNorm, ReLU and
        max-pooling (``width``, ``2 width`` and ``4 width`` channels), then
        global average pooling and a linear layer, for images; ``"auto"``
        picks ``"conv"`` for images and ``"mlp"`` for rows.
    image_shape : "auto", tuple of int or None, default="auto"
        How rows are read: ``(height, width)`` or ``(channels, height,
        width)`` for flattened images; ``"auto"`` reads rows of ``s * s``
        features (``s >= 8``) as grey square images; None reads rows as rows.
        Input of shape ``(n, h, w)`` or ``(n, c, h, w)`` carries its shape.
    hidden_size : int, default=256
        Units of the MLP.
    width : int, default=16
        Channels of the CNN's first block (about 34k parameters at 16 on 32 x 32
        images).
    max_epochs : int, default=30
    batch_size : int, default=64
    lr : float, default=1e-3
        Adam's learning rate.
    weight_decay : float, default=0.0
        L2 penalty on the weights (Adam's ``weight_decay``).
    label_smoothing : float, default=0.0
        Label smoothing of the cross-entropy.
    augment : {"crop", "crop_flip"} or None, default=None
        Augmentation of every training batch of images, redrawn each time:
        random crops of the image zero-padded by an eighth of its side, and
        for ``"crop_flip"`` horizontal flips too (for natural images, not
        digits).
    patience : int or None, default=None
        Early stopping: hold out ``validation_fraction`` of the training
        samples and stop after ``patience`` epochs without a lower validation
        loss, keeping the best epoch's weights; None trains every epoch on
        every sample.
    validation_fraction : float, default=0.1
        Share held out for early stopping (only with ``patience``).
    device : str, default="cpu"
        ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"`` or ``"auto"``.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, the batch order, the augmentation and the split.
    verbose : int, default=0
        1 prints skorch's table of losses per epoch and a progress bar."""

NEURAL_ATTRIBUTES_DOC = """\
    classes_ : ndarray of shape (n_classes,)
    class_prior_ : ndarray of shape (n_classes,)
    architecture_ : str
        ``"mlp"`` or ``"conv"``.
    net_ : skorch.NeuralNet
        The trained network; ``history_`` holds its losses per epoch.
    device_ : torch.device
    n_features_in_ : int
        Features per sample (pixels for images).
    feature_names_in_ : ndarray of str
        Column names seen in ``fit``, for a DataFrame."""


class NeuralClassifierBase(SampleFormMixin, TorchStateMixin, ClassifierMixin, BaseEstimator):
    """Base of the neural classifiers: subclasses declare ``__init__`` with the
    shared parameters (``NEURAL_PARAMETERS``) and their own, and may override

    - ``_net_class(private)`` and ``_net_kwargs()``: the skorch net and its
      extra arguments (a training rule);
    - ``_private_options(n_train)``: DP-SGD options for ``TorchStateMixin._train``;
    - ``_training_data(X, y, rng)``: what skorch trains on (a dataset renewed
      every epoch), and ``_after_training(trained)``.
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Train the network on ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n, h, w) or (n, c, h, w)
            Training samples.
        y : array-like of shape (n_samples,)
            Class labels (at least two classes).

        Returns
        -------
        self : object
        """
        torch = import_torch()
        rows = self._rows(X, reset=True)
        y = _check_targets(y, rows.shape[0], type(self).__name__)
        rng, (seed,), classes = self._begin_fit(y, rows.shape[0], n_seeds=1)
        self.architecture_ = self._resolve_architecture()
        self._fit_scaling(rows)
        train, valid = np.arange(rows.shape[0]), None
        if self.patience is not None:
            train, held = validation_split(rows.shape[0], self.validation_fraction, rng,
                                           at_least_one=True)
            valid = (self._scale(rows[held]), classes[held]) if held.size else None
        data, labels = self._training_data(rows[train], classes[train], rng)
        renewed = labels is None  # a dataset renewed every epoch, through a callback
        self._renewed_data = data if renewed else None
        try:
            trained = self._train(torch, seed, data, labels, valid=valid,
                                  private=self._private_options(train.size))
        finally:
            del self._renewed_data
            if renewed:  # the nets' callbacks keep no training samples
                data.release()
        self._after_training(trained)
        return self

    def _resolve_architecture(self):
        kind = self.architecture
        if kind == "auto":
            kind = "conv" if self._image_shape is not None else "mlp"
        if kind == "conv" and self._image_shape is None:
            raise ValueError("architecture='conv' needs images: pass image_shape for flattened "
                             "rows, or images of shape (n, h, w) or (n, c, h, w).")
        if self.augment is not None and self._image_shape is None:
            raise ValueError(f"augment={self.augment!r} crops and flips images, but X holds rows; "
                             "pass image_shape for flattened images, or augment=None.")
        return kind

    def _fit_scaling(self, rows):
        """Standardise per feature for rows, per channel for images."""
        if self._image_shape is None:
            center, spread = rows.mean(axis=0), rows.std(axis=0)
        else:
            channels = rows.reshape(rows.shape[0], self._image_shape[0], -1)
            per_pixel = np.prod(self._image_shape[1:])
            center = np.repeat(channels.mean(axis=(0, 2)), per_pixel)
            spread = np.repeat(channels.std(axis=(0, 2)), per_pixel)
        self._center, self._spread = center, np.where(spread > 0, spread, 1.0)

    def _scale(self, rows):
        return ((rows - self._center) / self._spread).astype(np.float32)

    def _training_data(self, rows, classes, rng):
        """What skorch trains on: the scaled rows and their classes, or an
        ``EpochData`` and None."""
        return self._scale(rows), classes

    def _private_options(self, n_train):
        return None

    def _after_training(self, trained):
        pass

    def _net_class(self, private):
        from ._classifier_modules import ClassifierNet

        return ClassifierNet

    def _net_kwargs(self):
        return {}

    def _callbacks(self):
        from ._classifier_modules import RenewEachEpoch

        data = getattr(self, "_renewed_data", None)
        return [] if data is None else [RenewEachEpoch(data)]

    def _build_net(self, torch, seed, valid=None, accelerate=False, private=None):
        from ._classifier_modules import MLP, SmallCNN

        n_classes = self.classes_.size
        if self.architecture_ == "conv":
            module = {"module": SmallCNN, "module__image_shape": self._image_shape,
                      "module__width": self.width}
        else:
            module = {"module": MLP, "module__n_features": self.n_features_in_,
                      "module__hidden_size": self.hidden_size}
        return make_net(
            criterion=torch.nn.CrossEntropyLoss,
            seed=seed,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            valid=valid,
            patience=self.patience if valid is not None else None,
            verbose=self.verbose,
            callbacks=self._callbacks(),
            net_class=self._net_class(private),
            criterion__label_smoothing=float(self.label_smoothing),
            optimizer__weight_decay=float(self.weight_decay),
            module__n_classes=n_classes,
            augment=self.augment,
            image_shape=self._image_shape,
            augment_seed=seed,
            **module,
            **(private or {}),
            **self._net_kwargs(),
            **self._net_options(valid, accelerate),
        )

    # -------------------------------------------------------------- predict
    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like
            Samples in the form ``fit`` got.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self)
        torch = import_torch()
        rows = self._scale(self._rows(X, reset=False))
        out = np.empty((rows.shape[0], self.classes_.size))
        with inference(self.net_.module_) as module:
            for start in range(0, rows.shape[0], 1024):
                x = torch.as_tensor(rows[start:start + 1024], device=self.device_)
                out[start:start + 1024] = torch.softmax(module(x), dim=1).cpu().numpy()
        return out

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X):
        """The most probable class.

        Parameters
        ----------
        X : array-like

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def score(self, X, y, sample_weight=None):
        """Accuracy on ``(X, y)`` (scikit-learn's ``ClassifierMixin.score``).

        Parameters
        ----------
        X : array-like
            Samples in the form ``fit`` got.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
            The share of samples whose predicted class is right.
        """
        return super().score(X, y, sample_weight=sample_weight)

    _persisted_private = (*SampleFormMixin._sample_form_attributes, "_center", "_spread")


def _check_targets(y, n_samples, name):
    """Labels as a 1-D array (scikit-learn's warning for a column), of two or more classes."""
    if y is None:
        raise ValueError(f"{name} requires y to be passed, but the target y is None.")
    y = column_or_1d(y, warn=True)
    check_classification_targets(y)
    check_consistent_length(np.empty(n_samples), y)
    if np.unique(y).size < 2:
        raise ValueError(f"{name} needs samples of at least two classes; got one class: "
                         f"{np.unique(y).tolist()}.")
    return y
