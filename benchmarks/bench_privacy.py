"""The privacy-domain CycleGAN defence against membership inference, next to
simple baselines, all measured in the same run.

Run: python benchmarks/bench_privacy.py [--dataset mnist,cic] [--members 2000]
         [--gan-epochs N] [--fake-ratio R]
     (reads SKLEARN_SYNTH_DATA or ../shared/data)

Membership setting: members = a small training set that an undefended model
memorizes; non-members = as many other samples of the same distribution;
accuracy on a further test set; the valuation gets its own reference set.
- mnist: 2,000 of the official test digits as members, 2,000 others as
  non-members, 4,000 for accuracy, 2,000 as the reference set of the
  threshold valuation (for the overlap ratios); pixels scaled to [0, 1]; the
  CycleGAN is convolutional on 28 x 28 images, class-conditional, and the
  fake candidates come from PCAGaussianSynthesizer (the library's defaults
  for images).
- cic: the CIC-IDS2017 sample, the paper's 23 features (quantile-normalised),
  the same split sizes; MLP CycleGAN; fake candidates from
  SequenceLMSynthesizer (the library's default for tables).

Target model everywhere: sklearn's MLPClassifier with one 256-unit layer,
200 epochs of Adam (random_state=0). The method's privacy levels come from the
library's default valuation (5 runs over 5 folds of the members, memorization
risk). Methods:
- undefended: trained on the members;
- L2 (alpha=1.0) and early stopping (10% validation split): the baselines;
- real + fake: the members plus as many fakes (candidates through G_s2r),
  no transformation of real samples (the ablation);
- transformed real only: non-safe members moved by G_r2s, no fakes (ablation);
- full method: non-safe members moved by G_r2s, plus as many fakes.
Figures: test accuracy, and the membership advantage (max TPR - FPR) of the
correctness, confidence, entropy and modified-entropy attacks on members vs
non-members, with the ROC AUC of the best attack. Valuation: the overlap
ratio of the top 25% and 50% safest samples over the 5 runs.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import machine, print_table  # noqa: E402


def load(dataset, members):
    rng = np.random.RandomState(0)
    if dataset == "mnist":
        from sklearn_synth.datasets import load_mnist

        X, y = load_mnist()
        X = X.astype(np.float32) / 255.0
    else:
        from sklearn.preprocessing import QuantileTransformer

        from sklearn_synth.datasets import load_network_flows

        X, y = load_network_flows(features="paper", return_X_y=True)
        X = QuantileTransformer(output_distribution="normal", random_state=0).fit_transform(X)
        X, y = X.astype(np.float32), y.to_numpy()
    order = rng.permutation(len(y))
    parts = np.split(order[: 5 * members], [members, 2 * members, 3 * members])
    mem, non, ref, test = parts
    return X[mem], y[mem], X[non], y[non], X[ref], y[ref], X[test], y[test]


def mlp(**kwargs):
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(hidden_layer_sizes=(256,), max_iter=200, random_state=0, **kwargs)


def evaluate(name, clf, X_mem, y_mem, X_non, y_non, X_test, y_test, seconds):
    from sklearn_synth.metrics import membership_attack_report

    flat = lambda X: X.reshape(len(X), -1)  # noqa: E731
    report = membership_attack_report(clf, flat(X_mem), y_mem, flat(X_non), y_non)
    accuracy = clf.score(flat(X_test), y_test)
    best = report["advantage"].idxmax()
    print(f"  {name}: accuracy {accuracy:.3f}, m-entropy advantage "
          f"{report.loc['modified_entropy', 'advantage']:.3f} ({seconds:.0f} s)", flush=True)
    return [name, accuracy, *report["advantage"].round(4).tolist(), f"{best} {report.loc[best, 'auc']:.3f}",
            seconds]


def run(dataset, args):
    from sklearn_synth.generators import SequenceLMSynthesizer
    from sklearn_synth.privacy import (
        CycleGANPrivacyTransformer,
        PrivacyDomainResampler,
        PrivacyValuator,
    )

    X_mem, y_mem, X_non, y_non, X_ref, y_ref, X_test, y_test = load(dataset, args.members)
    flat = lambda X: X.reshape(len(X), -1)  # noqa: E731
    print(f"\n{dataset}: {len(y_mem)} members, {len(y_non)} non-members, {len(y_test)} test", flush=True)
    rows = []
    for name, clf in [("undefended", mlp()), ("L2 alpha=1.0", mlp(alpha=1.0)),
                      ("early stopping", mlp(early_stopping=True))]:
        start = time.perf_counter()
        clf.fit(flat(X_mem), y_mem)
        rows.append(evaluate(name, clf, X_mem, y_mem, X_non, y_non, X_test, y_test,
                             time.perf_counter() - start))

    threshold = PrivacyValuator(mlp(), n_models=5, random_state=0)
    threshold.fit(flat(X_mem), y_mem, X_reference=flat(X_ref), y_reference=y_ref)
    overlaps = {f"top {int(e * 100)}%": threshold.overlap_ratio(0, e) for e in (0.25, 0.5)}
    print(f"  threshold valuation: overlap ratios {overlaps} (chance {0.25 ** 4:.4f} and "
          f"{0.5 ** 4:.4f}), advantages per run "
          f"{np.round(threshold.attack_advantages_, 3).tolist()}", flush=True)
    start = time.perf_counter()
    valuator = PrivacyValuator(mlp(), n_models=5, random_state=0, verbose=1)
    valuator.fit(flat(X_mem), y_mem)
    valuation_s = time.perf_counter() - start
    print(f"  memorization valuation: {valuation_s:.0f} s", flush=True)

    images = X_mem.reshape(len(X_mem), 1, 28, 28) if dataset == "mnist" else X_mem
    fake = None if dataset == "mnist" else SequenceLMSynthesizer(max_epochs=args.lm_epochs)
    transformer = CycleGANPrivacyTransformer(
        max_epochs=args.gan_epochs, fake_generator=fake, random_state=0)
    variants = [("real + fake", False, args.fake_ratio), ("transformed real only", True, 0.0),
                ("full method", True, args.fake_ratio)]
    for name, transform_real, fake_ratio in variants:
        start = time.perf_counter()
        sampler = PrivacyDomainResampler(transformer, fake_ratio=fake_ratio,
                                         transform_real=transform_real, random_state=0)
        X_res, y_res = sampler.fit_resample(images, y_mem, privacy_levels=valuator.privacy_levels_)
        clf = mlp().fit(flat(X_res), y_res)
        rows.append(evaluate(name, clf, X_mem, y_mem, X_non, y_non, X_test, y_test,
                             time.perf_counter() - start + valuation_s))
    print(f"\n{dataset}: test accuracy and membership advantage per attack (members vs non-members)")
    print_table(rows, ["method", "accuracy", "correctness", "confidence", "entropy",
                       "m-entropy", "best attack AUC", "seconds"])
    base = rows[0][5]
    full = rows[-1][5]
    print(f"  modified-entropy advantage: full method {full:.4f} vs undefended {base:.4f} "
          f"({100 * (1 - full / base):.1f}% lower; target >= 30%), accuracy change "
          f"{100 * (rows[-1][1] - rows[0][1]):+.1f} points (target >= -3), L2 {rows[1][5]:.4f}")
    print(f"  valuation overlap ratios over 5 runs: {overlaps}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="mnist,cic")
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--gan-epochs", type=int, default=50)
    parser.add_argument("--fake-ratio", type=float, default=1.0)
    parser.add_argument("--lm-epochs", type=int, default=10)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    warnings.filterwarnings("ignore", category=UserWarning)
    from sklearn.exceptions import ConvergenceWarning

    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    for dataset in args.dataset.split(","):
        run(dataset, args)


if __name__ == "__main__":
    main()
