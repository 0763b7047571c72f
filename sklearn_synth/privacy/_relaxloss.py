"""RelaxLossClassifier: a neural classifier trained with RelaxLoss against
membership inference."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Real

from sklearn.utils._param_validation import Interval

from ._neural import NEURAL_ATTRIBUTES_DOC, NEURAL_PARAMETERS, NEURAL_PARAMETERS_DOC, NeuralClassifierBase

__all__ = ["RelaxLossClassifier"]


class RelaxLossClassifier(NeuralClassifierBase):
    """Neural classifier trained with RelaxLoss (Chen, Yu and Fritz, ICLR 2022).

    A membership attack reads how confident a model is on a sample: training
    samples get lower losses than other samples. RelaxLoss keeps the mean
    training loss near a target ``alpha`` instead of driving it to zero: on
    even epochs it minimises ``|loss - alpha|`` (gradient ascent once the
    loss is below ``alpha``); on odd epochs, below ``alpha``, it flattens the
    predicted distribution of correctly classified samples (the true class
    keeps its probability, capped at ``upper``, the other classes share the
    rest evenly) and raises the loss of misclassified ones. Training and test
    losses stay close, so the attack has less to read, usually at little
    cost in accuracy.

    ``alpha=0`` is plain cross-entropy training, with the same networks,
    schedule, ``weight_decay``, ``label_smoothing``, augmentation and early
    stopping: the undefended baseline and the classic defences in one class.
    It is a scikit-learn classifier (``fit``, ``predict``, ``predict_proba``,
    ``score``), so it works in pipelines, in search and as the estimator of
    :class:`PrivacyValuator`.

    Parameters
    ----------
    alpha : float, default=1.0
        The target mean cross-entropy (RelaxLoss's CIFAR-10 setting is 1;
        larger values defend more and cost more accuracy). 0 trains with plain
        cross-entropy.
    upper : float, default=1.0
        Cap on the true class's probability in the flattened targets.
{neural_parameters}

    Attributes
    ----------
{neural_attributes}

    See Also
    --------
    DPSGDClassifier : Training with a differential-privacy guarantee.
    PrivacyDomainClassifier : The privacy-domain defence for torch classifiers.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_synth.privacy import RelaxLossClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = RelaxLossClassifier(alpha=0.5, max_epochs=5, random_state=0).fit(X[:500], y[:500])
    >>> clf.architecture_, clf.predict_proba(X[500:503]).shape
    ('conv', (3, 10))
    """

    _parameter_constraints = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "upper": [Interval(Real, 0, 1, closed="right")],
        **NEURAL_PARAMETERS,
    }

    def __init__(
        self,
        alpha=1.0,
        *,
        upper=1.0,
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
        self.alpha = alpha
        self.upper = upper
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

    def _net_class(self, private):
        from ._classifier_modules import RelaxLossNet

        return RelaxLossNet

    def _net_kwargs(self):
        return {"alpha": float(self.alpha), "upper": float(self.upper)}


RelaxLossClassifier.__doc__ = RelaxLossClassifier.__doc__.format(
    neural_parameters=NEURAL_PARAMETERS_DOC, neural_attributes=NEURAL_ATTRIBUTES_DOC)
