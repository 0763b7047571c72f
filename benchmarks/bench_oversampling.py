"""Rebalancing intrusion-detection data: GenerativeOverSampler against
imbalanced-learn's over-samplers, all measured in the same run.

Run: python benchmarks/bench_oversampling.py [--dataset cic,kdd] [--seeds 0,1,2]
         [--max-epochs N] [--json results.json]
     (reads SKLEARN_SYNTH_DATA or ../shared/data)

Data sets
- cic: the CIC-IDS2017 sample, the paper's 23 features, all 16 labels.
- kdd: KDD'99 10%, every class capped at 1,000 rows (a random subsample of the
  three huge classes and of the mid-sized ones; the rare tail is kept whole),
  41 features with protocol_type, service and flag categorical.

Protocol, per seed: a 70/30 stratified split; each method resamples the
training part; a 100-tree random forest (random_state=seed) is trained on the
result and scored on the untouched test part. Figures: macro-F1, the mean
recall over the classes with fewer than 100 training rows ("rare recall"),
each rare class's recall, the share of the rows added to the rare classes
whose nearest training row (metrics encoding) has their class ("rare rows in
class": a row that lands among another class's rows teaches the forest the
wrong thing), and the fit_resample seconds; mean and standard deviation over
the seeds.

Every method grows the same classes to the same sizes: on cic, imbalanced-
learn's "auto" (every class up to the majority class's count); on kdd, the
same target for every class with at least 6 training rows (classes with fewer
are left as they are by all methods, since SMOTE with 5 neighbours and our
min_class_size=6 both need 6). Methods: none, RandomOverSampler, SMOTE (kdd:
SMOTENC on the three categorical columns), ADASYN (kdd: on ordinal codes of
the categorical columns, as it has no categorical mode), and
GenerativeOverSampler with SequenceLMSynthesizer at its default parameters
(one class-conditional model for all classes, random_state=seed; its rows
kept by the default neighbour filter, ``filter_neighbors=5``), and
"generative-unfiltered": the same fitted generator's rows for the same
classes, all kept (as ``filter_neighbors=None`` gives them; no second fit, so
its fit_resample seconds are the filtered run's).
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from _common import machine, print_table  # noqa: E402

METHODS = ["none", "random", "smote", "adasyn", "generative"]  # + generative-unfiltered
RARE = 100  # classes with fewer training rows than this are "rare"
KDD_CAP = 1000


def load(dataset, seed):
    from sklearn.model_selection import train_test_split

    from sklearn_synth.datasets import load_kddcup99, load_network_flows

    if dataset == "cic":
        X, y = load_network_flows(features="paper", return_X_y=True)
    else:
        X, y = load_kddcup99(return_X_y=True)
        rng = np.random.RandomState(0)
        labels = y.to_numpy()
        keep = np.sort(np.concatenate([
            rng.permutation(np.flatnonzero(labels == label))[:KDD_CAP] for label in np.unique(labels)
        ]))
        X, y = X.iloc[keep].reset_index(drop=True), y.iloc[keep].reset_index(drop=True)
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=seed)


def strategy(dataset, y_train):
    if dataset == "cic":
        return "auto"
    counts = y_train.value_counts()
    return {label: int(counts.max()) for label, n in counts.items() if 6 <= n < counts.max()}


def make_sampler(method, dataset, sampling_strategy, seed, max_epochs, categorical):
    from imblearn.over_sampling import ADASYN, SMOTE, SMOTENC, RandomOverSampler

    from sklearn_synth.generators import SequenceLMSynthesizer
    from sklearn_synth.over_sampling import GenerativeOverSampler

    if method == "none":
        return None
    if method == "random":
        return RandomOverSampler(sampling_strategy=sampling_strategy, random_state=seed)
    if method == "smote":
        if categorical:
            return SMOTENC(categorical, sampling_strategy=sampling_strategy, random_state=seed)
        return SMOTE(sampling_strategy=sampling_strategy, random_state=seed)
    if method == "adasyn":
        return ADASYN(sampling_strategy=sampling_strategy, random_state=seed)
    extra = {} if max_epochs is None else {"max_epochs": max_epochs}
    generator = SequenceLMSynthesizer(random_state=seed, **extra)
    return GenerativeOverSampler(generator=generator, sampling_strategy=sampling_strategy, random_state=seed)


def run(dataset, seeds, max_epochs, methods):
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import f1_score, recall_score

    records = []
    for seed in seeds:
        X_train, X_test, y_train, y_test = load(dataset, seed)
        categorical = [c for c in X_train.columns if isinstance(X_train[c].dtype, pd.CategoricalDtype)]
        codes = {c: X_train[c].cat.categories for c in categorical}

        def numeric(X):  # ordinal codes of the categorical columns, for the forest and ADASYN
            X = X.copy()
            for c in categorical:
                X[c] = pd.Categorical(X[c], categories=codes[c]).codes
            return X

        counts = y_train.value_counts()
        rare = sorted(counts[counts < RARE].index)
        target = strategy(dataset, y_train)
        for method in methods:
            sampler = make_sampler(method, dataset, target, seed, max_epochs, categorical)
            X_in = numeric(X_train) if method == "adasyn" else X_train
            start = time.perf_counter()
            try:
                X_res, y_res = (X_in, y_train) if sampler is None else sampler.fit_resample(X_in, y_train)
            except (RuntimeError, ValueError) as exc:  # ADASYN refuses some tables; say so
                print(f"[{dataset} seed {seed}] {method:<10} failed: {exc}", flush=True)
                records.append({"dataset": dataset, "seed": seed, "method": method, "failed": str(exc)})
                continue
            seconds = time.perf_counter() - start
            variants = [(method, X_res, y_res, seconds)]
            if method == "generative":  # the same fitted generator, its rows unfiltered
                X_raw, y_raw = _unfiltered(sampler, X_train, y_train, seed)
                variants.append(("generative-unfiltered", X_raw, y_raw, seconds))
            for name, X_res, y_res, seconds in variants:
                in_class = _rare_in_class_share(X_in, y_train, X_res, y_res, rare)
                forest = RandomForestClassifier(n_estimators=100, n_jobs=-1, random_state=seed)
                forest.fit(numeric(X_res) if method != "adasyn" else X_res, y_res)
                pred = forest.predict(numeric(X_test))
                recall = dict(zip(rare, recall_score(y_test, pred, labels=rare, average=None,
                                                     zero_division=0)))
                record = {
                    "dataset": dataset,
                    "seed": seed,
                    "method": name,
                    "fit_resample_s": seconds,
                    "n_rows": int(len(y_res)),
                    "macro_f1": f1_score(y_test, pred, average="macro"),
                    "rare_recall": float(np.mean(list(recall.values()))),
                    "rare_in_class": in_class,
                    "recall": {k: float(v) for k, v in recall.items()},
                    "train_counts": {k: int(counts[k]) for k in rare},
                }
                records.append(record)
                print(
                    f"[{dataset} seed {seed}] {name:<10} macro-F1 {record['macro_f1']:.4f}  "
                    f"rare recall {record['rare_recall']:.4f}  rare rows in class "
                    f"{in_class:.3f}  {seconds:7.1f} s  {record['n_rows']} rows",
                    flush=True,
                )
    return records


def _unfiltered(sampler, X_train, y_train, seed):
    """What ``sampler`` (a fitted GenerativeOverSampler) gives without its
    neighbour filter: the same generator's rows for the same classes, all kept."""
    parts_X, parts_y = [X_train], [y_train.to_numpy()]
    for label, n in sampler.sampling_strategy_.items():
        if n > 0:
            X_new, y_new = sampler.generators_[label].sample_labeled(n, y=label, random_state=seed)
            parts_X.append(X_new)
            parts_y.append(np.asarray(y_new))
    X_res = pd.concat(parts_X, ignore_index=True)
    for c in X_train.columns:  # categories the generator added (value protection's _RARE_)
        if isinstance(X_train[c].dtype, pd.CategoricalDtype):
            X_res[c] = X_res[c].astype(object)
    return X_res, np.concatenate(parts_y)


