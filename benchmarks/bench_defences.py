"""Membership-inference defences in the privacy paper's regime: a small CNN
that overfits a CIFAR-10 subset, trained with every defence the library ships
and the usual baselines, over several seeds.

Run: python benchmarks/bench_defences.py [--seeds 0,1,2] [--epochs 30]
         [--only NAME,NAME] [--plot PATH] [--results JSON] [--quick]
     python benchmarks/bench_defences.py --replot JSON --plot PATH
     (reads SKLEARN_SYNTH_DATA or ../shared/data; --quick is a smoke run)

Data (cifar10_jpg, per seed): from the 10,000 training images (1,000 per
class), 1,000 members and 1,000 non-members (100 of each class each), and
2,000 test images for accuracy. The other 8,000 training images are not used:
the privacy-domain valuation values the members over its own folds, and the
attacker calibrates its threshold on half of the members and non-members.

Target model everywhere: the library's small CNN (three GroupNorm blocks of
16, 32 and 64 channels and a linear layer, 34k parameters), Adam at 1e-3,
batches of 64, ``--epochs`` epochs: trained with plain cross-entropy it fits
its 1,000 images exactly (train accuracy 1.00, test about 0.46), the regime
where membership leaks.

The figures of the docs: ``--results docs/images/defences_tradeoff.json
--plot docs/images/defences_tradeoff.png``.

Rows: plain cross-entropy; then, every row with random crops and flips (the
paper's setting for every method): cross-entropy, L2 (weight decay 5e-4,
5e-3 and 2e-2), early stopping (10% held out, patience 3), label smoothing 0.1
and 0.3, RelaxLoss (alpha 0.5, 1.0 and 1.5), DP-SGD (epsilon 8, delta 1e-3),
and the privacy-domain method (PrivacyDomainClassifier: CNN valuation over 4
folds, memorization risk, class-conditional conv CycleGAN, transforms of
random strength and fresh PCA-Gaussian fakes every epoch) with its ablations
(transforms only, fakes only) and a variant with two fakes per sample.

Measures, per row, mean and standard deviation over the seeds: test accuracy;
for each of the four threshold attacks (correctness, confidence, entropy,
modified entropy), the ROC AUC, the advantage of a threshold chosen on one
half of the members and non-members and measured on the other (the held-out
advantage: what a calibrated attacker gets), the best-in-hindsight advantage
(an upper bound) and the TPR at 1% FPR. ``--plot`` draws test accuracy
against the held-out modified-entropy advantage of every row.
"""

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _common import machine, print_table  # noqa: E402

ATTACKS = ("correctness", "confidence", "entropy", "modified_entropy")


def load(seed, quick):
    from sklearn_synth.datasets import load_cifar10

    X, y = load_cifar10()
    X_test, y_test = load_cifar10(subset="test")
    rng = np.random.RandomState(seed)
    per_class = 20 if quick else 100
    members, nonmembers = [], []
    for c in range(10):
        pool = rng.permutation(np.flatnonzero(y == c))
        members.append(pool[:per_class])
        nonmembers.append(pool[per_class:2 * per_class])
    members, nonmembers = np.concatenate(members), np.concatenate(nonmembers)
    test = rng.permutation(len(y_test))[: 400 if quick else 2000]

    def images(A):
        return (A.transpose(0, 3, 1, 2) / 255.0).astype(np.float32)

    return (images(X[members]), y[members], images(X[nonmembers]), y[nonmembers],
            images(X_test[test]), y_test[test])


