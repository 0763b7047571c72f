"""
=========================================
Rows as sentences: the symbolic encoding
=========================================

The symbolic-sequence language models read a table as text: every column is
cut into symbols and a row becomes a sentence. This example encodes network
flows (the CIC-IDS2017 sample when ``SKLEARN_SYNTH_DATA`` points to it,
otherwise scikit-learn's wine table), prints rows as sentences, and compares
how well three decoders bring the numbers back.
"""

# %%
# Load a table
# ------------
import matplotlib.pyplot as plt
import numpy as np

from sklearn_synth.datasets import load_demo_table, load_network_flows
from sklearn_synth.exceptions import DataNotFoundError
from sklearn_synth.preprocessing import SymbolicBinner

try:
    X, y = load_network_flows(features="paper", return_X_y=True)
    columns = ["flow_duration", "tot_fwd_pkts"]
except DataNotFoundError as exc:
    print(f"Flow sample not available ({exc}); using the wine table instead.")
    X = load_demo_table("wine").drop(columns="label")
    columns = ["proline", "magnesium"]
print(X.shape)

# %%
# Encode: one symbol per column
# -----------------------------
# Frequent values (zero durations, single-packet flows) get a symbol of their
# own; the rest of each column is cut into quantile bins. Symbols are printed
# with the paper's letters ``a .. z, a1 .. w1``.
binner = SymbolicBinner(n_bins=49, random_state=0).fit(X)
S = binner.transform(X)
for sentence in binner.render_sentences(S[:3]):
    print(sentence)
print(dict(zip(X.columns[:6], binner.column_kinds_[:6])))

# %%
# A row as a sentence
# -------------------
# Each column is a strip of its symbols, lowest values at the bottom; the
# row's value lights up one symbol per column, and the letters read left to
# right are the sentence the language model learns.
row, shown = 0, list(X.columns[:8])
words = binner.render_sentences(S[row : row + 1])[0].split()
fig, ax = plt.subplots(figsize=(10, 4.2))
for j, column in enumerate(shown):
    n = binner.n_symbols_[j]
    heights = np.full(n, 1.0 / n)
    ax.bar(np.full(n, j), heights, bottom=np.arange(n) / n, width=0.6,
           color="0.9", edgecolor="white", linewidth=0.5)
    ax.bar(j, 1.0 / n, bottom=S[row, j] / n, width=0.6, color="tab:red")
    value = X[column].iloc[row]
    ax.text(j, -0.1, f"{value:.4g}", ha="center", va="top", fontsize=8)
    ax.text(j, 1.04, words[j], ha="center", va="bottom", fontsize=14, color="tab:red")
ax.set_xticks(range(len(shown)), [c.replace("_", " ") for c in shown], rotation=20,
              fontsize=8)
ax.tick_params(axis="x", pad=22)
ax.set_yticks([])
ax.set_ylim(-0.25, 1.15)
ax.set_title("One row: its values (below), its symbol in each column's strip, the sentence (above)",
             fontsize=10)
for side in ("top", "right", "left"):
    ax.spines[side].set_visible(False)
fig.tight_layout()

# %%
# Decode with three strategies
# ----------------------------
# ``"midpoint"`` returns bin centres, ``"uniform"`` spreads values over the
# bin, and ``"empirical"`` draws from the training values of the bin, which
# keeps each column's distribution, spikes included.
fig, axes = plt.subplots(1, len(columns), figsize=(10, 3.5))
for ax, column in zip(axes, columns):
    values = X[column].to_numpy(dtype=float)
    bins = np.quantile(values, np.linspace(0, 1, 60))
    bins = np.unique(bins)
    ax.hist(values, bins=bins, histtype="step", lw=2, color="black", label="original")
    for decode in ["midpoint", "uniform", "empirical"]:
        decoded = SymbolicBinner(decode=decode, random_state=0).fit(X).inverse_transform(S)
        ax.hist(decoded[column], bins=bins, histtype="step", label=decode)
    ax.set_xscale("symlog")
    ax.set_title(column)
axes[0].legend()
fig.tight_layout()
plt.show()
