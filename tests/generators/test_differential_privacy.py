"""Differential privacy: the encoding from noisy counts and DP-SGD through Opacus."""

import builtins
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_synth.exceptions import OptionalDependencyError, PrivacyBudgetWarning
from sklearn_synth.generators import SequenceLMSynthesizer
from sklearn_synth.preprocessing import SymbolicBinner

pytest.importorskip("opacus")

TINY = dict(n_bins=10, embedding_dim=8, hidden_size=8, n_layers=1, n_heads=2, batch_size=256,
            max_epochs=2)


def _table(n=3000, seed=0):
    rng = np.random.RandomState(seed)
    proto = rng.choice(["tcp", "udp"], n).astype(object)
    service = rng.choice(["http", "dns", "ssl"], n).astype(object)
    service[:4] = ["irc", "irc", "gopher", "finger"]
    return pd.DataFrame({
        "service": service,
        "port": rng.choice([53, 80, 443], n).astype(np.int64),
        "duration": rng.lognormal(0, 1.5, n),
        "bytes": rng.randint(0, 10_000, n).astype(np.int64),
    }), pd.Series(proto, name="proto")


def _fit(**params):
    X, y = _table()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PrivacyBudgetWarning)
        return SequenceLMSynthesizer(random_state=0, **{**TINY, **params}).fit(X, y), X, y


@pytest.mark.parametrize("architecture", ["rnn", "transformer", "wavenet"])
def test_every_backbone_trains_within_the_budget(architecture):
    gen, X, _ = _fit(architecture=architecture, epsilon=4.0)
    assert 3.5 < gen.epsilon_ <= 4.0
    assert gen.delta_ == pytest.approx(1 / len(X))
    assert len(gen.history_) == 2  # every epoch, no early stopping
    rows = gen.sample(50, random_state=0)
    assert rows.shape == (50, 4)
    assert np.isfinite(gen.score_samples(X.iloc[:20])).all()
    # the trained weights went into an ordinary module
    assert type(gen.net_.module_.rnn).__name__ == "GRU" if architecture == "rnn" else True


def test_whole_model_is_covered_rare_values_and_exact_counts_are_not_released():
    import warnings as _w

    _w.simplefilter("ignore")
    gen, X, y = _fit(epsilon=2.0)
    binner = gen.binner_
    assert binner.epsilon_ is not None and binner.epsilon_ < 2.0
    exact = [np.bincount(S, minlength=v) for S, v in
             zip(binner.transform(X).T, binner.vocabulary_sizes_)]
    assert not all(np.array_equal(a, b) for a, b in zip(binner.symbol_counts_, exact))
    assert binner.symbol_counts_[0][binner.n_symbols_[0]] == 0  # no missing values: none kept
    assert not {"irc", "gopher", "finger"} & set(binner.categories_[0])
    # the class prior comes from noisy counts: close to, but not, the exact one
    exact = y.value_counts(normalize=True).sort_index().to_numpy()
    assert np.abs(gen.class_prior_ - exact).max() < 0.05
    assert not np.array_equal(gen.class_prior_, exact)
    rows = gen.sample(500, random_state=0)
    assert not {"irc", "gopher", "finger"} & set(rows["service"])


def test_fit_is_reproducible_and_leaves_global_random_state_alone():
    import torch

    np.random.seed(5)
    torch.manual_seed(5)
    before = (np.random.get_state()[1].copy(), torch.get_rng_state().clone())
    a, X, _ = _fit(epsilon=4.0)
    assert np.array_equal(np.random.get_state()[1], before[0])
    assert torch.equal(torch.get_rng_state(), before[1])
    b, _, _ = _fit(epsilon=4.0)
    pd.testing.assert_frame_equal(a.sample(30, random_state=1), b.sample(30, random_state=1))
    assert a.epsilon_ == b.epsilon_


def test_a_given_noise_stops_training_at_the_budget():
    gen, _, _ = _fit(epsilon=4.0, noise_multiplier=2.0, max_epochs=200)
    assert gen.epsilon_ <= 4.0
    assert 2 < len(gen.history_) < 200
    with pytest.raises(ValueError, match="noise_multiplier=0.3 spends epsilon"):
        _fit(epsilon=1.0, noise_multiplier=0.3)


