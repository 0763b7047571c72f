import pickle

import numpy as np
import pandas as pd
import pytest

from sklearn_synth.generators import SequenceLMSynthesizer

torch = pytest.importorskip("torch")

TINY = dict(n_bins=20, dropout=0.0, embedding_dim=16, hidden_size=16, n_layers=1, n_heads=2, batch_size=64)
ARCHS = ["rnn", "transformer", "wavenet"]


def _table(n=400, seed=0):
    """Columns with strong dependence: 'b' follows 'a', 'proto' follows the port."""
    rng = np.random.RandomState(seed)
    a = rng.choice([0.0, 10.0, 20.0], size=n) + rng.normal(scale=0.5, size=n)
    port = rng.choice([22, 80, 443], size=n)
    return pd.DataFrame(
        {
            "a": a,
            "b": a * 2 + rng.normal(scale=0.5, size=n),
            "port": port,
            "proto": pd.Categorical(np.where(port == 443, "tls", "plain")),
            "flag": port == 22,
        }
    )


@pytest.mark.parametrize("arch", ARCHS)
def test_incremental_steps_match_full_forward(arch):
    X = _table(100)
    gen = SequenceLMSynthesizer(arch, max_epochs=1, random_state=0, **TINY).fit(X)
    module = gen.net_.module_.eval()
    S = gen.binner_.transform(X)
    inputs = torch.as_tensor(gen._inputs(S, None)[:7])
    with torch.no_grad():
        full = module(inputs)
        state = module.init_state(7, "cpu")
        for t in range(X.shape[1]):
            h, state = module.step(state, inputs[:, t], t, t)
            logits = module.heads.step(h, t)
            torch.testing.assert_close(logits, full[:, t], atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("arch", ARCHS)
def test_incremental_steps_match_full_forward_in_any_order(arch):
    # per-row column orders: step t predicts column order[:, t] after feeding the
    # columns before it; the full forward returns the same logits in column order
    X = _table(100)
    gen = SequenceLMSynthesizer(arch, max_epochs=1, random_state=0, **TINY).fit(X)
    module = gen.net_.module_.eval()
    S = gen.binner_.transform(X)
    inputs = torch.as_tensor(gen._inputs(S, None)[:7])
    order = torch.stack([torch.randperm(X.shape[1], generator=torch.Generator().manual_seed(i))
                         for i in range(7)])
    with torch.no_grad():
        full = module(inputs, order)
        state = module.init_state(7, "cpu")
        token = inputs[:, 0]
        rows = torch.arange(7)
        for t in range(X.shape[1]):
            columns = order[:, t]
            h, state = module.step(state, token, t, columns)
            for b in range(7):
                logits = module.heads.step(h[b:b + 1], int(columns[b]))
                torch.testing.assert_close(logits[0], full[b, columns[b]], atol=1e-4, rtol=1e-4)
            token = inputs[rows, 1 + columns]


@pytest.mark.parametrize("arch", ARCHS)
def test_learns_dependence_between_columns(arch):
    X = _table(600)
    gen = SequenceLMSynthesizer(arch, max_epochs=40, lr=1e-2, validation_fraction=0,
                                random_state=0, **TINY).fit(X)
    out = gen.sample(600, random_state=0)
    # 'b' is twice 'a' in the data; an independent sampler gets correlation ~0
    assert np.corrcoef(out["a"], out["b"])[0, 1] > 0.8
    assert ((out["proto"] == "tls") == (out["port"] == 443)).mean() > 0.9
    assert list(out.dtypes) == list(X.dtypes)


def test_never_emits_symbols_unseen_in_training():
    X = _table(200)
    gen = SequenceLMSynthesizer(max_epochs=1, random_state=0, temperature=5.0, **TINY).fit(X)
    S = gen.binner_.transform(gen.sample(2000, random_state=0))
    for j, counts in enumerate(gen.binner_.symbol_counts_):
        assert (counts[S[:, j]] > 0).all()
    assert set(gen.sample(500, random_state=1)["port"]) <= {22, 80, 443}


def test_class_conditional_sampling_gives_exact_classes():
    rng = np.random.RandomState(0)
    y = np.repeat(["low", "high"], 300)
    X = pd.DataFrame({"v": np.where(y == "low", rng.normal(0, 1, 600), rng.normal(50, 1, 600)),
                      "w": rng.normal(size=600)})
    gen = SequenceLMSynthesizer(max_epochs=30, lr=1e-2, random_state=0, **TINY).fit(X, y)
    Xs, ys = gen.sample_labeled(y=np.array(["high"] * 100 + ["low"] * 100), random_state=0)
    assert list(ys) == ["high"] * 100 + ["low"] * 100
    assert (Xs["v"][:100] > 25).mean() > 0.9 and (Xs["v"][100:] < 25).mean() > 0.9


def test_reproducible():
    X = _table(200)
    a = SequenceLMSynthesizer(max_epochs=2, random_state=3, **TINY).fit(X)
    b = SequenceLMSynthesizer(max_epochs=2, random_state=3, **TINY).fit(X)
    for pa, pb in zip(a.net_.module_.parameters(), b.net_.module_.parameters()):
        assert torch.equal(pa, pb)
    pd.testing.assert_frame_equal(a.sample(50, random_state=1), b.sample(50, random_state=1))


def test_sampling_in_small_chunks():
    X = _table(200)
    gen = SequenceLMSynthesizer(max_epochs=1, random_state=0, sample_chunk_size=64, **TINY).fit(X)
    a = gen.sample(250, random_state=0)
    assert a.shape == (250, X.shape[1])
    pd.testing.assert_frame_equal(a, gen.sample(250, random_state=0))
    # the chunks are drawn independently: the last chunk is not a copy of the first
    assert not a.iloc[:58].reset_index(drop=True).equals(a.iloc[192:].reset_index(drop=True))


def test_temperature_top_k_top_p_control_diversity():
    X = _table(300)
    gen = SequenceLMSynthesizer(max_epochs=5, random_state=0, **TINY).fit(X)

    def distinct(**params):
        gen.set_params(**params)
        S = gen.binner_.transform(gen.sample(500, random_state=0))
        return len({tuple(r) for r in S})

    base = distinct(temperature=1.0, top_k=None, top_p=None)
    assert distinct(temperature=0.05) < base
    assert distinct(temperature=1.0, top_k=1) <= 3 * 3  # greedy per column given the class
    assert distinct(top_k=None, top_p=0.01) < base


def test_score_samples_ranks_unusual_rows_low_and_is_a_density():
    X = _table(400)
    gen = SequenceLMSynthesizer(max_epochs=30, lr=1e-2, random_state=0, **TINY).fit(X)
    normal = gen.score_samples(X.iloc[:50])
    odd = X.iloc[:50].assign(b=lambda d: -d["a"] * 5)  # breaks the a-b relation
    assert np.median(gen.score_samples(odd)) < np.median(normal) - 2
    assert gen.score(X) == pytest.approx(gen.score_samples(X).mean())
    # a density: log p(symbols) minus log bin widths, comparable across n_bins
    # (without sub-bins, which place a value inside its bin: b = 2a then shows)
    fine, coarse = (SequenceLMSynthesizer(max_epochs=30, lr=1e-2, random_state=0, n_sub_bins=1,
                                          **{**TINY, "n_bins": n_bins}).fit(X)
                    for n_bins in (20, 5))
    assert abs(coarse.score(X) - fine.score(X)) < 10
    assert gen.score(X) > fine.score(X) + 5


@pytest.mark.parametrize("n_sub_bins", [1, 4, 10])
@pytest.mark.parametrize("integer", [False, True])
def test_score_samples_is_a_normalised_density_with_sub_bins(n_sub_bins, integer):
    # exp(score_samples) integrates (sums, over whole numbers) to 1 over the range
    rng = np.random.RandomState(0)
    a = rng.poisson(30, 600) if integer else rng.gamma(2, 3, 600)
    X = pd.DataFrame({"a": a})
    gen = SequenceLMSynthesizer(max_epochs=3, random_state=0, n_sub_bins=n_sub_bins,
                                value_protection=False, **{**TINY, "n_bins": 5}).fit(X)
    if integer:
        grid = np.arange(a.min(), a.max() + 1)
        total = np.exp(gen.score_samples(pd.DataFrame({"a": grid}))).sum()
    else:
        grid = np.linspace(a.min(), a.max(), 100_001)
        total = np.trapezoid(np.exp(gen.score_samples(pd.DataFrame({"a": grid}))), grid)
    assert total == pytest.approx(1.0, abs=1e-3)


def test_conditional_model_scores_marginal_likelihood():
    X, y = _table(300), np.repeat(["a", "b", "c"], 100)
    gen = SequenceLMSynthesizer(max_epochs=2, random_state=0, **TINY).fit(X, y)
    assert np.isfinite(gen.score_samples(X)).all()


def test_pickle_round_trip_samples_identically():
    X = _table(200)
    gen = SequenceLMSynthesizer("transformer", max_epochs=2, random_state=0, **TINY).fit(X)
    restored = pickle.loads(pickle.dumps(gen))
    pd.testing.assert_frame_equal(gen.sample(40, random_state=5), restored.sample(40, random_state=5))


def test_early_stopping_and_history():
    X = _table(300)
    gen = SequenceLMSynthesizer(max_epochs=50, patience=2, lr=0.05, random_state=0, **TINY).fit(X)
    losses = [h["valid_loss"] for h in gen.history_]
    assert len(losses) < 50, "early stopping never stopped training"
    # it stopped after `patience` epochs without a better validation loss
    assert len(losses) - 1 - int(np.argmin(losses)) >= 2


def test_verbose_prints_epoch_table(capsys):
    SequenceLMSynthesizer(max_epochs=2, verbose=1, random_state=0, **TINY).fit(_table(100))
    out = capsys.readouterr()
    assert "train_loss" in out.out and "valid_loss" in out.out


@pytest.mark.parametrize(
    "params, X, match",
    [
        ({"architecture": "lstm"}, _table(20), "architecture"),
        ({"architecture": "transformer", "embedding_dim": 10, "n_heads": 4}, _table(20), "divisible"),
        ({}, _table(1), "at least 2 rows"),
        ({"device": "cuda:7"}, _table(20), "CUDA|device"),
        ({"temperature": 0}, _table(20), "temperature"),
    ],
)
def test_invalid_parameters_and_data(params, X, match):
    if params.get("device") and torch.cuda.is_available():
        pytest.skip("CUDA is available")
    with pytest.raises(ValueError, match=match):
        SequenceLMSynthesizer(max_epochs=1, **{**TINY, **params}).fit(X)


def test_refuses_nan_free_int_labels_mismatch():
    with pytest.raises(ValueError, match="labels"):
        SequenceLMSynthesizer(max_epochs=1, **TINY).fit(_table(20), np.arange(5))


def test_save_and_load_safe_format(tmp_path):
    X = _table(200)
    X["host"] = np.where(X["port"] == 22, "ssh.example", "web.example")
    y = np.where(X["a"] > 5, "attack", "benign")
    gen = SequenceLMSynthesizer("wavenet", max_epochs=2, random_state=0, **TINY).fit(X, y)
    path = gen.save(tmp_path / "model.safetensors")
    loaded = SequenceLMSynthesizer.load(path)
    pd.testing.assert_frame_equal(gen.sample(30, random_state=4), loaded.sample(30, random_state=4))
    a, ya = gen.sample_labeled(20, y="attack", random_state=1)
    b, yb = loaded.sample_labeled(20, y="attack", random_state=1)
    pd.testing.assert_frame_equal(a, b)
    assert list(ya) == list(yb)
    # the default stream continues where the saved model's was
    pd.testing.assert_frame_equal(gen.sample(10), loaded.sample(10))
    np.testing.assert_allclose(gen.score_samples(X), loaded.score_samples(X), rtol=1e-5)
    assert loaded.get_params() == gen.get_params()
    assert len(loaded.history_) == len(gen.history_)
    # no training rows in the file: no full row of training values appears in it
    blob = path.read_bytes()
    assert b"ssh.example" in blob  # categories are vocabulary, kept
    rows = X[["a", "b"]].to_numpy()
    hits = sum(blob.find(np.asarray(row, dtype=np.float64).tobytes()) >= 0 for row in rows)
    assert hits == 0


def test_load_refuses_foreign_tampered_and_incompatible_files(tmp_path):
    from safetensors.numpy import save_file

    from sklearn_synth.utils._persistence import ModelFormatError

    gen = SequenceLMSynthesizer(max_epochs=1, random_state=0, **TINY).fit(_table(100))
    path = gen.save(tmp_path / "m.safetensors")
    truncated = tmp_path / "truncated.safetensors"
    truncated.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ModelFormatError, match="truncated or modified"):
        SequenceLMSynthesizer.load(truncated)
    foreign = tmp_path / "foreign.safetensors"
    save_file({"w": np.zeros(3, dtype=np.float32)}, str(foreign))
    with pytest.raises(ModelFormatError, match="not a sklearn-synth model"):
        SequenceLMSynthesizer.load(foreign)
    old = tmp_path / "old.safetensors"
    save_file({"w": np.zeros(3, dtype=np.float32)}, str(old),
              metadata={"format": "sklearn-synth", "format_version": "0", "config": "{}"})
    with pytest.raises(ModelFormatError, match="version 0"):
        SequenceLMSynthesizer.load(old)
    with pytest.raises(FileNotFoundError):
        SequenceLMSynthesizer.load(tmp_path / "missing.safetensors")


