"""Over-sampling rare classes with a generative model, inside imbalanced-learn."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import time
import warnings
from collections import Counter
from numbers import Integral

import numpy as np
import pandas as pd
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_target_type
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_consistent_length

from ..base import TableInputMixin
from ..utils._meta import DefaultGeneratorMixin
from ..utils._persistence import PersistenceMixin
from ..utils._random import draw_seed, seeded_clone
from ..utils._validation import check_table, check_table_no_infinity, is_dataframe

__all__ = ["GenerativeOverSampler"]

#: Rounds of drawing before a class short of kept rows takes its best rejected ones,
#: and the most rows drawn in one round, as a multiple of the rows the class needs.
_FILTER_ROUNDS = 4
_MAX_DRAWS = 50
#: A generated row passes when it lies among its class at least as much as this
#: share of the class's own rows do not (the class's 10th percentile).
_FILTER_QUANTILE = 0.1


class GenerativeOverSampler(DefaultGeneratorMixin, PersistenceMixin, TableInputMixin,
                            BaseOverSampler):
    """Over-sample minority classes with rows drawn from a generative model.

    ``fit_resample(X, y)`` fits a class-conditional generator on all the rows
    and appends, for every class that ``sampling_strategy`` asks to grow,
    synthetic rows drawn with ``sample_labeled`` conditioned on that class.
    One generator shared by all classes is the default: what the classes have
    in common (the value ranges, the dependencies between columns) is learned
    from the plentiful classes, which is what lets a model say something
    useful about a class with a dozen rows. ``per_class=True`` fits one copy
    of the generator on each class that grows, instead.

    Unlike interpolation (SMOTE), a generator handles mixed tables: integer,
    categorical, string and missing values are generated as such.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        How many rows each class should have after resampling, with the
        meaning it has in imbalanced-learn:

        - float: the ratio of minority to majority rows after resampling
          (binary problems only);
        - ``"minority"``, ``"not minority"``, ``"not majority"``, ``"all"``,
          ``"auto"`` (= ``"not majority"``): the classes to grow to the size of
          the majority class;
        - dict: ``{label: rows after resampling}`` for the classes to grow;
        - callable: ``y -> dict`` as above.
    generator : estimator or None, default=None
        The generator to clone and fit. It needs ``fit(X, y)`` and
        ``sample_labeled(n, y=label, random_state=...)`` (every generator of
        this library fitted with labels has it), or only ``fit(X)`` and
        ``sample(n, random_state=...)`` with ``per_class=True``. None uses
        :class:`~sklearn_synth.generators.SequenceLMSynthesizer` with its
        defaults. Its parameters are searchable as ``generator__<name>``,
        also while ``generator`` is None (setting one puts the default
        generator in place first).
    per_class : bool, default=False
        False fits one class-conditional generator on all rows; True fits an
        independent copy on the rows of each class that grows.
    min_class_size : int, default=6
        The fewest rows a class to be grown may have. The default matches what
        SMOTE needs with its default ``k_neighbors=5``.
    filter_neighbors : int or None, default=5
        Keep only generated rows that lie among real rows of their class: a
        row's ``filter_neighbors`` nearest training rows vote (see
        :func:`~sklearn_synth.metrics.class_neighbor_shares`), and the row is
        kept when the share of them labelled as the row is at least what 90%
        of the class's own training rows get (their other nearest rows
        voting; at most one half is asked). A row that lies further from its
        class than nearly all of the class's real rows is dropped; rows as
        mixed with other classes as real rows at the class's border are kept.
        Rows are drawn in rounds until each class has its count (twice the
        rows needed first, then as many as the pass rate so far asks for, at
        most 50 times the rows needed per round); after 4 rounds a class
        still short takes its highest-scoring rejected rows, so the counts of
        ``sampling_strategy`` always hold. None keeps every generated row.
    small_classes : {"raise", "keep"}, default="raise"
        What happens to a class that ``sampling_strategy`` asks to grow but
        that has fewer than ``min_class_size`` rows: ``"raise"`` raises a
        ``ValueError`` naming it; ``"keep"`` keeps its rows as they are,
        grows the other classes and warns, naming it. In cross-validation a
        rare class can fall below the bound in some training folds only:
        ``"keep"`` lets a search run on them.
    random_state : int, RandomState instance or None, default=None
        Seeds the generator (when its own ``random_state`` is None) and the
        sampling, so that ``fit_resample`` is reproducible. It does not touch
        global random state.
    verbose : int, default=0
        1 prints a line per fitted generator and per sampled class with its
        timing; the generator's own ``verbose`` controls its training output.

    Attributes
    ----------
    sampling_strategy_ : dict
        ``{label: number of synthetic rows}`` for the classes that were grown.
    generators_ : dict
        ``{label: fitted generator}`` for each class that was grown. With
        ``per_class=False`` every value is the same shared generator.
    acceptance_rates_ : dict
        ``{label: share of the generated rows that passed the neighbour
        filter}`` for each class that was grown (1.0 for every class when
        ``filter_neighbors`` is None). A low rate means the generator places
        many of the class's rows among other classes.
    n_features_in_ : int
        Number of columns seen in ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features,)
        Column names, when ``X`` was a DataFrame with string column names.

    See Also
    --------
    imblearn.over_sampling.SMOTE : Interpolates between neighbouring rows.
    imblearn.over_sampling.RandomOverSampler : Repeats rows.

    Notes
    -----
    The output holds the original rows first, in their order, then the
    synthetic rows grouped by class; a DataFrame output gets a fresh
    ``RangeIndex``. Every synthetic row carries exactly the label it was
    generated for: labels are never assigned after the fact.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from sklearn_synth.generators import DummySynthesizer
    >>> from sklearn_synth.over_sampling import GenerativeOverSampler
    >>> X, y = make_classification(n_samples=200, weights=[0.9], random_state=0)
    >>> sampler = GenerativeOverSampler(generator=DummySynthesizer(), random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> sorted(Counter(y_res).items())
    [(np.int64(0), 180), (np.int64(1), 180)]
    """

    _parameter_constraints = {
        **BaseOverSampler._parameter_constraints,
        "generator": [HasMethods(["fit", "sample"]), None],
        "per_class": ["boolean"],
        "min_class_size": [Interval(Integral, 1, None, closed="left")],
        "filter_neighbors": [Interval(Integral, 1, None, closed="left"), None],
        "small_classes": [StrOptions({"raise", "keep"})],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        *,
        sampling_strategy="auto",
        generator=None,
        per_class=False,
        min_class_size=6,
        filter_neighbors=5,
        small_classes="raise",
        random_state=None,
        verbose=0,
    ):
        super().__init__(sampling_strategy=sampling_strategy)
        self.generator = generator
        self.per_class = per_class
        self.min_class_size = min_class_size
        self.filter_neighbors = filter_neighbors
        self.small_classes = small_classes
        self.random_state = random_state
        self.verbose = verbose

    def _check_X_y(self, X, y, accept_sparse=None):
        # Mixed tables go to the generator as they are (a DataFrame stays a
        # DataFrame, so its categorical and string columns keep their types).
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        X = check_table(self, X, reset=True)
        check_table_no_infinity(X)  # refused even when no class needs to grow
        check_consistent_length(X, y)
        return X, y, binarize_y

    def _fit_resample(self, X, y):
        grow = {label: n for label, n in self.sampling_strategy_.items() if n > 0}
        counts = Counter(y)
        too_small = {label: counts[label] for label in grow if counts[label] < self.min_class_size}
        if too_small:
            listed = ", ".join(f"{_show(label)} ({n} rows)" for label, n in sorted(too_small.items(), key=str))
            if self.small_classes == "raise":
                raise ValueError(
                    f"GenerativeOverSampler needs at least min_class_size={self.min_class_size} "
                    f"rows of each class it grows; too few rows for {listed}. Collect more rows, "
                    "leave these classes out of sampling_strategy (a dict), lower "
                    "min_class_size, or pass small_classes='keep' to leave them as they are."
                )
            warnings.warn(
                f"GenerativeOverSampler left {listed} as they are: fewer rows than "
                f"min_class_size={self.min_class_size}.", UserWarning, stacklevel=3,
            )
            grow = {label: n for label, n in grow.items() if label not in too_small}
            self.sampling_strategy_ = {label: (0 if label in too_small else n)
                                       for label, n in self.sampling_strategy_.items()}
        generator = self._make_generator()
        rng = check_random_state(self.random_state)
        self.generators_ = {}
        self.acceptance_rates_ = {}
        if not grow:
            return X, y
        if self.per_class:
            for label in grow:
                rows = np.flatnonzero(y == label)
                self.generators_[label] = self._fit_one(generator, _take_rows(X, rows), None,
                                                        rng, label)
        else:
            fitted = self._fit_one(generator, X, y, rng, None)
            self.generators_ = {label: fitted for label in grow}
        new = self._draw_classes(grow, X, y, rng)
        parts_X = [X, *(new[label] for label in grow)]
        parts_y = [y, *(np.full(n, label, dtype=y.dtype) for label, n in grow.items())]
        return _stack_rows(parts_X), np.concatenate(parts_y)

    def _draw_classes(self, grow, X, y, rng):
        """``{label: n generated rows}`` for ``grow`` (``{label: n}``), kept by the
        neighbour filter when ``filter_neighbors`` is set (see its doc)."""
        labeled = not self.per_class
        if self.filter_neighbors is None:
            self.acceptance_rates_ = {label: 1.0 for label in grow}
            return {label: self._draw(self.generators_[label], n, label, rng, labeled)
                    for label, n in grow.items()}
        from ..metrics import class_neighbor_shares

        k = self.filter_neighbors
        # how much the classes' own rows lie among their class (each row is its
        # own nearest row: its vote is left out)
        rows = np.flatnonzero(np.isin(y, list(grow)))
        own = class_neighbor_shares(X, y, _take_rows(X, rows), y[rows], n_neighbors=k + 1)
        own = (own * (k + 1) - 1) / k
        thresholds = {label: min(0.5, float(np.quantile(own[y[rows] == label], _FILTER_QUANTILE)))
                      for label in grow}
        kept = {label: [] for label in grow}
        rejected = {label: [] for label in grow}
        drawn, passed = dict.fromkeys(grow, 0), dict.fromkeys(grow, 0)
        for _ in range(_FILTER_ROUNDS):
            missing = {label: n - sum(part.shape[0] for part in kept[label])
                       for label, n in grow.items()}
            missing = {label: m for label, m in missing.items() if m > 0}
            if not missing:
                break
            # twice what is missing, or what the pass rate so far says is needed
            sizes = {label: min(_MAX_DRAWS * grow[label], int(np.ceil(
                1.25 * m / max(passed[label] / drawn[label], 1 / _MAX_DRAWS)))
                if drawn[label] else 2 * m) for label, m in missing.items()}
            batches = {label: self._draw(self.generators_[label], sizes[label], label, rng,
                                         labeled)
                       for label in missing}
            labels = np.concatenate([np.full(b.shape[0], label, dtype=y.dtype)
                                     for label, b in batches.items()])
            shares = class_neighbor_shares(X, y, _stack_rows(list(batches.values())), labels,
                                           n_neighbors=k)
            start = 0
            for label, batch in batches.items():
                share = shares[start : start + batch.shape[0]]
                start += batch.shape[0]
                drawn[label] += batch.shape[0]
                good = np.flatnonzero(share >= thresholds[label])
                passed[label] += good.size
                good = good[: missing[label]]
                kept[label].append(_take_rows(batch, good))
                bad = np.setdiff1d(np.arange(batch.shape[0]), good)
                rejected[label].append((share[bad], _take_rows(batch, bad)))
        out = {}
        for label, n in grow.items():
            rows = _stack_rows(kept[label])
            accepted = rows.shape[0]
            if accepted < n:  # still short: the best of the rejected rows
                share = np.concatenate([s for s, _ in rejected[label]])
                pool = _stack_rows([b for _, b in rejected[label]])
                best = np.argsort(-share, kind="stable")[: n - accepted]
                rows = _stack_rows([rows, _take_rows(pool, np.sort(best))])
            out[label] = rows
            self.acceptance_rates_[label] = passed[label] / drawn[label]
            if self.verbose:
                print(f"[GenerativeOverSampler] class {_show(label)}: {passed[label]} of "
                      f"{drawn[label]} generated rows passed the filter (threshold "
                      f"{thresholds[label]:.2f} of {k} neighbours); {n - accepted} filled "
                      "from the best rejected", flush=True)
        return out

    @staticmethod
    def _default_generator():
        from ..generators import SequenceLMSynthesizer

        return SequenceLMSynthesizer()

    def _make_generator(self):
        generator = self._generator_or_default()
        if not self.per_class and not callable(getattr(generator, "sample_labeled", None)):
            raise TypeError(
                f"generator {type(generator).__name__} has no sample_labeled method, so it "
                "cannot be conditioned on a class; use a class-conditional generator or set "
                "per_class=True to fit one copy per class."
            )
        return generator

    def _fit_one(self, generator, X, y, rng, label):
        fitted = seeded_clone(generator, draw_seed(rng))
        start = time.perf_counter()
        if y is None:
            fitted.fit(X)
        else:
            fitted.fit(X, y)
        if self.verbose:
            what = "all classes" if label is None else f"class {_show(label)}"
            print(
                f"[GenerativeOverSampler] fitted {type(fitted).__name__} on {X.shape[0]} rows "
                f"({what}) in {time.perf_counter() - start:.1f} s",
                flush=True,
            )
        return fitted

    def _draw(self, fitted, n, label, rng, labeled):
        start = time.perf_counter()
        seed = draw_seed(rng)
        if labeled:
            X_new, y_new = fitted.sample_labeled(n, y=label, random_state=seed)
            if len(y_new) != n or np.any(np.asarray(y_new) != label):
                raise RuntimeError(
                    f"{type(fitted).__name__}.sample_labeled returned rows of other classes than "
                    f"{_show(label)}; the generator does not condition on the label."
                )
        else:
            X_new = fitted.sample(n, random_state=seed)
        if self.verbose:
            print(
                f"[GenerativeOverSampler] generated {n} rows of class {_show(label)} in "
                f"{time.perf_counter() - start:.1f} s",
                flush=True,
            )
        return X_new

    # ------------------------------------------------------- persistence
    _state_parts = ("_generator_of",)  # saved by _state_for_saving, read by _restore_state

    def _state_for_saving(self):
        state = super()._state_for_saving()
        # one shared generator serves every class: store each model once
        models = list({id(m): m for m in self.generators_.values()}.values())
        position = {id(m): i for i, m in enumerate(models)}
        state["generators_"] = models
        state["_generator_of"] = {label: position[id(m)] for label, m in self.generators_.items()}
        return state

    def _restore_state(self, state, device):
        from ..exceptions import ModelFormatError

        models, index = state.pop("generators_"), state.pop("_generator_of")
        if (not isinstance(models, list) or not isinstance(index, dict)
                or not all(callable(getattr(m, "sample", None)) for m in models)
                or not all(type(i) is int and 0 <= i < len(models) for i in index.values())):
            raise ModelFormatError("GenerativeOverSampler's stored generators are malformed")
        super()._restore_state(state, device)
        self.generators_ = {label: models[i] for label, i in index.items()}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False  # imbalanced-learn's samplers declare sparse support
        return tags


def _show(label):
    """A label as the user wrote it (``'dos'``, not ``np.str_('dos')``)."""
    return repr(label.item() if isinstance(label, np.generic) else label)


def _take_rows(X, rows):
    return X.iloc[rows] if is_dataframe(X) else X[rows]


def _stack_rows(parts):
    """Stack the original rows and the synthetic ones, keeping the column dtypes."""
    first = parts[0]
    if is_dataframe(first):
        out = pd.concat(parts, ignore_index=True)
        changed = {c: _widened(first.dtypes[c], out[c]) for c in first.columns
                   if out.dtypes[c] != first.dtypes[c]}
        return out.astype(changed) if changed else out
    return np.concatenate([np.asarray(part).astype(first.dtype, copy=False) for part in parts])


def _widened(dtype, values):
    """``dtype``, with the categories a generator added (value protection's
    ``"_RARE_"``) appended when it is a pandas categorical."""
    if not isinstance(dtype, pd.CategoricalDtype):
        return dtype
    extra = [v for v in pd.unique(values.dropna().astype(object)) if v not in set(dtype.categories)]
    if not extra:
        return dtype
    return pd.CategoricalDtype(list(dtype.categories) + extra, ordered=dtype.ordered)
