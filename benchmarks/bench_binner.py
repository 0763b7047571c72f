"""SymbolicBinner throughput and fidelity on the CIC-IDS2017 sample.

Run: python benchmarks/bench_binner.py   (reads SKLEARN_SYNTH_DATA or ../shared/data)

Prints fit time, transform and inverse_transform throughput (rows/s and
cells/s) for SymbolicBinner and, measured in the same run on the same data,
sklearn's KBinsDiscretizer (ordinal, quantile, 49 bins): the baseline. Also
prints the round-trip checks of the Foundation issue: values that leave their
bin, per-value columns restored exactly, and the per-column KS statistic.
"""

import os
import sys
import warnings
from pathlib import Path

import numpy as np
from scipy.stats import ks_2samp
from sklearn.preprocessing import KBinsDiscretizer

sys.path.insert(0, str(Path(__file__).parent))
from _common import best_of, machine, print_table  # noqa: E402

from sklearn_synth.datasets import load_network_flows  # noqa: E402
from sklearn_synth.preprocessing import SymbolicBinner  # noqa: E402


def main():
    if not os.environ.get("SKLEARN_SYNTH_DATA"):
        default = Path(__file__).resolve().parents[2] / "shared" / "data"
        os.environ["SKLEARN_SYNTH_DATA"] = str(default)
    X, _ = load_network_flows(features="paper", return_X_y=True)
    n_rows, n_cols = X.shape
    cells = n_rows * n_cols
    print(f"CIC-IDS2017 sample, paper's 23 features: {n_rows} rows x {n_cols} columns")
    print(f"machine: {machine()}\n")

    rows = []
    for decode in ["empirical", "uniform", "midpoint"]:
        binner = SymbolicBinner(decode=decode, random_state=0)
        fit_s = best_of(lambda: binner.fit(X), repeat=3)
        S = binner.transform(X)
        t_s = best_of(lambda: binner.transform(X))
        i_s = best_of(lambda: binner.inverse_transform(S))
        rows.append([f"SymbolicBinner(decode={decode!r})", fit_s, n_rows / t_s, cells / t_s,
                     n_rows / i_s, cells / i_s])

    kbins = KBinsDiscretizer(n_bins=49, encode="ordinal", strategy="quantile",
                             quantile_method="averaged_inverted_cdf", subsample=None)
    Xn = X.to_numpy(dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "bins whose width are too small" on spiky columns
        fit_s = best_of(lambda: kbins.fit(Xn), repeat=3)
        K = kbins.transform(Xn)
        t_s = best_of(lambda: kbins.transform(Xn))
        i_s = best_of(lambda: kbins.inverse_transform(K))
    rows.append(["KBinsDiscretizer(ordinal, quantile)", fit_s, n_rows / t_s, cells / t_s,
                 n_rows / i_s, cells / i_s])
    print_table(rows, ["encoder", "fit s", "transform rows/s", "transform cells/s",
                       "inverse rows/s", "inverse cells/s"])
    base = rows[-1]
    print(f"\nSymbolicBinner (empirical) vs KBinsDiscretizer: transform x{rows[0][3] / base[3]:.2f}, "
          f"inverse x{rows[0][5] / base[5]:.2f}")

    # fidelity of the round trip (the Foundation issue's acceptance checks)
    binner = SymbolicBinner(random_state=0).fit(X)
    S = binner.transform(X)
    out = binner.inverse_transform(S)
    left_bin = int((binner.transform(out) != S).sum())
    exact_cols = [c for c, k in zip(X.columns, binner.column_kinds_) if k == "exact"]
    exact_ok = all(out[c].equals(X[c]) for c in exact_cols)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        ks = {c: ks_2samp(X[c], out[c]).statistic for c in X.columns}
    kb_out = kbins.inverse_transform(K)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        kb_ks = [ks_2samp(Xn[:, j], kb_out[:, j]).statistic for j in range(n_cols)]
    worst = max(ks, key=ks.get)
    print(f"\nround trip (decode='empirical'): {left_bin} of {cells} values left their bin; "
          f"per-value columns {exact_cols} restored exactly: {exact_ok}")
    print(f"per-column KS original vs decoded: max {ks[worst]:.4f} ({worst}), "
          f"mean {np.mean(list(ks.values())):.4f}  (target < 0.01)")
    print(f"KBinsDiscretizer inverse (bin centres) KS for comparison: max {max(kb_ks):.4f}, "
          f"mean {np.mean(kb_ks):.4f}")


if __name__ == "__main__":
    main()