def methods(epochs, seed, quick):
    from sklearn_synth.privacy import (
        CycleGANPrivacyTransformer,
        DPSGDClassifier,
        PrivacyDomainClassifier,
        PrivacyValuator,
        RelaxLossClassifier,
    )

    net = {"max_epochs": epochs, "random_state": seed}
    aug = {**net, "augment": "crop_flip"}

    def domain(**kwargs):
        # the valuator takes rows: its CNN is told their image shape
        valuator = PrivacyValuator(RelaxLossClassifier(alpha=0.0, image_shape=(3, 32, 32), **aug),
                                   n_models=4, reference_fraction=0.25)
        gan = CycleGANPrivacyTransformer(valuator=valuator, max_epochs=2 if quick else 30)
        return PrivacyDomainClassifier(gan, **aug, **kwargs)

    return {
        "CE": lambda: RelaxLossClassifier(alpha=0.0, **net),
        "CE + crop/flip": lambda: RelaxLossClassifier(alpha=0.0, **aug),
        "L2 5e-4": lambda: RelaxLossClassifier(alpha=0.0, weight_decay=5e-4, **aug),
        "L2 5e-3": lambda: RelaxLossClassifier(alpha=0.0, weight_decay=5e-3, **aug),
        "L2 2e-2": lambda: RelaxLossClassifier(alpha=0.0, weight_decay=2e-2, **aug),
        "early stopping": lambda: RelaxLossClassifier(alpha=0.0, patience=3, **aug),
        "label smoothing 0.1": lambda: RelaxLossClassifier(alpha=0.0, label_smoothing=0.1, **aug),
        "label smoothing 0.3": lambda: RelaxLossClassifier(alpha=0.0, label_smoothing=0.3, **aug),
        "RelaxLoss 0.5": lambda: RelaxLossClassifier(alpha=0.5, **aug),
        "RelaxLoss 1.0": lambda: RelaxLossClassifier(alpha=1.0, **aug),
        "RelaxLoss 1.5": lambda: RelaxLossClassifier(alpha=1.5, **aug),
        "DP-SGD eps 8": lambda: DPSGDClassifier(epsilon=8.0, delta=1e-3, **aug),
        "privacy domain": lambda: domain(),
        "  transforms only": lambda: domain(fake_ratio=0.0),
        "  fakes only": lambda: domain(strength=(0.0, 0.0)),
        "  two fakes per sample": lambda: domain(fake_ratio=2.0),
    }


def measure(clf, X_mem, y_mem, X_non, y_non, X_test, y_test):
    from sklearn_synth.metrics import membership_attack_report

    report = membership_attack_report(clf, X_mem, y_mem, X_non, y_non)
    return {"accuracy": clf.score(X_test, y_test), "train accuracy": clf.score(X_mem, y_mem),
            **{f"{a}:{k}": report.loc[a, k] for a in ATTACKS for k in report.columns}}


def summarise(results, names):
    """Mean and standard deviation over the seeds, per row."""
    out = {}
    for name in names:
        runs = [r[name] for r in results if name in r]
        out[name] = {k: (float(np.mean([r[k] for r in runs])), float(np.std([r[k] for r in runs])))
                     for k in runs[0]}
    return out


def _pm(pair, digits=3):
    return f"{pair[0]:.{digits}f} ± {pair[1]:.{digits}f}"


def report(summary):
    rows = [[name, _pm(s["accuracy"]), _pm(s["train accuracy"], 2),
             _pm(s["modified_entropy:held_out_advantage"]), _pm(s["modified_entropy:advantage"]),
             _pm(s["modified_entropy:auc"]), _pm(s["modified_entropy:tpr_at_1pct_fpr"]),
             f"{s['seconds'][0]:.0f}"]
            for name, s in summary.items()]
    print("\ntest accuracy and the modified-entropy attack (mean ± std over seeds)")
    print_table(rows, ["method", "test acc", "train acc", "held-out adv", "hindsight adv",
                       "AUC", "TPR@1%FPR", "s"])
    rows = [[name, *[_pm(s[f"{a}:held_out_advantage"]) for a in ATTACKS],
             *[f"{s[f'{a}:auc'][0]:.3f}" for a in ATTACKS]] for name, s in summary.items()]
    print("\nheld-out advantage and AUC of every attack")
    print_table(rows, ["method", *[f"adv {a}" for a in ATTACKS], *[f"AUC {a}" for a in ATTACKS]])
    base = summary.get("CE + crop/flip")
    if base is not None:
        print("\nagainst CE + crop/flip (target: >= 30% lower m-entropy advantage, <= 3 points "
              "of accuracy lost)")
        b_adv, b_acc = base["modified_entropy:held_out_advantage"][0], base["accuracy"][0]
        for name, s in summary.items():
            adv, acc = s["modified_entropy:held_out_advantage"][0], s["accuracy"][0]
            print(f"  {name}: advantage {100 * (1 - adv / b_adv):+.0f}% lower, accuracy "
                  f"{100 * (acc - b_acc):+.1f} points")


