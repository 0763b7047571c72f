"""PrivacyDomainClassifier: a neural classifier trained in the privacy domain,
with transforms and fakes renewed every epoch."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import HasMethods, Interval

from ..utils._random import draw_seed, seeded_clone
from ._cyclegan import CycleGANPrivacyTransformer, transform_with_labels
from ._neural import NEURAL_ATTRIBUTES_DOC, NEURAL_PARAMETERS, NEURAL_PARAMETERS_DOC, NeuralClassifierBase

__all__ = ["PrivacyDomainClassifier"]


class PrivacyDomainClassifier(NeuralClassifierBase):
    """Neural classifier trained on the privacy-domain data set, renewed every epoch.

    The defence of "Generating fake data to fake privacy pryers" as its
    authors run it on torch models. ``fit`` fits a
    :class:`CycleGANPrivacyTransformer` on the training data (valuing every
    sample's exposure, training the CycleGAN between the privacy-safe and the
    privacy-risky samples and a class-conditional generator of fake
    candidates). Then, before every epoch:

    - every sample that is not privacy-safe is moved toward the safe domain
      by a fresh random amount, ``x + t (G_r2s(x) - x)`` with ``t`` drawn
      uniformly from ``strength``, so that the network never sees the same
      version of a risky sample twice;
    - ``fake_ratio`` times as many fakes as real samples are drawn anew from
      the candidate generator and pushed through ``G_s2r`` (fake
      privacy-risky samples, independent of any single training sample), to
      take up the capacity the network would spend memorizing;
    - with ``augment``, every batch is also cropped (and flipped).

    It predicts on untouched samples. For scikit-learn classifiers, which
    cannot change their data between epochs, :class:`PrivacyDomainResampler`
    builds one such data set for a pipeline.

    Parameters
    ----------
    transformer : CycleGANPrivacyTransformer or None, default=None
        Unfitted; None uses ``CycleGANPrivacyTransformer()``. Its
        ``random_state``, when None, is drawn from this ``random_state``.
    fake_ratio : float, default=1.0
        Fakes per real sample in every epoch (0: transforms only).
    strength : tuple of (float, float), default=(0.5, 1.5)
        The range of the random amount ``t`` of each move; ``(1, 1)`` applies
        the transform as it is, ``(0, 0)`` keeps real samples unchanged.
{neural_parameters}

    Attributes
    ----------
    transformer_ : CycleGANPrivacyTransformer
        The fitted transformer (``privacy_levels_`` says which samples move).
    n_fake_ : int
        Fakes in every epoch.
{neural_attributes}

    See Also
    --------
    RelaxLossClassifier : Usually the stronger defence at equal accuracy.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_synth.privacy import (CycleGANPrivacyTransformer, PrivacyDomainClassifier,
    ...                                    PrivacyValuator)
    >>> X, y = load_digits(return_X_y=True)
    >>> gan = CycleGANPrivacyTransformer(
    ...     valuator=PrivacyValuator(LogisticRegression(max_iter=100), n_models=5), max_epochs=2)
    >>> clf = PrivacyDomainClassifier(gan, max_epochs=3, random_state=0).fit(X[:400], y[:400])
    >>> clf.n_fake_, clf.predict(X[400:403]).shape
    (400, (3,))
    """

    _parameter_constraints = {
        "transformer": [HasMethods(["fit", "transform", "sample_labeled"]), None],
        "fake_ratio": [Interval(Real, 0, None, closed="left")],
        "strength": [tuple],
        **NEURAL_PARAMETERS,
    }

    def __init__(
        self,
        transformer=None,
        *,
        fake_ratio=1.0,
        strength=(0.5, 1.5),
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
        self.transformer = transformer
        self.fake_ratio = fake_ratio
        self.strength = strength
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

    def _form(self, rows):
        """Rows as the transformer takes them: images when this classifier sees images."""
        return rows if self._image_shape is None else rows.reshape(len(rows), *self._image_shape)

    def _training_data(self, rows, classes, rng):
        from ._classifier_modules import EpochData

        low, high = _check_strength(self.strength)
        transformer = seeded_clone(
            self.transformer if self.transformer is not None else CycleGANPrivacyTransformer(),
            draw_seed(rng))
        labels = self.classes_[classes]
        self.transformer_ = transformer.fit(self._form(rows), labels)
        moved = np.flatnonzero(np.asarray(transformer.privacy_levels_) != "safe")
        direction = np.zeros((0, rows.shape[1]))
        if moved.size and high > 0:
            safe_version = np.asarray(transform_with_labels(
                transformer, self._form(rows[moved]), labels[moved]), np.float64)
            direction = safe_version.reshape(moved.size, -1) - rows[moved]
        self.n_fake_ = int(round(self.fake_ratio * rows.shape[0]))
        stream = np.random.RandomState(draw_seed(rng))

        def renew():
            epoch = rows.copy()
            if direction.shape[0]:
                epoch[moved] += stream.uniform(low, high, size=(moved.size, 1)) * direction
            if not self.n_fake_:
                return self._scale(epoch), classes
            fakes, fake_labels = transformer.sample_labeled(self.n_fake_, random_state=stream)
            fakes = np.asarray(fakes, dtype=np.float64).reshape(self.n_fake_, -1)
            return (self._scale(np.concatenate([epoch, fakes])),
                    np.concatenate([classes, np.searchsorted(self.classes_, fake_labels)]))

        return EpochData(renew), None


def _check_strength(strength):
    if (len(strength) != 2 or not all(isinstance(s, Real) for s in strength)
            or not 0 <= strength[0] <= strength[1]):
        raise ValueError(f"strength must be a pair (low, high) with 0 <= low <= high, got "
                         f"{strength!r}.")
    return float(strength[0]), float(strength[1])


PrivacyDomainClassifier.__doc__ = PrivacyDomainClassifier.__doc__.format(
    neural_parameters=NEURAL_PARAMETERS_DOC, neural_attributes=NEURAL_ATTRIBUTES_DOC)
