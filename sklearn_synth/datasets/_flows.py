"""Loader for CICFlowMeter network-flow CSV files (CIC-IDS2017, CSE-CIC-IDS2018)."""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ._home import resolve_path

#: The 23 flow features of the symbolic-sequence paper, in its order.
PAPER_FLOW_FEATURES = (
    "src_port",
    "flow_duration",
    "flow_byts_s",
    "flow_pkts_s",
    "fwd_pkts_s",
    "tot_fwd_pkts",
    "totlen_fwd_pkts",
    "fwd_header_len",
    "fwd_act_data_pkts",
    "flow_iat_mean",
    "flow_iat_max",
    "flow_iat_min",
    "flow_iat_std",
    "fwd_iat_tot",
    "fwd_iat_max",
    "fwd_iat_min",
    "fwd_iat_mean",
    "fwd_iat_std",
    "fwd_byts_b_avg",
    "fwd_pkts_b_avg",
    "fwd_blk_rate_avg",
    "subflow_fwd_pkts",
    "subflow_fwd_byts",
)

# Canonical snake_case name -> the spellings of the three CICFlowMeter layouts
# users meet: the original CIC-IDS2017 CSVs (leading spaces stripped), the
# re-extracted "improved" CIC-IDS2017 files (long names) and CSE-CIC-IDS2018
# (short names). Spellings are compared after lower-casing and dropping every
# character that is not a letter or a digit.
_ALIASES = {
    "flow_id": ["Flow ID"],
    "src_ip": ["Src IP", "Source IP"],
    "src_port": ["Src Port", "Source Port"],
    "dst_ip": ["Dst IP", "Destination IP"],
    "dst_port": ["Dst Port", "Destination Port"],
    "protocol": ["Protocol"],
    "timestamp": ["Timestamp"],
    "flow_duration": ["Flow Duration"],
    "tot_fwd_pkts": ["Tot Fwd Pkts", "Total Fwd Packets", "Total Fwd Packet"],
    "tot_bwd_pkts": ["Tot Bwd Pkts", "Total Backward Packets", "Total Bwd packets"],
    "totlen_fwd_pkts": [
        "TotLen Fwd Pkts",
        "Total Length of Fwd Packets",
        "Total Length of Fwd Packet",
    ],
    "totlen_bwd_pkts": [
        "TotLen Bwd Pkts",
        "Total Length of Bwd Packets",
        "Total Length of Bwd Packet",
    ],
    "fwd_pkt_len_max": ["Fwd Pkt Len Max", "Fwd Packet Length Max"],
    "fwd_pkt_len_min": ["Fwd Pkt Len Min", "Fwd Packet Length Min"],
    "fwd_pkt_len_mean": ["Fwd Pkt Len Mean", "Fwd Packet Length Mean"],
    "fwd_pkt_len_std": ["Fwd Pkt Len Std", "Fwd Packet Length Std"],
    "bwd_pkt_len_max": ["Bwd Pkt Len Max", "Bwd Packet Length Max"],
    "bwd_pkt_len_min": ["Bwd Pkt Len Min", "Bwd Packet Length Min"],
    "bwd_pkt_len_mean": ["Bwd Pkt Len Mean", "Bwd Packet Length Mean"],
    "bwd_pkt_len_std": ["Bwd Pkt Len Std", "Bwd Packet Length Std"],
    "flow_byts_s": ["Flow Byts/s", "Flow Bytes/s"],
    "flow_pkts_s": ["Flow Pkts/s", "Flow Packets/s"],
    "flow_iat_mean": ["Flow IAT Mean"],
    "flow_iat_std": ["Flow IAT Std"],
    "flow_iat_max": ["Flow IAT Max"],
    "flow_iat_min": ["Flow IAT Min"],
    "fwd_iat_tot": ["Fwd IAT Tot", "Fwd IAT Total"],
    "fwd_iat_mean": ["Fwd IAT Mean"],
    "fwd_iat_std": ["Fwd IAT Std"],
    "fwd_iat_max": ["Fwd IAT Max"],
    "fwd_iat_min": ["Fwd IAT Min"],
    "bwd_iat_tot": ["Bwd IAT Tot", "Bwd IAT Total"],
    "bwd_iat_mean": ["Bwd IAT Mean"],
    "bwd_iat_std": ["Bwd IAT Std"],
    "bwd_iat_max": ["Bwd IAT Max"],
    "bwd_iat_min": ["Bwd IAT Min"],
    "fwd_psh_flags": ["Fwd PSH Flags"],
    "bwd_psh_flags": ["Bwd PSH Flags"],
    "fwd_urg_flags": ["Fwd URG Flags"],
    "bwd_urg_flags": ["Bwd URG Flags"],
    "fwd_rst_flags": ["Fwd RST Flags"],
    "bwd_rst_flags": ["Bwd RST Flags"],
    "fwd_header_len": ["Fwd Header Len", "Fwd Header Length"],
    "bwd_header_len": ["Bwd Header Len", "Bwd Header Length"],
    "fwd_pkts_s": ["Fwd Pkts/s", "Fwd Packets/s"],
    "bwd_pkts_s": ["Bwd Pkts/s", "Bwd Packets/s"],
    "pkt_len_min": ["Pkt Len Min", "Min Packet Length", "Packet Length Min"],
    "pkt_len_max": ["Pkt Len Max", "Max Packet Length", "Packet Length Max"],
    "pkt_len_mean": ["Pkt Len Mean", "Packet Length Mean"],
    "pkt_len_std": ["Pkt Len Std", "Packet Length Std"],
    "pkt_len_var": ["Pkt Len Var", "Packet Length Variance"],
    "fin_flag_cnt": ["FIN Flag Cnt", "FIN Flag Count"],
    "syn_flag_cnt": ["SYN Flag Cnt", "SYN Flag Count"],
    "rst_flag_cnt": ["RST Flag Cnt", "RST Flag Count"],
    "psh_flag_cnt": ["PSH Flag Cnt", "PSH Flag Count"],
    "ack_flag_cnt": ["ACK Flag Cnt", "ACK Flag Count"],
    "urg_flag_cnt": ["URG Flag Cnt", "URG Flag Count"],
    "cwr_flag_cnt": ["CWE Flag Count", "CWR Flag Count", "CWE Flag Cnt", "CWR Flag Cnt"],
    "ece_flag_cnt": ["ECE Flag Cnt", "ECE Flag Count"],
    "down_up_ratio": ["Down/Up Ratio"],
    "pkt_size_avg": ["Pkt Size Avg", "Average Packet Size"],
    "fwd_seg_size_avg": ["Fwd Seg Size Avg", "Avg Fwd Segment Size", "Fwd Segment Size Avg"],
    "bwd_seg_size_avg": ["Bwd Seg Size Avg", "Avg Bwd Segment Size", "Bwd Segment Size Avg"],
    "fwd_byts_b_avg": ["Fwd Byts/b Avg", "Fwd Avg Bytes/Bulk", "Fwd Bytes/Bulk Avg"],
    "fwd_pkts_b_avg": ["Fwd Pkts/b Avg", "Fwd Avg Packets/Bulk", "Fwd Packet/Bulk Avg"],
    "fwd_blk_rate_avg": ["Fwd Blk Rate Avg", "Fwd Avg Bulk Rate", "Fwd Bulk Rate Avg"],
    "bwd_byts_b_avg": ["Bwd Byts/b Avg", "Bwd Avg Bytes/Bulk", "Bwd Bytes/Bulk Avg"],
    "bwd_pkts_b_avg": ["Bwd Pkts/b Avg", "Bwd Avg Packets/Bulk", "Bwd Packet/Bulk Avg"],
    "bwd_blk_rate_avg": ["Bwd Blk Rate Avg", "Bwd Avg Bulk Rate", "Bwd Bulk Rate Avg"],
    "subflow_fwd_pkts": ["Subflow Fwd Pkts", "Subflow Fwd Packets"],
    "subflow_fwd_byts": ["Subflow Fwd Byts", "Subflow Fwd Bytes"],
    "subflow_bwd_pkts": ["Subflow Bwd Pkts", "Subflow Bwd Packets"],
    "subflow_bwd_byts": ["Subflow Bwd Byts", "Subflow Bwd Bytes"],
    "init_fwd_win_byts": ["Init Fwd Win Byts", "Init_Win_bytes_forward", "FWD Init Win Bytes"],
    "init_bwd_win_byts": ["Init Bwd Win Byts", "Init_Win_bytes_backward", "Bwd Init Win Bytes"],
    "fwd_act_data_pkts": ["Fwd Act Data Pkts", "act_data_pkt_fwd"],
    "fwd_seg_size_min": ["Fwd Seg Size Min", "min_seg_size_forward"],
    "active_mean": ["Active Mean"],
    "active_std": ["Active Std"],
    "active_max": ["Active Max"],
    "active_min": ["Active Min"],
    "idle_mean": ["Idle Mean"],
    "idle_std": ["Idle Std"],
    "idle_max": ["Idle Max"],
    "idle_min": ["Idle Min"],
    "icmp_code": ["ICMP Code"],
    "icmp_type": ["ICMP Type"],
    "total_tcp_flow_time": ["Total TCP Flow Time"],
    "label": ["Label"],
    "attempted_category": ["Attempted Category"],
}


