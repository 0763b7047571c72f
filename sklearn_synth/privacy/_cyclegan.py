"""The privacy-domain CycleGAN: move real samples toward the privacy-safe
domain, and make fake privacy-risky samples."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from ..base import SamplingMixin
from ..utils._images import SampleFormMixin
from ..utils._labels import prior_classes
from ..utils._random import draw_seed, seeded_clone
from ..utils._torch import import_torch, inference, make_net
from ..utils._torch_estimator import TorchStateMixin
from ..utils._validation import TORCH_DEVICE, mean_and_std
from ._valuation import PrivacyValuator

__all__ = ["CycleGANPrivacyTransformer"]


class CycleGANPrivacyTransformer(SampleFormMixin, TorchStateMixin, SamplingMixin, TransformerMixin,
                                 BaseEstimator):
    """Transform samples between the privacy-safe and privacy-risky domains.

    The defence of "Generating fake data to fake privacy pryers" (section 4).
    ``fit(X, y)`` values every training sample's exposure to membership
    inference with a :class:`PrivacyValuator` (or takes given levels), then
    trains a CycleGAN between the privacy-safe samples and the privacy-risky
    ones: generators ``G_s2r`` (safe to risky) and ``G_r2s`` (risky to safe),
    discriminators ``D_s2r`` (is this a risky sample?) and ``D_r2s`` (is this a
    safe sample?), with the least-squares adversarial loss plus
    ``cycle_weight`` (the paper's lambda) times the L1 cycle-consistency loss
    (equations 2 to 4; the discriminators compare translated samples with real
    samples of the target domain, as in the original CycleGAN).

    ``transform(X)`` moves samples into the privacy-safe domain with
    ``G_r2s`` (one output row per input row). ``sample(n)`` and
    ``sample_labeled(n, y=...)`` make fake privacy-risky samples: candidates
    from a class-conditional generator fitted on the training data, pushed
    through ``G_s2r``. A classifier trained on transformed real samples plus
    such fakes spends its memorization capacity on the fakes;
    :class:`PrivacyDomainResampler` builds that training set inside an
    imbalanced-learn pipeline.

    Parameters
    ----------
    valuator : PrivacyValuator or None, default=None
        Values the training samples in ``fit``; None uses
        ``PrivacyValuator()`` (five 256-unit MLPs, modified-entropy attack).
    architecture : {"auto", "mlp", "conv"}, default="auto"
        ``"mlp"`` for table rows, ``"conv"`` for images; ``"auto"`` picks
        ``"conv"`` for image input (3-D or 4-D arrays, or rows with
        ``image_shape``) and ``"mlp"`` otherwise.
    image_shape : "auto", tuple of int or None, default="auto"
        ``(height, width)`` or ``(channels, height, width)`` when images come
        as flattened rows; ``"auto"`` reads rows of ``s * s`` features
        (``s >= 8``: MNIST's 784, scikit-learn's 64-pixel digits) as grey
        square images; None reads rows as rows. 3-D input ``(n, h, w)`` and
        4-D input ``(n, c, h, w)`` carry their shape.
    hidden_size : int, default=256
        Units of the MLP generators and discriminators.
    cycle_weight : float, default=1.0
        The weight lambda of the cycle-consistency loss (the paper does not
        give its value). Larger values keep the transforms closer to the
        input: on scikit-learn's digits, 10 moved pixels by 0.05 on average
        and left the modified-entropy advantage unchanged, 1 moved them by
        0.08 and lowered it.
    identity_weight : float, default=0.5
        Weight of the identity loss, times ``cycle_weight`` (as in the
        CycleGAN paper): a generator given a sample already in its target
        domain should leave it unchanged, so that what it changes in the
        other samples is what tells the domains apart. 0 switches it off.
    class_conditional : bool, default=True
        Every generator and discriminator also reads the sample's class, so
        that a transform keeps the class however strong it is (a fifth of the
        training samples are shown as "any class", which is how
        ``transform(X)`` without labels moves samples). Files saved before
        this option load with False.
    max_epochs : int, default=50
        Epochs of CycleGAN training (one epoch pairs every sample of the
        larger domain with one of the other).
    batch_size : int, default=64
    lr : float, default=2e-4
        Adam learning rate of both optimizers (betas 0.5, 0.999).
    fake_generator : generator or None, default=None
        Makes the fake candidates (needs ``fit(X, y)`` and
        ``sample_labeled``). None uses
        :class:`~sklearn_synth.generators.PCAGaussianSynthesizer` (a
        class-conditional probabilistic PCA: new samples, independent of any
        single training sample) for images and rows of more than 50
        features, and :class:`~sklearn_synth.generators.SequenceLMSynthesizer`
        for narrower tables.
    device : str, default="cpu"
    random_state : int, RandomState instance or None, default=None
        Seeds the valuation, the networks, the candidate generator and the
        sampling stream.
    verbose : int, default=0
        1 prints the valuation runs and the GAN losses per epoch.

    Attributes
    ----------
    privacy_levels_ : ndarray of shape (n_samples,)
        ``"safe"``, ``"vague"`` or ``"risky"`` for each training sample.
    valuator_ : PrivacyValuator or None
        The fitted valuator (None when levels were given).
    fake_generator_ : generator
        The fitted candidate generator.
    net_ : skorch.NeuralNet
        The trained CycleGAN; ``history_`` holds ``loss_g``, ``loss_d`` and
        ``cycle`` per epoch.
    classes_, class_prior_ : ndarray
    n_features_in_ : int
        Features per sample (pixels for images).
    """

    _parameter_constraints = {
        "valuator": [HasMethods(["fit"]), None],
        "architecture": [StrOptions({"auto", "mlp", "conv"})],
        "image_shape": [tuple, None, StrOptions({"auto"})],
        "hidden_size": [Interval(Integral, 2, None, closed="left")],
        "cycle_weight": [Interval(Real, 0, None, closed="left")],
        "identity_weight": [Interval(Real, 0, None, closed="left")],
        "class_conditional": ["boolean"],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "fake_generator": [HasMethods(["fit", "sample_labeled"]), None],
        "device": [TORCH_DEVICE],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        valuator=None,
        architecture="auto",
        image_shape="auto",
        hidden_size=256,
        cycle_weight=1.0,
        identity_weight=0.5,
        class_conditional=True,
        max_epochs=50,
        batch_size=64,
        lr=2e-4,
        fake_generator=None,
        device="cpu",
        random_state=None,
        verbose=0,
    ):
        self.valuator = valuator
        self.architecture = architecture
        self.image_shape = image_shape
        self.hidden_size = hidden_size
        self.cycle_weight = cycle_weight
        self.identity_weight = identity_weight
        self.class_conditional = class_conditional
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.fake_generator = fake_generator
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _scale(self, rows):
        return ((rows - self._center) / self._spread).astype(np.float32)

    def _unscale(self, scaled):
        return np.asarray(scaled, dtype=np.float64) * self._spread + self._center

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, privacy_levels=None):
        """Value the samples (unless ``privacy_levels`` is given) and train the CycleGAN.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n, h, w) or (n, c, h, w)
            Training samples.
        y : array-like of shape (n_samples,)
            Labels (for the valuation and the class-conditional fakes).
        privacy_levels : array-like of shape (n_samples,), default=None
            ``"safe"``, ``"vague"`` or ``"risky"`` per sample, to skip the valuation.

        Returns
        -------
        self : object
        """
        torch = import_torch()
        from skorch.dataset import Dataset

        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is "
                             "None: the valuation and the fakes need the labels.")
        rows = self._rows(X, reset=True)
        _, (valuation_seed, gan_seed, fakes_seed), classes = self._begin_fit(
            y, rows.shape[0], n_seeds=3)
        y = np.asarray(y).reshape(-1)
        self.architecture_ = self._resolve_architecture()
        if privacy_levels is None:
            levels = self._value(rows, y, valuation_seed)
        else:
            self.valuator_ = None
            levels = _check_levels(privacy_levels, rows.shape[0])
        self.privacy_levels_ = levels
        safe, risky = np.flatnonzero(levels == "safe"), np.flatnonzero(levels == "risky")
        if len(safe) < 1 or len(risky) < 1:
            raise ValueError(
                f"The CycleGAN needs privacy-safe and privacy-risky samples, got "
                f"{len(safe)} and {len(risky)}; use more samples or wider valuation quantiles."
            )
        self._fit_scaling(rows)
        pairs = self._paired_domains(rows, classes, safe, risky, np.random.RandomState(gan_seed))
        self._train(torch, gan_seed, Dataset(pairs, None), None)
        self.fake_generator_ = seeded_clone(self._default_fake_generator(), fakes_seed).fit(rows, y)
        return self

    def _resolve_architecture(self):
        """``"mlp"`` or ``"conv"``, checking that images suit the convolutions."""
        kind = self.architecture
        if kind == "auto":
            kind = "conv" if self._image_shape is not None else "mlp"
        if kind == "conv" and (self._image_shape is None or self._image_shape[1] % 4
                               or self._image_shape[2] % 4):
            raise ValueError(
                "architecture='conv' needs images whose height and width are multiples of 4 "
                f"(got {self._image_shape}); pass image_shape for flattened rows, or use 'mlp'."
            )
        return kind

    def _value(self, rows, y, seed):
        """Fit the valuator (``valuator_``) and return each sample's privacy level."""
        valuator = seeded_clone(self.valuator if self.valuator is not None else PrivacyValuator(),
                                seed)
        if self.verbose and "verbose" in valuator.get_params(deep=False):
            valuator.set_params(verbose=self.verbose)
        self.valuator_ = valuator.fit(rows, y)
        levels = np.asarray(self.valuator_.privacy_levels_)
        if (levels == "safe").any() and (levels == "risky").any():
            return levels
        # too few samples for a majority vote on both ends: rank by mean exposure
        warnings.warn(
            "The valuation's vote left a privacy domain empty; the least and most "
            "exposed quarter of the samples by mean rank are used instead.",
            UserWarning, stacklevel=3,
        )
        order = np.argsort(self.valuator_.privacy_scores_, kind="stable")
        quarter = max(1, len(order) // 4)
        levels = np.full(len(order), "vague", dtype=object)
        levels[order[:quarter]] = "safe"
        levels[order[-quarter:]] = "risky"
        return levels

    def _fit_scaling(self, rows):
        """Images: one range for every pixel, mapped to [-1, 1]; rows: per-feature z-scores."""
        if self.architecture_ == "conv":
            lo, hi = rows.min(), rows.max()
            self._center, self._spread = hi / 2 + lo / 2, max(hi / 2 - lo / 2, 1e-12)
        else:
            self._center, spread = mean_and_std(rows)
            self._spread = np.where(spread > 0, spread, 1.0)

    def _paired_domains(self, rows, classes, safe, risky, rng):
        """One epoch's pairs: every sample of the larger domain with one of the
        other (indices into ``rows``), with their classes."""
        n_pairs = max(len(safe), len(risky))
        safe = safe[np.resize(rng.permutation(len(safe)), n_pairs)]
        risky = risky[np.resize(rng.permutation(len(risky)), n_pairs)]
        return {"safe": self._scale(rows[safe]), "risky": self._scale(rows[risky]),
                "safe_class": classes[safe], "risky_class": classes[risky]}

    def _default_fake_generator(self):
        if self.fake_generator is not None:
            return self.fake_generator
        if self.architecture_ == "conv" or self._image_shape is not None or self.n_features_in_ > 50:
            from ..generators import PCAGaussianSynthesizer

            return PCAGaussianSynthesizer()
        from ..generators import SequenceLMSynthesizer

        return SequenceLMSynthesizer()

    def _build_net(self, torch, seed, valid=None, accelerate=False):
        from skorch.callbacks import PassthroughScoring

        from ._cyclegan_modules import CycleGAN, CycleGANNet

        return make_net(
            CycleGAN,
            torch.nn.MSELoss,
            seed=seed,
            lr=self.lr,
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            verbose=self.verbose,
            callbacks=[(name, PassthroughScoring(name=name, on_train=True))
                       for name in ("loss_g", "loss_d", "cycle")],
            net_class=CycleGANNet,
            cycle_weight=self.cycle_weight,
            identity_weight=self.identity_weight,
            module__kind=self.architecture_,
            module__n_features=self.n_features_in_,
            module__image_shape=self._image_shape,
            module__hidden_size=self.hidden_size,
            module__n_classes=self.classes_.size if self.class_conditional else 0,
            **self._net_options(valid, accelerate),
        )

    # ------------------------------------------------------- transformations
    def _apply(self, generator_name, rows, classes=None):
        """Rows through a generator; ``classes`` (indices) for a class-conditional
        one, None meaning "any class"."""
        torch = import_torch()
        out = np.empty_like(rows)
        n_classes = self.net_.module_.n_classes
        if n_classes and classes is None:
            classes = np.full(len(rows), n_classes)
        with inference(self.net_.module_) as module:
            generator = getattr(module, generator_name)
            for start in range(0, len(rows), 1024):
                x = torch.as_tensor(self._scale(rows[start:start + 1024]), device=self.device_)
                code = None if not n_classes else torch.as_tensor(
                    classes[start:start + 1024], dtype=torch.int64, device=self.device_)
                out[start:start + 1024] = self._unscale(
                    generator(module.shape(x), code).reshape(len(x), -1).cpu().numpy())
        return out

    def transform(self, X, y=None):
        """Move samples into the privacy-safe domain with ``G_r2s``.

        Parameters
        ----------
        X : array-like
            Samples in the form ``fit`` got.
        y : array-like of shape (n_samples,), default=None
            Their labels, for class-conditional generators (each sample is
            moved as a sample of its class); None moves them as samples of
            any class.

        Returns
        -------
        X_safe : ndarray
            The same shape as ``X``.
        """
        check_is_fitted(self)
        rows = self._rows(X, reset=False)
        classes = None
        if y is not None and self.class_conditional:
            classes = self._class_indices(y, rows.shape[0])
        return self._unrows(self._apply("G_r2s", rows, classes))

    def _class_indices(self, y, n_samples):
        y = np.asarray(y).reshape(-1)
        if y.shape[0] != n_samples:
            raise ValueError(f"y has {y.shape[0]} labels for {n_samples} samples.")
        unknown = ~np.isin(y, self.classes_)
        if unknown.any():
            label = y[unknown][0]
            raise ValueError(f"Label {getattr(label, 'item', lambda: label)()!r} was not seen in "
                             f"fit; the classes are "
                             f"{self.classes_.tolist()}.")
        return np.searchsorted(self.classes_, y)

    def _sample(self, n_samples, rng):
        return self._sample_labeled(prior_classes(self, n_samples, rng), rng)

    def _sample_labeled(self, class_indices, rng):
        candidates, _ = self.fake_generator_.sample_labeled(
            y=self.classes_[class_indices], random_state=draw_seed(rng))
        return self._unrows(self._apply("G_s2r", np.asarray(candidates, dtype=np.float64),
                                        class_indices))

    def get_feature_names_out(self, input_features=None):
        """Feature names of :meth:`transform`'s output, for 2-D input.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names; None uses ``feature_names_in_`` if fitted on a
            DataFrame, else ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str
            The input names: a transformed sample keeps its features.
        """
        check_is_fitted(self)
        if self._input_ndim != 2:
            raise ValueError(
                f"{type(self).__name__} was fitted on images of shape {self._image_shape}, "
                "whose transform returns images, not named features."
            )
        return _check_feature_names_in(self, input_features)

    _persisted_private = (*SampleFormMixin._sample_form_attributes, "_center", "_spread")
    _params_before_added = {"class_conditional": False}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags


def transform_with_labels(transformer, X, y):
    """``transformer.transform(X, y)`` when its ``transform`` takes labels (a
    class-conditional CycleGAN), else ``transformer.transform(X)``."""
    import inspect

    if "y" in inspect.signature(transformer.transform).parameters:
        return transformer.transform(X, y)
    return transformer.transform(X)


def _check_levels(privacy_levels, n_samples):
    """Given privacy levels as an object array, checked."""
    levels = np.asarray(privacy_levels, dtype=object)
    if levels.shape != (n_samples,):
        raise ValueError(f"privacy_levels must have one level per sample ({n_samples}), "
                         f"got shape {levels.shape}.")
    unknown = set(levels) - {"safe", "vague", "risky"}
    if unknown:
        raise ValueError(f"Unknown privacy levels {sorted(map(str, unknown))}; use "
                         "'safe', 'vague' or 'risky'.")
    return levels
