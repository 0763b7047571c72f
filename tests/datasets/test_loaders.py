import gzip

import numpy as np
import pandas as pd
import pytest

from sklearn_synth.datasets import (
    PAPER_FLOW_FEATURES,
    get_data_home,
    load_demo_table,
    load_hmp,
    load_kddcup99,
    load_network_flows,
    load_smartwatch_imu,
    normalize_flow_columns,
)
from sklearn_synth.exceptions import DataNotFoundError

from ..conftest import data_dir


@pytest.mark.parametrize(
    "original, improved, short, canonical",
    [
        (" Flow Bytes/s", "Flow Bytes/s", "Flow Byts/s", "flow_byts_s"),
        (" Total Fwd Packets", "Total Fwd Packet", "Tot Fwd Pkts", "tot_fwd_pkts"),
        ("Total Length of Fwd Packets", "Total Length of Fwd Packet", "TotLen Fwd Pkts", "totlen_fwd_pkts"),
        (" act_data_pkt_fwd", "Fwd Act Data Pkts", "Fwd Act Data Pkts", "fwd_act_data_pkts"),
        ("Fwd Avg Bytes/Bulk", "Fwd Bytes/Bulk Avg", "Fwd Byts/b Avg", "fwd_byts_b_avg"),
        (" Fwd Header Length", "Fwd Header Length", "Fwd Header Len", "fwd_header_len"),
        (" Label", "Label", "Label", "label"),
    ],
)
def test_three_layouts_map_to_one_name(original, improved, short, canonical):
    for name in (original, improved, short):
        assert normalize_flow_columns([name]) == [canonical]


def test_unknown_and_repeated_columns():
    assert normalize_flow_columns(["Some New Field", "Fwd Header Length", "Fwd Header Length.1"]) == [
        "some_new_field",
        "fwd_header_len",
        "fwd_header_len_2",
    ]


def _write_original_layout(path):
    header = " Destination Port, Flow Duration, Flow Bytes/s, Flow Packets/s, Label\n"
    rows = "80,10,Infinity,Infinity,BENIGN\n22,5,100.5,2.0,Web Attack \x96 Brute Force\n"
    path.write_bytes((header + rows).encode("latin-1"))


def test_original_layout_fixture(tmp_path):
    file = tmp_path / "day.csv"
    _write_original_layout(file)
    with pytest.warns(UserWarning, match=r"flow_byts_s': 1.*flow_pkts_s': 1"):
        data = load_network_flows(file)
    assert list(data.columns) == ["dst_port", "flow_duration", "flow_byts_s", "flow_pkts_s", "label"]
    assert data["flow_byts_s"].isna().sum() == 1
    assert list(data["label"]) == ["BENIGN", "Web Attack - Brute Force"]
    with pytest.raises(KeyError, match="src_port"):
        load_network_flows(file, features="paper")
    X, y = load_network_flows([file, file], features=["dst_port"], return_X_y=True)
    assert X.shape == (4, 1) and y.shape == (4,)


def test_missing_path_says_what_and_where(tmp_path):
    with pytest.raises(DataNotFoundError, match="Expected CICFlowMeter CSV files at .*nothing"):
        load_network_flows(tmp_path / "nothing")


def test_data_home_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SKLEARN_SYNTH_DATA", str(tmp_path))
    assert get_data_home() == tmp_path
    with pytest.raises(DataNotFoundError, match="SKLEARN_SYNTH_DATA"):
        load_kddcup99()


def test_cicids2017_sample():
    X, y = load_network_flows(
        data_dir("cicids2017_improved_2500"), features="paper", return_X_y=True
    )
    assert X.shape == (25127, 23)
    assert list(X.columns) == list(PAPER_FLOW_FEATURES)
    assert y.nunique() == 16 and (y == "Heartbleed").sum() == 11
    assert "Web Attack - SQL Injection" in set(y)


