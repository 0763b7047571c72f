"""One call that computes every metric: ``evaluate`` and ``QualityReport``."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd

from ._fidelity import (
    column_distances,
    correlation_difference,
    detection_auc_loss,
    inlier_rate_score,
    mean_upper,
)
from ._privacy import (
    distance_attack,
    distance_to_closest_record,
    exact_copy_rate,
    verbatim_value_rates,
)
from ._tabular import align_tables, is_numeric
from ._utility import train_synthetic_test_real


class QualityReport:
    """The result of :func:`evaluate`.

    Attributes
    ----------
    summary : DataFrame
        One row per figure: ``group`` (fidelity, utility, privacy),
        ``metric``, ``value``, ``reference`` (what real data scores, where it
        applies) and ``better`` (what direction is better).
    columns : DataFrame
        Per-column distances (:func:`column_distances`).
    correlations : DataFrame
        Absolute Spearman correlation differences (:func:`correlation_difference`).
    inliers : dict
        Inlier rates of both SVM configurations (``"rbf"`` and ``"paper"``).
    leaks : DataFrame or None
        Per column, the share of synthetic values that are training
        identifiers or rare training values (:func:`verbatim_value_rates`);
        None without the training rows.
    """

    def __init__(self, summary, columns, correlations, inliers, real, synth, leaks=None):
        self.summary = summary
        self.columns = columns
        self.correlations = correlations
        self.inliers = inliers
        self.leaks = leaks
        self._real = real
        self._synth = synth

    def __repr__(self):
        return f"QualityReport(\n{self.summary.to_string(index=False)}\n)"

    def to_frame(self):
        """The tidy summary table."""
        return self.summary.copy()

    def plot(self, *, max_columns=9):
        """Histograms real vs synthetic, correlation-difference heat map, inlier bars.

        Parameters
        ----------
        max_columns : int, default=9
            Histograms for at most this many columns (the worst by distance).

        Returns
        -------
        figure : matplotlib.figure.Figure
        """
        import matplotlib.pyplot as plt

        shown = list(self.columns.sort_values("distance", ascending=False).index[:max_columns])
        n_hist = len(shown)
        n_cols = 3
        n_rows = int(np.ceil(n_hist / n_cols)) + 1
        fig = plt.figure(figsize=(4 * n_cols, 3.2 * n_rows))
        grid = fig.add_gridspec(n_rows, n_cols)
        for i, column in enumerate(shown):
            ax = fig.add_subplot(grid[i // n_cols, i % n_cols])
            real, synth = self._real[column], self._synth[column]
            if is_numeric(real):
                real_values = real.dropna().to_numpy(dtype=float)
                synth_values = pd.to_numeric(synth, errors="coerce").dropna().to_numpy(dtype=float)
                scale = _display_scale(real_values)
                edges = np.histogram_bin_edges(scale(np.r_[real_values, synth_values]), bins=30)
                ax.hist(scale(real_values), bins=edges, histtype="step", density=True,
                        label="real")
                ax.hist(scale(synth_values), bins=edges, histtype="step", density=True,
                        label="synthetic")
                if scale is not _identity:
                    ax.set_xlabel("sign(x) log10(1 + |x|): a heavy-tailed column", fontsize=8)
            else:
                p = real.astype(object).value_counts(normalize=True)
                q = synth.astype(object).value_counts(normalize=True)
                p, q = p.align(q, fill_value=0.0)
                x = np.arange(len(p))
                ax.bar(x - 0.2, p.to_numpy(), 0.4, label="real")
                ax.bar(x + 0.2, q.to_numpy(), 0.4, label="synthetic")
                ax.set_xticks(x, [str(v)[:8] for v in p.index], rotation=45)
            ax.set_title(f"{column} ({self.columns.loc[column, 'statistic']} "
                         f"{self.columns.loc[column, 'distance']:.3f})", fontsize=9)
        if n_hist:
            fig.axes[0].legend(fontsize=8)
        ax = fig.add_subplot(grid[n_rows - 1, : n_cols - 1])
        image = ax.imshow(self.correlations.to_numpy(), vmin=0, vmax=1, cmap="magma")
        ax.set_title("|Spearman correlation difference|", fontsize=9)
        labels = [str(c)[:10] for c in self.correlations.columns]
        ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=6)
        ax.set_yticks(range(len(labels)), labels, fontsize=6)
        fig.colorbar(image, ax=ax)
        ax = fig.add_subplot(grid[n_rows - 1, n_cols - 1])
        names = ["real held-out", "real train", "synthetic"]
        width = 0.38
        for k, method in enumerate(["rbf", "paper"]):
            rates = self.inliers[method]
            values = [rates["real_heldout"], rates["real_train"], rates["synthetic"]]
            ax.bar(np.arange(3) + (k - 0.5) * width, values, width, label=method)
        ax.set_xticks(range(3), names, fontsize=8)
        ax.set_ylim(0, 1)
        ax.set_title("one-class SVM inlier rate", fontsize=9)
        ax.legend(fontsize=8)
        fig.tight_layout()
        return fig


def evaluate(
    X_real,
    X_synth,
    y_real=None,
    y_synth=None,
    *,
    X_train=None,
    y_train=None,
    detection=True,
    epsilon=None,
    random_state=0,
):
    """Every fidelity, utility and privacy figure for a synthetic table, in one call.

    Parameters
    ----------
    X_real : array-like or DataFrame
        Real rows the generator did not see (the held-out set).
    X_synth : array-like or DataFrame
        Synthetic rows, with the same columns.
    y_real, y_synth : array-like, default=None
        Labels of both: with them the report includes train-on-synthetic /
        test-on-real macro-F1.
    X_train, y_train : array-like or DataFrame, default=None
        The generator's training rows (and labels): with them the report adds
        the exact-copy rate, distances to the closest training record, the
        distance membership attack, the share of synthetic values that are
        training identifiers or rare training values (seen in fewer than 5
        training rows; :func:`verbatim_value_rates`) and train-on-real; the
        inlier SVM is fitted on them (else on half of ``X_real``).
    detection : bool, default=True
        Include the classifier two-sample test (a random forest with 5-fold
        predictions, the slowest figure).
    epsilon : float or None, default=None
        The generator's differential-privacy budget (its ``epsilon_``), to
        report beside the measured figures.
    random_state : int, default=0
        Seeds every metric.

    Returns
    -------
    report : QualityReport
        ``report.summary`` is a tidy DataFrame; ``report.plot()`` draws it.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_synth.metrics import evaluate
    >>> rng = np.random.RandomState(0)
    >>> real, synth = rng.normal(size=(300, 3)), rng.normal(size=(300, 3))
    >>> report = evaluate(real, synth, detection=False)
    >>> bool(report.summary.set_index("metric").loc["mean KS (numeric)", "value"] < 0.15)
    True
    """
    real, synth, train = align_tables(X_real, X_synth, X_train, names=["X_synth", "X_train"])
    rows = []

    def add(group, metric, value, reference=np.nan, better=""):
        rows.append((group, metric, float(value), float(reference), better))

    distances = column_distances(real, synth)
    numeric = distances[distances["kind"] == "numeric"]["distance"]
    categorical = distances[distances["kind"] == "categorical"]["distance"]
    if len(numeric):
        add("fidelity", "mean KS (numeric)", numeric.mean(), 0.0, "lower")
    if len(categorical):
        add("fidelity", "mean TV (categorical)", categorical.mean(), 0.0, "lower")
    add("fidelity", "worst column distance", distances["distance"].max(), 0.0, "lower")
    correlations = correlation_difference(real, synth)
    add("fidelity", "mean |correlation difference|", mean_upper(correlations), 0.0, "lower")
    if detection:
        add("fidelity", "detection AUC", detection_auc_loss(real, synth, random_state=random_state),
            0.5, "closer to 0.5")
    inliers = {
        method: inlier_rate_score(train if train is not None else real, synth,
                                  real if train is not None else None, method=method,
                                  random_state=random_state)
        for method in ("rbf", "paper")
    }
    add("fidelity", "inlier rate (rbf)", inliers["rbf"]["synthetic"],
        inliers["rbf"]["real_heldout"], "closer to reference")
    add("fidelity", "inlier rate calibrated (rbf)", inliers["rbf"]["calibrated"], 1.0, "higher")
    add("fidelity", "inlier rate (paper's poly kernel)", inliers["paper"]["synthetic"],
        inliers["paper"]["real_heldout"], "closer to reference")

    if y_real is not None and y_synth is not None:
        utility = train_synthetic_test_real(synth, y_synth, real, y_real, train,
                                            y_train if train is not None else None,
                                            random_state=random_state)
        add("utility", "TSTR macro-F1", utility["tstr"], utility.get("trtr", np.nan), "higher")
        if "ratio" in utility:
            add("utility", "TSTR / TRTR", utility["ratio"], 1.0, "higher")

    if train is not None:
        add("privacy", "exact-copy rate", exact_copy_rate(train, synth),
            exact_copy_rate(train, real), "no higher than reference")
        dcr = distance_to_closest_record(train, synth, real, random_state=random_state)
        add("privacy", "median distance to closest record", dcr["synthetic_median"],
            dcr["heldout_median"], "no lower than reference")
        advantage, _ = distance_attack(train, real, synth)
        add("privacy", "distance-attack advantage", advantage, 0.0, "lower")
        leaks = verbatim_value_rates(train, synth, real)
        for kind, metric in [("identifier", "verbatim training identifiers"),
                             ("value", "rare training values reproduced")]:
            part = leaks[leaks["kind"] == kind]
            if len(part):
                add("privacy", metric, part["synthetic"].mean(), part["heldout"].mean(),
                    "no higher than reference")
    else:
        leaks = None
    if epsilon is not None:
        add("privacy", "epsilon (differential privacy)", epsilon, np.nan, "lower")

    summary = pd.DataFrame(rows, columns=["group", "metric", "value", "reference", "better"])
    return QualityReport(summary, distances, correlations, inliers, real, synth, leaks)


def _identity(values):
    return values


def _signed_log(values):
    return np.sign(values) * np.log10(1.0 + np.abs(values))


def _display_scale(values):
    """How to draw a numeric column's histogram: on a signed log scale when a few
    extreme values would squeeze every other value into one bar (heavy tails, as
    byte and packet counts have), else as it is."""
    finite = values[np.isfinite(values)]
    if finite.size < 2:
        return _identity
    low, high = np.quantile(finite, [0.25, 0.75])
    full = finite.max() - finite.min()
    spread_out = full > 20 * (high - low)
    magnitude = np.abs(finite[finite != 0])
    # values over several orders of magnitude (durations, byte counts)
    skewed = magnitude.size > 0 and magnitude.max() > 1000 * np.quantile(magnitude, 0.25)
    return _signed_log if full > 0 and (spread_out or skewed) else _identity
