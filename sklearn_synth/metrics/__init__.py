"""Metrics and generator-aware scorers for synthetic data.

Scorers (``scorer(estimator, X, y=None) -> float``, higher is better) plug
into ``GridSearchCV``, ``cross_validate`` and ``Pipeline``; each has a plain
metric function beside it for use outside model selection.

How the metrics treat mixed dtypes and missing values: numeric columns go
through their real-data quantiles to a normal scale, with missing values at
the centre; categorical, string and boolean columns are one-hot encoded
(unseen synthetic categories encode as all zeros); a column with missing
values gets an indicator column, and datetimes count as numbers. Tables
must have the same columns (DataFrames are reordered to the real table's
order; a missing or extra column is an error that names it).
"""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from ._attacks import (
    CLASSIFIER_ATTACKS,
    attack_advantage,
    best_threshold,
    held_out_advantage,
    membership_scores,
    tpr_at_fpr,
)
from ._fidelity import (
    column_distances,
    correlation_difference,
    detection_auc_loss,
    inlier_rate_score,
)
from ._privacy import (
    distance_attack,
    distance_to_closest_record,
    exact_copy_rate,
    membership_attack_report,
    mia_advantage_loss,
    verbatim_value_rates,
)
from ._report import QualityReport, evaluate
from ._scorer import (
    DetectionScorer,
    DiscriminatorScorer,
    GeneratorScorer,
    InlierRateScorer,
    MIAScorer,
    SequenceTSTRScorer,
    TSTRScorer,
    detection_auc,
    discriminator_accuracy,
    inlier_rate,
    mia_advantage,
    sequence_tstr,
    tstr_score,
)
from ._sequences import (
    discriminator_accuracy_loss,
    predictive_error,
    random_windows,
    series_windows,
    window_detection_auc_loss,
    window_features,
)
from ._utility import class_neighbor_score, class_neighbor_shares, train_synthetic_test_real


def _renamed(new, old):
    """``new`` under its pre-0.2 name ``old``, with a FutureWarning (removed in 0.3)."""
    import functools
    import warnings

    @functools.wraps(new)
    def alias(*args, **kwargs):
        warnings.warn(
            f"{old} was renamed {new.__name__} in 0.2 (lower is better, which scikit-learn "
            "names '_loss' or '_error', not '_score'); the old name will be removed in 0.3.",
            FutureWarning,
            stacklevel=2,
        )
        return new(*args, **kwargs)

    alias.__name__ = alias.__qualname__ = old
    alias.__doc__ = f"Deprecated alias of :func:`{new.__name__}` (removed in 0.3)."
    return alias


# Deprecated names (0.2): metrics whose lower value is better no longer end in "_score".
detection_auc_score = _renamed(detection_auc_loss, "detection_auc_score")
discriminator_accuracy_score = _renamed(discriminator_accuracy_loss, "discriminator_accuracy_score")
mia_advantage_score = _renamed(mia_advantage_loss, "mia_advantage_score")
predictive_score = _renamed(predictive_error, "predictive_score")

__all__ = [
    "CLASSIFIER_ATTACKS",
    "DetectionScorer",
    "DiscriminatorScorer",
    "GeneratorScorer",
    "InlierRateScorer",
    "MIAScorer",
    "QualityReport",
    "SequenceTSTRScorer",
    "TSTRScorer",
    "attack_advantage",
    "best_threshold",
    "class_neighbor_score",
    "class_neighbor_shares",
    "column_distances",
    "correlation_difference",
    "detection_auc",
    "detection_auc_loss",
    "discriminator_accuracy",
    "discriminator_accuracy_loss",
    "distance_attack",
    "distance_to_closest_record",
    "evaluate",
    "exact_copy_rate",
    "held_out_advantage",
    "inlier_rate",
    "inlier_rate_score",
    "membership_attack_report",
    "membership_scores",
    "mia_advantage",
    "mia_advantage_loss",
    "predictive_error",
    "random_windows",
    "sequence_tstr",
    "series_windows",
    "tpr_at_fpr",
    "train_synthetic_test_real",
    "verbatim_value_rates",
    "tstr_score",
    "window_detection_auc_loss",
    "window_features",
]