def test_saved_private_model_round_trips(tmp_path):
    from sklearn_synth.utils import load_model

    gen, X, _ = _fit(epsilon=4.0)
    gen.save(tmp_path / "dp.safetensors")
    loaded = load_model(tmp_path / "dp.safetensors")
    assert loaded.epsilon_ == gen.epsilon_ and loaded.delta_ == gen.delta_
    pd.testing.assert_frame_equal(loaded.sample(20, random_state=3), gen.sample(20, random_state=3))


@pytest.mark.parametrize("params, match", [
    ({"epsilon": 0.0}, "epsilon"),
    ({"epsilon": -1.0}, "epsilon"),
    ({"epsilon": 1.0, "delta": 0.0}, "delta"),
    ({"epsilon": 1.0, "delta": 1.0}, "delta"),
    ({"epsilon": 1.0, "max_grad_norm": 0.0}, "max_grad_norm"),
])
def test_bad_budgets_are_refused(params, match):
    X, y = _table(200)
    with pytest.raises(InvalidParameterError, match=match):
        SequenceLMSynthesizer(**params).fit(X, y)


def test_combinations_dp_cannot_honour_are_refused():
    X, y = _table(500)
    with pytest.raises(ValueError, match="value_protection=False"):
        SequenceLMSynthesizer(epsilon=1.0, value_protection=False, **TINY).fit(X, y)
    with pytest.raises(ValueError, match="strategy='kmeans'"):
        SymbolicBinner(epsilon=1.0, strategy="kmeans").fit(X)
    with pytest.raises(ValueError, match="bins='shared'"):
        SymbolicBinner(epsilon=1.0, bins="shared").fit(X)


def test_small_table_warns_with_the_figures():
    X, y = _table(300)
    with pytest.warns(PrivacyBudgetWarning, match=r"needs a noisy count of about [\d,]+ rows"):
        SequenceLMSynthesizer(epsilon=0.5, **TINY).fit(X, y)


def test_missing_opacus_is_one_line_naming_the_extra(monkeypatch):
    real_import = builtins.__import__

    def no_opacus(name, *args, **kwargs):
        if name == "opacus" or name.startswith("opacus."):
            raise ImportError("No module named 'opacus'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_opacus)
    X, y = _table(200)
    with pytest.raises(OptionalDependencyError, match=r'pip install "sklearn-synth\[dp\]"'):
        SequenceLMSynthesizer(epsilon=1.0, **TINY).fit(X, y)


def test_private_binner_alone():
    X, _ = _table(5000)
    binner = SymbolicBinner(epsilon=1.0, random_state=0).fit(X)
    assert binner.epsilon_ == 1.0 and binner.delta_ == pytest.approx(1 / 5000)
    assert set(binner.categories_[0]) == {"http", "dns", "ssl"}
    out = binner.inverse_transform(binner.transform(X), random_state=0)
    assert out["duration"].between(0, X["duration"].max()).all()
    # the ports hold almost every row: exact symbols, from noisy counts
    assert list(binner.categories_[1]) == [53, 80, 443]
    assert (out["bytes"] == np.round(out["bytes"])).all()  # integer dtype: whole numbers


def test_relations_are_not_discovered_under_epsilon_but_given_ones_are_kept():
    X, y = _table()
    X["bytes_plus"] = X["bytes"] + 1 + np.random.RandomState(0).randint(0, 50, len(X))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PrivacyBudgetWarning)
        found = SequenceLMSynthesizer(random_state=0, **TINY).fit(X, y).relations_
        assert "bytes <= bytes_plus" in [str(r) for r in found]
        # which relations hold in every row is a fact about every row: not found privately
        private = SequenceLMSynthesizer(epsilon=4.0, random_state=0, **TINY).fit(X, y)
        assert private.relations_ == []
        # nor is the sub-bin head trained: it would need its own share of the budget
        assert not hasattr(private.net_.module_, "sub_bins")
        mine = SequenceLMSynthesizer(epsilon=4.0, relations=[("le", ("bytes", "bytes_plus"))],
                                     random_state=0, **TINY).fit(X, y)
    assert [str(r) for r in mine.relations_] == ["bytes <= bytes_plus"]
    rows = mine.sample(500, random_state=0)
    assert (rows["bytes"] <= rows["bytes_plus"]).all()
