"""DPSGDClassifier: a neural classifier trained with differentially private
SGD (Opacus)."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval

from ._neural import NEURAL_ATTRIBUTES_DOC, NEURAL_PARAMETERS, NEURAL_PARAMETERS_DOC, NeuralClassifierBase

__all__ = ["DPSGDClassifier"]


class DPSGDClassifier(NeuralClassifierBase):
    """Neural classifier trained with DP-SGD: an (epsilon, delta)
    differential-privacy guarantee for every training sample.

    Every step clips each sample's gradient to ``max_grad_norm``, adds
    Gaussian noise and draws its batch by Poisson sampling (Opacus's
    ``DPOptimizer`` and ``DPDataLoader``); the noise is chosen so that
    ``max_epochs`` epochs spend at most ``epsilon`` (Renyi-DP accountant). The
    guarantee bounds what *any* membership attack can learn, which no
    empirical defence does; the price is accuracy, which on small data is
    large (a few thousand samples at epsilon 8 lose tens of points against
    plain training). Needs the ``dp`` extra: ``pip install "sklearn-synth[dp]"``.

    The trained network is an ordinary one (Opacus's wrappers are removed),
    so the classifier pickles and saves like any other. Early stopping is
    refused: choosing an epoch on held-out training samples is not covered
    by the guarantee.

    Parameters
    ----------
    epsilon : float, default=8.0
        The privacy budget.
    delta : float or None, default=None
        The delta of the guarantee; None uses ``1 / n_samples``.
    max_grad_norm : float, default=1.0
        Per-sample gradient clipping norm.
{neural_parameters}

    Attributes
    ----------
    epsilon_ : float
        The epsilon spent (at most ``epsilon``).
    delta_ : float
    noise_multiplier_ : float
        Noise standard deviation over the clipping norm.
{neural_attributes}

    See Also
    --------
    RelaxLossClassifier : An empirical defence that keeps more accuracy.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_synth.privacy import DPSGDClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = DPSGDClassifier(epsilon=8.0, max_epochs=3, random_state=0)
    >>> clf.fit(X[:500], y[:500]).epsilon_ <= 8.0
    True
    """

    _parameter_constraints = {
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "delta": [Interval(Real, 0, 1, closed="neither"), None],
        "max_grad_norm": [Interval(Real, 0, None, closed="neither")],
        **NEURAL_PARAMETERS,
    }

    def __init__(
        self,
        epsilon=8.0,
        *,
        delta=None,
        max_grad_norm=1.0,
        architecture="auto",
        image_shape="auto",
        hidden_size=256,
        width=16,
        max_epochs=30,
        batch_size=64,
        lr=1e-3,
        weight_decay=0.0,
        label_smoothing=0.0,
        augment=None,
        patience=None,
        validation_fraction=0.1,
        device="cpu",
        random_state=None,
        verbose=0,
    ):
        self.epsilon = epsilon
        self.delta = delta
        self.max_grad_norm = max_grad_norm
        self.architecture = architecture
        self.image_shape = image_shape
        self.hidden_size = hidden_size
        self.width = width
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.label_smoothing = label_smoothing
        self.augment = augment
        self.patience = patience
        self.validation_fraction = validation_fraction
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _private_options(self, n_train):
        from ..utils._private_training import import_opacus, noise_for_budget

        import_opacus()
        if self.patience is not None:
            raise ValueError(
                f"patience={self.patience} chooses an epoch on held-out training samples, which "
                "the differential-privacy guarantee does not cover; set patience=None.")
        self.delta_ = 1.0 / n_train if self.delta is None else float(self.delta)
        rate = 1.0 / np.ceil(n_train / self.batch_size)  # Opacus's Poisson rate
        self.noise_multiplier_ = noise_for_budget(self.epsilon, self.delta_, rate, self.max_epochs)
        return {"noise_multiplier": self.noise_multiplier_,
                "max_grad_norm": float(self.max_grad_norm), "delta": self.delta_}

    def _net_class(self, private):
        from ._classifier_modules import ClassifierNet

        if private is None:
            return ClassifierNet
        from ..utils._private_training import private_net_class
        from ._classifier_modules import AugmentingMixin

        return type("PrivateClassifierNet", (AugmentingMixin, private_net_class()), {})

    def _after_training(self, trained):
        self.epsilon_ = float(trained.epsilon_)


DPSGDClassifier.__doc__ = DPSGDClassifier.__doc__.format(
    neural_parameters=NEURAL_PARAMETERS_DOC, neural_attributes=NEURAL_ATTRIBUTES_DOC)