def _key(name):
    return re.sub(r"[^a-z0-9]", "", str(name).lower())


_CANONICAL = {_key(alias): canon for canon, aliases in _ALIASES.items() for alias in aliases}
_CANONICAL.update({_key(canon): canon for canon in _ALIASES})


def _snake_case(name):
    name = re.sub(r"[^0-9a-zA-Z]+", "_", str(name).strip()).strip("_")
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def normalize_flow_columns(columns):
    """Map CICFlowMeter column names of any of the three layouts to one vocabulary.

    Parameters
    ----------
    columns : iterable of str
        Column names as read from a CSV header (leading spaces allowed).

    Returns
    -------
    names : list of str
        Canonical snake_case names (the paper's short names where one exists);
        unknown columns are snake-cased; repeated names get ``_2``, ``_3``...

    Examples
    --------
    >>> from sklearn_synth.datasets import normalize_flow_columns
    >>> normalize_flow_columns([" Flow Bytes/s", "Tot Fwd Pkts", "Total Length of Fwd Packet"])
    ['flow_byts_s', 'tot_fwd_pkts', 'totlen_fwd_pkts']
    """
    names, seen = [], {}
    for column in columns:
        # pandas renames a repeated header "X" to "X.1": treat it as a repeat of X
        base = re.sub(r"\.\d+$", "", str(column))
        name = _CANONICAL.get(_key(base), _snake_case(base))
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return names


