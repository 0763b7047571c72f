"""Privacy metrics: membership-inference advantage, exact copies, distances to
the closest training record."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd
from sklearn.neighbors import NearestNeighbors

from ..base import is_generator
from ..utils._columns import is_identifier_like
from ._attacks import (
    CLASSIFIER_ATTACKS,
    attack_advantage,
    held_out_advantage,
    membership_scores,
    tpr_at_fpr,
)
from ._tabular import TableEncoder, align_tables, row_hashes

ATTACKS = ("distance",) + CLASSIFIER_ATTACKS


def exact_copy_rate(X_train, X_synth):
    """Share of synthetic rows identical, in every column, to some training row.

    Parameters
    ----------
    X_train, X_synth : array-like or DataFrame
        Training rows and synthetic rows with the same columns.

    Returns
    -------
    rate : float
        In [0, 1]; compare with the share of real held-out rows found in the
        training rows (duplicates are common in flow data).

    Examples
    --------
    >>> from sklearn_synth.metrics import exact_copy_rate
    >>> exact_copy_rate([[1, 2], [3, 4]], [[1, 2], [5, 6]])
    0.5
    """
    train, synth = align_tables(X_train, X_synth, names=["X_synth"])
    return float(np.isin(row_hashes(synth), row_hashes(train)).mean())


def verbatim_value_rates(X_train, X_synth, X_heldout=None, *, rare_threshold=5):
    """Per column, the share of synthetic values copied from the training rows
    that should never be: identifiers, and values seen in few training rows.

    A column is *identifier-like* when it holds strings, at least 90% of them
    distinct, in 20 training rows or more (the rule of
    :class:`~sklearn_synth.preprocessing.SymbolicBinner`'s value protection):
    every training value of it counts. In every other column, a training
    value counts when fewer than ``rare_threshold`` training rows hold it (a
    rare category, a port seen once, an extreme). Missing values never count.

    Parameters
    ----------
    X_train : array-like or DataFrame
        The generator's training rows.
    X_synth : array-like or DataFrame
        Synthetic rows with the same columns.
    X_heldout : array-like or DataFrame, default=None
        Real rows not used for training: their rate is the reference (real
        new rows share some rare values with the training rows by chance,
        more so in whole-number columns with few distinct values).
    rare_threshold : int, default=5
        Training values held by fewer rows are rare.

    Returns
    -------
    rates : DataFrame
        Indexed by column: ``kind`` (``"identifier"`` or ``"value"``),
        ``synthetic`` (the share of the synthetic column's present values
        that are counted training values), ``n_synthetic`` (their number) and,
        with ``X_heldout``, ``heldout``.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_synth.metrics import verbatim_value_rates
    >>> train = pd.DataFrame({"service": ["http"] * 8 + ["irc", "gopher"]})
    >>> synth = pd.DataFrame({"service": ["http", "http", "irc", "_RARE_"]})
    >>> verbatim_value_rates(train, synth).loc["service", "synthetic"]
    np.float64(0.25)
    """
    tables = [X_synth] if X_heldout is None else [X_synth, X_heldout]
    train, *others = align_tables(X_train, *tables, names=["X_synth", "X_heldout"][:len(tables)])
    rows = []
    for column in train.columns:
        present = train[column].dropna()
        values = present.astype(object).to_numpy()
        if is_identifier_like(values):
            kind, counted = "identifier", set(values)
        else:
            counts = present.astype(object).value_counts()
            kind, counted = "value", set(counts.index[counts < rare_threshold])
        row = {"column": column, "kind": kind}
        for name, table in zip(["synthetic", "heldout"], others):
            cells = table[column].dropna().astype(object)
            hits = cells.isin(counted) if counted else pd.Series(False, index=cells.index)
            row[name] = float(hits.mean()) if len(cells) else 0.0
            if name == "synthetic":
                row["n_synthetic"] = int(hits.sum())
        rows.append(row)
    return pd.DataFrame(rows).set_index("column")


def _nearest_distances(reference, queries, encoder):
    nn = NearestNeighbors(n_neighbors=1).fit(encoder.transform(reference))
    return [nn.kneighbors(encoder.transform(q))[0][:, 0] for q in queries]


def distance_to_closest_record(X_train, X_synth, X_heldout=None, *, random_state=0):
    """Distances from synthetic (and held-out real) rows to their closest training row.

    Distances are Euclidean in the metrics' encoding (quantile-normal numeric
    columns, one-hot categoricals; see :mod:`sklearn_synth.metrics`).

    Parameters
    ----------
    X_train : array-like or DataFrame
        The generator's training rows.
    X_synth : array-like or DataFrame
        Synthetic rows.
    X_heldout : array-like or DataFrame, default=None
        Real rows not used for training: their distances are the reference.
    random_state : int, default=0
        Seeds the quantile encoder's subsample.

    Returns
    -------
    stats : dict
        ``synthetic_median``, ``synthetic_p05`` (5th percentile), and with
        ``X_heldout`` also ``heldout_median``, ``heldout_p05`` and ``ratio``
        (synthetic median over held-out median: well below 1 means synthetic
        rows sit closer to training rows than new real rows do).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_synth.metrics import distance_to_closest_record
    >>> rng = np.random.RandomState(0)
    >>> train = rng.normal(size=(100, 2))
    >>> distance_to_closest_record(train, train[:10])["synthetic_median"]
    0.0
    """
    train, synth, heldout = align_tables(X_train, X_synth, X_heldout, names=["X_synth", "X_heldout"])
    encoder = TableEncoder(random_state=random_state).fit(train)
    queries = [synth] if heldout is None else [synth, heldout]
    distances = _nearest_distances(train, queries, encoder)
    stats = {
        "synthetic_median": float(np.median(distances[0])),
        "synthetic_p05": float(np.percentile(distances[0], 5)),
    }
    if heldout is not None:
        stats["heldout_median"] = float(np.median(distances[1]))
        stats["heldout_p05"] = float(np.percentile(distances[1], 5))
        stats["ratio"] = stats["synthetic_median"] / max(stats["heldout_median"], 1e-12)
    return stats


def distance_attack(X_members, X_nonmembers, X_synth):
    """Distance-to-closest-synthetic-record membership attack on tables.

    A candidate is called a member when some synthetic row lies close to it.

    Parameters
    ----------
    X_members, X_nonmembers, X_synth : array-like or DataFrame
        Training rows, held-out rows and synthetic rows, with the same columns.

    Returns
    -------
    advantage, auc : float
        See :func:`attack_advantage`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_synth.metrics import distance_attack
    >>> rng = np.random.RandomState(0)
    >>> members, others = rng.normal(size=(100, 3)), rng.normal(size=(100, 3))
    >>> distance_attack(members, others, members)[0]  # copies leak everything
    1.0
    """
    members, nonmembers, synth = align_tables(
        X_members, X_nonmembers, X_synth, names=["X_nonmembers", "X_synth"]
    )
    encoder = TableEncoder(random_state=0).fit(pd.concat([members, nonmembers]))
    d_members, d_nonmembers = _nearest_distances(synth, [members, nonmembers], encoder)
    return attack_advantage(-d_members, -d_nonmembers)


def mia_advantage_loss(
    estimator,
    X_members,
    X_nonmembers,
    y_members=None,
    y_nonmembers=None,
    *,
    attack="distance",
    n_synthetic=None,
    random_state=0,
):
    """Membership-inference advantage against a generator or a classifier.

    Lower is better (0: the attack does no better than a guess); the scorer
    :data:`~sklearn_synth.metrics.mia_advantage` returns ``1 -`` the distance
    attack's advantage for model selection. Named ``mia_advantage_score``
    before 0.2.

    Parameters
    ----------
    estimator : fitted generator or classifier
        A generator (anything with ``sample``) for ``attack="distance"``;
        a classifier for the other attacks.
    X_members : array-like or DataFrame
        Rows the estimator was fitted on.
    X_nonmembers : array-like or DataFrame
        Rows from the same distribution it never saw.
    y_members, y_nonmembers : array-like, default=None
        Labels, needed by the classifier attacks.
    attack : {"distance", "correctness", "confidence", "entropy", "modified_entropy"}, \
            default="distance"
        ``"distance"``: a candidate row is called a member when it is close to
        some synthetic row (distance to the closest synthetic record). The
        others are threshold attacks on a classifier's outputs (see
        :func:`membership_scores`).
    n_synthetic : int, default=None
        Synthetic rows drawn for the distance attack; None draws as many as
        there are members and non-members together.
    random_state : int, RandomState instance or None, default=0
        Seeds the synthetic draw.

    Returns
    -------
    advantage : float
        ``max over thresholds of TPR - FPR`` in [0, 1]: 0 = no leak, 1 = every
        member is told apart from every non-member.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from sklearn_synth.metrics import mia_advantage_loss
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.normal(size=(200, 5)), rng.randint(2, size=200)
    >>> memorizer = KNeighborsClassifier(n_neighbors=1).fit(X[:100], y[:100])
    >>> mia_advantage_loss(memorizer, X[:100], X[100:], y[:100], y[100:],
    ...                     attack="correctness") > 0.3
    True
    """
    if attack not in ATTACKS:
        raise ValueError(f"attack must be one of {ATTACKS}, got {attack!r}.")
    if attack == "distance":
        if not is_generator(estimator):
            raise TypeError(
                "attack='distance' needs a generator (an estimator with a sample method); "
                f"got {type(estimator).__name__}. Use a classifier attack such as "
                "attack='modified_entropy' for classifiers."
            )
        n = n_synthetic or (len(X_members) + len(X_nonmembers))
        synth = estimator.sample(n, random_state=random_state)
        return distance_attack(X_members, X_nonmembers, synth)[0]
    if y_members is None or y_nonmembers is None:
        raise ValueError(f"attack={attack!r} needs y_members and y_nonmembers.")
    return _classifier_attack(estimator, X_members, y_members, X_nonmembers, y_nonmembers, attack)[0]


def _classifier_attack(classifier, X_members, y_members, X_nonmembers, y_nonmembers, attack):
    """(advantage, auc, held-out advantage, TPR at 1% FPR) of one threshold attack
    on a classifier's outputs."""
    members = membership_scores(classifier, X_members, y_members, attack)
    nonmembers = membership_scores(classifier, X_nonmembers, y_nonmembers, attack)
    return (*attack_advantage(members, nonmembers), held_out_advantage(members, nonmembers),
            tpr_at_fpr(members, nonmembers, 0.01))


