"""
==========================================================
Faking privacy pryers: the privacy-domain CycleGAN defence
==========================================================

A model trained on few samples memorizes them, and a membership-inference
attack can tell its training samples from others. The defence values how
exposed each training sample is (:class:`~sklearn_synth.privacy.PrivacyValuator`),
trains a CycleGAN between the privacy-safe and privacy-risky samples
(:class:`~sklearn_synth.privacy.CycleGANPrivacyTransformer`), moves the
exposed real samples toward the safe domain and adds fake risky samples for
the model to memorize instead (:class:`~sklearn_synth.privacy.PrivacyDomainResampler`).

This example uses scikit-learn's 8 x 8 digits so that it runs in about a
minute; ``benchmarks/bench_privacy.py`` runs the same comparison on MNIST with
baselines.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from sklearn_synth.metrics import membership_attack_report
from sklearn_synth.privacy import (
    CycleGANPrivacyTransformer,
    PrivacyDomainResampler,
    PrivacyValuator,
)

warnings.filterwarnings("ignore", category=ConvergenceWarning)
X, y = load_digits(return_X_y=True)
X = X / 16.0
rng = np.random.RandomState(0)
members, nonmembers, reference, test = np.split(rng.permutation(len(y))[:1600], [400, 800, 1200])


def target_model(**kwargs):
    return MLPClassifier(hidden_layer_sizes=(128,), max_iter=300, random_state=0, **kwargs)


# %%
# Value the members' exposure
# ---------------------------
# Five copies of the target model, each attacked with the modified-entropy
# attack against a reference set; the runs vote.
valuator = PrivacyValuator(target_model(), n_models=5, random_state=0).fit(
    X[members], y[members], X_reference=X[reference], y_reference=y[reference]
)
print(pd.Series(valuator.privacy_levels_).value_counts().to_string())
print(f"overlap of the 25% safest over 5 runs: {valuator.overlap_ratio(0, 0.25):.2f} "
      f"(chance {0.25 ** 4:.3f})")

# %%
# Train the CycleGAN and build the defended training set
# ------------------------------------------------------
images = X[members].reshape(-1, 1, 8, 8)
sampler = PrivacyDomainResampler(
    CycleGANPrivacyTransformer(max_epochs=40, lr=1e-3, random_state=0), fake_ratio=1.0,
    random_state=0,
)
X_res, y_res = sampler.fit_resample(images, y[members], privacy_levels=valuator.privacy_levels_)
transformer = sampler.transformer_

# %%
# Accuracy and membership advantage
# ---------------------------------
rows = {}
for name, (X_train, y_train) in {
    "undefended": (X[members], y[members]),
    "L2 (alpha=1)": (X[members], y[members]),
    "full method": (X_res.reshape(len(X_res), -1), y_res),
}.items():
    clf = target_model(alpha=1.0 if name.startswith("L2") else 1e-4).fit(X_train, y_train)
    report = membership_attack_report(clf, X[members], y[members], X[nonmembers], y[nonmembers])
    rows[name] = {"accuracy": clf.score(X[test], y[test]), **report["advantage"].to_dict()}
table = pd.DataFrame(rows).T
print(table.round(3).to_string())

# %%
# Real digits, their safe-domain transforms, and fake risky digits
# ----------------------------------------------------------------
exposed = np.flatnonzero(valuator.privacy_levels_ == "risky")[:6]
fakes, fake_labels = transformer.sample_labeled(y=y[members][exposed], random_state=0)
fig, axes = plt.subplots(3, 6, figsize=(7, 3.8))
for col, i in enumerate(exposed):
    for row, (image, title) in enumerate([
        (images[i, 0], f"real {y[members][i]}"),
        (transformer.transform(images[i:i + 1])[0, 0], "to safe"),
        (fakes[col, 0], f"fake {fake_labels[col]}"),
    ]):
        axes[row, col].imshow(image, cmap="gray_r", vmin=0, vmax=1)
        axes[row, col].set_title(title, fontsize=8)
        axes[row, col].axis("off")
fig.tight_layout()
plt.show()
