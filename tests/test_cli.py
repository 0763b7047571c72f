import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sklearn_synth.cli import main

from .conftest import data_dir


def test_demo_reports_round_trip(capsys):
    assert main(["demo", "--show", "2"]) == 0
    out = capsys.readouterr().out
    assert "Read 178 rows x 13 columns" in out
    assert "2314 of 2314 values decoded inside their own bin" in out
    assert out.count("\n  ") >= 2  # two sentences printed


def test_encode_csv_and_write_sentences(tmp_path, capsys):
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"x": rng.normal(size=50), "proto": rng.choice(["tcp", "udp"], 50),
                          "label": ["a"] * 50})
    csv = tmp_path / "t.csv"
    frame.to_csv(csv, index=False)
    target = tmp_path / "out" / "sentences.txt"
    assert main(["encode", str(csv), "--label-column", "label", "--n-bins", "5",
                 "--output", str(target)]) == 0
    assert "Read 50 rows x 2 columns" in capsys.readouterr().out
    lines = target.read_text().splitlines()
    assert len(lines) == 50 and all(len(line.split()) == 2 for line in lines)
    assert [p.name for p in target.parent.iterdir()] == ["sentences.txt"]  # no temp file left


def test_encode_flows():
    folder = data_dir("cicids2017_improved_2500")
    assert main(["encode", str(folder), "--flows", "--paper-features", "--show", "0"]) == 0


@pytest.mark.parametrize(
    "argv, message",
    [
        (["encode", "/no/such/file.csv"], "no such file"),
        (["encode", "x.csv", "--paper-features"], "--paper-features needs --flows"),
        (["demo", "--n-bins", "1"], "--n-bins must be at least 2"),
        (["encode", "/no/such/folder", "--flows"], "Expected CICFlowMeter CSV files"),
    ],
)
def test_errors_are_one_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_label_column_must_exist(tmp_path, capsys):
    csv = tmp_path / "t.csv"
    pd.DataFrame({"x": [1.0, 2.0]}).to_csv(csv, index=False)
    assert main(["encode", str(csv), "--label-column", "y"]) == 2
    assert "no column 'y'" in capsys.readouterr().err


def test_module_entry_point_help():
    result = subprocess.run([sys.executable, "-m", "sklearn_synth", "--help"],
                            capture_output=True, text=True, check=True)
    assert "demo" in result.stdout and "encode" in result.stdout


def test_demo_prints_quality_report(capsys):
    assert main(["demo", "--show", "0"]) == 0
    out = capsys.readouterr().out
    assert "Quality of 54 rows from the independent-columns baseline" in out
    for metric in ["detection AUC", "inlier rate calibrated (rbf)", "TSTR macro-F1",
                   "exact-copy rate", "distance-attack advantage"]:
        assert metric in out


def test_evaluate_command_writes_plot(tmp_path, capsys):

    def table(seed):
        r = np.random.RandomState(seed)
        a = r.normal(size=120)
        return pd.DataFrame({"a": a, "b": a + r.normal(scale=0.1, size=120),
                             "label": np.where(a > 0, "x", "y")})

    paths = {}
    for name, seed in [("real", 1), ("synth", 2), ("train", 3)]:
        paths[name] = tmp_path / f"{name}.csv"
        table(seed).to_csv(paths[name], index=False)
    png = tmp_path / "report.png"
    assert main(["evaluate", str(paths["real"]), str(paths["synth"]), "--train", str(paths["train"]),
                 "--label-column", "label", "--plot", str(png), "--no-detection"]) == 0
    out = capsys.readouterr().out
    assert "TSTR macro-F1" in out and "exact-copy rate" in out
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert main(["evaluate", str(paths["real"]), str(tmp_path / "none.csv")]) == 2
