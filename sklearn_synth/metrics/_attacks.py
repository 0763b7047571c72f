"""Membership-inference attacks: threshold attacks on a model's outputs, and the
advantage of a score at telling members from non-members.

The single home of the attacks: ``sklearn_synth.privacy`` uses them too.
"""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve

#: Attacks on a classifier's outputs (Song & Mittal, 2021).
CLASSIFIER_ATTACKS = ("correctness", "confidence", "entropy", "modified_entropy")

_EPS = 1e-30


def attack_advantage(member_scores, nonmember_scores):
    """Best advantage and ROC AUC of a membership score (higher = more member-like).

    Parameters
    ----------
    member_scores, nonmember_scores : array-like of shape (n,)
        The attack's score for members and for non-members.

    Returns
    -------
    advantage : float
        ``max over thresholds of TPR - FPR``, in [0, 1]: 0 means the score
        does not separate the groups, 1 that it separates them perfectly. The
        threshold is the best one in hindsight, so this is an upper bound on
        what a threshold attacker achieves.
    auc : float
        ROC AUC of the score.

    Examples
    --------
    >>> from sklearn_synth.metrics import attack_advantage
    >>> advantage, auc = attack_advantage([0.9, 0.8, 0.7], [0.1, 0.2, 0.75])
    >>> round(advantage, 3), round(auc, 3)
    (0.667, 0.889)
    """
    truth, scores = _labeled_scores(member_scores, nonmember_scores)
    fpr, tpr, _ = roc_curve(truth, scores)
    return float(max(0.0, np.max(tpr - fpr))), float(roc_auc_score(truth, scores))


def _labeled_scores(member_scores, nonmember_scores):
    """Membership truth (1 = member) and the scores, concatenated."""
    members = np.asarray(member_scores, dtype=float)
    nonmembers = np.asarray(nonmember_scores, dtype=float)
    if members.size == 0 or nonmembers.size == 0:
        raise ValueError("Need at least one member and one non-member.")
    return np.r_[np.ones(members.size), np.zeros(nonmembers.size)], np.r_[members, nonmembers]


def best_threshold(member_scores, nonmember_scores):
    """The threshold of a membership score with the largest ``TPR - FPR``.

    Scores at or above it are called members.

    Parameters
    ----------
    member_scores, nonmember_scores : array-like of shape (n,)
        The attack's score for members and for non-members.

    Returns
    -------
    threshold : float

    Examples
    --------
    >>> from sklearn_synth.metrics import best_threshold
    >>> float(best_threshold([0.9, 0.8, 0.7], [0.1, 0.2, 0.75]))
    0.7
    """
    truth, scores = _labeled_scores(member_scores, nonmember_scores)
    fpr, tpr, thresholds = roc_curve(truth, scores)
    best = int(np.argmax(tpr - fpr))
    return float(min(thresholds[best], np.max(scores)))


def held_out_advantage(member_scores, nonmember_scores, random_state=0):
    """Advantage of a threshold chosen on one half of the samples, measured on the other.

    The members and the non-members are each split in two random halves; the
    threshold with the best ``TPR - FPR`` on one half is applied to the other,
    both ways, and the two advantages are averaged. Unlike
    :func:`attack_advantage`, which picks the threshold in hindsight on the
    samples it scores, this is what an attacker who calibrates on known
    samples achieves; it can be negative when the score does not separate the
    groups.

    Parameters
    ----------
    member_scores, nonmember_scores : array-like of shape (n,)
        At least two of each.
    random_state : int, RandomState instance or None, default=0
        Draws the halves.

    Returns
    -------
    advantage : float
        In [-1, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_synth.metrics import held_out_advantage
    >>> rng = np.random.RandomState(0)
    >>> round(held_out_advantage(rng.normal(1, 1, 500), rng.normal(0, 1, 500)), 2)
    0.41
    """
    from sklearn.utils import check_random_state

    members = np.asarray(member_scores, dtype=float)
    nonmembers = np.asarray(nonmember_scores, dtype=float)
    if members.size < 2 or nonmembers.size < 2:
        raise ValueError("Need at least two members and two non-members to hold out half.")
    rng = check_random_state(random_state)
    halves = [np.array_split(rng.permutation(s.size), 2) for s in (members, nonmembers)]
    result = []
    for fit, test in ((0, 1), (1, 0)):
        threshold = best_threshold(members[halves[0][fit]], nonmembers[halves[1][fit]])
        tpr = np.mean(members[halves[0][test]] >= threshold)
        fpr = np.mean(nonmembers[halves[1][test]] >= threshold)
        result.append(tpr - fpr)
    return float(np.mean(result))


def tpr_at_fpr(member_scores, nonmember_scores, fpr=0.01):
    """True-positive rate of a membership score at a low false-positive rate.

    The measure of Carlini et al. (2022): how many members an attacker finds
    while wrongly accusing at most ``fpr`` of the non-members.

    Parameters
    ----------
    member_scores, nonmember_scores : array-like of shape (n,)
    fpr : float, default=0.01

    Returns
    -------
    tpr : float

    Examples
    --------
    >>> from sklearn_synth.metrics import tpr_at_fpr
    >>> tpr_at_fpr([5, 4, 0.5, 0.2], [0.1, 0.3, 0.4, 0.6], fpr=0.0)
    0.5
    """
    truth, scores = _labeled_scores(member_scores, nonmember_scores)
    false_rates, true_rates, _ = roc_curve(truth, scores)
    return float(np.max(true_rates[false_rates <= fpr]))


def membership_scores(classifier, X, y, attack):
    """Per-sample membership score of a fitted classifier's outputs.

    Parameters
    ----------
    classifier : fitted classifier
        Needs ``predict`` (correctness) or ``predict_proba`` and ``classes_``.
    X : array-like of shape (n_samples, n_features)
        Candidate samples.
    y : array-like of shape (n_samples,)
        Their true labels.
    attack : {"correctness", "confidence", "entropy", "modified_entropy"}
        ``correctness``: 1 when the prediction is right; ``confidence``: the
        probability of the true class; ``entropy``: minus the entropy of the
        prediction; ``modified_entropy``: minus Song and Mittal's modified
        entropy, which uses the true label (low for confident right answers,
        high for confident wrong ones).

    Returns
    -------
    scores : ndarray of shape (n_samples,)
        Higher means more likely a member.
    """
    y = np.asarray(y)
    if attack not in CLASSIFIER_ATTACKS:
        raise ValueError(f"attack must be one of {CLASSIFIER_ATTACKS}, got {attack!r}.")
    if attack == "correctness":
        return (np.asarray(classifier.predict(X)) == y).astype(float)
    proba = np.asarray(classifier.predict_proba(X), dtype=float)
    classes = np.asarray(classifier.classes_)
    index = {c: i for i, c in enumerate(classes)}
    column = np.array([index.get(label, -1) for label in y])
    known = column >= 0
    p_true = np.zeros(y.shape[0])
    p_true[known] = proba[np.flatnonzero(known), column[known]]
    if attack == "confidence":
        return p_true
    if attack == "entropy":
        return np.sum(proba * np.log(np.clip(proba, _EPS, 1.0)), axis=1)
    # modified entropy: -(1 - p_y) log p_y - sum_{i != y} p_i log(1 - p_i)
    others = proba * np.log(np.clip(1.0 - proba, _EPS, 1.0))
    others_sum = others.sum(axis=1)
    others_sum[known] -= others[np.flatnonzero(known), column[known]]
    mentr = -(1.0 - p_true) * np.log(np.clip(p_true, _EPS, 1.0)) - others_sum
    return -mentr
