"""Resource bounds: chunked sampling in flat memory, and refusals (before any
training) of inputs too large to train on."""

import tracemalloc

import numpy as np
import pandas as pd
import pytest

from sklearn_synth.generators import DummySynthesizer, SequenceLMSynthesizer
from tests._estimators import TINY_LM, mixed_table


def _peak_while_streaming(gen, n, chunk_size):
    tracemalloc.start()
    try:
        rows = 0
        for chunk in gen.sample_chunks(n, chunk_size=chunk_size, random_state=0):
            rows += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows == n
    return peak


@pytest.mark.parametrize("make", [
    lambda: DummySynthesizer(random_state=0),
    lambda: SequenceLMSynthesizer(random_state=0, **TINY_LM),
], ids=["DummySynthesizer", "SequenceLMSynthesizer"])
def test_streamed_sampling_memory_is_flat_in_n(make):
    X, y = mixed_table()
    gen = make().fit(X, y)
    small = _peak_while_streaming(gen, 2_000, chunk_size=500)
    large = _peak_while_streaming(gen, 40_000, chunk_size=500)  # 20 times more rows
    assert large < 1.5 * small, (small, large)


def test_chunks_are_reproducible_and_cover_n():
    X, y = mixed_table()
    gen = DummySynthesizer(random_state=0).fit(X, y)
    first = list(gen.sample_chunks(25, chunk_size=10, random_state=3))
    again = list(gen.sample_chunks(25, chunk_size=10, random_state=3))
    assert [len(c) for c in first] == [10, 10, 5]
    for a, b in zip(first, again):
        pd.testing.assert_frame_equal(a, b)
    pairs = list(gen.sample_chunks(7, chunk_size=4, labeled=True, random_state=0))
    assert [len(y) for _, y in pairs] == [4, 3]
    assert list(gen.sample_chunks(0, random_state=0)) == []
    with pytest.raises(ValueError, match="chunk_size must be at least 1"):
        next(gen.sample_chunks(5, chunk_size=0))


def test_oversized_vocabulary_is_refused_before_training(monkeypatch):
    import sklearn_synth.generators._sequence_lm as module

    monkeypatch.setattr(module, "_MAX_TRAINING_BYTES", 2**20)
    X = pd.DataFrame({"flow_id": [f"id-{i}" for i in range(3000)],
                      "bytes": np.arange(3000) % 7})
    gen = SequenceLMSynthesizer(random_state=0, value_protection=False, **TINY_LM)
    with pytest.raises(ValueError, match="column 'flow_id' alone has 3,000 distinct values"):
        gen.fit(X)
    assert not hasattr(gen, "net_")  # refused before any training
    # protected (the default), the identifier column is one symbol of fresh values
    gen.set_params(value_protection=True, max_epochs=1).fit(X)
    assert gen.binner_.column_kinds_[0] == "identifier"


def test_too_many_columns_and_windows_are_refused(monkeypatch):
    from sklearn_synth.generators import SenseGenSynthesizer
    from tests._estimators import TINY_SENSEGEN, series

    monkeypatch.setattr("sklearn_synth.generators._sequence_lm._MAX_TOKENS_PER_ROW", 3)
    with pytest.raises(ValueError, match="4 columns make sentences too long"):
        SequenceLMSynthesizer(**TINY_LM).fit(np.random.RandomState(0).rand(20, 4))
    monkeypatch.setattr("sklearn_synth.generators._sensegen._MAX_WINDOW_VALUES", 100)
    with pytest.raises(ValueError, match="would not fit in memory; raise stride"):
        SenseGenSynthesizer(**TINY_SENSEGEN).fit(series())