def test_save_is_atomic(tmp_path, monkeypatch):
    gen = SequenceLMSynthesizer(max_epochs=1, random_state=0, **TINY).fit(_table(100))
    path = gen.save(tmp_path / "m.safetensors")
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("safetensors.numpy.save_file", broken)
    with pytest.raises(KeyboardInterrupt):
        gen.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.safetensors"]


@pytest.mark.parametrize("arch", ARCHS)
def test_bfloat16_sampling_gives_valid_rows(arch):
    X = _table(300)
    gen = SequenceLMSynthesizer(arch, max_epochs=20, lr=1e-2, random_state=0, **TINY).fit(X)
    fast = gen.set_params(sample_dtype="bfloat16").sample(400, random_state=0)
    assert list(fast.dtypes) == list(X.dtypes)
    assert set(fast["port"]) <= {22, 80, 443}
    assert abs(fast["a"].mean() - X["a"].mean()) < 3


def test_missing_values_round_trip_and_grid_search_default_scoring():
    from sklearn.model_selection import GridSearchCV

    X = _table(300)
    X.loc[::7, "a"] = np.nan
    gen = SequenceLMSynthesizer(max_epochs=15, lr=1e-2, random_state=0, **TINY).fit(X)
    out = gen.sample(700, random_state=0)
    assert 0.05 < out["a"].isna().mean() < 0.25  # about 1 in 7
    from sklearn.base import clone
    from sklearn.model_selection import KFold

    search = GridSearchCV(SequenceLMSynthesizer(max_epochs=3, random_state=0, **TINY),
                          {"n_bins": [5, 30]}, cv=2).fit(X)
    # the default scoring is the held-out mean log-likelihood of score()
    by_hand = [
        clone(search.estimator).set_params(n_bins=5).fit(X.iloc[train]).score(X.iloc[test])
        for train, test in KFold(2).split(X)
    ]
    assert search.cv_results_["mean_test_score"][0] == pytest.approx(np.mean(by_hand))
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_min_class_rows_teaches_rare_classes_without_leaking_validation_rows():
    rng = np.random.RandomState(0)
    y = np.array(["common"] * 400 + ["rare"] * 8)
    X = pd.DataFrame({"v": np.r_[rng.normal(0, 1, 400), rng.normal(30, 0.5, 8)],
                      "w": rng.normal(size=408)})
    gen = SequenceLMSynthesizer(max_epochs=25, lr=1e-2, min_class_rows=150, random_state=0,
                                value_protection=False, **TINY)
    train, valid = gen._split_rows(408, (y == "rare").astype(int), np.random.RandomState(0))
    assert np.intersect1d(train, valid).size == 0
    assert (y[train] == "rare").sum() >= 150 and len(valid) == 41
    gen.fit(X, y)
    Xs, _ = gen.sample_labeled(100, y="rare", random_state=0)
    # the rare rows sit in the top bin of "v" (which it shares with a few common rows)
    top = gen.binner_.transform(X[y == "rare"])[:, 0].min()
    assert (gen.binner_.transform(Xs)[:, 0] >= top).mean() > 0.8


