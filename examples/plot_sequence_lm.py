"""
==============================================
Synthetic network flows from a language model
==============================================

Fit a :class:`~sklearn_synth.generators.SequenceLMSynthesizer` on network
flows (a sample of the CIC-IDS2017 flows when ``SKLEARN_SYNTH_DATA`` points to
them, otherwise scikit-learn's wine table), generate rows of chosen classes,
and compare them with held-out real rows. The model here is small and trained
briefly so that the example runs in under a minute; the benchmark
``benchmarks/bench_sequence_lm.py`` uses the defaults on the full sample.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split

from sklearn_synth.datasets import load_demo_table, load_network_flows
from sklearn_synth.exceptions import DataNotFoundError
from sklearn_synth.generators import SequenceLMSynthesizer
from sklearn_synth.metrics import evaluate

try:
    X, y = load_network_flows(features="paper", return_X_y=True)
    keep = y.isin(["BENIGN", "DDoS", "Portscan", "DoS Hulk"])
    X, y = X[keep].sample(4000, random_state=0), y[keep].sample(4000, random_state=0)
    shown = ["flow_duration", "tot_fwd_pkts"]
except DataNotFoundError:
    data = load_demo_table("wine")
    X, y = data.drop(columns="label"), data["label"]
    shown = ["alcohol", "proline"]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)

# %%
# Fit: one symbol per column, the label as the first symbol
# ----------------------------------------------------------
generator = SequenceLMSynthesizer(max_epochs=15, random_state=0).fit(X_train, y_train)
print(f"trained {len(generator.history_)} epochs, "
      f"validation loss {generator.history_[-1]['valid_loss']:.2f} nats per row")

# %%
# Generate rows of the held-out classes and read the report
# ---------------------------------------------------------
X_synth, y_synth = generator.sample_labeled(y=y_test.to_numpy(), random_state=0)
report = evaluate(X_test, X_synth, y_test, y_synth, X_train=X_train, y_train=y_train)
print(report.summary.round(3).to_string(index=False))

# %%
# Two columns, real and synthetic, per class
# ------------------------------------------
fig, ax = plt.subplots(figsize=(6, 4.5))
for label in np.unique(y_test)[:4]:
    real = X_test[y_test == label]
    synth = X_synth[y_synth == label]
    ax.scatter(real[shown[0]], real[shown[1]], s=10, alpha=0.5, label=f"{label} (real)")
    ax.scatter(synth[shown[0]], synth[shown[1]], s=10, marker="x", alpha=0.5,
               label=f"{label} (synthetic)")
ax.set_xscale("symlog")
ax.set_yscale("symlog")
ax.set_xlabel(shown[0])
ax.set_ylabel(shown[1])
ax.legend(fontsize=7)
fig.tight_layout()
plt.show()
