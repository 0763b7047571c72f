"""Fidelity metrics: inlier rates, detection AUC, column distances, correlations."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pandas as pd
from scipy.stats import ks_2samp
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.preprocessing import StandardScaler
from sklearn.svm import OneClassSVM
from sklearn.utils import check_random_state

from ._tabular import TableEncoder, align_tables, is_numeric


def inlier_rate_score(
    X_train, X_synth, X_heldout=None, *, method="rbf", nu=0.2, max_train_rows=2000,
    random_state=0,
):
    """Share of synthetic rows a one-class SVM fitted on real rows calls inliers.

    Parameters
    ----------
    X_train : array-like or DataFrame of shape (n_train, n_features)
        Real rows the SVM is fitted on (the generator's training rows).
    X_synth : array-like or DataFrame of shape (n_synth, n_features)
        Synthetic rows.
    X_heldout : array-like or DataFrame of shape (n_heldout, n_features), default=None
        Real rows not used for fitting: their inlier rate is the reference a
        faithful generator should match. None splits ``X_train`` in two halves,
        one to fit, one as the reference.
    method : {"rbf", "paper"}, default="rbf"
        ``"rbf"``: an RBF kernel on quantile-normalised features (numeric
        columns mapped through their real quantiles to a normal scale,
        categoricals one-hot), whose inlier region is where the real rows
        are. ``"paper"``: the symbolic-sequence paper's configuration,
        standardised features and a degree-2 polynomial kernel (coef0 = 0),
        kept to reproduce its table. Its inlier region is the *outside* of an
        ellipsoid around the mean, so far-away noise scores 100%: do not use
        it to choose a model.
    nu : float, default=0.2
        The SVM's bound on the share of training outliers (the paper's value).
    max_train_rows : int, default=2000
        Fit the SVM on at most this many random training rows (its cost grows
        with the square of the row count).
    random_state : int, RandomState instance or None, default=0
        Seeds the row subsample and the split.

    Returns
    -------
    result : dict
        ``synthetic``, ``real_heldout`` and ``real_train`` inlier rates, and
        ``calibrated = max(0, 1 - |synthetic - real_heldout| / real_heldout)``:
        1 when synthetic rows are inliers as often as real held-out rows, lower
        for too few inliers (implausible rows) and for too many (rows crowded
        into the densest region: mode collapse, which the raw rate rewards).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_synth.metrics import inlier_rate_score
    >>> rng = np.random.RandomState(0)
    >>> real, held_out = rng.normal(size=(300, 3)), rng.normal(size=(300, 3))
    >>> noise = rng.normal(scale=5, size=(300, 3))
    >>> inlier_rate_score(real, noise, held_out)["synthetic"] < 0.5
    True
    >>> inlier_rate_score(real, noise, held_out, method="paper")["synthetic"] > 0.9
    True
    """
    if method not in ("rbf", "paper"):
        raise ValueError(f"method must be 'rbf' or 'paper', got {method!r}.")
    rng = check_random_state(random_state)
    train, synth, heldout = align_tables(
        X_train, X_synth, X_heldout, names=["X_synth", "X_heldout"]
    )
    if heldout is None:
        if train.shape[0] < 4:
            raise ValueError("Need at least 4 real rows to split off a held-out reference.")
        order = rng.permutation(train.shape[0])
        half = train.shape[0] // 2
        train, heldout = train.iloc[order[:half]], train.iloc[order[half:]]
    if train.shape[0] > max_train_rows:
        train = train.iloc[np.sort(rng.choice(train.shape[0], max_train_rows, replace=False))]
    encoder = TableEncoder(random_state=rng.randint(2**31 - 1)).fit(train)
    Z_train, Z_synth, Z_held = (encoder.transform(t) for t in (train, synth, heldout))
    if method == "paper":
        scaler = StandardScaler().fit(Z_train)
        Z_train, Z_synth, Z_held = (scaler.transform(z) for z in (Z_train, Z_synth, Z_held))
        svm = OneClassSVM(kernel="poly", degree=2, nu=nu)
    else:
        svm = OneClassSVM(kernel="rbf", gamma="scale", nu=nu)
    svm.fit(Z_train)
    rates = {
        "synthetic": float(np.mean(svm.predict(Z_synth) == 1)),
        "real_heldout": float(np.mean(svm.predict(Z_held) == 1)),
        "real_train": float(np.mean(svm.predict(Z_train) == 1)),
    }
    reference = max(rates["real_heldout"], 1e-12)
    rates["calibrated"] = max(0.0, 1.0 - abs(rates["synthetic"] - rates["real_heldout"]) / reference)
    return rates


def detection_auc_loss(X_real, X_synth, *, classifier=None, cv=5, max_rows=10_000, random_state=0):
    """Classifier two-sample test: how well a classifier tells real from synthetic rows.

    Lower is better, down to 0.5 (chance); the scorer
    :data:`~sklearn_synth.metrics.detection_auc` turns it into a
    higher-is-better number for model selection. Named ``detection_auc_score``
    before 0.2.

    Parameters
    ----------
    X_real, X_synth : array-like or DataFrame
        Real (held-out) and synthetic rows with the same columns.
    classifier : classifier with predict_proba, default=None
        The judge; None uses a 100-tree random forest.
    cv : int, default=5
        Folds of the out-of-fold predictions the AUC is computed from.
    max_rows : int, default=10000
        Use at most this many rows of each table (the smaller table sets the
        count, so the classes are balanced).
    random_state : int, RandomState instance or None, default=0
        Seeds subsampling, folds and the default forest.

    Returns
    -------
    auc : float
        ROC AUC of the out-of-fold predictions: 0.5 means indistinguishable,
        1.0 means every synthetic row is recognisable. Well below 0.5 means the
        synthetic rows copy real ones (a copied row lands on both sides of the
        folds and fools the judge); a ``UserWarning`` flags an AUC under 0.4.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_synth.metrics import detection_auc_loss
    >>> rng = np.random.RandomState(0)
    >>> round(detection_auc_loss(rng.normal(size=(200, 2)), rng.normal(size=(200, 2))), 1)
    0.5
    """
    rng = check_random_state(random_state)
    real, synth = align_tables(X_real, X_synth, names=["X_synth"])
    n = min(real.shape[0], synth.shape[0], max_rows)
    if n < cv:
        raise ValueError(f"Need at least cv={cv} rows in each table, got {n}.")
    real = real.iloc[rng.choice(real.shape[0], n, replace=False)]
    synth = synth.iloc[rng.choice(synth.shape[0], n, replace=False)]
    encoder = TableEncoder(random_state=0).fit(real)
    Z = np.vstack([encoder.transform(real), encoder.transform(synth)])
    target = np.r_[np.zeros(n), np.ones(n)]
    if classifier is None:
        classifier = RandomForestClassifier(
            n_estimators=100, min_samples_leaf=2, random_state=rng.randint(2**31 - 1)
        )
    folds = StratifiedKFold(cv, shuffle=True, random_state=rng.randint(2**31 - 1))
    proba = cross_val_predict(classifier, Z, target, cv=folds, method="predict_proba")[:, 1]
    auc = float(roc_auc_score(target, proba))
    if auc < 0.4:
        warnings.warn(
            f"Detection AUC {auc:.3f} is well below 0.5: the synthetic rows likely copy real "
            "rows (check the exact-copy rate).",
            UserWarning,
            stacklevel=2,
        )
    return auc


def column_distances(X_real, X_synth):
    """Per-column distance between real and synthetic distributions.

    Kolmogorov-Smirnov statistic for numeric columns (on present values; the
    difference in missing-value share is reported beside it), total variation
    distance for categorical, string and boolean columns (missing counted as
    a category).

    Parameters
    ----------
    X_real, X_synth : array-like or DataFrame
        Tables with the same columns.

    Returns
    -------
    distances : DataFrame
        Indexed by column, with ``kind`` (``"numeric"`` / ``"categorical"``),
        ``statistic`` (``"ks"`` / ``"tv"``), ``distance`` in [0, 1] and
        ``missing_diff``.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_synth.metrics import column_distances
    >>> real = pd.DataFrame({"x": [1.0, 2.0, 3.0], "c": ["a", "a", "b"]})
    >>> synth = pd.DataFrame({"x": [1.0, 2.0, 3.0], "c": ["b", "b", "b"]})
    >>> column_distances(real, synth)["distance"].round(3).tolist()
    [0.0, 0.667]
    """
    real, synth = align_tables(X_real, X_synth, names=["X_synth"])
    rows = []
    for column in real.columns:
        r, s = real[column], synth[column]
        missing_diff = abs(float(r.isna().mean()) - float(s.isna().mean()))
        if is_numeric(r):
            rv, sv = r.dropna().to_numpy(float), pd.to_numeric(s, errors="coerce").dropna().to_numpy(float)
            if rv.size and sv.size:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    distance = float(ks_2samp(rv, sv).statistic)
            else:
                distance = float(rv.size != sv.size)
            rows.append((column, "numeric", "ks", distance, missing_diff))
        else:
            p = r.astype(object).fillna("<missing>").value_counts(normalize=True)
            q = s.astype(object).fillna("<missing>").value_counts(normalize=True)
            p, q = p.align(q, fill_value=0.0)
            rows.append((column, "categorical", "tv", float(0.5 * np.abs(p - q).sum()), missing_diff))
    return pd.DataFrame(
        rows, columns=["column", "kind", "statistic", "distance", "missing_diff"]
    ).set_index("column")


def correlation_difference(X_real, X_synth):
    """Absolute difference of the pairwise Spearman correlations of numeric columns.

    Parameters
    ----------
    X_real, X_synth : array-like or DataFrame
        Tables with the same columns.

    Returns
    -------
    difference : DataFrame
        Square matrix over the numeric columns (NaN where a column is
        constant in either table); its mean over the upper triangle is the
        summary figure :func:`evaluate` reports.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_synth.metrics import correlation_difference
    >>> x = np.arange(10.0)
    >>> real = np.column_stack([x, x])
    >>> synth = np.column_stack([x, x[::-1]])
    >>> float(correlation_difference(real, synth).iloc[0, 1])
    2.0
    """
    real, synth = align_tables(X_real, X_synth, names=["X_synth"])
    numeric = [c for c in real.columns if is_numeric(real[c])]
    r = real[numeric].astype(float).corr(method="spearman")
    s = synth[numeric].apply(pd.to_numeric, errors="coerce").corr(method="spearman")
    return (r - s).abs()


def mean_upper(matrix):
    """Mean of the strict upper triangle of a square DataFrame, ignoring NaN."""
    values = matrix.to_numpy()
    upper = values[np.triu_indices_from(values, k=1)]
    upper = upper[~np.isnan(upper)]
    return float(upper.mean()) if upper.size else 0.0