def test_max_time_stops_training_and_keeps_finished_epochs():
    import time

    X = _table(400)
    start = time.perf_counter()
    gen = SequenceLMSynthesizer(max_epochs=10_000, patience=10_000, max_time=1.5, random_state=0,
                                **TINY).fit(X)
    assert time.perf_counter() - start < 15
    assert 0 < len(gen.history_) < 10_000
    assert all("valid_loss" in epoch for epoch in gen.history_)  # no half epoch left behind
    assert gen.sample(5, random_state=0).shape == (5, X.shape[1])


def test_a_budget_shorter_than_a_batch_still_gives_a_model():
    X = _table(200)
    gen = SequenceLMSynthesizer(max_epochs=5, max_time=1e-9, random_state=0, **TINY).fit(X)
    assert len(gen.history_) == 0
    assert gen.sample(3, random_state=0).shape == (3, X.shape[1])


def test_score_samples_is_a_normalised_density_over_two_columns_with_sub_bins():
    # the slices of the second column depend on the first one's: still a pmf
    rng = np.random.RandomState(0)
    a = rng.randint(0, 30, 500)
    X = pd.DataFrame({"a": a, "b": a + rng.randint(0, 8, 500)})
    gen = SequenceLMSynthesizer(max_epochs=3, random_state=0, n_sub_bins=4,
                                value_protection=False, **{**TINY, "n_bins": 3}).fit(X)
    grid = pd.DataFrame([(i, j) for i in range(X.a.min(), X.a.max() + 1)
                         for j in range(X.b.min(), X.b.max() + 1)], columns=["a", "b"])
    assert np.exp(gen.score_samples(grid)).sum() == pytest.approx(1.0, abs=1e-6)


