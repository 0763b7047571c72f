"""
=====================================================
Synthetic accelerometer traces with SenseGen
=====================================================

Fit a class-conditional :class:`~sklearn_synth.generators.SenseGenSynthesizer`
on smartwatch recordings of shoulder exercises (the IMU set that ships with
``seglearn``: 6 channels at 50 Hz; the accelerometer's three axes are used
here), generate traces of chosen exercises, and put them next to real ones.

The model is smaller than the default and briefly trained so that the example
runs in about a minute; ``benchmarks/bench_sensegen.py`` trains the default
configuration on all recordings and on the HMP wrist set, and judges it with
a forest on window statistics and an LSTM discriminator against real-vs-real
controls.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split

from sklearn_synth.datasets import load_smartwatch_imu
from sklearn_synth.generators import SenseGenSynthesizer
from sklearn_synth.metrics import discriminator_accuracy_loss, window_detection_auc_loss

imu = load_smartwatch_imu()
keep = np.isin(imu.target, ["ABD", "PEN", "ROW"])
# every 2nd sample (25 Hz), accelerometer only, first 600 steps of each recording
series = [x[:1200:2, :3] for x, k in zip(imu.data, keep) if k]
labels = imu.target[keep]
train, test, y_train, y_test = train_test_split(
    np.arange(len(series)), labels, test_size=0.25, stratify=labels, random_state=0
)
X_train = [series[i] for i in train]
X_test = [series[i] for i in test]

# %%
# Fit: one model, the exercise as condition
# -----------------------------------------
gen = SenseGenSynthesizer(
    n_layers=2, hidden_size=64, n_components=8, window=100, batch_size=32, max_epochs=30,
    random_state=0,
).fit(X_train, y_train)
print(f"{len(gen.history_)} epochs, validation NLL per step {gen.history_[-1]['valid_loss']:.2f}")

# %%
# Generate traces of the held-out exercises and judge them
# --------------------------------------------------------
synth, synth_labels = gen.sample_labeled(y=y_test, n_timesteps=300, random_state=0)
acc = discriminator_accuracy_loss([x[:300] for x in X_test], synth, window=50, random_state=0)
control = discriminator_accuracy_loss(
    [x[:300] for x in X_test], [x[:300] for x in X_train], window=50, random_state=0
)
print(f"LSTM judge accuracy, synthetic vs held-out: {acc:.2f} "
      f"(real training vs held-out recordings: {control:.2f}; 0.5 = indistinguishable)")
auc = window_detection_auc_loss(X_test, synth, window=50, n_windows=120, random_state=0)
control = window_detection_auc_loss(X_test, X_train, window=50, n_windows=120, random_state=0)
print(f"window-statistics judge AUC, synthetic vs held-out: {auc:.2f} "
      f"(real training vs held-out recordings: {control:.2f})")

# %%
# Real and synthetic traces, one exercise per row
# -----------------------------------------------
# One held-out recording and one generated trace per exercise. The level of a
# single trace is one of several real ones: in half of the PEN recordings the
# watch's x axis sits near -1.1 and in the other half near +1.0 (the watch
# worn the other way round), and the model draws either.
fig, axes = plt.subplots(3, 2, figsize=(9, 6), sharex=True, sharey=True)
t = np.arange(300) / 25.0
for row, exercise in enumerate(["ABD", "PEN", "ROW"]):
    real = X_test[int(np.flatnonzero(y_test == exercise)[0])][:300]
    fake = synth[int(np.flatnonzero(synth_labels == exercise)[0])]
    for col, (trace, kind) in enumerate([(real, "real"), (fake, "synthetic")]):
        ax = axes[row, col]
        for c, axis_name in enumerate("xyz"):
            ax.plot(t, trace[:, c], lw=0.8, label=axis_name)
        ax.set_title(f"{exercise}, {kind}", fontsize=9)
axes[0, 0].legend(fontsize=7, loc="upper right")
for ax in axes[-1]:
    ax.set_xlabel("seconds")
fig.tight_layout()
plt.show()
