"""Hyperparameter search on a (local) Dask cluster, and training through
skorch's Accelerate integration."""

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from sklearn_synth.generators import SequenceLMSynthesizer
from sklearn_synth.metrics import inlier_rate
from tests._estimators import TINY_LM, mixed_table


@pytest.mark.slow
def test_grid_search_on_a_dask_local_cluster():
    distributed = pytest.importorskip("distributed")
    from joblib import parallel_backend

    X, y = mixed_table(n=150)
    X = X.fillna(1.0)
    grid = {"hidden_size": [4, 8], "architecture": ["rnn", "wavenet"]}
    search = GridSearchCV(SequenceLMSynthesizer(random_state=0, **{**TINY_LM, "hidden_size": 8}),
                          grid, scoring=inlier_rate, cv=2, n_jobs=-1)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        with parallel_backend("dask"):
            search.fit(X)
        workers = client.run(lambda: 1)
    assert len(workers) == 2
    # the same search in this process gives the same scores: results do not
    # depend on where the fits ran
    local = GridSearchCV(SequenceLMSynthesizer(random_state=0, **{**TINY_LM, "hidden_size": 8}),
                         grid, scoring=inlier_rate, cv=2, n_jobs=1).fit(X)
    np.testing.assert_allclose(search.cv_results_["mean_test_score"],
                               local.cv_results_["mean_test_score"])
    assert search.best_params_ == local.best_params_


def test_training_through_accelerate_on_cpu(tmp_path, capsys):
    """skorch's Accelerate integration, on the CPU: the trained model pickles,
    saves (without the accelerator) and samples like one trained without it."""
    accelerate = pytest.importorskip("accelerate")
    import pickle

    from sklearn_synth.utils import load_model

    X, y = mixed_table(n=150)
    accelerator = accelerate.Accelerator(cpu=True)
    gen = SequenceLMSynthesizer(random_state=0, accelerator=accelerator, **TINY_LM).fit(X, y)
    assert capsys.readouterr().out == ""  # verbose=0 is silent, as without the accelerator
    assert type(gen.net_).__name__ == "NeuralNet"  # the plain net around the trained module
    assert len(gen.history_) == TINY_LM["max_epochs"]
    sample = gen.sample(20, random_state=1)
    assert sample.shape == (20, X.shape[1])
    restored = pickle.loads(pickle.dumps(gen))
    assert restored.accelerator is None
    loaded = load_model(gen.save(tmp_path / "m.safetensors"))
    assert loaded.accelerator is None
    for other in (restored, loaded):
        assert other.sample(20, random_state=1).equals(sample)
    # training itself is the same computation as without the accelerator
    plain = SequenceLMSynthesizer(random_state=0, **TINY_LM).fit(X, y)
    np.testing.assert_allclose(plain.history_[:, "train_loss"], gen.history_[:, "train_loss"],
                               rtol=1e-4)


def test_sensegen_through_accelerate_on_cpu():
    accelerate = pytest.importorskip("accelerate")
    from sklearn_synth.generators import SenseGenSynthesizer
    from tests._estimators import TINY_SENSEGEN, series

    gen = SenseGenSynthesizer(random_state=0, accelerator=accelerate.Accelerator(cpu=True),
                              **TINY_SENSEGEN).fit(series())
    assert np.isfinite(gen.sample(2, random_state=0)).all()