def membership_attack_report(classifier, X_members, y_members, X_nonmembers, y_nonmembers):
    """Every classifier attack at once: advantage, AUC, held-out advantage and
    TPR at 1% FPR per attack.

    Parameters
    ----------
    classifier : fitted classifier
        With ``predict_proba`` and ``classes_``.
    X_members, y_members : array-like
        Training samples and labels.
    X_nonmembers, y_nonmembers : array-like
        Samples and labels from the same distribution, never trained on.

    Returns
    -------
    report : DataFrame
        Indexed by attack, with columns ``advantage`` (the best ``TPR - FPR``
        in hindsight: an upper bound), ``auc``, ``held_out_advantage`` (the
        threshold chosen on one half of the samples, measured on the other:
        see :func:`held_out_advantage`) and ``tpr_at_1pct_fpr``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_synth.metrics import membership_attack_report
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.normal(size=(400, 3)), rng.randint(2, size=400)
    >>> clf = LogisticRegression().fit(X[:200], y[:200])
    >>> report = membership_attack_report(clf, X[:200], y[:200], X[200:], y[200:])
    >>> list(report.index)
    ['correctness', 'confidence', 'entropy', 'modified_entropy']
    """
    rows = {
        attack: _classifier_attack(classifier, X_members, y_members, X_nonmembers, y_nonmembers, attack)
        for attack in CLASSIFIER_ATTACKS
    }
    return pd.DataFrame.from_dict(
        rows, orient="index",
        columns=["advantage", "auc", "held_out_advantage", "tpr_at_1pct_fpr"])
