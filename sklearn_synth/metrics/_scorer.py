"""Generator-aware scorers for model selection: ``scorer(estimator, X, y=None)``.

In cross-validation the estimator was fitted on the training fold and the
scorer receives the held-out fold: it draws synthetic rows from the fitted
generator (the last step of a Pipeline, with samples mapped back through the
earlier steps' ``inverse_transform``) and compares them with the held-out rows.
Every score is higher-is-better. Scorers draw with their own ``random_state``,
so a search sees the same draw for every candidate.
"""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pandas as pd

from ..base import is_generator
from ..exceptions import UnrepresentativeFoldWarning
from ..utils._audit import audit_sample
from ..utils._validation import as_series_list
from ._fidelity import detection_auc_loss, inlier_rate_score
from ._privacy import mia_advantage_loss
from ._sequences import discriminator_accuracy_loss, predictive_error
from ._utility import train_synthetic_test_real


def _generator_and_inverse(estimator):
    """The generator inside ``estimator`` and a function mapping its samples back
    to the space of the data the estimator was fitted on."""
    steps = getattr(estimator, "steps", None)
    if steps is None:
        if not is_generator(estimator):
            raise TypeError(
                f"{type(estimator).__name__} is not a generator (it has no sample method); "
                "generator scorers need a generator or a Pipeline ending in one."
            )
        return estimator, lambda X: X
    *pre, (last_name, last) = steps
    if not is_generator(last):
        raise TypeError(
            f"The last step {last_name!r} of the Pipeline is {type(last).__name__}, not a "
            "generator; generator scorers need a Pipeline ending in one."
        )
    transformers = [(name, step) for name, step in pre if step not in (None, "passthrough")]
    for name, step in transformers:
        if not hasattr(step, "inverse_transform"):
            raise TypeError(
                f"Pipeline step {name!r} ({type(step).__name__}) has no inverse_transform, so "
                "synthetic rows cannot be mapped back to the original columns."
            )

    names = getattr(estimator, "feature_names_in_", None)

    def inverse(X):
        for _, step in reversed(transformers):
            X = step.inverse_transform(X)
        if names is not None and not isinstance(X, pd.DataFrame):
            X = pd.DataFrame(X, columns=names)  # back to the columns the pipeline got
        return X

    return last, inverse


#: Total variation distance between a held-out fold's class mix and the generator's
#: training prior above which the fold cannot stand for the data it was split from.
FOLD_SHIFT_LIMIT = 0.25


def _check_fold_labels(generator, y):
    """Warn when the held-out fold's labels do not match the classes the generator
    was fitted on: the sign of an unshuffled split of rows grouped by class."""
    classes = getattr(generator, "classes_", None)
    if y is None or classes is None:
        return
    labels, counts = np.unique(np.asarray(y), return_counts=True)
    fold = dict(zip(labels.tolist(), counts / counts.sum()))
    prior = dict(zip(np.asarray(classes).tolist(), generator.class_prior_))
    shift = 0.5 * sum(abs(fold.get(c, 0.0) - prior.get(c, 0.0)) for c in set(fold) | set(prior))
    unseen = sorted(set(fold) - set(prior), key=str)
    if unseen or shift > FOLD_SHIFT_LIMIT:
        what = (f"holds classes the generator never saw in training ({unseen[:5]})" if unseen
                else f"has a class mix {shift:.0%} away from the training fold's (total "
                     "variation)")
        warnings.warn(
            f"The held-out fold {what}, so this score does not measure the generator. A "
            "generator is not a classifier: cv=3 splits rows in order, without shuffling or "
            "stratifying. Pass cv=StratifiedKFold(n_splits, shuffle=True, random_state=0) "
            "(with y) or cv=KFold(n_splits, shuffle=True, random_state=0).",
            UnrepresentativeFoldWarning,
            stacklevel=3,
        )


def _audit_rows(generator, inverse):
    sample = audit_sample(generator)
    if sample is None:
        return None, None
    return inverse(sample[0]), sample[1]


class GeneratorScorer:
    """Base class of the generator scorers.

    Parameters
    ----------
    n_samples : int, default=None
        Synthetic rows drawn per call; None draws as many as the held-out fold has.
    random_state : int, default=0
        Seeds the synthetic draw and the metric's own randomness.
    """

    def __init__(self, *, n_samples=None, random_state=0):
        self.n_samples = n_samples
        self.random_state = random_state

    def __call__(self, estimator, X, y=None):
        generator, inverse = _generator_and_inverse(estimator)
        _check_fold_labels(generator, y)
        return float(self._score(generator, inverse, X, y))

    def _n(self, X):
        return self.n_samples or len(X)

    def _params(self):
        return {k: v for k, v in vars(self).items()}

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._params().items())
        return f"{type(self).__name__}({args})"