def _clean_label(label):
    # The original files carry a mis-encoded dash ("Web Attack \x96 Brute Force");
    # normalise every dash-like character between words to "-".
    text = re.sub(r"\s*[\u0096\u2013\u2014\ufffd]\s*", " - ", str(label))
    return re.sub(r"\s+", " ", text).strip()


def _csv_files(path):
    if isinstance(path, (list, tuple)):
        files = []
        for p in path:
            files.extend(_csv_files(p))
        return files
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.csv")) + sorted(path.glob("*.csv.gz"))
        if not files:
            raise FileNotFoundError(f"No .csv files found in folder '{path}'.")
        return files
    return [path]


def _read_csv(file, nrows):
    try:
        return pd.read_csv(file, low_memory=False, skipinitialspace=True, nrows=nrows)
    except UnicodeDecodeError:  # the original CIC-IDS2017 files are latin-1
        return pd.read_csv(
            file, low_memory=False, skipinitialspace=True, nrows=nrows, encoding="latin-1"
        )


def load_network_flows(
    path=None, *, features=None, label_column="label", return_X_y=False, nrows=None
):
    """Load CICFlowMeter flow records (CIC-IDS2017, CSE-CIC-IDS2018) into a DataFrame.

    Column names of the three layouts users meet are mapped to one snake_case
    vocabulary (see :func:`normalize_flow_columns`); infinities, which
    CICFlowMeter writes for rates of zero-duration flows, become NaN with a
    warning that counts them per column; label strings are cleaned of the
    original files' mis-encoded dashes.

    Parameters
    ----------
    path : str, path-like, or list of them, default=None
        A CSV file, a folder of CSV files, or a list of either. None reads the
        CIC-IDS2017 sample ``cicids2017_improved_2500`` from
        :func:`get_data_home`.
    features : {"paper"}, list of str or None, default=None
        Columns to keep besides the label: ``"paper"`` selects the paper's 23
        features (:data:`PAPER_FLOW_FEATURES`), a list selects those canonical
        names, None keeps every column.
    label_column : str or None, default="label"
        Canonical name of the label column; None when the files have none.
    return_X_y : bool, default=False
        Return ``(X, y)`` instead of one DataFrame with the label column.
    nrows : int, default=None
        Read at most this many rows per file.

    Returns
    -------
    data : DataFrame, or (X, y) when ``return_X_y`` is True
        The flows, with rows in file order (files sorted by name in a folder).

    Raises
    ------
    DataNotFoundError
        If the path does not exist.
    KeyError
        If requested features or the label column are missing from the files.

    Examples
    --------
    >>> from sklearn_synth.datasets import load_network_flows
    >>> X, y = load_network_flows(features="paper", return_X_y=True)  # doctest: +SKIP
    >>> X.shape  # doctest: +SKIP
    (25127, 23)
    """
    path = resolve_path(
        path,
        "cicids2017_improved_2500",
        what="CICFlowMeter CSV files",
        where_to_get="the CIC-IDS2017 CSVs are distributed by the Canadian Institute for "
        "Cybersecurity (University of New Brunswick); the 'improved' re-extraction by "
        "Engelen et al. (KU Leuven).",
    )
    frames = []
    for file in _csv_files(path):
        frame = _read_csv(file, nrows)
        frame.columns = normalize_flow_columns(frame.columns)
        frames.append(frame)
    data = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

    if label_column is not None:
        if label_column not in data.columns:
            raise KeyError(
                f"No label column {label_column!r} in {path}; columns are "
                f"{list(data.columns)[:10]}... Pass label_column=None for unlabeled files."
            )
        data[label_column] = data[label_column].map(_clean_label)

    if features is not None:
        if isinstance(features, str):
            if features != "paper":
                raise ValueError(f"features must be 'paper', a list or None, got {features!r}.")
            features = PAPER_FLOW_FEATURES
        wanted = list(features)
        missing = [f for f in wanted if f not in data.columns]
        if missing:
            raise KeyError(
                f"Features {missing} are not in {path} (this layout has "
                f"{len(data.columns)} columns, e.g. {list(data.columns)[:6]}). The original "
                "CIC-IDS2017 CSVs, for one, have no source port."
            )
        keep = wanted + ([label_column] if label_column is not None else [])
        data = data[keep]

    numeric = data.select_dtypes(include="number")
    infinite = np.isinf(numeric.to_numpy(dtype=float, na_value=np.nan))
    if infinite.any():
        counts = dict(zip(numeric.columns, infinite.sum(axis=0)))
        counts = {k: int(v) for k, v in counts.items() if v}
        data = data.copy()
        data[list(counts)] = data[list(counts)].replace([np.inf, -np.inf], np.nan)
        warnings.warn(
            f"Replaced infinite values with NaN: {counts}.", UserWarning, stacklevel=2
        )

    if return_X_y:
        if label_column is None:
            raise ValueError("return_X_y=True needs a label column; set label_column.")
        return data.drop(columns=label_column), data[label_column]
    return data

