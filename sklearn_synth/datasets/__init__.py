"""Loaders for real data sets: user files and data shipped inside packages.

Nothing here downloads. File-based loaders read from a path, or from
:func:`get_data_home` (the ``SKLEARN_SYNTH_DATA`` environment variable), and
raise :class:`~sklearn_synth.exceptions.DataNotFoundError` with the expected
location when the data are absent.
"""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from ._flows import PAPER_FLOW_FEATURES, load_network_flows, normalize_flow_columns
from ._home import get_data_home
from ._images import load_cifar10, load_mnist
from ._sensors import load_hmp, load_smartwatch_imu
from ._tables import load_demo_table, load_kddcup99

__all__ = [
    "PAPER_FLOW_FEATURES",
    "get_data_home",
    "load_cifar10",
    "load_demo_table",
    "load_hmp",
    "load_kddcup99",
    "load_mnist",
    "load_network_flows",
    "load_smartwatch_imu",
    "normalize_flow_columns",
]
