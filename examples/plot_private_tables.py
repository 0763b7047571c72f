"""
===============================================
What a synthetic table gives back, and what not
===============================================

A synthetic table is shared in place of the real one, so it must not hand
training values back: connection ids, rare categories, extreme values. This
example fits the sequence language model on a Zeek-like connection log twice,
with value protection (the default) and without it, and counts per column
the synthetic values that are training identifiers or values seen in fewer
than 5 training rows, against the same count for new real rows.
"""

# %%
# A connection log with ids, rare services and heavy tails
# ---------------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sklearn_synth.generators import SequenceLMSynthesizer
from sklearn_synth.metrics import evaluate

rng = np.random.RandomState(0)
n = 3000
letters = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
log = pd.DataFrame({
    "uid": ["C" + "".join(rng.choice(letters, 17)) for _ in range(n)],
    "id.resp_h": rng.choice(["10.0.0.1", "8.8.8.8", "192.0.2.7", "198.51.100.9"], n,
                            p=[0.6, 0.397, 0.002, 0.001]),
    "id.resp_p": rng.choice([53, 80, 443, 6667, 31337], n, p=[0.4, 0.3, 0.298, 0.001, 0.001]),
    "service": rng.choice(["dns", "http", "ssl", "irc", "gopher"], n,
                          p=[0.4, 0.3, 0.298, 0.001, 0.001]),
    "duration": rng.lognormal(0, 2, n),
    "orig_bytes": rng.lognormal(6, 2, n).round(),
})
train, held_out = log.iloc[:2400], log.iloc[2400:]

# %%
# Fit with and without value protection
# -------------------------------------
# Small model and few epochs, to keep the example quick.
leaks, maxima = {}, {}
for protect in (True, False):
    gen = SequenceLMSynthesizer(value_protection=protect, max_epochs=8, n_bins=50,
                                hidden_size=64, random_state=0).fit(train)
    rows = gen.sample(len(held_out), random_state=0)
    report = evaluate(held_out, rows, X_train=train, detection=False)
    leaks[protect] = report.leaks
    maxima[protect] = rows["duration"].max()
    print(f"value_protection={protect}")
    print(report.summary[report.summary["group"] == "privacy"].to_string(index=False))

print("largest training duration:", round(train["duration"].max(), 1),
      "| sampled, protected:", round(maxima[True], 1), "| unprotected:", round(maxima[False], 1))

# %%
# Per column: synthetic values that are training identifiers or rare values
# ---------------------------------------------------------------------------
# Real new rows share some rare values with the training rows by chance (the
# grey bars); without protection the model reproduces every connection id it
# learned a symbol for and the rare services and ports; with it, none.
columns = list(leaks[True].index)
x = np.arange(len(columns))
fig, ax = plt.subplots(figsize=(8, 3.5))
ax.bar(x - 0.27, 100 * leaks[False]["synthetic"], 0.27, label="value_protection=False")
ax.bar(x, 100 * leaks[True]["synthetic"], 0.27, label="value_protection=True (default)")
ax.bar(x + 0.27, 100 * leaks[True]["heldout"], 0.27, color="grey", label="new real rows")
ax.set_xticks(x, columns)
ax.set_ylabel("% of values copied")
ax.set_yscale("symlog", linthresh=0.1)
ax.legend(fontsize=8)
ax.set_title("Training identifiers and rare values among the sampled values")
fig.tight_layout()
plt.show()