def test_sub_bin_head_draws_what_it_scores():
    import torch

    from sklearn_synth.generators._modules import SubBinHead

    torch.manual_seed(0)
    mask = np.ones((6, 3), dtype=bool)
    mask[4, 2] = False  # a bin with two slices
    mask[5] = False  # a token that is not a bin
    head = SubBinHead(2, mask, hidden=8, dropout=0.0).eval()
    with torch.no_grad():
        tokens = torch.tensor([[1, 4]]).repeat(40_000, 1)
        drawn = head.draw(tokens, torch.Generator().manual_seed(0)).numpy()
        expected = head(tokens[:1])[0].exp().numpy()
        for j in range(2):
            counts = np.bincount(drawn[:, j], minlength=3) / len(drawn)
            np.testing.assert_allclose(counts, expected[j], atol=0.01)
        assert (drawn[:, 1] < 2).all()  # a masked slice is never drawn
        assert (head.draw(torch.tensor([[1, 5]]), torch.Generator())[:, 1] == -1).all()


def test_sub_bins_make_the_place_inside_a_bin_follow_the_row():
    # b's stripe (tens digit odd or even) is written in c: inside one of b's two
    # bins only the slice can follow c
    rng = np.random.RandomState(0)
    b = rng.uniform(0, 100, 1500)
    X = pd.DataFrame({"b": b, "c": np.where((b // 10) % 2 == 1, "odd", "even")})
    agree = {}
    for n_sub_bins in (1, 10):
        gen = SequenceLMSynthesizer(max_epochs=5, random_state=0, n_sub_bins=n_sub_bins,
                                    **{**TINY, "n_bins": 2}).fit(X)
        assert hasattr(gen.net_.module_, "sub_bins") == (n_sub_bins > 1)
        rows = gen.sample(2000, random_state=0)
        agree[n_sub_bins] = np.mean(np.where((rows["b"] // 10) % 2 == 1, "odd", "even")
                                    == rows["c"])
    assert agree[1] < 0.65 and agree[10] > 0.85


def test_no_sub_bin_head_without_empirical_decoding():
    gen = SequenceLMSynthesizer(max_epochs=1, random_state=0, decode="uniform",
                                **TINY).fit(_table(100))
    assert not hasattr(gen.net_.module_, "sub_bins")
    assert gen.sample(5, random_state=0).shape == (5, _table(100).shape[1])


def test_a_file_from_before_sub_bins_loads_without_them(tmp_path):
    from sklearn_synth.utils import load_model
    from tests.reliability._files import without_param

    gen = SequenceLMSynthesizer(n_sub_bins=1, max_epochs=1, random_state=0, **TINY).fit(_table(200))
    path = gen.save(tmp_path / "new.safetensors")

    old = load_model(without_param(path, tmp_path / "old.safetensors", "n_sub_bins"))
    assert old.n_sub_bins == 1
    pd.testing.assert_frame_equal(old.sample(5, random_state=1), gen.sample(5, random_state=1))


def test_sub_bin_head_round_trips_through_the_safe_format(tmp_path):
    gen = SequenceLMSynthesizer(max_epochs=1, random_state=0, **TINY).fit(_table(200))
    loaded = SequenceLMSynthesizer.load(gen.save(tmp_path / "m.safetensors"))
    pd.testing.assert_frame_equal(loaded.sample(30, random_state=2), gen.sample(30, random_state=2))
    np.testing.assert_allclose(loaded.score_samples(_table(20)), gen.score_samples(_table(20)))


def test_sub_bin_head_stops_at_the_deadline_after_one_epoch():
    import time

    from sklearn_synth.generators._modules import SubBinHead, fit_sub_bin_head

    rng = np.random.RandomState(0)
    tokens, targets = rng.randint(0, 6, (200, 2)), rng.randint(-1, 3, (200, 2))
    head = SubBinHead(2, np.ones((6, 3), dtype=bool), hidden=8)
    losses = fit_sub_bin_head(head, tokens, targets, seed=0, max_epochs=10,
                              deadline=time.monotonic() - 1)
    assert len(losses) == 1
    assert len(fit_sub_bin_head(head, tokens, targets, seed=0, max_epochs=3, patience=5)) == 3
