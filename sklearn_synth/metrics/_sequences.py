"""Fidelity and utility of synthetic time series: an LSTM discriminator and the
TimeGAN-style predictive score (train a one-step predictor on synthetic series,
test it on real ones).

Series come as a 3-D array ``(n_series, n_timesteps, n_channels)``, a 2-D
array of univariate series, or a list of ``(n_timesteps_i, n_channels)``
arrays. Both metrics cut them into windows of equal length and standardize
every channel with the real series' statistics.
"""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.utils import check_random_state

from ..utils._random import draw_seed
from ..utils._torch import fit_net, import_torch, make_net, resolve_device
from ..utils._validation import as_series_list

__all__ = [
    "discriminator_accuracy_loss",
    "predictive_error",
    "random_windows",
    "series_windows",
    "window_detection_auc_loss",
    "window_features",
]

# Lags of the autocorrelation features and edges of the spectral bands (as
# shares of the Nyquist frequency) of ``window_features``.
_ACF_LAGS = (1, 2, 4, 8, 16)
_BAND_EDGES = (0.0, 0.05, 0.1, 0.2, 0.4, 0.6, 1.0)


def series_windows(X, window, stride=None):
    """Cut series into windows of ``window`` steps.

    Parameters
    ----------
    X : array-like or list of arrays
        Series (see the module docstring).
    window : int
        Steps per window; series shorter than this give no window.
    stride : int, default=None
        Steps between window starts; None is ``window`` (no overlap).

    Returns
    -------
    windows : ndarray of shape (n_windows, window, n_channels)
    groups : ndarray of shape (n_windows,)
        The index of the series each window comes from.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_synth.metrics import series_windows
    >>> W, g = series_windows([np.arange(10.0), np.arange(4.0)], window=4)
    >>> W.shape, g.tolist()
    ((3, 4, 1), [0, 0, 1])
    """
    series = as_series_list(X, "X")
    stride = window if stride is None else stride
    windows, groups = [], []
    for i, s in enumerate(series):
        for start in range(0, s.shape[0] - window + 1, stride):
            windows.append(s[start:start + window])
            groups.append(i)
    if not windows:
        raise ValueError(f"No series has {window} or more timesteps; lower window.")
    return np.stack(windows), np.asarray(groups)


def random_windows(X, window, n_windows, random_state=None):
    """Non-overlapping windows of ``window`` steps cut at random places.

    Every series is cut into consecutive windows from a random offset, and
    ``n_windows`` of all these windows are drawn without replacement, so no
    two windows share a timestep. (Overlapping windows would be near
    copies: a judge that sees one while training recognises the other while
    testing, which inflates its score for whichever set has more of them.)
    Series shorter than ``window`` give none; when all the series together
    hold fewer than ``n_windows`` windows, all of them are returned.

    Parameters
    ----------
    X : array-like or list of arrays
        Series (see the module docstring).
    window : int
        Steps per window.
    n_windows : int
        Windows to cut.
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    windows : ndarray of shape (min(n_windows, available), window, n_channels)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_synth.metrics import random_windows
    >>> random_windows([np.arange(40.0), np.arange(3.0)], 4, 5, random_state=0).shape
    (5, 4, 1)
    """
    series = as_series_list(X, "X")
    rng = check_random_state(random_state)
    slots = []
    for i, s in enumerate(series):
        if s.shape[0] >= window:
            offset = rng.randint(min(window, s.shape[0] - window + 1))
            slots += [(i, a) for a in range(offset, s.shape[0] - window + 1, window)]
    if not slots:
        raise ValueError(f"No series has {window} or more timesteps; lower window.")
    chosen = rng.permutation(len(slots))[:n_windows]
    return np.stack([series[slots[k][0]][slots[k][1]:slots[k][1] + window] for k in chosen])


