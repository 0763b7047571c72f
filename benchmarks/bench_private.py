"""Privacy benchmark: value protection off and on, differential privacy at three
budgets, and TabularARGN (mostlyai-engine) at its defaults and at the same budgets.

Needs the ``bench`` extra (``pip install torch==2.13.0 && pip install
".[bench]"``: SDV, mostlyai-engine and opacus; remove torchvision and torchaudio
afterwards if pip brought builds that do not match torch) and the shared data
(``SKLEARN_SYNTH_DATA``).

Tables and splits are those of ``bench_anchors.py`` (CIC-IDS2017 sample with
the paper's 23 features, KDD'99 10% with each class capped at 2,000 rows;
70/30 stratified, seed 0). Each configuration is fitted on the training part
in a fresh process; its synthetic table (as many rows as the training part,
labels generated jointly) is judged against the held-out part by
``sklearn_synth.metrics.evaluate``:

- detection AUC (random forest, 5-fold; 0.5 is best) and TSTR / TRTR;
- exact copies: synthetic rows identical to a training row (reference: the
  held-out rows' own overlap with the training rows);
- the distance attack's advantage (training rows against held-out rows);
- rare values: the share of synthetic cells that are a training value seen in
  fewer than 5 training rows (reference: the held-out rows' share; whole
  numbers with few distinct values coincide by chance), and the share of
  synthetic cells in categorical columns that are a training category seen in
  fewer than 5 rows (reference as above; the target is 0);
- epsilon spent and fit seconds.

Configurations: ``off`` (``value_protection=False``), ``on`` (the default),
``dp1``/``dp4``/``dp10`` (``epsilon=1, 4, 10``, delta 1/n), ``argn`` (TabularARGN
at its defaults: value protection on, no DP) and ``argn_dp1/4/10`` (its DP-SGD
with ``max_epsilon`` and ``value_protection_epsilon`` splitting the same total
epsilon as ours, 80/20, delta 1/n, and at most 15 minutes of training: it
trains until it has spent its budget, which takes hours on 2 cores). ``--max-epochs`` caps the epochs of every
configuration of ours (the DP runs train every epoch: no early stopping).

    python benchmarks/bench_private.py
    python benchmarks/bench_private.py --tables cic --configs on,dp4,argn_dp4
"""

import argparse
import json
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import add_child_arguments, machine, run_matrix  # noqa: E402
from bench_anchors import LABEL, load_table  # noqa: E402

#: Training time TabularARGN's DP runs get (its max_training_time, in minutes): it trains
#: until it has spent its budget, which at noise 1.5 on 2 cores takes hours; ours run
#: their 10 default epochs (about 9 minutes on CIC).
ARGN_DP_MINUTES = 15

CONFIGS = ["off", "on", "dp1", "dp4", "dp10", "argn", "argn_dp1", "argn_dp4", "argn_dp10"]


def fit_one(config, table, out, max_epochs):
    """Child process: fit one configuration and write its synthetic table."""
    warnings.simplefilter("ignore")
    X_train, _, y_train, _ = load_table(table)
    X_train = X_train.reset_index(drop=True)
    n = len(X_train)
    start = time.perf_counter()
    epsilon = None
    if config.startswith("argn"):
        from mostlyai.engine import TabularARGN
        from mostlyai.engine.domain import DifferentialPrivacyConfig

        frame = X_train.assign(**{LABEL: y_train.to_numpy()})
        frame = frame.astype({c: object for c in frame.select_dtypes(include="category").columns})
        params = {}
        if config != "argn":
            total = float(config.removeprefix("argn_dp"))
            params["differential_privacy"] = DifferentialPrivacyConfig(
                max_epsilon=0.8 * total, value_protection_epsilon=0.2 * total, delta=1.0 / n)
            # it trains until it has spent max_epsilon: cap the time like ours (minutes)
            params["max_training_time"] = ARGN_DP_MINUTES
        with tempfile.TemporaryDirectory() as workspace:
            gen = TabularARGN(random_state=0, workspace_dir=workspace, **params).fit(frame)
            fit_s = time.perf_counter() - start
            synth = gen.sample(n_samples=n)
        epsilon = None if config == "argn" else total
    else:
        from sklearn_synth.generators import SequenceLMSynthesizer

        params = {"value_protection": config != "off"}
        if config.startswith("dp"):
            params["epsilon"] = float(config.removeprefix("dp"))
        if max_epochs:
            params["max_epochs"] = max_epochs
        gen = SequenceLMSynthesizer(random_state=0, **params).fit(X_train, y_train.to_numpy())
        fit_s = time.perf_counter() - start
        X_s, y_s = gen.sample_labeled(n, random_state=0)
        synth = X_s.assign(**{LABEL: y_s})
        epsilon = gen.epsilon_
    synth.to_parquet(out)
    print(json.dumps({"fit_s": fit_s, "epsilon": epsilon}))


