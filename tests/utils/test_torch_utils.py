import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sklearn_synth.utils._random import draw_seed, resolve_sample_rng
from sklearn_synth.utils._torch import (
    import_torch,
    resolve_device,
    torch_generator,
    torch_seed,
    torch_threads,
)

torch = pytest.importorskip("torch")


def test_resolve_device():
    assert resolve_device("cpu") == torch.device("cpu")
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type in (expected, "mps")
    with pytest.raises(ValueError, match="not a valid torch device"):
        resolve_device("gpu-please")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available.*device='cpu'"):
            resolve_device("cuda")


def test_torch_seed_restores_global_state():
    before = torch.get_rng_state().clone()
    with torch_seed(3):
        a = torch.rand(3)
    with torch_seed(3):
        b = torch.rand(3)
    assert torch.equal(a, b)
    assert torch.equal(torch.get_rng_state(), before)


def test_local_generator_is_reproducible_and_private():
    before = torch.get_rng_state().clone()
    a = torch.rand(4, generator=torch_generator(7))
    b = torch.rand(4, generator=torch_generator(7))
    assert torch.equal(a, b)
    assert torch.equal(torch.get_rng_state(), before)


def test_torch_threads_restores():
    before = torch.get_num_threads()
    with torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with torch_threads(None):
        assert torch.get_num_threads() == before


def test_import_torch_returns_module():
    assert import_torch() is torch


def test_seeds_do_not_touch_global_numpy_state():
    state = np.random.get_state()[1].copy()
    assert draw_seed(0) == draw_seed(0)
    rng = np.random.RandomState(0)
    assert resolve_sample_rng(None, rng) is rng
    assert resolve_sample_rng(5, rng) is not rng
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_inference_switches_to_eval_without_grad_and_restores_training_mode():
    from sklearn_synth.utils._torch import inference

    module = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Dropout(0.5)).train()
    x = torch.ones(4, 3)
    with inference(module) as m:
        assert m is module and not m.training
        out = m(x)
        assert not out.requires_grad
        torch.testing.assert_close(out, m(x))  # dropout is off
    assert module.training
    module.eval()
    with pytest.raises(RuntimeError, match="boom"), inference(module):
        raise RuntimeError("boom")
    assert not module.training  # the mode it had, not train()


def test_inference_with_a_dtype_casts_a_copy():
    from sklearn_synth.utils._torch import inference

    module = torch.nn.Linear(3, 2)
    with inference(module, torch.float64) as m:
        assert m is not module and m.weight.dtype == torch.float64
    assert module.weight.dtype == torch.float32 and module.training


def test_make_net_early_stopping_and_seeded_shuffling():
    from skorch.callbacks import EarlyStopping

    from sklearn_synth.utils._torch import fit_net, make_net

    X = np.random.RandomState(0).normal(size=(64, 3)).astype(np.float32)
    y = X @ np.array([1.0, -1.0, 0.5], dtype=np.float32)

    def trained(**kwargs):
        net = make_net(torch.nn.Linear, torch.nn.MSELoss, seed=1, device="cpu", lr=0.05,
                       max_epochs=5, batch_size=16, module__in_features=3,
                       module__out_features=1, **kwargs)
        return fit_net(net, X, y[:, None], seed=1)

    a, b = trained(), trained()
    torch.testing.assert_close(a.module_.weight, b.module_.weight)  # reproducible
    assert not any(isinstance(cb, EarlyStopping) for cb in a.callbacks)
    stopping = trained(patience=2, valid=(X[:16], y[:16, None]))
    assert any(isinstance(cb, EarlyStopping) for cb in stopping.callbacks)
    assert "valid_loss" in stopping.history[-1]


@given(n=st.integers(1, 200), fraction=st.floats(0, 0.99), at_least_one=st.booleans(),
       seed=st.integers(0, 2**31 - 2))
def test_validation_split_partitions_the_rows(n, fraction, at_least_one, seed):
    from sklearn_synth.utils._random import validation_split

    train, valid = validation_split(n, fraction, np.random.RandomState(seed),
                                    at_least_one=at_least_one)
    assert np.array_equal(np.sort(np.r_[train, valid]), np.arange(n))
    assert train.size >= 1
    expected = min(round(fraction * n), n - 1)
    if at_least_one and fraction > 0 and n >= 2:
        expected = max(expected, 1)
    assert valid.size == expected
    assert np.all(np.diff(train) > 0) and np.all(np.diff(valid) > 0)


def test_device_parameter_constraint():
    from sklearn.utils._param_validation import InvalidParameterError

    from sklearn_synth.generators import SequenceLMSynthesizer

    for device in ("cpu", "cuda", "cuda:1", "mps", "auto", torch.device("cpu")):
        SequenceLMSynthesizer(device=device)._validate_params()
    for device in ("gpu", "cuda:", 3, None):
        with pytest.raises(InvalidParameterError, match="'device' parameter.*torch.device"):
            SequenceLMSynthesizer(device=device)._validate_params()