def window_features(windows):
    """Summary statistics of each window, per channel and between channels.

    Per channel: mean, standard deviation, minimum, maximum, skewness,
    kurtosis, the autocorrelation at lags 1, 2, 4, 8 and 16, the standard
    deviation of the first differences over that of the values (how rough
    the trace is), and the share of the spectrum's power in six frequency
    bands (edges at 5, 10, 20, 40 and 60% of the Nyquist frequency). Between
    channels: the correlation of every pair.

    Parameters
    ----------
    windows : array-like of shape (n_windows, window, n_channels)

    Returns
    -------
    features : ndarray of shape (n_windows, n_features)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_synth.metrics import window_features
    >>> window_features(np.random.RandomState(0).normal(size=(3, 50, 2))).shape
    (3, 37)
    """
    W = np.asarray(windows, dtype=np.float64)
    if W.ndim != 3 or W.shape[1] < 2 * max(_ACF_LAGS) + 1:
        raise ValueError(
            f"windows must be a 3-D array (n_windows, window, n_channels) with at least "
            f"{2 * max(_ACF_LAGS) + 1} steps per window; got shape {W.shape}."
        )
    tiny = 1e-12
    mean = W.mean(axis=1)
    x = W - mean[:, None]
    var = (x * x).mean(axis=1)
    std = np.sqrt(var)
    safe = np.maximum(std, tiny)
    z = x / safe[:, None]
    parts = [mean, std, W.min(axis=1), W.max(axis=1), (z ** 3).mean(axis=1), (z ** 4).mean(axis=1)]
    denom = np.maximum((x * x).sum(axis=1), tiny)
    parts += [(x[:, k:] * x[:, :-k]).sum(axis=1) / denom for k in _ACF_LAGS]
    parts.append(np.diff(W, axis=1).std(axis=1) / safe)
    power = np.abs(np.fft.rfft(x, axis=1)[:, 1:]) ** 2
    power /= np.maximum(power.sum(axis=1, keepdims=True), tiny)
    freq = np.arange(1, power.shape[1] + 1) / power.shape[1]
    for lo, hi in zip(_BAND_EDGES[:-1], _BAND_EDGES[1:]):
        parts.append(power[:, (freq > lo) & (freq <= hi)].sum(axis=1))
    C = W.shape[2]
    pairs = [(a, b) for a in range(C) for b in range(a + 1, C)]
    corr = [(z[:, :, a] * z[:, :, b]).mean(axis=1) for a, b in pairs]
    return np.column_stack(parts + corr)


def window_detection_auc_loss(
    X_real, X_synth, *, window=100, n_windows=600, classifier=None, cv=5, random_state=0
):
    """How well a classifier on window statistics tells real from synthetic windows.

    Lower is better, down to 0.5 (chance). ``n_windows`` windows of
    ``window`` steps are cut at random from each set
    (:func:`random_windows`), summarized by :func:`window_features`
    (levels, spread, shape, autocorrelations, spectral band powers and
    correlations between channels) and judged by
    :func:`detection_auc_loss`: the cross-validated ROC AUC of a random
    forest. It catches what a step-by-step judge can miss: traces that jitter
    where real ones are smooth, wrong levels or spread, missing rhythm.

    Compare with a control measured the same way on two sets of real series
    (for instance two halves of the recordings, or the training recordings
    against held-out ones): recordings differ by subject and session, so real
    against real can sit above 0.5.

    Parameters
    ----------
    X_real, X_synth : array-like or list of arrays
        Real and synthetic series with the same channels.
    window : int, default=100
        Steps per window (at least 33).
    n_windows : int, default=600
        Windows cut from each set.
    classifier : classifier with predict_proba, default=None
        The judge; None uses a 100-tree random forest.
    cv : int, default=5
        Folds of the out-of-fold predictions.
    random_state : int, RandomState instance or None, default=0
        Seeds the windows, the folds and the forest.

    Returns
    -------
    auc : float

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_synth.metrics import window_detection_auc_loss
    >>> rng = np.random.RandomState(0)
    >>> smooth = np.cumsum(rng.normal(size=(20, 200, 1)), axis=1)
    >>> rough = rng.normal(size=(20, 200, 1)) * smooth.std()
    >>> window_detection_auc_loss(smooth, rough, n_windows=100) > 0.9
    True
    """
    from ._fidelity import detection_auc_loss

    real, synth = _two_sets(X_real, "X_real", X_synth, "X_synth")
    rng = check_random_state(random_state)
    F_real = window_features(random_windows(real, window, n_windows, rng))
    F_synth = window_features(random_windows(synth, window, n_windows, rng))
    return detection_auc_loss(F_real, F_synth, classifier=classifier, cv=cv,
                              max_rows=n_windows, random_state=rng)


