"""Checks that every sklearn-synth generator must pass, on top of scikit-learn's.

Use :func:`parametrize_with_generator_checks` in a test module, or call the
``check_*`` functions directly on an unfitted estimator instance.
"""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import pickle

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from ._audit import AUDIT_SAMPLE_SIZE, audit_sample

__all__ = [
    "check_generator_audit_sample_not_pickled",
    "check_generator_does_not_mutate_input",
    "check_generator_global_rng_untouched",
    "check_generator_not_fitted",
    "check_generator_pickle_roundtrip",
    "check_generator_refit_resets",
    "check_generator_sample_differs_across_calls",
    "check_generator_sample_labeled",
    "check_generator_sample_reproducible",
    "check_generator_sample_shape_and_type",
    "generator_checks",
    "parametrize_with_generator_checks",
]


def _table(n=60, seed=0):
    """A small mixed table: correlated floats, an integer code, a category."""
    rng = np.random.RandomState(seed)
    a = rng.normal(size=n)
    return pd.DataFrame(
        {
            "a": a,
            "b": 2 * a + rng.normal(scale=0.1, size=n),
            "port": rng.choice([22, 80, 443], size=n),
            "proto": rng.choice(["tcp", "udp"], size=n),
        }
    )


def _series(n=12, seed=0, shift=0.0):
    """Small 2-channel series: noisy sines of random phase, 16 steps each."""
    rng = np.random.RandomState(seed)
    t = np.arange(16) / 4.0
    phase = rng.uniform(0, 2 * np.pi, size=(n, 1))
    a = np.sin(t + phase) + rng.normal(scale=0.1, size=(n, 16)) + shift
    b = np.cos(t + phase) + rng.normal(scale=0.1, size=(n, 16))
    return np.stack([a, b], axis=-1)


def _takes_series(generator):
    from sklearn.utils import get_tags

    return get_tags(generator).input_tags.three_d_array


def _takes_strings(generator):
    from sklearn.utils import get_tags

    return get_tags(generator).input_tags.string


def _data(generator, seed=0, shift=0.0):
    """Training data the generator takes: a mixed table (its numeric columns for
    numeric-only generators), or series for sequence models."""
    if _takes_series(generator):
        return _series(seed=seed, shift=shift)
    table = _table(seed=seed)
    if not _takes_strings(generator):
        table = table[["a", "b", "port"]]
    return table.assign(a=table["a"] + shift) if shift else table


def _labels(n=60):
    return np.where(np.arange(n) % 3 == 0, "attack", "benign")


def _data_labels(generator):
    X = _data(generator)
    return X, _labels(len(X))


def _first_column(out):
    return out["a"].to_numpy() if isinstance(out, pd.DataFrame) else np.asarray(out)[..., 0]


def _assert_same(a, b, msg):
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b, obj=msg)
    else:
        np.testing.assert_array_equal(a, b, err_msg=msg)


def check_generator_not_fitted(name, generator):
    """``sample`` before ``fit`` raises NotFittedError."""
    try:
        clone(generator).sample(2)
    except NotFittedError:
        return
    raise AssertionError(f"{name}.sample did not raise NotFittedError before fit.")


def check_generator_sample_shape_and_type(name, generator):
    """Samples have the fitted container, columns and dtypes, for DataFrames and arrays
    (for sequence models: ``(n, n_timesteps, n_channels)`` arrays)."""
    if _takes_series(generator):
        X = _series()
        gen = clone(generator).fit(X)
        out = gen.sample(7, random_state=0)
        assert isinstance(out, np.ndarray) and out.shape == (7, *X.shape[1:]), out.shape
        assert out.dtype == X.dtype
        assert gen.sample(0, random_state=0).shape == (0, *X.shape[1:])
        assert np.isfinite(out).all(), f"{name}: non-finite values sampled"
        return
    X = _data(generator)
    gen = clone(generator).fit(X)
    out = gen.sample(7, random_state=0)
    assert isinstance(out, pd.DataFrame), f"{name}: sample should return a DataFrame"
    assert out.shape == (7, X.shape[1])
    assert list(out.columns) == list(X.columns)
    assert list(out.dtypes) == list(X.dtypes), f"{name}: dtypes {list(out.dtypes)}"
    assert gen.sample(0, random_state=0).shape == (0, X.shape[1])

    X_num = X[["a", "b", "port"]].to_numpy()
    out = clone(generator).fit(X_num).sample(5, random_state=0)
    assert isinstance(out, np.ndarray) and out.shape == (5, 3)
    assert np.isfinite(out).all(), f"{name}: non-finite values sampled"


def check_generator_sample_reproducible(name, generator):
    """The same ``random_state`` gives identical fits and samples."""
    X = _data(generator)
    gen = clone(generator).set_params(random_state=0)
    first = clone(gen).fit(X)
    second = clone(gen).fit(X)
    _assert_same(first.sample(20, random_state=3), second.sample(20, random_state=3), name)
    # the default stream is reproducible from the constructor seed as well
    _assert_same(first.sample(20), second.sample(20), f"{name} (default stream)")


def check_generator_sample_differs_across_calls(name, generator):
    """Successive calls without ``random_state`` give different rows."""
    gen = clone(generator).set_params(random_state=0).fit(_data(generator))
    a, b = gen.sample(20), gen.sample(20)
    if isinstance(a, pd.DataFrame):
        assert not a.equals(b), f"{name}: two sample() calls returned identical rows"
    else:
        assert not np.array_equal(a, b)


