"""Small, fast settings of every public estimator and data to fit each on,
shared by the common checks and the reliability suite."""

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from sklearn_synth.generators import DummySynthesizer, SequenceLMSynthesizer
from sklearn_synth.privacy import CycleGANPrivacyTransformer, PrivacyValuator

TINY_LM = {"max_epochs": 2, "embedding_dim": 8, "hidden_size": 8, "n_heads": 2, "n_layers": 1,
           "batch_size": 32, "min_class_rows": 0}
TINY_SENSEGEN = {"n_layers": 1, "hidden_size": 8, "dense_size": 4, "n_components": 2,
                 "max_epochs": 2, "window": 8}
TINY_GAN = {
    "valuator": PrivacyValuator(LogisticRegression(max_iter=50), n_models=2, reference_fraction=0.25),
    "fake_generator": DummySynthesizer(strategy="bootstrap"),
    "max_epochs": 1, "hidden_size": 8, "random_state": 0,
}

TINY_NET = {"hidden_size": 32, "max_epochs": 25, "batch_size": 32, "lr": 1e-2, "random_state": 0}

# Per estimator class, the configurations the common checks run.
INIT_PARAMS = {
    "SymbolicBinner": [{"n_bins": 5}, {"n_bins": 5, "bins": "shared", "decode": "uniform"}],
    "DummySynthesizer": [{"strategy": "independent"}, {"strategy": "bootstrap"}],
    "SequenceLMSynthesizer": [
        {"architecture": arch, "max_epochs": 2, "embedding_dim": 8, "hidden_size": 8,
         "n_heads": 2, "n_layers": 1, "batch_size": 32}
        for arch in ("rnn", "transformer", "wavenet")
    ],
    "SenseGenSynthesizer": [TINY_SENSEGEN],
    "PCAGaussianSynthesizer": [{"n_components": 2}],
    "PrivacyValuator": [{"n_models": 2, "reference_fraction": 0.25},
                        {"n_models": 4, "reference_fraction": 0.25, "risk": "memorization"}],
    "RelaxLossClassifier": [{**TINY_NET, "alpha": 0.0}, {**TINY_NET, "alpha": 0.3, "patience": 2}],
    "DPSGDClassifier": [{**TINY_NET, "epsilon": 50.0}],
    "PrivacyDomainClassifier": [{**TINY_NET, "transformer": CycleGANPrivacyTransformer(**TINY_GAN),
                                 "fake_ratio": 0.5}],
    "CycleGANPrivacyTransformer": [TINY_GAN],
    "PrivacyDomainResampler": [
        {"transformer": CycleGANPrivacyTransformer(**TINY_GAN), "fake_ratio": 0.5, "random_state": 0}
    ],
    "GenerativeImputer": [
        {"generator": SequenceLMSynthesizer(**TINY_LM), "n_draws": 3, "random_state": 0},
        {"generator": SequenceLMSynthesizer(architecture="transformer", **TINY_LM),
         "strategy": "draw", "random_state": 0},
    ],
    "GenerativeOverSampler": [
        {"generator": DummySynthesizer(), "random_state": 0},
        {"generator": DummySynthesizer(strategy="bootstrap"), "per_class": True, "random_state": 0},
        {"generator": SequenceLMSynthesizer(**TINY_LM), "random_state": 0},
    ],
}


def mixed_table(n=120, seed=0):
    """A mixed-type table with missing values, and imbalanced labels."""
    rng = np.random.RandomState(seed)
    X = pd.DataFrame({
        "duration": rng.lognormal(3, 1, n),
        "port": rng.choice([22, 80, 443], n),
        "proto": rng.choice(["tcp", "udp"], n),
        "flag": pd.Categorical(rng.choice(["S0", "SF", "REJ"], n)),
        "ok": rng.rand(n) < 0.5,
    })
    X.loc[::7, "duration"] = np.nan
    y = np.where(np.arange(n) % 4 == 0, "attack", "normal")
    return X, y