def test_cicids2017_original_heads():
    with pytest.warns(UserWarning, match="infinite"):
        data = load_network_flows(data_dir("cicids2017_original_heads"))
    assert data.shape == (7000, 79)
    assert "dst_port" in data and "fwd_header_len_2" in data
    assert not np.isinf(data.select_dtypes("number").to_numpy()).any()
    assert set(data["label"]) == {
        "BENIGN", "Web Attack - Brute Force", "Web Attack - XSS", "Web Attack - Sql Injection"
    }


def test_kddcup99(tmp_path):
    X, y = load_kddcup99(data_dir("kddcup99_10pct"), n_samples=3000, random_state=0, return_X_y=True)
    assert X.shape[1] == 41 and 2900 <= len(X) <= 3100
    assert y.nunique() == 23  # every class keeps a row
    assert isinstance(X["protocol_type"].dtype, pd.CategoricalDtype)
    assert not y.str.endswith(".").any()


def test_kddcup99_small_file(tmp_path):
    line = "0,tcp,http,SF,181,5450" + ",0" * 35 + ",normal.\n"
    file = tmp_path / "k.gz"
    with gzip.open(file, "wt") as handle:
        handle.write(line * 3)
    data = load_kddcup99(file)
    assert data.shape == (3, 42) and list(data["label"]) == ["normal"] * 3


def test_hmp():
    hmp = load_hmp(data_dir("hmp_adl_wrist_acc"), activities=["Eat_soup", "Eat_meat"])
    assert len(hmp.data) == 8 and set(hmp.target) == {"Eat_soup", "Eat_meat"}
    assert all(x.shape[1] == 3 for x in hmp.data)
    assert -1.5 <= min(x.min() for x in hmp.data) and max(x.max() for x in hmp.data) <= 1.5
    raw = load_hmp(data_dir("hmp_adl_wrist_acc"), activities=["Eat_soup"], units="raw")
    assert raw.data[0].dtype == np.int16
    with pytest.raises(ValueError, match="Unknown activities"):
        load_hmp(data_dir("hmp_adl_wrist_acc"), activities=["Juggle"])


def test_smartwatch_imu():
    pytest.importorskip("seglearn")
    imu = load_smartwatch_imu()
    assert len(imu.data) == 140 and imu.data[0].shape[1] == 6
    assert len(set(imu.target)) == 7 and len(imu.groups) == 140


@pytest.mark.parametrize("name, shape", [("wine", (178, 14)), ("iris", (150, 5))])
def test_demo_tables(name, shape):
    data = load_demo_table(name)
    assert data.shape == shape
    assert data["label"].nunique() in (2, 3)
    with pytest.raises(ValueError, match="Unknown demo table"):
        load_demo_table("titanic")


def test_cifar10(tmp_path):
    from sklearn_synth.datasets import load_cifar10

    np.savez(tmp_path / "cifar10_jpg_test.npz", X=np.zeros((4, 32, 32, 3), np.uint8),
             y=np.arange(4, dtype=np.uint8))
    X, y = load_cifar10(tmp_path, subset="test")
    assert X.shape == (4, 32, 32, 3) and y.tolist() == [0, 1, 2, 3]
    np.savez(tmp_path / "cifar10_jpg_train_1000pc.npz", X=np.zeros((4, 32, 32), np.uint8),
             y=np.arange(4))
    with pytest.raises(ValueError, match="expected \\(n, 32, 32, 3\\)"):
        load_cifar10(tmp_path)
    with pytest.raises(ValueError, match="subset must be"):
        load_cifar10(tmp_path, subset="valid")
    with pytest.raises(DataNotFoundError, match="CIFAR-10"):
        load_cifar10(tmp_path / "nowhere")


def test_cifar10_shared_copy():
    from sklearn_synth.datasets import load_cifar10

    X, y = load_cifar10(data_dir("cifar10_jpg"))
    assert X.shape == (10000, 32, 32, 3) and np.bincount(y).tolist() == [1000] * 10