def _rare_in_class_share(X_train, y_train, X_res, y_res, rare):
    """Share of the added rows of the rare classes whose nearest training row
    has their class (NaN when a method adds none)."""
    from sklearn_synth.metrics import class_neighbor_score

    added = np.arange(len(y_train), len(y_res))
    added = added[np.isin(np.asarray(y_res)[added], rare)]
    if added.size == 0:
        return float("nan")
    X_new = X_res.iloc[added] if hasattr(X_res, "iloc") else X_res[added]
    return class_neighbor_score(X_train, y_train, X_new, np.asarray(y_res)[added], n_neighbors=1)


def summarize(records):
    frame = pd.DataFrame(records)
    if "failed" in frame:
        for (dataset, method), m in frame[frame["failed"].notna()].groupby(["dataset", "method"]):
            print(f"\n{dataset}: {method} failed on seeds {list(m.seed)}: {m.failed.iloc[0]}")
        frame = frame[frame["failed"].isna()]
    for dataset, part in frame.groupby("dataset", sort=False):
        print(f"\n{dataset}: mean (std) over seeds {sorted(int(s) for s in part['seed'].unique())}")
        rows = []
        for method, m in part.groupby("method", sort=False):
            rows.append(
                [
                    method,
                    f"{m.macro_f1.mean():.4f} ({m.macro_f1.std(ddof=0):.4f})",
                    f"{m.rare_recall.mean():.4f} ({m.rare_recall.std(ddof=0):.4f})",
                    f"{m.rare_in_class.mean():.3f}",
                    f"{m.fit_resample_s.mean():.1f}",
                    int(m.n_rows.mean()),
                ]
            )
        print_table(rows, ["method", "macro-F1", "rare recall", "rare rows in class",
                           "fit_resample s", "rows"])
        print(f"\n{dataset}: recall per rare class (mean over seeds; training rows in brackets)")
        per_class = pd.DataFrame(
            {method: pd.DataFrame(list(m.recall)).mean() for method, m in part.groupby("method", sort=False)}
        )
        train = pd.DataFrame(list(part.train_counts)).mean().round().astype(int)
        per_class.index = [f"{label} ({train[label]})" for label in per_class.index]
        print_table([[idx, *row] for idx, row in zip(per_class.index, per_class.to_numpy())],
                    ["class", *per_class.columns])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="cic,kdd")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--max-epochs", type=int, default=None, help="override the generator's default")
    parser.add_argument("--json", default=None, help="also write the per-seed records here")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    seeds = [int(s) for s in args.seeds.split(",")]
    records = []
    for dataset in args.dataset.split(","):
        records += run(dataset, seeds, args.max_epochs, args.methods.split(","))
    summarize(records)
    if args.json:
        from sklearn_synth.utils._io import atomic_path

        with atomic_path(args.json) as tmp:
            Path(tmp).write_text(json.dumps(records, indent=1))


if __name__ == "__main__":
    main()