def numeric_table(n=48, d=4, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, d)
    y = (X[:, 0] + 0.5 * rng.randn(n) > 0).astype(int)
    return X, y


def series(n=6, length=20, channels=2, seed=0):
    rng = np.random.RandomState(seed)
    t = np.linspace(0, 4 * np.pi, length)
    return np.sin(t[None, :, None] + rng.rand(n, 1, channels) * 3) + 0.1 * rng.randn(n, length, channels)


def fit_case(name, random_state=0):
    """A fitted instance of the named estimator with tiny settings, and a
    function giving what it produces (samples, transformed rows or a resampled
    table) for comparing two fitted copies."""
    from sklearn_synth.generators import SenseGenSynthesizer
    from sklearn_synth.over_sampling import GenerativeOverSampler
    from sklearn_synth.preprocessing import SymbolicBinner
    from sklearn_synth.privacy import PrivacyDomainResampler

    X, y = mixed_table()
    Xn, yn = numeric_table()
    gan = {**TINY_GAN, "fake_generator": DummySynthesizer(), "random_state": random_state}
    if name == "SymbolicBinner":
        est = SymbolicBinner(random_state=random_state).fit(X)
        return est, lambda e: e.inverse_transform(e.transform(X), random_state=1)
    if name == "DummySynthesizer":
        est = DummySynthesizer(random_state=random_state).fit(X, y)
    elif name == "SequenceLMSynthesizer":
        est = SequenceLMSynthesizer(random_state=random_state, **TINY_LM).fit(X, y)
    elif name == "SenseGenSynthesizer":
        est = SenseGenSynthesizer(random_state=random_state, **TINY_SENSEGEN).fit(series())
    elif name == "PrivacyValuator":
        est = PrivacyValuator(LogisticRegression(max_iter=50), n_models=2, reference_fraction=0.25,
                              random_state=random_state).fit(Xn, yn)
        return est, lambda e: e.privacy_scores_
    elif name == "CycleGANPrivacyTransformer":
        est = CycleGANPrivacyTransformer(**gan).fit(Xn, yn)
        return est, lambda e: np.concatenate([e.transform(Xn).ravel(), e.sample(5, random_state=1).ravel()])
    elif name == "PrivacyDomainResampler":
        est = PrivacyDomainResampler(CycleGANPrivacyTransformer(**gan), fake_ratio=0.5,
                                     random_state=random_state)
        est.fit_resample(Xn, yn)
        return est, lambda e: e.transformer_.transform(Xn)
    elif name == "PCAGaussianSynthesizer":
        from sklearn_synth.generators import PCAGaussianSynthesizer

        est = PCAGaussianSynthesizer(n_components=2, random_state=random_state).fit(Xn, yn)
    elif name in ("RelaxLossClassifier", "DPSGDClassifier", "PrivacyDomainClassifier"):
        import sklearn_synth.privacy as privacy

        extra = {"epsilon": 50.0} if name == "DPSGDClassifier" else {}
        if name == "PrivacyDomainClassifier":
            extra = {"transformer": CycleGANPrivacyTransformer(**gan), "fake_ratio": 0.5}
        est = getattr(privacy, name)(**{**TINY_NET, "max_epochs": 2, "random_state": random_state},
                                     **extra).fit(Xn, yn)
        return est, lambda e: e.predict_proba(Xn)
    elif name == "GenerativeImputer":
        from sklearn_synth.impute import GenerativeImputer

        est = GenerativeImputer(SequenceLMSynthesizer(**TINY_LM), n_draws=3,
                                random_state=random_state).fit(X)
        return est, lambda e: e.transform(X)
    elif name == "GenerativeOverSampler":
        est = GenerativeOverSampler(generator=DummySynthesizer(), random_state=random_state)
        est.fit_resample(X, y)
        return est, lambda e: e.generators_["attack"].sample_labeled(5, y="attack", random_state=1)[0]
    else:  # pragma: no cover - test_every_estimator_is_configured guards this
        raise KeyError(name)
    return est, lambda e: e.sample(5, random_state=1)
