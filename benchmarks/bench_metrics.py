"""Cost of every metric on 20,000 rows x 23 columns (the CIC-IDS2017 flow sample).

Run: python benchmarks/bench_metrics.py   (reads SKLEARN_SYNTH_DATA or ../shared/data)

Real training rows (20,000), real held-out rows and independent-column
synthetic rows (DummySynthesizer) of the same size; prints seconds per metric
and the figures themselves, with bootstrap rows as the copying reference.
"""

import os
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

sys.path.insert(0, str(Path(__file__).parent))
from _common import machine, print_table  # noqa: E402

from sklearn_synth.datasets import load_network_flows  # noqa: E402
from sklearn_synth.generators import DummySynthesizer  # noqa: E402
from sklearn_synth.metrics import (  # noqa: E402
    column_distances,
    correlation_difference,
    detection_auc_loss,
    distance_attack,
    distance_to_closest_record,
    evaluate,
    exact_copy_rate,
    inlier_rate_score,
    train_synthetic_test_real,
)


def timed(func):
    start = time.perf_counter()
    value = func()
    return time.perf_counter() - start, value


def main():
    if not os.environ.get("SKLEARN_SYNTH_DATA"):
        os.environ["SKLEARN_SYNTH_DATA"] = str(Path(__file__).resolve().parents[2] / "shared" / "data")
    X, y = load_network_flows(features="paper", return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, train_size=20_000, stratify=y, random_state=0
    )
    print(f"train {X_train.shape}, held-out {X_test.shape}; machine: {machine()}\n")
    rows = []
    for name, strategy in [("independent", "independent"), ("bootstrap", "bootstrap")]:
        gen = DummySynthesizer(strategy, random_state=0).fit(X_train, y_train)
        X_syn, y_syn = gen.sample_labeled(20_000, random_state=0)
        figures = [
            ("inlier rate rbf (synthetic / real held-out)",
             lambda: inlier_rate_score(X_train, X_syn, X_test)),
            ("inlier rate paper (synthetic / real held-out)",
             lambda: inlier_rate_score(X_train, X_syn, X_test, method="paper")),
            ("detection AUC (RF, 5-fold)", lambda: detection_auc_loss(X_test, X_syn)),
            ("column distances (mean KS)", lambda: column_distances(X_test, X_syn)["distance"].mean()),
            ("correlation difference", lambda: float(np.nanmean(correlation_difference(X_test, X_syn).to_numpy()))),
            ("TSTR macro-F1 / TRTR", lambda: train_synthetic_test_real(X_syn, y_syn, X_test, y_test, X_train, y_train)),
            ("exact-copy rate", lambda: exact_copy_rate(X_train, X_syn)),
            ("distance to closest record", lambda: distance_to_closest_record(X_train, X_syn, X_test)),
            ("distance-attack advantage", lambda: distance_attack(X_train, X_test, X_syn)[0]),
        ]
        for label, func in figures:
            seconds, value = timed(func)
            if isinstance(value, dict):
                keys = {"synthetic", "real_heldout", "tstr", "trtr", "synthetic_median", "heldout_median"}
                value = ", ".join(f"{k}={v:.3f}" for k, v in value.items() if k in keys)
            elif isinstance(value, float):
                value = f"{value:.4f}"
            rows.append([name, label, seconds, value])
        seconds, _ = timed(lambda: evaluate(X_test, X_syn, y_test, y_syn, X_train=X_train, y_train=y_train))
        rows.append([name, "evaluate() (everything above)", seconds, ""])
    print_table(rows, ["synthetic rows", "metric", "seconds", "value"])


if __name__ == "__main__":
    main()
