"""SenseGenSynthesizer on real sensor recordings, with baselines and controls
measured in the same run.

Run: python benchmarks/bench_sensegen.py [--dataset watch,hmp] [--max-epochs N]
         [--window W] [--judge-epochs N]
     (hmp reads SKLEARN_SYNTH_DATA or ../shared/data; watch ships with seglearn)

Data: the smartwatch IMU recordings inside seglearn (6 channels, 50 Hz, 7
exercises, 140 recordings) and the HMP wrist accelerometer set (3 axes, 32 Hz,
14 activities, 839 recordings). 80% of the recordings (stratified by
activity) train the models; the rest are held out.

Models, all class-conditional on the activity where they can be:
- sensegen: SenseGenSynthesizer with its defaults (the paper's 3 x 128 LSTM,
  32-unit dense layer, 24 components), fitted on the training recordings with
  their activities; it then generates one recording per held-out recording
  (same activity, same length), which is cut into windows like the real ones.
- ar: an autoregressive model of order 8 per channel and activity, least
  squares on the training recordings, driven by Gaussian noise.
- shuffled: the held-out windows with their timesteps shuffled (same values,
  no dynamics): a judge that cannot catch these is too weak to mean anything.

Judges on windows of W steps (default 64), every recording entirely on one
side of the judge's own train/test split:
- "vs held-out": synthetic windows against the held-out recordings' windows,
  next to the control "train vs held-out" (real windows of the training
  recordings against the held-out ones: the gap between recordings, which a
  model of the training recordings inherits).
- "vs train": synthetic windows against fresh windows of the training
  recordings (cut at a half-window offset), next to the control
  "train vs train" (two disjoint halves of the training recordings).
The issue's target (<= 0.60) is read on "vs train", where the control is near
0.5; "vs held-out" is reported with its own control.

Also: the predictive score (one-step GRU trained on each model's windows,
tested on held-out real windows; lower is better) next to training on the
real training windows; per-channel spectral distance (total variation between
the mean normalized periodograms) and autocorrelation difference (mean
absolute difference of lags 1-16) against the held-out windows; fit seconds;
sampled timesteps per second.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import machine, print_table  # noqa: E402

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


def run(dataset, args):
    from sklearn_synth.generators import SenseGenSynthesizer
    from sklearn_synth.metrics import discriminator_accuracy_loss, predictive_error

    train, y_train, test, y_test = load(dataset)
    W = args.window
    print(f"\n{dataset}: {len(train)} training and {len(test)} held-out recordings, "
          f"{train[0].shape[1]} channels, window {W}", flush=True)
    held, _ = windows(test, W)
    rng = np.random.RandomState(0)
    lengths = [len(s) for s in test]

    generated = {}
    extra = {} if args.max_epochs is None else {"max_epochs": args.max_epochs}
    gen = SenseGenSynthesizer(random_state=0, verbose=0, **extra)
    start = time.perf_counter()
    gen.fit(train, y_train)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    # one batch at the longest held-out length, each recording then cut to its own length
    X, _ = gen.sample_labeled(y=y_test, n_timesteps=max(lengths), random_state=1)
    synth = [x[:n] for x, n in zip(X, lengths)]
    sample_s = time.perf_counter() - start
    steps = len(lengths) * max(lengths)
    generated["sensegen"] = (synth, fit_s, steps / sample_s, len(gen.history_))
    print(f"  sensegen: fit {fit_s:.0f} s ({len(gen.history_)} epochs), sampling "
          f"{steps / sample_s:,.0f} timesteps/s ({len(lengths)} series x {max(lengths)} steps)",
          flush=True)

    start = time.perf_counter()
    ar = ar_fit_sample(train, y_train, lengths, y_test, rng)
    generated["ar(8)"] = (ar, time.perf_counter() - start, float("nan"), 0)

    judge = dict(window=W, max_epochs=args.judge_epochs, random_state=0)
    # the judges get whole recordings and cut the windows themselves, so that every
    # recording sits on one side of their train/test split
    shifted = [s[W // 2:] for s in train if len(s) - W // 2 >= W]  # fresh windows of training recordings
    rows = []
    for name, (series, fit_s, speed, epochs) in generated.items():
        Ws, _ = windows(series, W)
        rows.append([
            name,
            discriminator_accuracy_loss(test, series, **judge),
            discriminator_accuracy_loss(shifted, series, **judge),
            predictive_error(series, test, **judge),
            spectral_distance(held, Ws),
            acf_difference(held, Ws),
            fit_s,
            speed,
        ])
        print(f"  {name}: done", flush=True)
    shuffled = np.random.default_rng(0).permuted(held, axis=1)
    rows.append(["shuffled real", discriminator_accuracy_loss(test, shuffled, **judge),
                 float("nan"), predictive_error(shuffled, test, **judge),
                 spectral_distance(held, shuffled), acf_difference(held, shuffled),
                 float("nan"), float("nan")])
    train_windows, _ = windows(train, W)
    half = np.random.RandomState(1).permutation(len(train)) < len(train) // 2
    first = [s for s, h in zip(train, half) if h]
    second = [s for s, h in zip(train, half) if not h]
    rows.append(["real (controls)", discriminator_accuracy_loss(test, train, **judge),
                 discriminator_accuracy_loss(first, second, **judge),
                 predictive_error(train, test, **judge),
                 spectral_distance(held, train_windows), acf_difference(held, train_windows),
                 float("nan"), float("nan")])
    print(f"\n{dataset}: discriminator accuracy (0.5 = indistinguishable), predictive MAE "
          "(lower is better), spectral TV and ACF differences against held-out windows")
    print_table(rows, ["model", "disc vs held-out", "disc vs train", "predictive MAE",
                       "spectral TV", "ACF diff", "fit s", "timesteps/s"])
    print("  real (controls): 'disc vs held-out' is train-vs-held-out recordings, 'disc vs train' is "
          "two halves of the training recordings, predictive MAE is train-on-real.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="watch,hmp")
    parser.add_argument("--max-epochs", type=int, default=None)
    parser.add_argument("--window", type=int, default=64)
    parser.add_argument("--judge-epochs", type=int, default=20)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    for dataset in args.dataset.split(","):
        run(dataset, args)


if __name__ == "__main__":
    main()
