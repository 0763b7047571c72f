"""Anchor benchmark: sklearn-synth's generators against TabularARGN and SDV's
GaussianCopula, CTGAN and TVAE, on the same splits, in one run.

Needs the ``bench`` extra (``pip install torch==2.13.0 && pip install
".[bench]"``, which installs SDV and mostlyai-engine; remove torchvision and
torchaudio if pip brings builds that do not match torch) and the shared data
(``SKLEARN_SYNTH_DATA``).

Tables: the CIC-IDS2017 sample (the paper's 23 features + label), KDD'99
10% (41 columns, 3 categorical, + label; each class capped at 2,000 rows) and
scikit-learn's breast cancer table (569 rows, 30 numeric columns, 2 classes:
a small table).
70/30 stratified split (seed 0). Each model is fitted on the training part in
a fresh process (fit seconds, sampling rows/s on 20,000 rows, peak RSS of that
process), then its synthetic table (as many rows as the training part, labels
generated jointly with the features) is judged by
``sklearn_synth.metrics.evaluate`` against the held-out part: detection AUC
(0.5 is best), calibrated inlier rate, TSTR macro-F1 / TRTR (random forest),
mean KS of numeric columns, mean |correlation difference|, and the distance
membership attack's advantage.

The judges also count the synthetic rows that break an exact relation of the
training table (``sklearn_synth.preprocessing.find_relations``: orderings,
equations, implications).

TabularARGN (``mostlyai-engine``, MOSTLY AI's open-source engine, the closest
peer) runs at its defaults (value protection on, no differential privacy).
Budgets: SDV models at their defaults, which SDV's documentation recommends
as the starting point (GaussianCopula: no training loop; CTGAN and TVAE: 300
epochs, batch 500); ours at their defaults (SequenceLMSynthesizer: the RNN,
50 epochs with early stopping), plus the independent-columns baseline.

    python benchmarks/bench_anchors.py                   # both tables, all models
    python benchmarks/bench_anchors.py --tables cic --models sequence_lm,gaussian_copula
    python benchmarks/bench_anchors.py --tables cic,kdd,breast_cancer --models sequence_lm,tabular_argn
"""

import argparse
import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import add_child_arguments, machine, run_matrix  # noqa: E402

MODELS = ["sequence_lm", "dummy", "tabular_argn", "gaussian_copula", "ctgan", "tvae"]
LABEL = "label"


def load_table(name):
    from sklearn.model_selection import train_test_split

    from sklearn_synth.datasets import load_demo_table, load_kddcup99, load_network_flows

    if name == "cic":
        X, y = load_network_flows(features="paper", return_X_y=True)
    elif name == "breast_cancer":
        data = load_demo_table("breast_cancer")
        X, y = data.drop(columns="label"), data["label"]
    else:
        X, y = load_kddcup99(return_X_y=True)
        keep = pd.Series(np.arange(len(y))).groupby(np.asarray(y)).head(2000).to_numpy()
        X, y = X.iloc[np.sort(keep)].reset_index(drop=True), np.asarray(y)[np.sort(keep)]
    y = pd.Series(np.asarray(y).astype(str), name=LABEL)
    counts = y.value_counts()
    rare = y.isin(counts[counts < 2].index)  # a class of one row cannot be stratified
    X, y = X[~rare.to_numpy()].reset_index(drop=True), y[~rare].reset_index(drop=True)
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)


