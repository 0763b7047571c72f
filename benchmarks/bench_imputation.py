"""Imputation: SequenceLMSynthesizer against scikit-learn's imputers, and the
fidelity of rows completed from given cells.

Tables: the CIC-IDS2017 sample (the paper's 23 features + label) and KDD'99
10% (41 columns + label, each class capped at 2,000 rows), split 70/30 as in
``bench_anchors.py``; the label is one more column (it can be missing too).
Up to 4,000 held-out rows are split in two halves: A, whose cells are hidden
at random (each with probability 1/3, seed 0), and B, kept whole as the real
reference of the detection judge.

Imputers, each fitted on the complete training rows:

- ``sequence_lm (expected)``: the default ``SequenceLMSynthesizer``'s
  ``impute(strategy="expected")``, what ``GenerativeImputer`` does by default
  (the mean of 20 draws for binned numbers, the most frequent draw otherwise);
- ``sequence_lm (draw)``: the same model, one draw per row;
- ``IterativeImputer`` (BayesianRidge, 10 rounds) and ``KNNImputer`` (5
  neighbours) on standardised numbers and one-hot categories, predictions of
  categorical columns taken as the most likely category and of per-value
  numeric columns snapped to the nearest training value (so that they can be
  right at all);
- ``SimpleImputer``: column means, most frequent values for categorical and
  per-value columns.

Figures, on the hidden cells of A: accuracy over the cells of categorical and
per-value columns (columns whose values the default model's binner keeps one
by one: ports, protocol codes, flags, small counts), and normalised RMSE of the binned numeric columns
(RMSE over the column's standard deviation in A, averaged over columns; 1.0
is what predicting the mean scores). Conditional fidelity: detection AUC of
A completed (given cells plus imputed cells) against B (random forest; 0.5 =
indistinguishable), next to the real A against B.

    python benchmarks/bench_imputation.py [--tables cic,kdd] [--set NAME=VALUE ...]
"""

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, parse_set, print_table  # noqa: E402
from bench_anchors import LABEL, load_table  # noqa: E402

MAX_HELDOUT = 4000
HIDDEN_SHARE = 1 / 3


def _frames(table):
    X_train, X_test, y_train, y_test = load_table(table)
    train = X_train.assign(**{LABEL: y_train.to_numpy()}).reset_index(drop=True)
    test = X_test.assign(**{LABEL: y_test.to_numpy()}).reset_index(drop=True)
    rng = np.random.RandomState(0)
    test = test.iloc[rng.permutation(len(test))[:MAX_HELDOUT]].reset_index(drop=True)
    half = len(test) // 2
    A, B = test.iloc[:half].reset_index(drop=True), test.iloc[half:].reset_index(drop=True)
    hidden = rng.rand(*A.shape) < HIDDEN_SHARE
    holes = A.astype({c: float for c in A.columns if pd.api.types.is_integer_dtype(A[c])})
    holes = holes.mask(hidden)
    return train, A, B, holes, hidden


def _kinds(train):
    from sklearn_synth.preprocessing import SymbolicBinner

    # the default SequenceLMSynthesizer's encoding decides which columns are per-value
    binner = SymbolicBinner(n_bins=200, random_state=0).fit(train)
    return dict(zip(train.columns, binner.column_kinds_))


class _Design:
    """Standardised numbers and one-hot categories, and back."""

    def __init__(self, train, kinds):
        self.numeric = [c for c in train.columns if kinds[c] in ("continuous", "exact")]
        self.categorical = [c for c in train.columns if c not in self.numeric]
        self.mean = train[self.numeric].astype(float).mean()
        self.std = train[self.numeric].astype(float).std().replace(0, 1)
        self.levels = {c: sorted(train[c].astype(str).unique()) for c in self.categorical}
        self.values = {c: np.unique(train[c].astype(float)) for c in self.numeric
                       if kinds[c] == "exact"}

    def encode(self, frame):
        parts = [((frame[self.numeric].astype(float) - self.mean) / self.std).to_numpy()]
        for c in self.categorical:
            text = frame[c].astype(object)
            onehot = np.stack([(text == level).to_numpy(dtype=float) for level in self.levels[c]],
                              axis=1)
            onehot[text.isna().to_numpy()] = np.nan
            parts.append(onehot)
        return np.hstack(parts)

    def decode(self, matrix, template):
        out = template.copy()
        k = len(self.numeric)
        numbers = matrix[:, :k] * self.std.to_numpy() + self.mean.to_numpy()
        for j, c in enumerate(self.numeric):
            values = numbers[:, j]
            if c in self.values:  # snap to the nearest training value
                known = self.values[c]
                i = np.clip(np.searchsorted(known, values), 1, len(known) - 1)
                values = np.where(np.abs(values - known[i - 1]) <= np.abs(known[i] - values),
                                  known[i - 1], known[i])
            out[c] = values
        for c in self.categorical:
            width = len(self.levels[c])
            out[c] = np.asarray(self.levels[c], dtype=object)[matrix[:, k:k + width].argmax(axis=1)]
            k += width
        return out


