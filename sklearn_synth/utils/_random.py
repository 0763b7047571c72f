"""Random-state helpers that never touch global RNG state."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.utils import check_random_state

_MAX_SEED = np.iinfo(np.int32).max


def draw_seed(random_state):
    """Draw one integer seed from ``random_state``.

    An int gives the same seed every time, ``None`` a fresh one from numpy's
    global generator (read, as ``check_random_state(None)`` does in
    scikit-learn), and a ``RandomState`` advances that instance.

    Parameters
    ----------
    random_state : int, RandomState instance or None
        Source of randomness.

    Returns
    -------
    seed : int
        A seed in ``[0, 2**31 - 1)``, usable by numpy and torch.
    """
    return int(check_random_state(random_state).randint(_MAX_SEED))


def seeded_clone(estimator, seed):
    """A clone of ``estimator`` whose ``random_state``, if it has one left at None, is ``seed``.

    Meta-estimators use it so that their own ``random_state`` makes the inner
    estimator reproducible, while an inner seed set by the user is kept. The
    caller's ``estimator`` parameter is never modified.
    """
    from sklearn.base import clone

    fitted = clone(estimator)
    if fitted.get_params(deep=False).get("random_state", 0) is None:
        fitted.set_params(random_state=seed)
    return fitted


def resolve_sample_rng(random_state, fitted_rng):
    """Return the ``RandomState`` a ``sample`` call should draw from.

    ``None`` continues the estimator's fitted ``random_state_`` stream, so
    successive calls differ while the whole sequence stays reproducible from
    the constructor's ``random_state``; anything else is passed through
    ``check_random_state`` so an int makes the call reproducible on its own.
    """
    if random_state is None:
        return fitted_rng
    return check_random_state(random_state)


def validation_split(n, fraction, rng, *, at_least_one=False):
    """Shuffle ``range(n)`` and hold out ``round(fraction * n)`` indices for validation.

    At least one index always stays for training; with ``at_least_one``, a
    positive ``fraction`` holds out at least one (when ``n >= 2``).

    Parameters
    ----------
    n : int
        Number of rows (or series).
    fraction : float
        Share to hold out, in [0, 1).
    rng : RandomState
        Draws the permutation (advanced by one ``permutation(n)``).
    at_least_one : bool, default=False
        Hold out one index even when the fraction rounds to none.

    Returns
    -------
    train, valid : ndarray of int
        Sorted indices; ``valid`` may be empty.
    """
    order = rng.permutation(n)
    n_valid = int(round(fraction * n))
    if at_least_one and fraction > 0:
        n_valid = max(n_valid, 1)
    n_valid = max(0, min(n_valid, n - 1))
    return np.sort(order[n_valid:]), np.sort(order[:n_valid])