def _two_sets(A, name_a, B, name_b):
    """Two sets of series as lists, after checking they have the same channels."""
    a, b = as_series_list(A, name_a), as_series_list(B, name_b)
    if a[0].shape[1] != b[0].shape[1]:
        raise ValueError(f"{name_a} has {a[0].shape[1]} channel(s) and {name_b} {b[0].shape[1]}.")
    return a, b


def _window_length(real, synth, window):
    if window is not None:
        return int(window)
    shortest = min(min(s.shape[0] for s in real), min(s.shape[0] for s in synth))
    return int(min(shortest, 128))


def _standardize(reference, *arrays):
    flat = reference.reshape(-1, reference.shape[-1])
    mean, std = flat.mean(0), flat.std(0)
    std = np.where(std > 0, std, 1.0)
    return [((a - mean) / std).astype(np.float32) for a in arrays]


def _split_groups(groups, test_size, rng):
    """Train/test window masks with every series entirely on one side."""
    ids = np.unique(groups)
    if ids.size < 2:
        order = rng.permutation(groups.size)
        test = np.zeros(groups.size, dtype=bool)
        test[order[: max(1, int(round(test_size * groups.size)))]] = True
        return ~test, test
    test_ids = rng.permutation(ids)[: max(1, int(round(test_size * ids.size)))]
    test = np.isin(groups, test_ids)
    return ~test, test


# Judges train for at least this many gradient updates, whatever the data size,
# so that a small test set does not get an undertrained (lenient) judge.
MIN_UPDATES = 300