def fit_one(model, table, out):
    """Child process: fit one model, time sampling, write its synthetic table."""
    X_train, _, y_train, _ = load_table(table)
    frame = X_train.assign(**{LABEL: y_train.to_numpy()}).reset_index(drop=True)
    n = len(frame)
    start = time.perf_counter()
    if model in ("sequence_lm", "dummy"):
        from sklearn_synth.generators import DummySynthesizer, SequenceLMSynthesizer

        gen = (SequenceLMSynthesizer if model == "sequence_lm" else DummySynthesizer)(random_state=0)
        gen.fit(X_train.reset_index(drop=True), y_train.to_numpy())
        fit_s = time.perf_counter() - start

        def draw(k, seed):
            X_s, y_s = gen.sample_labeled(k, random_state=seed)
            return X_s.assign(**{LABEL: y_s})
    elif model == "tabular_argn":
        import tempfile

        from mostlyai.engine import TabularARGN

        workspace = tempfile.TemporaryDirectory()
        frame = frame.astype({c: object for c in frame.select_dtypes(include="category").columns})
        gen = TabularARGN(random_state=0, workspace_dir=workspace.name).fit(frame)
        fit_s = time.perf_counter() - start

        def draw(k, seed):
            return gen.sample(n_samples=k)
    else:
        from sdv.metadata import Metadata
        from sdv.single_table import (
            CTGANSynthesizer,
            GaussianCopulaSynthesizer,
            TVAESynthesizer,
        )

        # SDV's neural models refuse pandas categoricals: give it their values as objects
        categorical = frame.select_dtypes(include="category").columns
        frame = frame.astype({c: object for c in categorical})
        metadata = Metadata.detect_from_dataframes({"flows": frame}, infer_keys=None)
        cls = {"gaussian_copula": GaussianCopulaSynthesizer, "ctgan": CTGANSynthesizer,
               "tvae": TVAESynthesizer}[model]
        gen = cls(metadata)
        gen.fit({"flows": frame})  # SDV 2 takes {table name: frame}
        fit_s = time.perf_counter() - start

        def draw(k, seed):
            out = gen.sample(num_rows=k)
            return out["flows"] if isinstance(out, dict) else out
    draw(1000, 1)  # warm-up
    start = time.perf_counter()
    draw(20_000, 2)
    rows_per_s = 20_000 / (time.perf_counter() - start)
    synth = draw(n, 0)
    synth.to_parquet(out)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"fit_s": fit_s, "rows_per_s": rows_per_s, "peak_mib": peak}))


def judge(table, synth):
    from sklearn_synth.metrics import evaluate
    from sklearn_synth.preprocessing import find_relations, relation_violations

    X_train, X_test, y_train, y_test = load_table(table)
    y_synth = synth.pop(LABEL).astype(str).to_numpy()
    synth = synth[X_train.columns].astype(X_train.dtypes.to_dict(), errors="ignore")
    report = evaluate(X_test, synth, y_test.to_numpy(), y_synth, X_train=X_train,
                      y_train=y_train.to_numpy(), random_state=0)
    s = report.summary.set_index("metric")["value"]
    relations = find_relations(X_train)
    return {
        "detection AUC": s["detection AUC"],
        "inlier calibrated": s["inlier rate calibrated (rbf)"],
        "TSTR/TRTR": s["TSTR / TRTR"],
        "mean KS": s["mean KS (numeric)"],
        "corr diff": s["mean |correlation difference|"],
        "attack adv": s["distance-attack advantage"],
        # the exact relations of the training table (find_relations) a synthetic row breaks
        "breaks relation": float(relation_violations(synth, relations).any(axis=1).mean()),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", default="cic,kdd,breast_cancer")
    parser.add_argument("--models", default=",".join(MODELS))
    add_child_arguments(parser)
    args = parser.parse_args()
    if args.one:
        fit_one(args.one, args.table, args.out)
        return

    print(f"Machine: {machine()}; {time.strftime('%Y-%m-%d')}", flush=True)
    run_matrix(__file__, args.tables.split(","), args.models.split(","), load_table, judge,
               lambda name, timing, quality: [name, timing["fit_s"], timing["rows_per_s"],
                                              timing["peak_mib"], *quality.values()],
               ["model", "fit s", "rows/s", "peak MiB", "detect AUC", "inlier cal",
                "TSTR/TRTR", "mean KS", "corr diff", "attack adv", "breaks relation"])


if __name__ == "__main__":
    main()