class InlierRateScorer(GeneratorScorer):
    """Calibrated inlier rate of synthetic rows (see :func:`inlier_rate_score`).

    The one-class SVM is fitted on the generator's in-memory sample of its
    training rows when it keeps one, else on half of the held-out fold (the
    other half is the real reference).

    Parameters
    ----------
    method : {"rbf", "paper"}, default="rbf"
        Kernel configuration; ``"paper"`` reproduces the paper's flawed one.
    nu : float, default=0.2
        The SVM's ``nu``.
    calibrated : bool, default=True
        Return the calibrated value (1 = synthetic rows are inliers exactly as
        often as real held-out rows); False returns the raw synthetic inlier
        rate, which rewards mode collapse.
    n_samples : int, default=None
        Synthetic rows per call (None: as many as the fold).
    random_state : int, default=0
        Seeds the draw and the SVM's row subsample.
    """

    def __init__(self, *, method="rbf", nu=0.2, calibrated=True, n_samples=None, random_state=0):
        super().__init__(n_samples=n_samples, random_state=random_state)
        self.method = method
        self.nu = nu
        self.calibrated = calibrated

    def _score(self, generator, inverse, X, y):
        synth = inverse(generator.sample(self._n(X), random_state=self.random_state))
        train, _ = _audit_rows(generator, inverse)
        if train is None:
            train, heldout = X, None
        else:
            heldout = X
        rates = inlier_rate_score(
            train, synth, heldout, method=self.method, nu=self.nu, random_state=self.random_state
        )
        return rates["calibrated"] if self.calibrated else rates["synthetic"]


class DetectionScorer(GeneratorScorer):
    """Indistinguishability from a classifier two-sample test: ``1 - 2 |AUC - 0.5|``.

    1 when a random forest cannot tell synthetic rows from held-out real rows,
    0 when it tells them apart perfectly, and also 0 when the synthetic rows
    copy real ones so closely that the AUC drops to 0 (see
    :func:`detection_auc_loss`).

    Parameters
    ----------
    classifier : classifier, default=None
        The judge (None: a 100-tree random forest).
    n_samples : int, default=None
        Synthetic rows per call (None: as many as the fold).
    random_state : int, default=0
        Seeds the draw, the folds and the forest.
    """

    def __init__(self, *, classifier=None, n_samples=None, random_state=0):
        super().__init__(n_samples=n_samples, random_state=random_state)
        self.classifier = classifier

    def _score(self, generator, inverse, X, y):
        synth = inverse(generator.sample(self._n(X), random_state=self.random_state))
        auc = detection_auc_loss(X, synth, classifier=self.classifier, random_state=self.random_state)
        return 1.0 - 2.0 * abs(auc - 0.5)


class TSTRScorer(GeneratorScorer):
    """Train on synthetic, test on the real held-out fold (needs labels).

    Synthetic rows are drawn with ``sample_labeled`` for the held-out fold's
    labels (the classes the generator knows), so the classifier trains on the
    class mix it is tested on.

    Parameters
    ----------
    classifier : classifier, default=None
        None uses a 100-tree random forest.
    scoring : str, default="f1_macro"
        The scikit-learn scorer applied to the held-out fold.
    ratio : bool, default=False
        Return TSTR divided by train-on-real (trained on the generator's
        in-memory sample of its training rows) instead of TSTR.
    n_samples : int, default=None
        Unused: one synthetic row is drawn per held-out row.
    random_state : int, default=0
        Seeds the draw and the forest.
    """

    def __init__(self, *, classifier=None, scoring="f1_macro", ratio=False, n_samples=None,
                 random_state=0):
        super().__init__(n_samples=n_samples, random_state=random_state)
        self.classifier = classifier
        self.scoring = scoring
        self.ratio = ratio

    def _score(self, generator, inverse, X, y):
        if y is None:
            raise ValueError(
                "tstr_score needs labels: fit the generator with y and pass y to the search "
                "(GridSearchCV(...).fit(X, y))."
            )
        y = np.asarray(y)
        known = np.isin(y, generator.classes_)
        X_synth, y_synth = generator.sample_labeled(y=y[known], random_state=self.random_state)
        X_train, y_train = (None, None)
        if self.ratio:
            X_train, y_train = _audit_rows(generator, inverse)
            if X_train is None:
                raise ValueError(
                    "ratio=True needs the generator's in-memory sample of its training rows, "
                    "which this estimator does not have (was it unpickled?)."
                )
        result = train_synthetic_test_real(
            inverse(X_synth), y_synth, X, y, X_train, y_train, classifier=self.classifier,
            scoring=self.scoring, random_state=self.random_state,
        )
        return result["ratio"] if self.ratio else result["tstr"]


