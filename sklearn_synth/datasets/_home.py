"""Where the real data sets live: nothing is ever downloaded."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import os
from pathlib import Path

from ..exceptions import DataNotFoundError

#: Environment variable naming the folder that holds the data sets.
DATA_ENV = "SKLEARN_SYNTH_DATA"


def get_data_home(data_home=None):
    """Return the folder that holds the real data sets.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The folder. None reads the ``SKLEARN_SYNTH_DATA`` environment variable
        and falls back to ``~/sklearn_synth_data``.

    Returns
    -------
    data_home : pathlib.Path
        The folder (it may not exist).

    Examples
    --------
    >>> from sklearn_synth.datasets import get_data_home
    >>> get_data_home("/data").as_posix()
    '/data'
    """
    if data_home is None:
        data_home = os.environ.get(DATA_ENV) or Path.home() / "sklearn_synth_data"
    return Path(data_home).expanduser()


def resolve_path(path, default_subdir, *, what, where_to_get):
    """The data path to read: ``path`` if given, else ``data_home/default_subdir``.

    Raises
    ------
    DataNotFoundError
        If the path does not exist; the message names it and where to get it.
    """
    if isinstance(path, (list, tuple)):
        return [resolve_path(p, default_subdir, what=what, where_to_get=where_to_get) for p in path]
    if path is None:
        path = get_data_home() / default_subdir
        hint = (
            f"Set {DATA_ENV} to the folder that contains '{default_subdir}', or pass "
            "the path explicitly."
        )
    else:
        path = Path(path).expanduser()
        hint = "Check the path."
    if not path.exists():
        raise DataNotFoundError(
            f"Expected {what} at '{path}', but it does not exist. {hint} "
            f"Nothing is downloaded by sklearn-synth: {where_to_get}"
        )
    return path
