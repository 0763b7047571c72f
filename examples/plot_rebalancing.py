"""
=======================================
Rebalancing intrusion-detection data
=======================================

Intrusion-detection data has thousands of benign and denial-of-service flows
and a handful of Heartbleed or SQL-injection flows. Here a random forest is
trained on the CIC-IDS2017 sample (when ``SKLEARN_SYNTH_DATA`` points to it;
otherwise on an imbalanced cut of scikit-learn's wine table) three ways: on
the data as it is, after SMOTE, and after
:class:`~sklearn_synth.over_sampling.GenerativeOverSampler`, which grows the
rare classes with rows from one class-conditional
:class:`~sklearn_synth.generators.SequenceLMSynthesizer`.

To run in about a minute, the big classes are cut to 300 rows and the
language model is small and trained for few epochs; the full comparison
(all rows, default model, three splits, KDD'99 as well) is
``benchmarks/bench_oversampling.py``, whose figures are in the user guide.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from imblearn.over_sampling import SMOTE
from imblearn.pipeline import Pipeline
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score, recall_score
from sklearn.model_selection import train_test_split

from sklearn_synth.datasets import load_demo_table, load_network_flows
from sklearn_synth.exceptions import DataNotFoundError
from sklearn_synth.generators import SequenceLMSynthesizer
from sklearn_synth.over_sampling import GenerativeOverSampler

try:
    X, y = load_network_flows(features="paper", return_X_y=True)
    cap = 300
except DataNotFoundError:
    data = load_demo_table("wine")
    X, y = data.drop(columns="label"), data["label"].astype(str)
    cap = {"class_0": 59, "class_1": 20, "class_2": 10}  # make two of the three classes rare
rng = np.random.RandomState(0)
keep = np.concatenate([
    rng.permutation(np.flatnonzero(y == label))[: cap if isinstance(cap, int) else cap[label]]
    for label in np.unique(y)
])
X, y = X.iloc[np.sort(keep)], y.iloc[np.sort(keep)]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
print(y_train.value_counts().to_string())

# %%
# Three pipelines, one classifier
# -------------------------------
# The sampler only acts in ``fit``: the forest predicts untouched test rows.
# ``min_class_rows`` makes the language model repeat the rows of each rare
# class during training so that it learns them; ``min_class_size`` is the
# fewest rows a class may have to be grown.
generator = SequenceLMSynthesizer(
    max_epochs=8, hidden_size=64, min_class_rows=300, random_state=0
)
pipelines = {
    "no resampling": Pipeline([("clf", RandomForestClassifier(random_state=0))]),
    "SMOTE": Pipeline([
        ("over", SMOTE(k_neighbors=4, random_state=0)),
        ("clf", RandomForestClassifier(random_state=0)),
    ]),
    "GenerativeOverSampler": Pipeline([
        ("over", GenerativeOverSampler(generator=generator, min_class_size=5, random_state=0)),
        ("clf", RandomForestClassifier(random_state=0)),
    ]),
}
counts = y_train.value_counts()
rare = sorted(counts[counts < 100].index)
rows = {}
for name, pipe in pipelines.items():
    pred = pipe.fit(X_train, y_train).predict(X_test)
    recall = recall_score(y_test, pred, labels=rare, average=None, zero_division=0)
    rows[name] = {"macro-F1": f1_score(y_test, pred, average="macro"), **dict(zip(rare, recall))}
table = pd.DataFrame(rows).T
print(table.round(3).to_string())

# %%
# Recall on the rare classes, and macro-F1
# ----------------------------------------
# One split of a cut-down table: differences of a few points are within the
# noise here. The benchmark averages over splits.
fig, ax = plt.subplots(figsize=(7, 4))
positions = np.arange(table.shape[1])
width = 0.8 / len(table)
for i, (name, row) in enumerate(table.iterrows()):
    ax.bar(positions + i * width, row.to_numpy(), width, label=name)
ax.set_xticks(positions + width * (len(table) - 1) / 2)
ax.set_xticklabels([f"{c}\n({counts[c]} rows)" if c in counts else c for c in table.columns],
                   rotation=30, ha="right", fontsize=7)
ax.set_ylabel("recall (rare classes) / macro-F1")
ax.set_ylim(0, 1.05)
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