class MIAScorer(GeneratorScorer):
    """``1 - membership-inference advantage`` of the distance attack (higher is better).

    Members are the generator's in-memory sample of its training rows (never
    pickled), non-members the held-out fold. For an estimator without that
    sample, call :func:`mia_advantage_loss` with members and non-members.

    Parameters
    ----------
    n_samples : int, default=None
        Synthetic rows for the attack (None: members plus non-members).
    random_state : int, default=0
        Seeds the draw.
    """

    def _score(self, generator, inverse, X, y):
        members, _ = _audit_rows(generator, inverse)
        if members is None:
            raise ValueError(
                f"{type(generator).__name__} keeps no in-memory sample of its training rows "
                "(estimators lose it when pickled or copied), so the scorer has no members to "
                "attack. Call sklearn_synth.metrics.mia_advantage_loss(estimator, "
                "X_members=<training rows>, X_nonmembers=<held-out rows>) instead."
            )
        n = self.n_samples or (len(members) + len(X))

        class _Mapped:  # samples in the original space for the attack
            def sample(_, n_rows, random_state=None):
                return inverse(generator.sample(n_rows, random_state=random_state))

        advantage = mia_advantage_loss(
            _Mapped(), members, X, attack="distance", n_synthetic=n,
            random_state=self.random_state,
        )
        return 1.0 - advantage


#: Calibrated inlier rate (RBF one-class SVM on quantile-normalised features).
inlier_rate = InlierRateScorer()
#: Train-on-synthetic, test-on-real macro-F1.
tstr_score = TSTRScorer()
#: ``1 -`` distance-attack membership advantage.
mia_advantage = MIAScorer()
#: ``1 - 2 |AUC - 0.5|`` of a random-forest two-sample test.
detection_auc = DetectionScorer()


class _SequenceScorer(GeneratorScorer):
    """Draws as many series as the held-out fold has, of its median length."""

    def __init__(self, *, n_samples=None, window=None, max_epochs=20, random_state=0):
        super().__init__(n_samples=n_samples, random_state=random_state)
        self.window = window
        self.max_epochs = max_epochs

    def _draw(self, generator, inverse, X):
        series = as_series_list(X, "X")
        length = int(np.median([s.shape[0] for s in series]))
        return series, inverse(
            generator.sample(self._n(series), n_timesteps=length, random_state=self.random_state)
        )


class DiscriminatorScorer(_SequenceScorer):
    """Indistinguishability of synthetic series for an LSTM judge: ``1 - 2 |accuracy - 0.5|``.

    1 when the judge of :func:`discriminator_accuracy_loss` is at chance on
    held-out windows, 0 when it is always right (or always wrong).

    Parameters
    ----------
    n_samples : int, default=None
        Synthetic series per call (None: as many as the fold).
    window : int, default=None
        Window length for the judge (None: the shortest series, at most 128).
    max_epochs : int, default=20
        Training epochs of the judge.
    random_state : int, default=0
        Seeds the draw, the split and the judge.
    """

    def _score(self, generator, inverse, X, y):
        real, synth = self._draw(generator, inverse, X)
        acc = discriminator_accuracy_loss(real, synth, window=self.window,
                                           max_epochs=self.max_epochs, random_state=self.random_state)
        return 1.0 - 2.0 * abs(acc - 0.5)


class SequenceTSTRScorer(_SequenceScorer):
    """Train a one-step predictor on synthetic series, test on the held-out fold:
    minus the mean absolute error of :func:`predictive_error` (higher is better).

    Parameters
    ----------
    n_samples, window, max_epochs, random_state
        As in :class:`DiscriminatorScorer`.
    """

    def _score(self, generator, inverse, X, y):
        real, synth = self._draw(generator, inverse, X)
        return -predictive_error(synth, real, window=self.window, max_epochs=self.max_epochs,
                                 random_state=self.random_state)


#: LSTM real-vs-synthetic test for sequence generators (1 = indistinguishable).
discriminator_accuracy = DiscriminatorScorer()
#: Predictive score (train on synthetic series, test on real), negated.
sequence_tstr = SequenceTSTRScorer()
