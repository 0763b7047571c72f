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
    membership_scores,
)
from ._fidelity import (
    column_distances,
    correlation_difference,
    detection_auc_score,
    inlier_rate_score,
)
from ._privacy import (
    distance_attack,
    distance_to_closest_record,
    exact_copy_rate,
    membership_attack_report,
    mia_advantage_score,
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
from ._sequences import discriminator_accuracy_score, predictive_score, series_windows
from ._utility import train_synthetic_test_real

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
    "column_distances",
    "correlation_difference",
    "detection_auc",
    "detection_auc_score",
    "discriminator_accuracy",
    "discriminator_accuracy_score",
    "distance_attack",
    "distance_to_closest_record",
    "evaluate",
    "exact_copy_rate",
    "inlier_rate",
    "inlier_rate_score",
    "membership_attack_report",
    "membership_scores",
    "mia_advantage",
    "mia_advantage_score",
    "predictive_score",
    "sequence_tstr",
    "series_windows",
    "train_synthetic_test_real",
    "tstr_score",
]
