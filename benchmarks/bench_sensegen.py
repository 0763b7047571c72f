"""SenseGenSynthesizer on real sensor recordings, with baselines and controls
measured in the same run.

Run: python benchmarks/bench_sensegen.py [--dataset watch,hmp] [--max-epochs N]
         [--set name=value ...] [--judge-epochs N]
     (hmp reads SKLEARN_SYNTH_DATA or ../shared/data; watch ships with seglearn)

Data: the smartwatch IMU recordings inside seglearn (6 channels, 50 Hz, 7
exercises, 140 recordings) and the HMP wrist accelerometer set (3 axes, 32 Hz,
14 activities, 839 recordings). 80% of the recordings (stratified by
activity) train the models; the rest are held out.

Models, all class-conditional on the activity:
- sensegen: SenseGenSynthesizer at its defaults, fitted on the training
  recordings with their activities.
- sensegen (paper head): the same with ``ar_order=0``, the paper's mixture
  over the values themselves (the default before 0.3), with the same
  training windows; ``--set`` adds further settings to both.
- ar(8): an autoregressive model of order 8 per channel and activity, least
  squares on the training recordings, driven by Gaussian noise.
- shuffled real: the held-out recordings with their timesteps shuffled (same
  values, no dynamics): a judge that cannot catch these is too weak to mean anything.
Every model generates, from scratch, as many series as there are held-out
recordings (at least 120) of 500 steps (HMP: 400) with activities drawn from
the training recordings.

Judges, both against windows of the training recordings ("vs train", where the
issue's targets are read) and of the held-out recordings ("vs held-out"):
- window statistics: a random forest on per-channel window statistics (levels,
  spread, shape, autocorrelations, spectral band powers, correlations between
  channels) of 600 non-overlapping 100-step windows a side, 5-fold ROC AUC
  (sklearn_synth.metrics.window_detection_auc_loss). Controls: two disjoint
  draws of training windows (the floor, near 0.5) and training against
  held-out recordings (how far apart recordings are: a model that generalises
  to new recordings cannot be expected below it).
- LSTM: held-out accuracy of a one-layer LSTM on 64-step windows
  (sklearn_synth.metrics.discriminator_accuracy_loss). Controls: two halves
  of the training recordings, and training against held-out recordings.

Also: the predictive score (one-step GRU trained on each model's windows,
tested on held-out real windows; lower is better) next to training on the
real training windows; per-channel spectral distance (total variation between
the mean normalized periodograms) and autocorrelation difference (mean
absolute difference of lags 1-16) against held-out windows; fit seconds;
sampled timesteps per second.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import machine, parse_set, print_table  # noqa: E402

AR_ORDER = 8


def load(dataset):
    from sklearn.model_selection import train_test_split

    from sklearn_synth.datasets import load_hmp, load_smartwatch_imu

    bunch = load_smartwatch_imu() if dataset == "watch" else load_hmp()
    data = [np.asarray(x, dtype=np.float64) for x in bunch.data]
    target = np.asarray(bunch.target)
    labels, counts = np.unique(target, return_counts=True)
    # activities with a single recording cannot be stratified: keep them in training
    strat = np.where(np.isin(target, labels[counts < 2]), "_rare", target)
    train, test = train_test_split(np.arange(len(data)), test_size=0.2, stratify=strat, random_state=0)
    return [data[i] for i in train], target[train], [data[i] for i in test], target[test]


def windows(series, window, offset=0):
    from sklearn_synth.metrics import series_windows

    return series_windows([s[offset:] for s in series if len(s) - offset >= window], window)


def ar_fit_sample(train, y_train, lengths, labels, rng):
    """Per activity and channel, AR(AR_ORDER) by least squares; sampled with Gaussian noise."""
    out = []
    models = {}
    for label in np.unique(y_train):
        series = [s for s, t in zip(train, y_train) if t == label]
        coefs = []
        for c in range(series[0].shape[1]):
            rows, targets = [], []
            for s in series:
                x = s[:, c]
                for k in range(AR_ORDER, len(x)):
                    rows.append(x[k - AR_ORDER:k][::-1])
                    targets.append(x[k])
            A = np.column_stack([np.ones(len(rows)), np.array(rows)])
            beta, *_ = np.linalg.lstsq(A, np.array(targets), rcond=None)
            resid = np.array(targets) - A @ beta
            coefs.append((beta, resid.std(), np.mean([s[:AR_ORDER, c] for s in series], axis=0)))
        models[label] = coefs
    for length, label in zip(lengths, labels):
        series = np.empty((length + 100, len(models[label])))
        for c, (beta, sigma, start) in enumerate(models[label]):
            x = np.empty(length + 100)
            x[:AR_ORDER] = start
            noise = rng.normal(scale=sigma, size=length + 100)
            for k in range(AR_ORDER, length + 100):
                x[k] = beta[0] + beta[1:] @ x[k - AR_ORDER:k][::-1] + noise[k]
            series[:, c] = x
        out.append(series[100:])  # drop the burn-in
    return out


def spectral_distance(real, synth):
    """Mean over channels of the total variation between normalized mean periodograms."""
    def spectrum(W):
        p = np.abs(np.fft.rfft(W - W.mean(axis=1, keepdims=True), axis=1)) ** 2
        p = p.mean(axis=0)
        return p / p.sum(axis=0, keepdims=True)

    return float(0.5 * np.abs(spectrum(real) - spectrum(synth)).sum(axis=0).mean())


def acf_difference(real, synth, lags=16):
    def acf(W):
        x = W - W.mean(axis=1, keepdims=True)
        denom = (x * x).sum(axis=1)
        return np.stack([(x[:, k:] * x[:, :-k]).sum(axis=1) / np.maximum(denom, 1e-12)
                         for k in range(1, lags + 1)]).mean(axis=1)

    return float(np.abs(acf(real) - acf(synth)).mean())


WINDOW = 100          # steps per window of the window-statistics judge
LSTM_WINDOW = 64      # steps per window of the LSTM judge and the predictive score


def judges(reference, series, args, seed=0):
    """Both judges of ``series`` against the real ``reference`` recordings."""
    from sklearn_synth.metrics import discriminator_accuracy_loss, window_detection_auc_loss

    return (window_detection_auc_loss(reference, series, window=WINDOW, random_state=seed),
            discriminator_accuracy_loss(reference, series, window=LSTM_WINDOW,
                                        max_epochs=args.judge_epochs, random_state=seed))


def run(dataset, args):
    from sklearn_synth.generators import SenseGenSynthesizer
    from sklearn_synth.metrics import (
        discriminator_accuracy_loss,
        predictive_error,
        random_windows,
        window_detection_auc_loss,
    )

    train, y_train, test, y_test = load(dataset)
    print(f"\n{dataset}: {len(train)} training and {len(test)} held-out recordings, "
          f"{train[0].shape[1]} channels", flush=True)
    held, _ = windows(test, LSTM_WINDOW)
    rng = np.random.RandomState(0)
    n_series, length = max(len(test), 120), 500 if dataset == "watch" else 400
    labels = rng.choice(y_train, n_series)

    extra = parse_set(args.set)
    if args.max_epochs is not None:
        extra["max_epochs"] = args.max_epochs
    generated = {}
    for name, params in [("sensegen", {}), ("sensegen (paper head)", {"ar_order": 0})]:
        gen = SenseGenSynthesizer(random_state=0, **{**extra, **params})
        start = time.perf_counter()
        gen.fit(train, y_train)
        fit_s = time.perf_counter() - start
        start = time.perf_counter()
        X, _ = gen.sample_labeled(y=labels, n_timesteps=length, random_state=1)
        speed = X.shape[0] * X.shape[1] / (time.perf_counter() - start)
        generated[name] = (list(X), fit_s, speed)
        print(f"  {name}: fit {fit_s:.0f} s ({len(gen.history_)} epochs), sampling "
              f"{speed:,.0f} timesteps/s ({n_series} series x {length} steps)", flush=True)

    start = time.perf_counter()
    ar = ar_fit_sample(train, y_train, [length] * n_series, labels, rng)
    generated["ar(8)"] = (ar, time.perf_counter() - start, float("nan"))
    shuffle = np.random.default_rng(0)
    generated["shuffled real"] = ([shuffle.permutation(s) for s in test], float("nan"),
                                  float("nan"))

    judge = dict(window=LSTM_WINDOW, max_epochs=args.judge_epochs, random_state=0)
    rows = []
    for name, (series, fit_s, speed) in generated.items():
        Ws, _ = windows(series, LSTM_WINDOW)
        rows.append([name, *judges(train, series, args), *judges(test, series, args),
                     predictive_error(series, test, **judge), spectral_distance(held, Ws),
                     acf_difference(held, Ws), fit_s, speed])
        print(f"  {name}: done", flush=True)

    # controls: real against real
    draws = random_windows(train, WINDOW, 1200, random_state=2)
    half = np.random.RandomState(1).permutation(len(train)) < len(train) // 2
    first = [s for s, h in zip(train, half) if h]
    second = [s for s, h in zip(train, half) if not h]
    train_windows, _ = windows(train, LSTM_WINDOW)
    rows.append(["real: train vs train",
                 window_detection_auc_loss(list(draws[:600]), list(draws[600:]), window=WINDOW),
                 discriminator_accuracy_loss(first, second, **judge),
                 float("nan"), float("nan"), predictive_error(train, test, **judge),
                 spectral_distance(held, train_windows), acf_difference(held, train_windows),
                 float("nan"), float("nan")])
    rows.append(["real: train vs held-out", float("nan"), float("nan"), *judges(test, train, args),
                 float("nan"), float("nan"), float("nan"), float("nan"), float("nan")])
    print(f"\n{dataset}: window-statistics AUC and LSTM accuracy (0.5 = indistinguishable), "
          "predictive MAE (lower is better), spectral TV and ACF differences against held-out "
          "windows")
    print_table(rows, ["model", "window AUC vs train", "LSTM vs train", "window AUC vs held-out",
                       "LSTM vs held-out", "predictive MAE", "spectral TV", "ACF diff", "fit s",
                       "timesteps/s"])
    print("  controls: 'train vs train' is two disjoint draws of training windows (window "
          "judge) and two halves of the training recordings (LSTM judge); its predictive MAE "
          "is train-on-real. 'train vs held-out' is the training recordings judged against "
          "the held-out ones.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="watch,hmp")
    parser.add_argument("--max-epochs", type=int, default=None)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a SenseGenSynthesizer parameter for both SenseGen rows")
    parser.add_argument("--judge-epochs", type=int, default=20)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    for dataset in args.dataset.split(","):
        run(dataset, args)


if __name__ == "__main__":
    main()
