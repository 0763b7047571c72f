"""The privacy-domain training set as an imbalanced-learn sampler."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Real

import numpy as np
from imblearn.base import BaseSampler
from imblearn.utils import check_target_type
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import check_consistent_length, validate_data

from ..utils._persistence import PersistenceMixin
from ..utils._random import draw_seed, seeded_clone
from ..utils._validation import as_numeric
from ._cyclegan import CycleGANPrivacyTransformer, transform_with_labels

__all__ = ["PrivacyDomainResampler"]


class PrivacyDomainResampler(PersistenceMixin, BaseSampler):
    """Build the privacy-domain training set: real samples moved toward the
    privacy-safe domain, plus labeled fake privacy-risky samples.

    ``fit_resample(X, y)`` fits a clone of ``transformer`` on the data, keeps
    the privacy-safe samples as they are, replaces every other real sample by
    its transform into the safe domain, and appends ``round(fake_ratio *
    n_samples)`` fakes drawn with the training class prior. In an
    imbalanced-learn pipeline the classifier trains on that set and predicts
    on untouched data::

        Pipeline([("privacy", PrivacyDomainResampler()), ("clf", MLPClassifier())])

    Parameters
    ----------
    transformer : CycleGANPrivacyTransformer or None, default=None
        None uses ``CycleGANPrivacyTransformer()``.
    fake_ratio : float, default=1.0
        Fakes per real sample.
    transform_real : bool, default=True
        False keeps every real sample unchanged (the "real + fake" ablation).
    random_state : int, RandomState instance or None, default=None
        Seeds the transformer (when its own ``random_state`` is None) and the fakes.

    Attributes
    ----------
    transformer_ : CycleGANPrivacyTransformer
        The fitted transformer.
    n_fake_ : int
        Fakes appended.
    """

    _sampling_type = "bypass"
    _parameter_constraints = {
        "transformer": [HasMethods(["fit", "transform", "sample_labeled"]), None],
        "fake_ratio": [Interval(Real, 0, None, closed="left")],
        "transform_real": ["boolean"],
        "random_state": ["random_state"],
    }

    # every sample is kept, so there is no strategy to choose; imbalanced-learn reads this
    sampling_strategy = "auto"

    def __init__(self, transformer=None, *, fake_ratio=1.0, transform_real=True, random_state=None):
        self.transformer = transformer
        self.fake_ratio = fake_ratio
        self.transform_real = transform_real
        self.random_state = random_state

    def _check_X_y(self, X, y, accept_sparse=None):
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        if hasattr(X, "columns"):
            validate_data(self, X, reset=True, skip_check_array=True)  # feature names
        X = as_numeric(X, type(self).__name__)
        if X.ndim < 2:
            raise ValueError(f"Expected 2D array (or images), got {X.ndim}D array instead. Reshape "
                             "your data with X.reshape(-1, 1) for a single feature.")
        if X.shape[0] == 0 or X[0].size == 0:
            raise ValueError(f"Found array with 0 sample(s) or 0 feature(s) (shape={X.shape}) while a "
                             f"minimum of 1 is required by {type(self).__name__}.")
        if not np.isfinite(X).all():
            raise ValueError("Input X contains NaN or infinity; the privacy-domain CycleGAN does not "
                             "model them: impute first.")
        check_consistent_length(X, y)
        self.n_features_in_ = int(np.prod(X.shape[1:]))
        return X, y, binarize_y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags

    def fit_resample(self, X, y, privacy_levels=None):
        """Fit the transformer and return the privacy-domain training set.

        Parameters
        ----------
        X : array-like
            Samples (rows or images).
        y : array-like of shape (n_samples,)
            Labels.
        privacy_levels : array-like of shape (n_samples,), default=None
            Given levels, passed to the transformer's ``fit`` (skips the valuation).

        Returns
        -------
        X_resampled : ndarray
            The real samples (the non-safe ones transformed) followed by the fakes.
        y_resampled : ndarray
        """
        return super().fit_resample(X, y, privacy_levels=privacy_levels)

    def _fit_resample(self, X, y, privacy_levels=None):
        from sklearn.utils import check_random_state

        rng = check_random_state(self.random_state)
        fake_seed = draw_seed(rng)
        transformer = seeded_clone(
            self.transformer if self.transformer is not None else CycleGANPrivacyTransformer(),
            draw_seed(rng),
        )
        self.transformer_ = transformer.fit(X, y, privacy_levels=privacy_levels)
        X_real = X
        if self.transform_real:
            moved = transformer.privacy_levels_ != "safe"
            X_real = np.array(X, dtype=np.result_type(X.dtype, np.float32), copy=True)
            if moved.any():
                X_real[moved] = transform_with_labels(transformer, X[moved], y[moved])
        self.n_fake_ = int(round(self.fake_ratio * len(y)))
        if self.n_fake_ == 0:
            return X_real, y
        X_fake, y_fake = transformer.sample_labeled(self.n_fake_, random_state=fake_seed)
        return (np.concatenate([X_real, np.asarray(X_fake, dtype=X_real.dtype)]),
                np.concatenate([y, np.asarray(y_fake, dtype=y.dtype)]))
