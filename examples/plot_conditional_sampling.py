"""
=====================================================
Rows with chosen cells, and a table with holes filled
=====================================================

A :class:`~sklearn_synth.generators.SequenceLMSynthesizer` conditions on any
columns: ``sample(conditions=...)`` keeps the given cells exactly and draws
the others given them, and ``impute`` fills the missing cells of a table the
same way. Both are exact (no rejection sampling) because the model was also
trained with random subsets of the columns first (``column_shuffle``).

Data: CIC-IDS2017 flows (protocol, destination port and four flow
measurements) when ``SKLEARN_SYNTH_DATA`` points to them, otherwise
scikit-learn's wine table. The model is small and trained briefly so that the
example runs in about a minute; ``benchmarks/bench_imputation.py`` measures
the default model against scikit-learn's imputers.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split

from sklearn_synth.datasets import load_demo_table, load_network_flows
from sklearn_synth.exceptions import DataNotFoundError
from sklearn_synth.generators import SequenceLMSynthesizer

try:
    flows = load_network_flows()
    columns = ["protocol", "dst_port", "flow_duration", "tot_fwd_pkts", "totlen_fwd_pkts",
               "flow_pkts_s", "label"]
    table = flows[columns].sample(4000, random_state=0).reset_index(drop=True)
    given = {"protocol": 17, "dst_port": 53}  # UDP to port 53: DNS
    x_col, y_col = "flow_duration", "totlen_fwd_pkts"
except DataNotFoundError:
    table = load_demo_table("wine")
    given = {"label": "class_1", "magnesium": 100}
    x_col, y_col = "alcohol", "proline"
train, test = train_test_split(table, test_size=0.25, random_state=0)

# %%
# Fit once, with part of the rows in a random column order
# ---------------------------------------------------------
model = SequenceLMSynthesizer(max_epochs=12, random_state=0).fit(train)
print(f"trained {len(model.history_)} epochs; column_shuffle={model.column_shuffle}")

# %%
# Rows for a chosen protocol and port
# -----------------------------------
# The given cells come back exactly; the others are drawn given them.
rows = model.sample(500, conditions=given, random_state=0)
print(rows.head().to_string())
real = train
for column, value in given.items():
    real = real[real[column] == value]
print(f"{len(real)} real training rows have {given}")

fig, ax = plt.subplots(figsize=(6, 4.5))
ax.scatter(train[x_col], train[y_col], s=6, color="0.8", label="all training rows")
ax.scatter(real[x_col], real[y_col], s=12, alpha=0.6, label=f"real rows with {given}")
ax.scatter(rows[x_col], rows[y_col], s=12, marker="x", alpha=0.6,
           label="generated given those cells")
ax.set_xscale("symlog")
ax.set_yscale("symlog")
ax.set_xlabel(x_col)
ax.set_ylabel(y_col)
ax.legend(fontsize=8)
fig.tight_layout()

# %%
# Fill cells removed at random
# ----------------------------
# A third of the held-out cells are removed and filled given the rest of
# their row. ``strategy="expected"`` takes the mean (numbers) or the most
# frequent value of 20 draws per cell. In a scikit-learn pipeline,
# :class:`~sklearn_synth.impute.GenerativeImputer` does the same as a
# transformer (it fits its own copy of the model).
rng = np.random.RandomState(0)
hidden = rng.rand(*test.shape) < 1 / 3
holes = test.mask(hidden)
filled = model.impute(holes, strategy="expected", random_state=0)
for j, column in enumerate(test.columns[:4]):
    cells = hidden[:, j]
    truth, guess = test[column].to_numpy()[cells], filled[column].to_numpy()[cells]
    if np.issubdtype(test[column].dtype, np.number) and test[column].nunique() > 50:
        corr = np.corrcoef(np.log1p(np.abs(truth.astype(float))),
                           np.log1p(np.abs(guess.astype(float))))[0, 1]
        print(f"{column}: {cells.sum()} cells filled, correlation with the truth (log) {corr:.2f}")
    else:
        print(f"{column}: {cells.sum()} cells filled, {np.mean(truth == guess):.0%} exactly right")

# %%
# The default strategy draws once per cell instead: a plausible completion that
# keeps the spread of the data (impute twice for two completions).
draw = model.impute(holes, random_state=0)
print(f"missing cells left: {int(draw.isna().sum().sum())}")
