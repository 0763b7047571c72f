"""The generator contract shared by every synthesizer in sklearn-synth.

``sample(n_samples=1, *, random_state=None)`` returns rows in the container
``fit`` received; generators fitted with ``y`` add
``sample_labeled(n_samples=1, *, y=None, random_state=None) -> (X, y)``;
``score`` is a higher-is-better number (mean log-likelihood per row) so that
``GridSearchCV`` works with its default scoring. Subclasses implement
``_sample(n_samples, rng)`` and ``_sample_labeled(class_indices, rng)``.
"""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from abc import ABCMeta, abstractmethod

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from .utils._audit import AUDIT_SAMPLE_SIZE, without_audit_sample
from .utils._labels import requested_classes
from .utils._persistence import PersistenceMixin
from .utils._random import resolve_sample_rng
from .utils._validation import check_n_samples

__all__ = [
    "AUDIT_SAMPLE_SIZE",
    "BaseGenerator",
    "GeneratorMixin",
    "SamplingMixin",
    "TableInputMixin",
    "is_generator",
]


def is_generator(estimator):
    """Return True if ``estimator`` follows the generator contract (has ``sample``).

    Parameters
    ----------
    estimator : object
        Any estimator.

    Returns
    -------
    out : bool

    Examples
    --------
    >>> from sklearn_synth.base import is_generator
    >>> from sklearn_synth.generators import DummySynthesizer
    >>> is_generator(DummySynthesizer()), is_generator(object())
    (True, False)
    """
    return callable(getattr(estimator, "sample", None))


class TableInputMixin:
    """Tags of estimators that take mixed-type tables with missing values."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        return tags


class SamplingMixin(metaclass=ABCMeta):
    """Mixin providing ``sample``, ``sample_labeled`` and ``sample_chunks`` (for
    estimators that generate samples but have no likelihood; generators use
    :class:`GeneratorMixin`).

    The contract, as imbalanced-learn's ``BaseSampler`` has for
    ``_fit_resample``: the public methods check the fitted state and their
    arguments, resolve the random stream and the requested classes, then call
    the two abstract methods a subclass implements, ``_sample(n_samples, rng)``
    and ``_sample_labeled(class_indices, rng)``. The fitted estimator sets
    ``random_state_`` (a ``RandomState``) and, through
    ``sklearn_synth.utils._labels.fit_labels``, ``classes_`` and
    ``class_prior_`` (None when fitted without labels).
    """

    def sample(self, n_samples=1, *, random_state=None):
        """Generate synthetic rows.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows.
        random_state : int, RandomState instance or None, default=None
            An int makes the call reproducible; None continues the fitted
            ``random_state_`` stream, so successive calls differ.

        Returns
        -------
        X : DataFrame or ndarray of shape (n_samples, n_features)
            The same container, columns and dtypes as the data ``fit`` got.
        """
        return self._sample_checked(n_samples, random_state)

    def sample_labeled(self, n_samples=1, *, y=None, random_state=None):
        """Generate synthetic rows of chosen classes.

        Parameters
        ----------
        n_samples : int, default=1
            Number of rows when ``y`` is None or a single label.
        y : label, array-like of labels or None, default=None
            None draws the classes from the training class prior; a single
            label gives ``n_samples`` rows of that class; an array gives one
            row per entry, of exactly those classes.
        random_state : int, RandomState instance or None, default=None
            As in :meth:`sample`.

        Returns
        -------
        X : DataFrame or ndarray of shape (n_rows, n_features)
            The synthetic rows.
        y : ndarray of shape (n_rows,)
            Their labels, with the dtype of ``classes_``.
        """
        return self._sample_labeled_checked(n_samples, y, random_state)

    def sample_chunks(self, n_samples, *, chunk_size=10_000, labeled=False, random_state=None):
        """Generate ``n_samples`` rows as a stream of chunks, in bounded memory.

        Working memory is that of one chunk whatever ``n_samples`` is, so a
        caller that writes each chunk away (as ``sklearn-synth sample`` does)
        can draw millions of rows.

        Parameters
        ----------
        n_samples : int
            Rows in all.
        chunk_size : int, default=10_000
            Rows per chunk (the last one may be shorter).
        labeled : bool, default=False
            Yield ``(X, y)`` pairs from :meth:`sample_labeled` instead of ``X``.
        random_state : int, RandomState instance or None, default=None
            As in :meth:`sample`; the stream is reproducible for a given
            ``random_state`` and ``chunk_size``.

        Yields
        ------
        X : DataFrame or ndarray of shape (<= chunk_size, n_features)
            Or ``(X, y)`` when ``labeled``.
        """
        method = self.sample_labeled if labeled else self.sample
        yield from self._chunks(n_samples, chunk_size, random_state,
                                lambda start, size, rng: method(size, random_state=rng))

    def _chunks(self, n_samples, chunk_size, random_state, draw):
        """Check the arguments of a chunked stream, then yield ``draw(start, size,
        rng)`` for consecutive chunks of at most ``chunk_size`` rows."""
        check_is_fitted(self)
        n_samples = check_n_samples(n_samples)
        chunk_size = check_n_samples(chunk_size, "chunk_size")
        if chunk_size == 0:
            raise ValueError("chunk_size must be at least 1.")
        rng = resolve_sample_rng(random_state, self.random_state_)
        for start in range(0, n_samples, chunk_size):
            yield draw(start, min(chunk_size, n_samples - start), rng)

    # Subclasses whose sampling takes extra arguments (a series length) override
    # the public methods with their own signature and call these two.
    def _sample_checked(self, n_samples, random_state, **params):
        check_is_fitted(self)
        n_samples = check_n_samples(n_samples)
        rng = resolve_sample_rng(random_state, self.random_state_)
        return self._sample(n_samples, rng, **params)

    def _sample_labeled_checked(self, n_samples, y, random_state, **params):
        check_is_fitted(self)
        rng = resolve_sample_rng(random_state, self.random_state_)
        indices = requested_classes(self, n_samples, y, rng)
        return self._sample_labeled(indices, rng, **params), self.classes_[indices]

    @abstractmethod
    def _sample(self, n_samples, rng, **params):
        """Draw ``n_samples`` rows with the ``RandomState`` ``rng``.

        A model fitted with labels draws their classes from its prior
        (:func:`~sklearn_synth.utils._labels.prior_classes`).
        """

    @abstractmethod
    def _sample_labeled(self, class_indices, rng, **params):
        """Draw one row of each class in ``class_indices`` (indices into ``classes_``)."""

    def __getstate__(self):
        # the audit sample of training rows stays in this process
        state = super().__getstate__() if hasattr(super(), "__getstate__") else self.__dict__.copy()
        return without_audit_sample(state)


class GeneratorMixin(SamplingMixin):
    """Mixin providing ``sample``, ``sample_labeled`` and ``score``.

    The contract of :class:`SamplingMixin`; ``score`` needs a
    ``score_samples`` method.
    """

    def score(self, X, y=None):
        """Mean log-likelihood of the rows of ``X`` under the model (higher is better).

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Rows to score.
        y : None
            Ignored. This parameter exists only for compatibility with
            :class:`~sklearn.pipeline.Pipeline`.

        Returns
        -------
        score : float
            ``score_samples(X).mean()``.
        """
        return float(np.mean(self.score_samples(X)))


class BaseGenerator(PersistenceMixin, GeneratorMixin, BaseEstimator):
    """Base class for generators: the contract of :class:`GeneratorMixin` on a
    scikit-learn estimator, with safe ``save`` and ``load``."""
