"""Sample-level privacy valuation: how exposed is each training sample to
membership inference, agreed over independently trained models."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import time
import warnings
from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed
from scipy.stats import rankdata
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ..metrics._attacks import (
    CLASSIFIER_ATTACKS,
    attack_advantage,
    best_threshold,
    membership_scores,
)
from ..utils._persistence import PersistenceMixin
from ..utils._random import draw_seed

__all__ = ["PrivacyValuator"]

LEVELS = ("safe", "vague", "risky")


class PrivacyValuator(PersistenceMixin, BaseEstimator):
    """Value each training sample's exposure to membership inference.

    The method of "Generating fake data to fake privacy pryers" (section
    3.2): ``n_models`` copies of a classifier are trained with different seeds;
    each copy is attacked with a threshold membership-inference attack whose
    threshold separates its training samples from a reference set of
    non-members as well as possible; every training sample's signed distance
    to that threshold (its attack score minus the threshold, in units of the
    scores' spread) says how exposed it is in that run. Runs are combined by
    rank (``privacy_scores_``) and by vote (``privacy_levels_``): a sample is
    ``"safe"`` when most runs rank it among the ``safe_quantile`` least
    exposed, ``"risky"`` when most rank it among the ``risky_quantile`` most
    exposed, and ``"vague"`` otherwise.

    Without an explicit reference set, the data are split into
    ``round(1 / reference_fraction)`` folds (stratified by class) and run ``m`` uses fold
    ``m mod k`` as its reference set, so every sample is valued in the runs
    where it was a member.

    The distance is signed rather than absolute: a member that the attack
    confidently calls a non-member is not exposed, although it is far from the
    threshold (the paper's "closer to the threshold is safer" holds on the
    member side).

    That distance measures how *easy* a sample is as much as how exposed it
    is: a typical sample gets a confident answer whether it was trained on or
    not. With reference folds, every sample is also scored by the copies that
    did not train on it, so ``risk="memorization"`` (the default there) ranks
    samples by the gap between their attack score when trained on and when
    held out (the idea behind LiRA, Carlini et al. 2022): a sample is risky
    when training on it changes the model's answer on it, which is what a
    membership attack detects.

    Parameters
    ----------
    estimator : classifier or None, default=None
        The target model, with ``predict_proba`` (any scikit-learn
        classifier, or a torch module wrapped in a skorch
        ``NeuralNetClassifier``). None uses a 256-unit
        :class:`~sklearn.neural_network.MLPClassifier` trained to fit its
        training set closely (``alpha=1e-4``, up to 200 epochs), the kind of
        model that memorizes (its ``ConvergenceWarning`` after 200 epochs is
        silenced: not converging is expected and harmless here).
    n_models : int, default=5
        Independently trained copies.
    attack : {"modified_entropy", "entropy", "confidence", "correctness"}, \
default="modified_entropy"
        The threshold attack (see :func:`sklearn_synth.metrics.membership_scores`).
    reference_fraction : float, default=0.2
        Share of the data used as the reference set of each run when
        ``X_reference`` is not given.
    risk : {"auto", "memorization", "threshold"}, default="auto"
        How a run measures a member's exposure: ``"threshold"``, its signed
        distance to the attack threshold (the paper's rule);
        ``"memorization"``, its attack score in that run minus its mean score
        in the runs that held it out (needs reference folds and ``n_models``
        at least ``round(1 / reference_fraction)``, so that every sample is
        held out once); ``"auto"`` takes ``"memorization"`` when that is
        possible and ``"threshold"`` otherwise.
    safe_quantile, risky_quantile : float, default=0.25
        Per-run shares of the least and most exposed samples that vote
        ``"safe"`` and ``"risky"``.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds and each copy's ``random_state``.
    n_jobs : int or None, default=None
        Copies trained in parallel (joblib); results do not depend on it.
    verbose : int, default=0
        1 prints one line per trained copy.

    Attributes
    ----------
    privacy_scores_ : ndarray of shape (n_samples,)
        Mean over the runs of each sample's exposure percentile within its run
        (0 = least exposed, 1 = most exposed).
    privacy_levels_ : ndarray of shape (n_samples,)
        ``"safe"``, ``"vague"`` or ``"risky"``.
    risk_ : str
        The exposure measure used, ``"memorization"`` or ``"threshold"``.
    run_distances_ : ndarray of shape (n_models, n_samples)
        Each member's exposure per run (NaN where the sample was in that
        run's reference set): the signed distance to the threshold, in units
        of the scores' spread, or the memorization gap.
    run_scores_ : ndarray of shape (n_models, n_samples)
        The attack score of every sample of ``X`` per run, as a member or,
        with reference folds, held out (NaN where not scored).
    memorization_ : ndarray of shape (n_samples,)
        Mean score as a member minus mean score held out (NaN for samples
        never held out, and with ``X_reference``).
    thresholds_ : ndarray of shape (n_models,)
        The attack threshold of each run.
    attack_advantages_ : ndarray of shape (n_models,)
        The attack's advantage (TPR - FPR at the threshold) per run.
    n_features_in_ : int

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_synth.privacy import PrivacyValuator
    >>> X, y = load_digits(return_X_y=True)
    >>> valuator = PrivacyValuator(LogisticRegression(max_iter=200), n_models=3,
    ...                            random_state=0).fit(X[:600], y[:600])
    >>> sorted(set(valuator.privacy_levels_))
    ['risky', 'safe', 'vague']
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "n_models": [Interval(Integral, 1, None, closed="left")],
        "attack": [StrOptions(set(CLASSIFIER_ATTACKS))],
        "reference_fraction": [Interval(Real, 0, 0.5, closed="neither")],
        "risk": [StrOptions({"auto", "memorization", "threshold"})],
        "safe_quantile": [Interval(Real, 0, 1, closed="neither")],
        "risky_quantile": [Interval(Real, 0, 1, closed="neither")],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        n_models=5,
        attack="modified_entropy",
        reference_fraction=0.2,
        risk="auto",
        safe_quantile=0.25,
        risky_quantile=0.25,
        random_state=None,
        n_jobs=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.n_models = n_models
        self.attack = attack
        self.reference_fraction = reference_fraction
        self.risk = risk
        self.safe_quantile = safe_quantile
        self.risky_quantile = risky_quantile
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, X_reference=None, y_reference=None):
        """Train the copies, attack them, and value every sample of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The training set whose samples are valued.
        y : array-like of shape (n_samples,)
            Labels.
        X_reference, y_reference : array-like, default=None
            Non-members from the same distribution for the attack thresholds.
            With them every copy trains on all of ``X``; without them the
            folds described above are used.

        Returns
        -------
        self : object
        """
        if self.safe_quantile + self.risky_quantile > 1:
            raise ValueError(
                f"safe_quantile + risky_quantile must be at most 1, got "
                f"{self.safe_quantile} + {self.risky_quantile}."
            )
        X, y = validate_data(self, X, y, reset=True)
        if np.unique(y).size < 2:
            raise ValueError(
                f"PrivacyValuator needs labels of at least two classes to train its copies, got "
                f"one class: {np.unique(y).tolist()}."
            )
        if (X_reference is None) != (y_reference is None):
            raise ValueError("Pass both X_reference and y_reference, or neither.")
        rng = check_random_state(self.random_state)
        seeds = [draw_seed(rng) for _ in range(self.n_models)]
        if X_reference is None:
            splits = self._reference_folds(X, y, rng)
        else:
            X_ref, y_ref = validate_data(self, X_reference, y_reference, reset=False)
            splits = [(np.arange(X.shape[0]), X_ref, y_ref)] * self.n_models
        self._explicit_reference = X_reference is not None
        self.risk_ = self._resolve_risk(X.shape[0])
        runs = Parallel(n_jobs=self.n_jobs)(
            delayed(self._one_run)(X, y, members, X_ref, y_ref, seed, m)
            for m, ((members, X_ref, y_ref), seed) in enumerate(zip(splits, seeds))
        )
        self._collect_runs(X.shape[0], [members for members, _, _ in splits], runs)
        if self.risk_ == "memorization":
            self.run_distances_ = np.where(np.isnan(self.run_distances_), np.nan,
                                           self.run_scores_ - self._held_out_scores())
        self.privacy_scores_, self.privacy_levels_ = self._vote()
        return self

    def _reference_folds(self, X, y, rng):
        """Per run, its members and its reference set: ``round(1 / reference_fraction)``
        folds stratified by class, so that every copy trains on every class; run
        ``m`` holds out fold ``m mod k``."""
        n = X.shape[0]
        k = int(round(1 / self.reference_fraction))
        if n < 2 * k:
            raise ValueError(
                f"PrivacyValuator needs at least {2 * k} samples to hold out reference folds "
                f"(reference_fraction={self.reference_fraction}), got {n} sample(s); pass X_reference."
            )
        classes, counts = np.unique(y, return_counts=True)
        if counts.min() < 2:
            raise ValueError(
                f"PrivacyValuator needs at least 2 samples of every class to hold out "
                f"reference folds, but class {classes[counts.argmin()]!r} has "
                f"{counts.min()}; pass X_reference, or drop that class."
            )
        fold = np.empty(n, dtype=np.int64)
        start = 0
        for c in classes:
            members = rng.permutation(np.flatnonzero(y == c))
            fold[members] = (start + np.arange(members.size)) % k
            start += members.size
        return [(np.flatnonzero(fold != m % k), X[fold == m % k], y[fold == m % k])
                for m in range(self.n_models)]

    def _resolve_risk(self, n):
        """``risk_``: memorization needs every sample held out in some run."""
        k = int(round(1 / self.reference_fraction))
        possible = not self._explicit_reference and self.n_models >= k
        if self.risk == "memorization" and not possible:
            why = ("X_reference was given, so no sample is held out" if self._explicit_reference
                   else f"n_models={self.n_models} runs hold out {self.n_models} of the {k} folds")
            raise ValueError(
                f"risk='memorization' compares each sample's score when trained on and when "
                f"held out, but {why}; use reference folds (no X_reference) with n_models >= {k}, "
                "or risk='threshold'.")
        if self.risk == "auto":
            return "memorization" if possible else "threshold"
        return self.risk

    def _collect_runs(self, n, members_per_run, runs):
        """Store each run's distances (NaN outside its members), scores, threshold
        and advantage, and the memorization gap of the samples held out somewhere."""
        self.run_distances_ = np.full((self.n_models, n), np.nan)
        self.run_scores_ = np.full((self.n_models, n), np.nan)
        self.thresholds_ = np.empty(self.n_models)
        self.attack_advantages_ = np.empty(self.n_models)
        for m, (members, (distance, scores, held_out_scores, threshold, advantage)) in enumerate(
                zip(members_per_run, runs)):
            self.run_distances_[m, members] = distance
            self.run_scores_[m, members] = scores
            if not self._explicit_reference:
                self.run_scores_[m, np.setdiff1d(np.arange(n), members)] = held_out_scores
            self.thresholds_[m] = threshold
            self.attack_advantages_[m] = advantage
        self.memorization_ = self._member_scores() - self._held_out_scores()

    def _member_mask(self):
        return ~np.isnan(self.run_distances_)

    def _member_scores(self):
        return _nanmean(np.where(self._member_mask(), self.run_scores_, np.nan))

    def _held_out_scores(self):
        return _nanmean(np.where(self._member_mask(), np.nan, self.run_scores_))

    def _vote(self):
        """Mean exposure percentile and majority-vote level of every sample."""
        percentiles = self._run_percentiles()
        valued = np.sum(~np.isnan(percentiles), axis=0)
        safe_votes = np.nansum(percentiles <= self.safe_quantile, axis=0)
        risky_votes = np.nansum(percentiles > 1 - self.risky_quantile, axis=0)
        levels = np.full(percentiles.shape[1], "vague", dtype=object)
        levels[safe_votes > valued / 2] = "safe"
        levels[risky_votes > valued / 2] = "risky"
        return np.nanmean(percentiles, axis=0), levels

    def _one_run(self, X, y, members, X_ref, y_ref, seed, m):
        start = time.perf_counter()
        model = self._make_estimator()
        if "random_state" in model.get_params(deep=False):
            model.set_params(random_state=seed)
        with warnings.catch_warnings():
            if self.estimator is None:
                # the default MLP is meant to fit its training set closely, not to converge
                warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X[members], y[members])
        member_scores = membership_scores(model, X[members], y[members], self.attack)
        reference_scores = membership_scores(model, X_ref, y_ref, self.attack)
        threshold = best_threshold(member_scores, reference_scores)
        advantage, _ = attack_advantage(member_scores, reference_scores)
        spread = np.std(np.r_[member_scores, reference_scores])
        distance = (member_scores - threshold) / (spread if spread > 0 else 1.0)
        if self.verbose:
            print(f"[PrivacyValuator] model {m + 1}/{self.n_models}: {members.size} members, "
                  f"{self.attack} attack advantage {advantage:.3f} "
                  f"({time.perf_counter() - start:.1f} s)", flush=True)
        return distance, member_scores, reference_scores, threshold, advantage

    _persisted_private = ("_explicit_reference",)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags

    def _check_restored_state(self):
        """Refuse a loaded state whose arrays do not fit together."""
        from ..exceptions import ModelFormatError

        if not hasattr(self, "risk_") and isinstance(getattr(self, "run_distances_", None),
                                                     np.ndarray):
            # written before the memorization measure existed: thresholds only, no scores kept
            self.risk_ = "threshold"
            self.run_scores_ = np.full(self.run_distances_.shape, np.nan)
            self.memorization_ = np.full(self.run_distances_.shape[1:], np.nan)
        arrays = [getattr(self, name, None) for name in (
            "run_distances_", "thresholds_", "attack_advantages_", "privacy_scores_",
            "privacy_levels_", "run_scores_", "memorization_")]
        ok = all(isinstance(a, np.ndarray) for a in arrays)
        if ok:
            distances, thresholds, advantages, scores, levels, run_scores, memorization = arrays
            n = scores.shape[0] if scores.ndim == 1 else -1
            ok = (distances.shape == (self.n_models, n) and run_scores.shape == distances.shape
                  and memorization.shape == (n,) and self.risk_ in ("memorization", "threshold")
                  and thresholds.shape == (self.n_models,)
                  and advantages.shape == (self.n_models,) and levels.shape == (n,)
                  and set(levels.tolist()) <= set(LEVELS)
                  and isinstance(getattr(self, "_explicit_reference", None), bool))
        if not ok:
            raise ModelFormatError("PrivacyValuator's stored runs and levels do not fit together")

    def _make_estimator(self):
        if self.estimator is not None:
            return clone(self.estimator)
        from sklearn.neural_network import MLPClassifier

        return MLPClassifier(hidden_layer_sizes=(256,), alpha=1e-4, max_iter=200)

    def _run_percentiles(self):
        """Each run's exposure percentile in (0, 1] of the samples it valued (NaN elsewhere)."""
        out = np.full_like(self.run_distances_, np.nan)
        for m, distances in enumerate(self.run_distances_):
            valued = ~np.isnan(distances)
            out[m, valued] = rankdata(distances[valued], method="average") / valued.sum()
        return out

    def overlap_ratio(self, start, end):
        """Agreement of the runs on the samples in a ranking bin: ``N_common / N_bin``.

        The paper's ``R_overlap`` (equation 1): rank the samples from the
        safest in each run, take the bin ``[start, end]`` of that ranking (as
        fractions: ``(0, 0.25)`` is the top 25% safest), count the samples in
        the bin of every run, and divide by the bin's size. 1 means every run
        found the same samples; chance level is about ``(end - start) **
        (n_models - 1)``.

        Parameters
        ----------
        start, end : float
            Bin bounds, ``0 <= start < end <= 1``.

        Returns
        -------
        ratio : float
        """
        check_is_fitted(self)
        if not 0 <= start < end <= 1:
            raise ValueError(f"Need 0 <= start < end <= 1, got start={start}, end={end}.")
        if not self._explicit_reference:
            raise ValueError(
                "overlap_ratio compares every run's ranking of the same samples; this valuator "
                "held out different reference folds per run. Fit it with X_reference."
            )
        n = self.run_distances_.shape[1]
        lo, hi = int(round(start * n)), int(round(end * n))
        common = None
        for distances in self.run_distances_:
            in_bin = set(np.argsort(distances, kind="stable")[lo:hi].tolist())
            common = in_bin if common is None else common & in_bin
        return len(common) / max(hi - lo, 1)


def _nanmean(values):
    """Column means ignoring NaN; NaN (without a warning) for all-NaN columns."""
    counts = np.sum(~np.isnan(values), axis=0)
    sums = np.nansum(values, axis=0)
    return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
