"""Every public estimator against scikit-learn's checks and our generator checks."""

import pytest
from imblearn.utils.estimator_checks import estimator_checks_generator as sampler_checks
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_synth.base import is_generator
from sklearn_synth.privacy import CycleGANPrivacyTransformer
from sklearn_synth.utils import all_estimators
from sklearn_synth.utils.estimator_checks import parametrize_with_generator_checks
from tests._estimators import INIT_PARAMS

# check name -> reason, per estimator class
_SERIES_LENGTH = (
    "a 2-D array is read as univariate series (rows) of n_timesteps (columns); n_features_in_ "
    "counts channels, and series of any length can be scored, so a different column count is "
    "not an error"
)
EXPECTED_FAILED_CHECKS = {
    "SenseGenSynthesizer": {
        "check_n_features_in": _SERIES_LENGTH,
        "check_n_features_in_after_fitting": _SERIES_LENGTH,
    },
}


def _instances():
    for name, cls in all_estimators():
        for params in INIT_PARAMS.get(name, [{}]):
            yield cls(**params)


ESTIMATORS = list(_instances())
# The CycleGAN transformer needs labels in fit, which the generic generator checks do not
# pass; its sample/sample_labeled contract is tested in tests/privacy/test_cyclegan.py.
GENERATORS = [est for est in ESTIMATORS
              if is_generator(est) and not isinstance(est, CycleGANPrivacyTransformer)]
SAMPLERS = [est for est in ESTIMATORS if hasattr(est, "fit_resample")]


def test_every_estimator_is_configured():
    """Every public estimator has fast settings here, so it gets checked."""
    assert {name for name, _ in all_estimators()} == set(INIT_PARAMS)


@parametrize_with_checks(
    ESTIMATORS,
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS.get(type(est).__name__, {}),
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize(
    "estimator, check",
    [pair for est in SAMPLERS for pair in sampler_checks(est, mark="xfail")],
    ids=lambda obj: getattr(obj, "func", obj).__name__ if callable(obj) else type(obj).__name__,
)
def test_imblearn_compatible(estimator, check):
    check(estimator)


@parametrize_with_generator_checks(GENERATORS)
def test_generator_contract(generator, check):
    check(type(generator).__name__, generator)


def test_package_import_does_not_import_torch():
    import subprocess
    import sys

    code = (
        "import sys, sklearn_synth, sklearn_synth.preprocessing, sklearn_synth.datasets;"
        "sklearn_synth.generators; sklearn_synth.privacy; sklearn_synth.over_sampling;"
        "assert 'torch' not in sys.modules, 'torch imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("name, cls", all_estimators())
def test_init_only_stores_parameters(name, cls):
    est = cls()
    assert set(vars(est)) == set(est.get_params(deep=False))


def test_subpackages_are_attributes_of_the_package():
    import sklearn_synth

    for name in sklearn_synth.__all__:
        assert getattr(sklearn_synth, name) is not None
    assert sklearn_synth.privacy.PrivacyValuator.__name__ == "PrivacyValuator"


def test_sampling_mixin_declares_its_contract():
    from sklearn.base import BaseEstimator

    from sklearn_synth.base import SamplingMixin

    class Incomplete(SamplingMixin, BaseEstimator):
        def _sample(self, n_samples, rng):
            return None

    with pytest.raises(TypeError, match="abstract.*_sample_labeled"):
        Incomplete()
