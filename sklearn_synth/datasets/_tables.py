"""Loaders for KDD'99 and the small tables that ship with scikit-learn."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd

from ._home import resolve_path

_KDD_COLUMNS = (
    "duration protocol_type service flag src_bytes dst_bytes land wrong_fragment urgent hot "
    "num_failed_logins logged_in num_compromised root_shell su_attempted num_root "
    "num_file_creations num_shells num_access_files num_outbound_cmds is_host_login "
    "is_guest_login count srv_count serror_rate srv_serror_rate rerror_rate srv_rerror_rate "
    "same_srv_rate diff_srv_rate srv_diff_host_rate dst_host_count dst_host_srv_count "
    "dst_host_same_srv_rate dst_host_diff_srv_rate dst_host_same_src_port_rate "
    "dst_host_srv_diff_host_rate dst_host_serror_rate dst_host_srv_serror_rate "
    "dst_host_rerror_rate dst_host_srv_rerror_rate label"
).split()

_KDD_CATEGORICAL = ("protocol_type", "service", "flag")


def load_kddcup99(path=None, *, n_samples=None, random_state=None, return_X_y=False):
    """Load the KDD Cup 1999 10% file (494,021 connections, 23 classes).

    Parameters
    ----------
    path : str or path-like, default=None
        The gzip file ``kddcup.data_10_percent.gz`` (headerless CSV) or its
        folder. None reads ``kddcup99_10pct`` from :func:`get_data_home`.
    n_samples : int, default=None
        Keep a stratified random subsample of this many rows (every class keeps
        at least one row). None keeps all rows.
    random_state : int, RandomState instance or None, default=None
        Seeds the subsample.
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of one DataFrame.

    Returns
    -------
    data : DataFrame, or (X, y) when ``return_X_y`` is True
        41 features (``protocol_type``, ``service`` and ``flag`` as categorical
        dtype) and ``label`` without the trailing dot.

    Examples
    --------
    >>> from sklearn_synth.datasets import load_kddcup99
    >>> X, y = load_kddcup99(n_samples=5000, random_state=0, return_X_y=True)  # doctest: +SKIP
    """
    path = resolve_path(
        path,
        "kddcup99_10pct",
        what="the KDD Cup 1999 10% file (kddcup.data_10_percent.gz)",
        where_to_get="it is published in the UCI KDD Archive (kddcup99).",
    )
    if path.is_dir():
        path = path / "kddcup.data_10_percent.gz"
    data = pd.read_csv(path, header=None, names=list(_KDD_COLUMNS))
    data["label"] = data["label"].str.rstrip(".")
    for column in _KDD_CATEGORICAL:
        data[column] = data[column].astype("category")
    if n_samples is not None and n_samples < len(data):
        data = _stratified_subsample(data, "label", n_samples, random_state)
    if return_X_y:
        return data.drop(columns="label"), data["label"]
    return data


def _stratified_subsample(data, label, n_samples, random_state):
    from sklearn.utils import check_random_state

    rng = check_random_state(random_state)
    counts = data[label].value_counts()
    share = np.maximum(np.round(counts * n_samples / len(data)).astype(int), 1)
    picked = []
    for cls, k in share.items():
        rows = np.flatnonzero((data[label] == cls).to_numpy())
        picked.append(rng.choice(rows, size=min(k, rows.size), replace=False))
    return data.iloc[np.sort(np.concatenate(picked))].reset_index(drop=True)


def load_demo_table(name="wine"):
    """A small real table that ships inside scikit-learn, as one DataFrame.

    This is the embedded default of the command-line demo: nothing is read
    from disk beyond the installed packages.

    Parameters
    ----------
    name : {"wine", "breast_cancer", "iris"}, default="wine"
        Which of scikit-learn's bundled sets.

    Returns
    -------
    data : DataFrame
        The features and a ``label`` column holding the class names.

    Examples
    --------
    >>> from sklearn_synth.datasets import load_demo_table
    >>> load_demo_table().shape
    (178, 14)
    """
    from sklearn import datasets

    loaders = {
        "wine": datasets.load_wine,
        "breast_cancer": datasets.load_breast_cancer,
        "iris": datasets.load_iris,
    }
    if name not in loaders:
        raise ValueError(f"Unknown demo table {name!r}; choose one of {sorted(loaders)}.")
    bunch = loaders[name](as_frame=True)
    data = bunch.frame.drop(columns="target")
    data["label"] = np.asarray(bunch.target_names)[bunch.target.to_numpy()]
    return data