def _rare_category_rate(X_train, synth, heldout):
    """Share of categorical cells that are a training category seen in < 5 rows."""
    shares = {"synthetic": [], "heldout": []}
    for column in X_train.columns:
        if pd.api.types.is_numeric_dtype(X_train[column]) and not isinstance(
                X_train[column].dtype, pd.CategoricalDtype):
            continue
        counts = X_train[column].astype(object).value_counts()
        rare = set(counts.index[counts < 5])
        for name, table in (("synthetic", synth), ("heldout", heldout)):
            shares[name].append(table[column].astype(object).isin(rare).mean())
    return {k: float(np.mean(v)) if v else 0.0 for k, v in shares.items()}


def judge(table, synth):
    from sklearn_synth.metrics import evaluate, exact_copy_rate

    X_train, X_test, y_train, y_test = load_table(table)
    y_synth = synth.pop(LABEL).astype(str).to_numpy()
    synth = synth[X_train.columns].astype(X_train.dtypes.to_dict(), errors="ignore")
    report = evaluate(X_test, synth, y_test.to_numpy(), y_synth, X_train=X_train,
                      y_train=y_train.to_numpy(), random_state=0)
    s = report.summary.set_index("metric")
    categories = _rare_category_rate(X_train, synth, X_test)
    return {
        "detection AUC": s.loc["detection AUC", "value"],
        "TSTR/TRTR": s.loc["TSTR / TRTR", "value"],
        "exact copies": s.loc["exact-copy rate", "value"],
        "exact copies ref": exact_copy_rate(X_train, X_test),
        "attack adv": s.loc["distance-attack advantage", "value"],
        "rare values": s.loc["rare training values reproduced", "value"],
        "rare values ref": s.loc["rare training values reproduced", "reference"],
        "rare categories": categories["synthetic"],
        "rare categories ref": categories["heldout"],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", default="cic,kdd")
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--max-epochs", type=int, default=None,
                        help="cap the epochs of our configurations (default: their defaults)")
    add_child_arguments(parser)
    args = parser.parse_args()
    if args.one:
        fit_one(args.one, args.table, args.out, args.max_epochs)
        return

    print(f"Machine: {machine()}; {time.strftime('%Y-%m-%d')}; max_epochs={args.max_epochs}",
          flush=True)
    run_matrix(__file__, args.tables.split(","), args.configs.split(","), load_table, judge,
               lambda name, timing, quality: [
                   name, "-" if timing["epsilon"] is None else timing["epsilon"],
                   timing["fit_s"], *quality.values()],
               ["config", "epsilon", "fit s", "detect AUC", "TSTR/TRTR", "copies", "copies ref",
                "attack adv", "rare vals", "rare vals ref", "rare cats", "rare cats ref"],
               extra=["--max-epochs", args.max_epochs] if args.max_epochs else [])


if __name__ == "__main__":
    main()