def plot(summary, path):
    """Test accuracy against the held-out modified-entropy advantage: every row
    on the left, the crowded middle enlarged on the right."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (whole, zoom) = plt.subplots(1, 2, figsize=(11, 5), gridspec_kw={"width_ratios": [1, 1.6]})
    curves = {"L2": ["CE + crop/flip", "L2 5e-4", "L2 5e-3", "L2 2e-2"],
              "RelaxLoss": ["CE + crop/flip", "RelaxLoss 0.5", "RelaxLoss 1.0", "RelaxLoss 1.5"],
              "label smoothing": ["CE + crop/flip", "label smoothing 0.1", "label smoothing 0.3"]}
    middle = {n: s for n, s in summary.items() if s["modified_entropy:held_out_advantage"][0] > 0.1
              and s["accuracy"][0] > 0.44 and n != "CE"}
    markers = "osD^v<>pP*Xhd"
    style = {name: (markers[i % len(markers)], plt.cm.tab20(i % 20)) for i, name in enumerate(summary)}
    for ax, rows in ((whole, summary), (zoom, middle)):
        for label, names in curves.items():
            names = [n for n in names if n in rows]
            ax.plot([rows[n]["accuracy"][0] for n in names],
                    [rows[n]["modified_entropy:held_out_advantage"][0] for n in names],
                    "-", color="grey", alpha=0.4, lw=1)
        for name, s in rows.items():
            x, y = s["accuracy"], s["modified_entropy:held_out_advantage"]
            marker, color = style[name]
            ax.errorbar(x[0], y[0], xerr=x[1], yerr=y[1], fmt=marker, capsize=2,
                        label=name.strip(), color=color, alpha=0.9)
        ax.set_xlabel("test accuracy (mean and std over seeds)")
    for name in set(summary) - set(middle):
        s = summary[name]
        whole.annotate(name.strip(), (s["accuracy"][0], s["modified_entropy:held_out_advantage"][0]),
                       fontsize=8, xytext=(4, 4), textcoords="offset points")
    whole.set_ylabel("modified-entropy advantage (held-out threshold)")
    whole.set_title("every row", fontsize=10)
    zoom.set_title("the middle enlarged (grey lines: L2, RelaxLoss and label-smoothing "
                   "curves)", fontsize=9)
    zoom.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.suptitle("CIFAR-10, 1,000 members, small CNN: lower right is better", fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"figure: {path}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--only", default=None, help="comma-separated row names")
    parser.add_argument("--plot", default=None)
    parser.add_argument("--results", default=None,
                        help="write the per-row summary to this JSON file")
    parser.add_argument("--replot", default=None,
                        help="draw --plot from a JSON file of --results, without training")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.replot:
        summary = json.loads(Path(args.replot).read_text())
        report(summary)
        plot(summary, args.plot)
        return
    print(f"machine: {machine()}")
    warnings.filterwarnings("ignore", category=UserWarning)
    seeds = [int(s) for s in args.seeds.split(",")]
    epochs = 2 if args.quick else args.epochs
    results, names = [], None
    for seed in seeds:
        data = load(seed, args.quick)
        rows = methods(epochs, seed, args.quick)
        if args.only:
            rows = {k: v for k, v in rows.items() if k.strip() in args.only.split(",")}
        names = list(rows)
        print(f"\nseed {seed}: {len(data[1])} members, {len(data[3])} non-members, "
              f"{len(data[5])} test images", flush=True)
        result = {}
        for name, make in rows.items():
            start = time.perf_counter()
            clf = make().fit(data[0], data[1])
            result[name] = {**measure(clf, *data), "seconds": time.perf_counter() - start}
            r = result[name]
            print(f"  {name}: accuracy {r['accuracy']:.3f} (train {r['train accuracy']:.3f}), "
                  f"m-entropy held-out advantage {r['modified_entropy:held_out_advantage']:.3f}, "
                  f"AUC {r['modified_entropy:auc']:.3f} ({r['seconds']:.0f} s)", flush=True)
        results.append(result)
    summary = summarise(results, names)
    if args.results:
        Path(args.results).write_text(json.dumps(summary, indent=1))
    report(summary)
    if args.plot:
        plot(summary, args.plot)


if __name__ == "__main__":
    main()
