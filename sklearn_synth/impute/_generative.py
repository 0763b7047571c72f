"""GenerativeImputer: missing cells drawn from a generator given the observed ones."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from numbers import Integral

from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from ..base import TableInputMixin
from ..utils._meta import DefaultGeneratorMixin
from ..utils._persistence import PersistenceMixin
from ..utils._random import draw_seed, seeded_clone
from ..utils._validation import check_table, check_table_no_infinity

__all__ = ["GenerativeImputer"]


class GenerativeImputer(DefaultGeneratorMixin, PersistenceMixin, TableInputMixin, TransformerMixin,
                        BaseEstimator):
    """Fill missing cells with values a generative model draws given the observed cells.

    ``fit`` fits a clone of ``generator`` on the (possibly incomplete) table;
    ``transform`` completes each row from the model's distribution of the
    missing cells given the observed ones, through the generator's
    ``impute`` method. With the default
    :class:`~sklearn_synth.generators.SequenceLMSynthesizer` the conditioning
    is exact for any pattern of missing cells: the model was trained to
    generate any columns after any others. Mixed tables are handled as they
    are: categorical, string, integer and boolean columns are filled with
    values of their own kind, and numbers stay inside the range the model
    learned.

    Read more in the :ref:`User Guide <conditional_sampling>`.

    Parameters
    ----------
    generator : estimator or None, default=None
        The generator to clone and fit. It needs ``fit(X)`` and
        ``impute(X, strategy=..., n_draws=..., random_state=...)``. None uses
        :class:`~sklearn_synth.generators.SequenceLMSynthesizer` with its
        defaults; its parameters are searchable as ``generator__<name>``.
    strategy : {"expected", "draw"}, default="expected"
        ``"expected"``: a point estimate per cell from ``n_draws`` draws
        (the mean for binned numeric columns, the most frequent draw for the
        others), the lowest error per cell. ``"draw"``: a single draw per
        row, a plausible completion that keeps the spread of the data (for
        multiple imputation or for sharing the completed table).
    n_draws : int, default=20
        Draws per row of ``strategy="expected"``.
    random_state : int, RandomState instance or None, default=None
        Seeds the generator (when its own ``random_state`` is None) and the
        draws of ``transform``: a fitted imputer transforms the same rows the
        same way every time.

    Attributes
    ----------
    generator_ : estimator
        The fitted generator.
    transform_seed_ : int
        Seeds the draws of every ``transform`` call.
    n_features_in_ : int
        Number of columns seen during ``fit``.
    feature_names_in_ : ndarray of str
        Column names seen during ``fit``, when they are all strings.

    See Also
    --------
    sklearn.impute.IterativeImputer : Regresses each column on the others.
    sklearn.impute.KNNImputer : Averages the nearest complete neighbours.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_synth.datasets import load_demo_table
    >>> from sklearn_synth.generators import SequenceLMSynthesizer
    >>> from sklearn_synth.impute import GenerativeImputer
    >>> X = load_demo_table("iris").drop(columns="label")
    >>> holes = X.copy()
    >>> holes.iloc[::10, 2] = np.nan
    >>> imputer = GenerativeImputer(SequenceLMSynthesizer(max_epochs=2), random_state=0)
    >>> filled = imputer.fit_transform(holes)
    >>> int(filled.isna().sum().sum()), filled.shape
    (0, (150, 4))
    """

    _parameter_constraints = {
        "generator": [HasMethods(["fit", "impute"]), None],
        "strategy": [StrOptions({"expected", "draw"})],
        "n_draws": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, generator=None, *, strategy="expected", n_draws=20, random_state=None):
        self.generator = generator
        self.strategy = strategy
        self.n_draws = n_draws
        self.random_state = random_state

    @staticmethod
    def _default_generator():
        from ..generators import SequenceLMSynthesizer

        return SequenceLMSynthesizer()

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None):
        """Fit the generator on ``X``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Training rows; missing cells are allowed (the model learns from
            the observed ones).
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted imputer.
        """
        X = check_table(self, X, reset=True)
        check_table_no_infinity(X)
        rng = check_random_state(self.random_state)
        self.generator_ = seeded_clone(self._generator_or_default(), draw_seed(rng))
        self.generator_.fit(X)
        self.transform_seed_ = draw_seed(rng)
        return self

    def transform(self, X):
        """Fill the missing cells of ``X``.

        Parameters
        ----------
        X : array-like or DataFrame of shape (n_samples, n_features)
            Rows with the training columns.

        Returns
        -------
        X_imputed : DataFrame or ndarray of shape (n_samples, n_features)
            The rows with every missing cell filled, in the container,
            columns and dtypes ``fit`` got (a DataFrame when fitted on one).
            Observed cells are unchanged; ``X`` is not modified.
        """
        check_is_fitted(self)
        X = check_table(self, X, reset=False)
        return self.generator_.impute(X, strategy=self.strategy, n_draws=self.n_draws,
                                      random_state=self.transform_seed_)

    def get_feature_names_out(self, input_features=None):
        """Output feature names: the input ones.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names (checked against ``feature_names_in_``).

        Returns
        -------
        feature_names_out : ndarray of str
        """
        check_is_fitted(self)
        return _check_feature_names_in(self, input_features)