def _fit_torch(module, X, y, loss, *, max_epochs, batch_size, lr, seed, device):
    """Adam through skorch for ``max_epochs`` epochs or ``MIN_UPDATES`` updates,
    whichever is more; returns the fitted skorch net."""
    batches = -(-len(X) // batch_size)
    max_epochs = max(max_epochs, -(-MIN_UPDATES // batches))
    net = make_net(module, loss, seed=seed, device=device, lr=lr, max_epochs=max_epochs,
                   batch_size=batch_size)
    return fit_net(net, X, y, seed=seed, device=device)


def discriminator_accuracy_loss(
    X_real,
    X_synth,
    *,
    window=None,
    test_size=0.3,
    hidden_size=32,
    max_epochs=20,
    batch_size=64,
    lr=3e-3,
    random_state=0,
    device="cpu",
):
    """Held-out accuracy of an LSTM trained to tell real from synthetic windows.

    Lower is better, down to 0.5 (the judge cannot tell); the scorer
    :data:`~sklearn_synth.metrics.discriminator_accuracy` turns it into a
    higher-is-better number. Named ``discriminator_accuracy_score`` before 0.2.

    Both sets are cut into non-overlapping windows; the larger set is
    subsampled to the size of the smaller; windows are split into train and
    test parts with every series (recording) entirely on one side, so the
    judge cannot recognise a recording it has seen. A one-layer LSTM reads a
    window and its last state predicts "synthetic". 0.5 means the judge
    cannot tell them apart (the SenseGen paper's criterion); 1.0 means it
    always can. Compare with the same test on two sets of real series: real
    recordings differ by subject and activity, so even real-vs-real can sit
    above 0.5.

    Parameters
    ----------
    X_real, X_synth : array-like or list of arrays
        Real and synthetic series with the same channels.
    window : int, default=None
        Steps per window; None uses the shortest series, at most 128.
    test_size : float, default=0.3
        Share of the series (of each set) held out for the accuracy.
    hidden_size : int, default=32
        LSTM units of the judge.
    max_epochs : int, default=20
        Training epochs of the judge (at least 300 gradient updates are made
        whatever the data size, so small sets do not get a lenient judge).
    batch_size : int, default=64
    lr : float, default=3e-3
    random_state : int, default=0
        Seeds the subsampling, the split and the judge.
    device : str, default="cpu"

    Returns
    -------
    accuracy : float
        On the held-out windows (balanced: as many real as synthetic).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_synth.metrics import discriminator_accuracy_loss
    >>> rng = np.random.RandomState(0)
    >>> smooth = np.cumsum(rng.normal(size=(80, 32, 1)), axis=1)
    >>> noise = rng.normal(size=(80, 32, 1)) * smooth.std()
    >>> discriminator_accuracy_loss(smooth, noise, max_epochs=10) > 0.75
    True
    """
    torch = import_torch()
    from ._sequence_models import SequenceClassifier

    real, synth = _two_sets(X_real, "X_real", X_synth, "X_synth")
    rng = check_random_state(random_state)
    length = _window_length(real, synth, window)
    Wr, gr = series_windows(real, length)
    Ws, gs = series_windows(synth, length)
    n = min(len(Wr), len(Ws))
    keep_r, keep_s = np.sort(rng.permutation(len(Wr))[:n]), np.sort(rng.permutation(len(Ws))[:n])
    Wr, gr, Ws, gs = Wr[keep_r], gr[keep_r], Ws[keep_s], gs[keep_s]
    train_r, test_r = _split_groups(gr, test_size, rng)
    train_s, test_s = _split_groups(gs, test_size, rng)
    Wr, Ws = _standardize(Wr[train_r], Wr, Ws)
    X_train = np.concatenate([Wr[train_r], Ws[train_s]])
    y_train = np.r_[np.zeros(train_r.sum()), np.ones(train_s.sum())].astype(np.float32)
    X_test = np.concatenate([Wr[test_r], Ws[test_s]])
    y_test = np.r_[np.zeros(test_r.sum()), np.ones(test_s.sum())]
    device = resolve_device(device)
    net = _fit_torch(
        SequenceClassifier(X_train.shape[2], hidden_size),
        X_train, y_train, torch.nn.BCEWithLogitsLoss,
        max_epochs=max_epochs, batch_size=batch_size, lr=lr, seed=draw_seed(rng), device=device,
    )
    logits = net.forward(X_test).cpu().numpy()
    # weight the two sides equally even if the held-out parts differ in size
    correct = (logits > 0) == (y_test == 1)
    return float(0.5 * correct[y_test == 0].mean() + 0.5 * correct[y_test == 1].mean())


def predictive_error(
    X_train,
    X_test,
    *,
    window=None,
    hidden_size=32,
    max_epochs=20,
    batch_size=64,
    lr=3e-3,
    random_state=0,
    device="cpu",
):
    """Mean absolute error of a one-step-ahead predictor trained on ``X_train``
    and tested on ``X_test`` (TimeGAN's predictive score; lower is better).

    Named ``predictive_score`` before 0.2.

    Train it on synthetic series and test on real ones, and compare with the
    same predictor trained on real training series: close figures mean the
    synthetic series carry the dynamics a forecaster needs. A GRU reads each
    window and predicts every channel at the next step; errors are in units
    of the test series' standard deviation per channel (lower is better).

    Parameters
    ----------
    X_train, X_test : array-like or list of arrays
        Training series (usually synthetic) and test series (real).
    window : int, default=None
        Steps per window (the predictor sees ``window - 1`` steps and
        predicts the next ones); None uses the shortest series, at most 128.
    hidden_size, max_epochs, batch_size, lr, random_state, device
        As in :func:`discriminator_accuracy_loss`.

    Returns
    -------
    mae : float

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_synth.metrics import predictive_error
    >>> t = np.arange(40)
    >>> waves = np.stack([np.sin(t / 3 + p) for p in np.linspace(0, 6, 30)])[..., None]
    >>> predictive_error(waves[:20], waves[20:], max_epochs=30) < 0.5
    True
    """
    torch = import_torch()
    from ._sequence_models import NextStepPredictor

    train, test = _two_sets(X_train, "X_train", X_test, "X_test")
    rng = check_random_state(random_state)
    length = _window_length(train, test, window)
    W_train, _ = series_windows(train, length)
    W_test, _ = series_windows(test, length)
    W_test, W_train = _standardize(W_test, W_test, W_train)
    device = resolve_device(device)
    net = _fit_torch(
        NextStepPredictor(W_train.shape[2], hidden_size),
        W_train[:, :-1], W_train[:, 1:], torch.nn.L1Loss,
        max_epochs=max_epochs, batch_size=batch_size, lr=lr, seed=draw_seed(rng), device=device,
    )
    pred = net.forward(W_test[:, :-1]).cpu().numpy()
    return float(np.abs(pred - W_test[:, 1:]).mean())
