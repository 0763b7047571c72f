"""Loaders for accelerometer recordings: HMP (files) and seglearn's smartwatch IMU."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
from sklearn.utils import Bunch

from ..exceptions import OptionalDependencyError
from ._home import resolve_path


def load_hmp(path=None, *, activities=None, units="g"):
    """Load the HMP wrist accelerometer recordings (14 activities, 32 Hz, 3 axes).

    Parameters
    ----------
    path : str or path-like, default=None
        The folder with one sub-folder per activity. None reads
        ``hmp_adl_wrist_acc`` from :func:`get_data_home`.
    activities : list of str, default=None
        Activity folder names to keep (for example ``["Walk", "Climb_stairs"]``).
    units : {"g", "raw"}, default="g"
        ``"g"`` converts the 6-bit codes to acceleration in g
        (``-1.5 + 3 * code / 63``); ``"raw"`` keeps the integer codes.

    Returns
    -------
    data : Bunch
        ``data``: list of 839 float arrays (all 14 activities), one per
        recording, of shape (n_timesteps_i, 3) with lengths from 125 to 9,318
        steps; ``target``: ndarray of the activity of each recording;
        ``groups``: the volunteer id; ``filenames``; ``sampling_rate``: 32;
        ``channels``: ``["x", "y", "z"]``.

    Examples
    --------
    >>> from sklearn_synth.datasets import load_hmp
    >>> hmp = load_hmp(activities=["Walk"])  # doctest: +SKIP
    >>> len(hmp.data), hmp.data[0].shape  # doctest: +SKIP
    (100, (1170, 3))
    """
    if units not in ("g", "raw"):
        raise ValueError(f"units must be 'g' or 'raw', got {units!r}.")
    root = resolve_path(
        path,
        "hmp_adl_wrist_acc",
        what="the HMP accelerometer folder (one sub-folder per activity)",
        where_to_get="the data set is 'Dataset for ADL Recognition with Wrist-worn "
        "Accelerometer' in the UCI repository (id 283).",
    )
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.endswith("_MODEL"))
    if activities is not None:
        unknown = sorted(set(activities) - {p.name for p in folders})
        if unknown:
            raise ValueError(
                f"Unknown activities {unknown}; available: {[p.name for p in folders]}."
            )
        folders = [p for p in folders if p.name in set(activities)]
    series, target, groups, names = [], [], [], []
    for folder in folders:
        for file in sorted(folder.glob("*.txt")):
            codes = np.loadtxt(file, dtype=np.int16, ndmin=2)
            series.append(codes.astype(np.float64) * 3 / 63 - 1.5 if units == "g" else codes)
            target.append(folder.name)
            groups.append(file.stem.rsplit("-", 1)[-1])
            names.append(str(file))
    return Bunch(
        data=series,
        target=np.array(target),
        groups=np.array(groups),
        filenames=names,
        sampling_rate=32,
        channels=["x", "y", "z"],
    )


def load_smartwatch_imu():
    """Load the smartwatch IMU recordings that ship inside ``seglearn``.

    140 recordings of 7 shoulder exercises, 6 channels (3-axis accelerometer
    and gyroscope) at 50 Hz; nothing is downloaded.

    Returns
    -------
    data : Bunch
        ``data``: list of arrays of shape (n_timesteps_i, 6); ``target``: the
        exercise name; ``groups``: the subject id; ``sampling_rate``: 50;
        ``channels``.

    Raises
    ------
    OptionalDependencyError
        If seglearn is not installed (``pip install sklearn-synth[test]``).

    Examples
    --------
    >>> from sklearn_synth.datasets import load_smartwatch_imu
    >>> imu = load_smartwatch_imu()  # doctest: +SKIP
    >>> len(imu.data), imu.data[0].shape[1]  # doctest: +SKIP
    (140, 6)
    """
    try:
        from seglearn.datasets import load_watch
    except ImportError as exc:
        raise OptionalDependencyError(
            "load_smartwatch_imu reads data shipped with seglearn; install it with "
            "'pip install seglearn' (it is part of the 'test' extra)."
        ) from exc
    watch = load_watch()
    labels = np.asarray(watch["y_labels"])
    return Bunch(
        data=[np.asarray(x, dtype=np.float64) for x in watch["X"]],
        target=labels[np.asarray(watch["y"])],
        groups=np.asarray(watch["subject"]),
        sampling_rate=50,
        channels=list(watch["X_labels"]),
    )