def check_generator_sample_labeled(name, generator):
    """``sample_labeled`` gives exactly the requested classes."""
    X, y = _data_labels(generator)
    gen = clone(generator).set_params(random_state=0).fit(X, y)
    Xs, ys = gen.sample_labeled(9, y="attack", random_state=0)
    assert Xs.shape == (9, *X.shape[1:]) and list(ys) == ["attack"] * 9
    wanted = np.array(["benign", "attack", "attack", "benign"])
    Xs, ys = gen.sample_labeled(y=wanted, random_state=0)
    assert Xs.shape[0] == 4 and list(ys) == list(wanted)
    Xs, ys = gen.sample_labeled(30, random_state=0)
    assert set(ys) <= {"attack", "benign"} and len(ys) == 30
    try:
        gen.sample_labeled(2, y="unseen")
    except ValueError as exc:
        assert "unseen" in str(exc)
    else:
        raise AssertionError(f"{name}: an unseen label did not raise ValueError.")
    unlabeled = clone(generator).fit(X)
    try:
        unlabeled.sample_labeled(2)
    except ValueError as exc:
        assert "without labels" in str(exc)
    else:
        raise AssertionError(f"{name}: sample_labeled without y in fit did not raise.")


def check_generator_pickle_roundtrip(name, generator):
    """A fitted generator pickles and samples identically after loading."""
    gen = clone(generator).set_params(random_state=0).fit(_data(generator))
    restored = pickle.loads(pickle.dumps(gen))
    _assert_same(gen.sample(10, random_state=5), restored.sample(10, random_state=5), name)


def check_generator_audit_sample_not_pickled(name, generator):
    """The in-memory sample of training rows kept for privacy audits is bounded
    and never pickled or copied."""
    import copy

    gen = clone(generator).set_params(random_state=0).fit(_data(generator))
    sample = audit_sample(gen)
    assert sample is not None, f"{name} keeps no audit sample of its training rows"
    assert len(sample[0]) <= AUDIT_SAMPLE_SIZE
    assert audit_sample(pickle.loads(pickle.dumps(gen))) is None
    assert audit_sample(copy.deepcopy(gen)) is None


def check_generator_global_rng_untouched(name, generator):
    """fit and sample leave the global generators of numpy, ``random`` and torch
    alone: the draws after them equal the draws without them."""
    import random
    import sys

    torch = sys.modules.get("torch")

    def seed_and_draw(work):
        np.random.seed(123)
        random.seed(123)
        if torch is not None:
            torch.manual_seed(123)
        work()
        return (np.random.random_sample(), random.random(),
                None if torch is None else float(torch.rand(1)))

    def fit_and_sample():
        gen = clone(generator).set_params(random_state=0).fit(_data(generator))
        gen.sample(10)
        gen.sample(10, random_state=1)

    saved = (np.random.get_state(), random.getstate(),
             None if torch is None else torch.get_rng_state())
    try:
        expected = seed_and_draw(lambda: None)
        assert seed_and_draw(fit_and_sample) == expected, f"{name} changed a global RNG"
    finally:  # the caller's global streams go on as if this check had not run
        np.random.set_state(saved[0])
        random.setstate(saved[1])
        if torch is not None:
            torch.set_rng_state(saved[2])


def check_generator_does_not_mutate_input(name, generator):
    """fit never modifies the caller's data."""
    X, y = _data_labels(generator)
    X_before, y_before = X.copy(), y.copy()
    clone(generator).set_params(random_state=0).fit(X, y)
    _assert_same(X, X_before, f"{name} changed its input")
    np.testing.assert_array_equal(y, y_before)


def check_generator_refit_resets(name, generator):
    """Refitting on other data forgets the first fit."""
    gen = clone(generator).set_params(random_state=0)
    gen.fit(_data(generator, seed=0))
    gen.fit(_data(generator, seed=1, shift=100.0))
    first = _first_column(gen.sample(50, random_state=0))
    assert (first > 50).all(), f"{name}: samples after refit still follow the first fit"


_CHECKS = (
    check_generator_not_fitted,
    check_generator_sample_shape_and_type,
    check_generator_sample_reproducible,
    check_generator_sample_differs_across_calls,
    check_generator_sample_labeled,
    check_generator_pickle_roundtrip,
    check_generator_audit_sample_not_pickled,
    check_generator_global_rng_untouched,
    check_generator_does_not_mutate_input,
    check_generator_refit_resets,
)


def generator_checks(generator):
    """Yield ``(generator, check)`` pairs: every check for one generator instance.

    Parameters
    ----------
    generator : estimator instance
        An unfitted generator (with small, fast parameters).

    Yields
    ------
    generator, check : estimator, callable
        Call ``check(type(generator).__name__, generator)``.
    """
    for check in _CHECKS:
        yield generator, check


def parametrize_with_generator_checks(generators):
    """A ``pytest.mark.parametrize`` decorator over every check of every generator.

    Parameters
    ----------
    generators : list of estimator instances
        Unfitted generators.

    Returns
    -------
    decorator
        Parametrizes ``(generator, check)`` with readable ids.
    """
    import pytest

    pairs = [pair for g in generators for pair in generator_checks(g)]
    ids = [f"{type(g).__name__}({_short_params(g)})-{c.__name__}" for g, c in pairs]
    return pytest.mark.parametrize("generator, check", pairs, ids=ids)


def _short_params(estimator):
    changed = {
        k: v
        for k, v in estimator.get_params(deep=False).items()
        if v != type(estimator)().get_params(deep=False).get(k)
    }
    return ",".join(f"{k}={v!r}" for k, v in sorted(changed.items()))
