"""SequenceLMSynthesizer on the CIC-IDS2017 sample: quality and speed of each
architecture next to baselines measured in the same run.

Run: python benchmarks/bench_sequence_lm.py [--only rnn,transformer] [--max-epochs N]
         [--set NAME=VALUE ...]
     (reads SKLEARN_SYNTH_DATA or ../shared/data)

``--set`` changes a parameter of the language models (``--set hidden_size=64
--set n_bins=49``, ``--set dropout=0``, ``--set min_class_rows=0``,
``--set sample_dtype=bfloat16``). ``--only binned-49,binned-200`` measures the
encoding alone: training rows (as many as are held out) encoded and decoded
by a binner of that many bins; the bootstrap baseline is the same without the
encoding.

Paper's 23 features + label, stratified 80/20 split. Every model is fitted in a
fresh subprocess (so its peak memory is its own) with default parameters and
the label as condition; it then generates one labeled row per held-out row
(the held-out labels) and 100,000 rows for the speed figure. Baselines: the
independent per-column sampler (marginals, no correlations) and the bootstrap
of the training rows (perfect fidelity, copies real rows).

Figures: fit seconds, sampling rows/s, peak RSS; detection AUC (random forest,
real held-out vs synthetic, 0.5 = indistinguishable); inlier rate under an RBF
one-class SVM on quantile-normalised features and under the paper's poly
kernel, next to the real held-out rate; TSTR macro-F1 (random forest) and its
ratio to train-on-real; mean per-column KS; exact copies of training rows
(next to the held-out rows' own overlap with the training rows).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import machine, parse_set, print_table  # noqa: E402

MODELS = ["independent", "bootstrap", "rnn", "transformer", "wavenet"]


def _data():
    from sklearn.model_selection import train_test_split

    from sklearn_synth.datasets import load_network_flows

    X, y = load_network_flows(features="paper", return_X_y=True)
    return train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)


def _binned_real(n_bins, X_train, y_train, n_rows):
    """Training rows through an ``n_bins`` encoding, as many as are held out: a
    generator that reproduces its training rows up to the encoding. Compare
    with the bootstrap baseline (the same rows, not encoded)."""
    import numpy as np

    from sklearn_synth.preprocessing import SymbolicBinner

    rows = np.random.RandomState(0).choice(len(X_train), n_rows, replace=False)
    binner = SymbolicBinner(n_bins=n_bins, random_state=0).fit(X_train)
    X = X_train.iloc[rows]
    return binner.inverse_transform(binner.transform(X)), y_train.to_numpy()[rows]


def _relation_figures(gen, X_syn, X_test, y_test):
    """Relations found, the share of rows breaking one (synthetic, held-out real),
    and the same fitted model's rows with and without the relations kept (its
    ``relations_`` emptied for those draws: the ablation without a second
    fit), detection AUC over three sampling seeds each."""
    import numpy as np

    from sklearn_synth.metrics import detection_auc_loss
    from sklearn_synth.preprocessing import find_relations, relation_violations

    # the baselines keep none; judge them by the relations of the training table
    relations = getattr(gen, "relations_", None)
    kept = relations is not None
    if relations is None:
        relations = find_relations(_data()[0])
    out = {
        "n_relations": len(relations),
        "broken_rows": float(relation_violations(X_syn, relations).any(axis=1).mean()),
        "heldout_broken_rows": float(relation_violations(X_test, relations).any(axis=1).mean()),
    }
    if kept and relations:
        for label, kept_relations in (("with", relations), ("without", [])):
            gen.relations_ = kept_relations
            aucs = [detection_auc_loss(X_test, gen.sample_labeled(y=y_test.to_numpy(),
                                                                  random_state=seed)[0])
                    for seed in (10, 11, 12)]
            out[f"auc_{label}_mean"], out[f"auc_{label}_std"] = np.mean(aucs), np.std(aucs)
        start = time.perf_counter()
        gen.sample(100_000, random_state=2)
        out["rows_per_s_without"] = 100_000 / (time.perf_counter() - start)
        X_free, _ = gen.sample_labeled(y=y_test.to_numpy(), random_state=0)
        gen.relations_ = relations
        out["broken_rows_without"] = float(
            relation_violations(X_free, relations).any(axis=1).mean())
        out["detection_auc_without"] = detection_auc_loss(X_test, X_free)
    return out


def run_one(name, max_epochs, params):
    from sklearn_synth.generators import DummySynthesizer, SequenceLMSynthesizer
    from sklearn_synth.metrics import (
        column_distances,
        detection_auc_loss,
        exact_copy_rate,
        inlier_rate_score,
        train_synthetic_test_real,
    )

    X_train, X_test, y_train, y_test = _data()
    if name.startswith("binned-"):
        gen, fit_s, rows_per_s = None, 0.0, float("nan")
        X_syn, y_syn = _binned_real(int(name.split("-")[1]), X_train, y_train, len(X_test))
    else:
        if name in ("independent", "bootstrap"):
            gen = DummySynthesizer(name, random_state=0)
        else:
            extra = {} if max_epochs is None else {"max_epochs": max_epochs}
            gen = SequenceLMSynthesizer(name, random_state=0, **{**extra, **params})
        start = time.perf_counter()
        gen.fit(X_train, y_train)
        fit_s = time.perf_counter() - start
        gen.sample(2000, random_state=1)  # warm-up
        start = time.perf_counter()
        gen.sample(100_000, random_state=2)
        rows_per_s = 100_000 / (time.perf_counter() - start)
        X_syn, y_syn = gen.sample_labeled(y=y_test.to_numpy(), random_state=0)
    relations = _relation_figures(gen, X_syn, X_test, y_test)
    rbf = inlier_rate_score(X_train, X_syn, X_test)
    paper = inlier_rate_score(X_train, X_syn, X_test, method="paper")
    tstr = train_synthetic_test_real(X_syn, y_syn, X_test, y_test, X_train, y_train)
    result = {
        "model": name,
        "fit_s": fit_s,
        "epochs": (len(getattr(gen, "history_", [])) or None) if gen is not None else None,
        "rows_per_s": rows_per_s,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "detection_auc": detection_auc_loss(X_test, X_syn),
        "inlier_rbf": rbf["synthetic"],
        "inlier_rbf_real": rbf["real_heldout"],
        "inlier_rbf_calibrated": rbf["calibrated"],
        "inlier_paper": paper["synthetic"],
        "inlier_paper_real": paper["real_heldout"],
        "tstr": tstr["tstr"],
        "trtr": tstr["trtr"],
        "tstr_ratio": tstr["ratio"],
        "mean_ks": float(column_distances(X_test, X_syn)["distance"].mean()),
        "exact_copies": exact_copy_rate(X_train, X_syn),
        "heldout_overlap": exact_copy_rate(X_train, X_test),
        **relations,
    }
    print(json.dumps(result))


def _mean_std(result, key):
    if f"{key}_mean" not in result:
        return ""
    return f"{result[key + '_mean']:.3f} +- {result[key + '_std']:.3f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", help="comma-separated subset of " + ",".join(MODELS))
    parser.add_argument("--max-epochs", type=int, default=None)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a parameter of the language models; repeat for several")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not os.environ.get("SKLEARN_SYNTH_DATA"):
        os.environ["SKLEARN_SYNTH_DATA"] = str(Path(__file__).resolve().parents[2] / "shared" / "data")
    if args.one:
        run_one(args.one, args.max_epochs, parse_set(args.set))
        return
    models = args.only.split(",") if args.only else MODELS
    X_train, X_test, _, _ = _data()
    print(f"CIC-IDS2017 sample, paper's 23 features + label: {len(X_train)} training rows, "
          f"{len(X_test)} held-out rows; machine: {machine()}"
          + (f"; language models with {' '.join(args.set)}" if args.set else "") + "\n",
          flush=True)
    results = []
    for name in models:
        command = [sys.executable, __file__, "--one", name]
        if args.max_epochs:
            command += ["--max-epochs", str(args.max_epochs)]
        for pair in args.set:
            command += ["--set", pair]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
        r = results[-1]
        print(f"  {name}: fit {r['fit_s']:.0f} s, {r['rows_per_s']:,.0f} rows/s, "
              f"detection AUC {r['detection_auc']:.3f}", flush=True)
    print()
    print("Relations found in the training table and kept in generated rows "
          "(without: the same fitted model, relations not kept):")
    print_table([[r["model"], r["n_relations"], r["broken_rows"],
                  r.get("broken_rows_without", ""), r["heldout_broken_rows"],
                  r["detection_auc"], r.get("detection_auc_without", ""),
                  _mean_std(r, "auc_with"), _mean_std(r, "auc_without"), r["rows_per_s"],
                  r.get("rows_per_s_without", "")] for r in results],
                ["model", "relations", "rows breaking one", "without", "held-out real",
                 "detect AUC", "without", "AUC, 3 more seeds", "without", "rows/s",
                 "without"])
    print()
    rows = [[r["model"], r["fit_s"], r["epochs"] or "", r["rows_per_s"], r["peak_mb"],
             r["detection_auc"], f"{r['inlier_rbf']:.3f} / {r['inlier_rbf_real']:.3f}",
             r["inlier_rbf_calibrated"], f"{r['inlier_paper']:.3f} / {r['inlier_paper_real']:.3f}",
             r["tstr"], r["tstr_ratio"], r["mean_ks"], r["exact_copies"], r["heldout_overlap"]]
            for r in results]
    print_table(rows, ["model", "fit s", "epochs", "rows/s", "peak MB", "detect AUC",
                       "inlier rbf syn/real", "rbf calibrated", "inlier paper syn/real",
                       "TSTR F1", "TSTR/TRTR", "mean KS", "copies", "held-out overlap"])
    print(f"\ntrain-on-real macro-F1: {results[0]['trtr']:.4f}")


if __name__ == "__main__":
    main()
