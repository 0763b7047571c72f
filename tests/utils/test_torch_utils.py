import numpy as np
import pytest

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