def _scores(A, completed, hidden, kinds):
    per_value, nrmse = [], []
    for j, c in enumerate(A.columns):
        cells = hidden[:, j]
        if not cells.any():
            continue
        truth, guess = A[c].to_numpy()[cells], completed[c].to_numpy()[cells]
        if kinds[c] == "continuous":
            spread = A[c].astype(float).std() or 1.0
            error = np.sqrt(np.mean((truth.astype(float) - guess.astype(float)) ** 2))
            nrmse.append(error / spread)
        else:
            same = pd.Series(truth).astype(str).to_numpy() == pd.Series(guess).astype(str).to_numpy()
            if kinds[c] == "exact":
                same = np.isclose(truth.astype(float), guess.astype(float))
            per_value.append(same)
    return float(np.concatenate(per_value).mean()), float(np.mean(nrmse))


def _detection(B, completed):
    from sklearn_synth.metrics import detection_auc_loss

    return detection_auc_loss(B, completed[B.columns].astype(B.dtypes.to_dict()), random_state=0)


def run_table(table, params):
    from sklearn.experimental import enable_iterative_imputer  # noqa: F401
    from sklearn.impute import IterativeImputer, KNNImputer

    from sklearn_synth.generators import SequenceLMSynthesizer

    train, A, B, holes, hidden = _frames(table)
    kinds = _kinds(train)
    n_per_value = sum(kinds[c] != "continuous" for c in train.columns)
    print(f"\n{table}: {len(train)} training rows, {train.shape[1]} columns "
          f"({n_per_value} categorical or per-value); {len(A)} rows with {int(hidden.sum())} "
          f"hidden cells, {len(B)} reference rows", flush=True)
    rows = []

    def report(name, completed, fit_s, impute_s):
        accuracy, nrmse = _scores(A, completed, hidden, kinds)
        auc = _detection(B, completed)
        rows.append([name, accuracy, nrmse, auc, fit_s, impute_s])
        print(f"  {name}: accuracy {accuracy:.3f}, NRMSE {nrmse:.3f}, detection AUC {auc:.3f}, "
              f"fit {fit_s:.0f} s, impute {impute_s:.1f} s", flush=True)

    report("real rows (no holes)", A, 0.0, 0.0)
    start = time.perf_counter()
    model = SequenceLMSynthesizer(random_state=0, **params).fit(train)
    fit_s = time.perf_counter() - start
    for strategy in ("expected", "draw"):  # what GenerativeImputer(strategy=...).transform calls
        start = time.perf_counter()
        completed = model.impute(holes, strategy=strategy, n_draws=20, random_state=0)
        report(f"sequence_lm ({strategy})", completed, fit_s, time.perf_counter() - start)

    design = _Design(train, kinds)
    train_matrix, holes_matrix = design.encode(train), design.encode(holes)
    for name, imputer in (("IterativeImputer", IterativeImputer(max_iter=10, random_state=0)),
                          ("KNNImputer", KNNImputer(n_neighbors=5))):
        start = time.perf_counter()
        imputer.fit(train_matrix)
        fit_s = time.perf_counter() - start
        start = time.perf_counter()
        completed = design.decode(imputer.transform(holes_matrix), holes)
        report(name, completed, fit_s, time.perf_counter() - start)
    start = time.perf_counter()
    completed = holes.copy()
    for c in train.columns:
        if kinds[c] == "continuous":
            fill = train[c].astype(float).mean()
        else:
            fill = train[c].mode().iloc[0]
        completed[c] = completed[c].astype(object).where(completed[c].notna(), fill)
    report("SimpleImputer", completed, 0.0, time.perf_counter() - start)
    print()
    print_table(rows, ["imputer", "accuracy (categorical, per-value)", "NRMSE (numeric)",
                       "detection AUC", "fit s", "impute s"])
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", default="cic,kdd")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a parameter of SequenceLMSynthesizer; repeat for several")
    args = parser.parse_args()
    if not os.environ.get("SKLEARN_SYNTH_DATA"):
        os.environ["SKLEARN_SYNTH_DATA"] = str(Path(__file__).resolve().parents[2] / "shared" / "data")
    # out-of-range given cells (value protection cuts the ranges) and pandas deprecations
    warnings.simplefilter("ignore")
    params = parse_set(args.set)
    print(f"machine: {machine()}" + (f"; SequenceLMSynthesizer with {params}" if params else ""))
    for table in args.tables.split(","):
        run_table(table, params)


if __name__ == "__main__":
    main()
