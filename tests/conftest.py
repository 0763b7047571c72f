import os
from pathlib import Path

import pytest
from hypothesis import settings

# A fixed, quick hypothesis profile for CI; HYPOTHESIS_PROFILE=thorough locally.
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The shared real data sets sit beside the repository unless SKLEARN_SYNTH_DATA
# says otherwise; tests that need them skip cleanly when they are absent.
_DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
if not os.environ.get("SKLEARN_SYNTH_DATA") and _DEFAULT_DATA.is_dir():
    os.environ["SKLEARN_SYNTH_DATA"] = str(_DEFAULT_DATA)


def data_dir(name):
    """Path of a shared data set, or skip the test when it is not available."""
    root = os.environ.get("SKLEARN_SYNTH_DATA")
    path = Path(root) / name if root else None
    if path is None or not path.exists():
        pytest.skip(f"data set {name!r} not available (set SKLEARN_SYNTH_DATA)")
    return path


@pytest.fixture(scope="session")
def flows_paper():
    """The CIC-IDS2017 sample with the paper's 23 features, as (X, y)."""
    from sklearn_synth.datasets import load_network_flows

    return load_network_flows(
        data_dir("cicids2017_improved_2500"), features="paper", return_X_y=True
    )
