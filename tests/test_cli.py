import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sklearn_synth.cli import main

from .conftest import data_dir


@pytest.mark.slow
def test_demo_trains_the_language_model_and_reports_beside_the_baseline(tmp_path, capsys):
    assert main(["demo", "--show", "2", "--plot", str(tmp_path / "report.png")]) == 0
    out = capsys.readouterr().out
    assert "Read 569 rows x 30 columns" in out
    assert "17070 of 17070 values decoded inside their own bin" in out
    assert out.count("\n  ") >= 2  # two sentences printed
    assert "Training the language model SequenceLMSynthesizer(" in out
    header = next(line for line in out.splitlines() if "independent columns" in line)
    assert header.split() == ["metric", "independent", "columns", "language", "model",
                              "reference", "better"]
    detection = next(line for line in out.splitlines() if line.strip().startswith("detection"))
    baseline, model, reference = map(float, detection.split()[2:5])  # "detection AUC a b c"
    assert model < baseline and reference == 0.5  # the model is harder to tell from real rows
    assert (tmp_path / "report.png").read_bytes()[:4] == b"\x89PNG"


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
        (["demo", "--n-bins", "1"], "--n-bins: must be at least 2"),
        (["demo", "--bogus"], "unrecognized arguments: --bogus"),
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


# ------------------------------------------------------------ fit and sample
def _wine_file(tmp_path, suffix=".csv"):
    from sklearn.datasets import load_wine

    frame = load_wine(as_frame=True).frame
    frame["target"] = frame["target"].map({0: "a", 1: "b", 2: "c"})
    path = tmp_path / f"wine{suffix}"
    frame.to_parquet(path) if suffix == ".parquet" else frame.to_csv(path, index=False)
    return frame, path


FAST = ["--set", "max_epochs=1", "--set", "hidden_size=8", "--set", "embedding_dim=8"]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_fit_then_sample_writes_the_table(tmp_path, capsys, suffix):
    if suffix == ".parquet":
        pytest.importorskip("pyarrow")
    frame, data = _wine_file(tmp_path, suffix)
    model = tmp_path / "model.safetensors"
    assert main(["fit", str(data), "-o", str(model), "--label-column", "target", *FAST]) == 0
    out = capsys.readouterr().out
    assert "Read 178 rows x 13 columns" in out and "3 classes" in out and "no training rows" in out
    target = tmp_path / f"synthetic{suffix}"
    assert main(["sample", str(model), "-n", "250", "-o", str(target), "--label-column", "target",
                 "--chunk-size", "100", "--random-state", "3"]) == 0
    assert "Wrote 250 rows" in capsys.readouterr().out
    synth = pd.read_parquet(target) if suffix == ".parquet" else pd.read_csv(target)
    assert synth.shape == (250, 14) and list(synth.columns) == list(frame.columns)
    assert set(synth["target"]) <= {"a", "b", "c"}
    # same seed and chunk size: the same file content
    again = tmp_path / f"again{suffix}"
    main(["sample", str(model), "-n", "250", "-o", str(again), "--label-column", "target",
          "--chunk-size", "100", "--random-state", "3"])
    other = pd.read_parquet(again) if suffix == ".parquet" else pd.read_csv(again)
    pd.testing.assert_frame_equal(synth, other)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [data.name, "model.safetensors", target.name, again.name])


def test_sample_gzip_csv_and_zero_rows(tmp_path):
    _, data = _wine_file(tmp_path)
    model = tmp_path / "m.safetensors"
    main(["fit", str(data), "-o", str(model), "--generator", "dummy"])
    assert main(["sample", str(model), "-n", "40", "-o", str(tmp_path / "s.csv.gz")]) == 0
    assert pd.read_csv(tmp_path / "s.csv.gz").shape == (40, 14)
    assert main(["sample", str(model), "-n", "0", "-o", str(tmp_path / "empty.csv")]) == 0
    empty = pd.read_csv(tmp_path / "empty.csv")
    assert empty.shape == (0, 14)
    labelled = tmp_path / "labelled.safetensors"
    main(["fit", str(data), "-o", str(labelled), "--generator", "dummy", "--label-column",
          "target"])
    assert main(["sample", str(labelled), "-n", "0", "-o", str(tmp_path / "empty2.csv"),
                 "--label-column", "target"]) == 0
    assert list(pd.read_csv(tmp_path / "empty2.csv").columns)[-1] == "target"


def test_interrupted_sample_leaves_the_old_file(tmp_path, monkeypatch):
    from sklearn_synth.generators import DummySynthesizer

    _, data = _wine_file(tmp_path)
    model = tmp_path / "m.safetensors"
    main(["fit", str(data), "-o", str(model), "--generator", "dummy"])
    target = tmp_path / "s.csv"
    target.write_text("a good file\n")
    original = DummySynthesizer.sample_chunks

    def dies_midway(self, *args, **kwargs):
        for i, chunk in enumerate(original(self, *args, **kwargs)):
            if i == 2:
                raise KeyboardInterrupt
            yield chunk

    monkeypatch.setattr(DummySynthesizer, "sample_chunks", dies_midway)
    with pytest.raises(KeyboardInterrupt):
        main(["sample", str(model), "-n", "1000", "-o", str(target), "--chunk-size", "100"])
    assert target.read_text() == "a good file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.safetensors", "s.csv", "wine.csv"]


@pytest.mark.parametrize("argv, message", [
    (["fit", "{missing}", "-o", "{tmp}/m.safetensors"], "cannot read .*no such file"),
    (["fit", "{data}", "-o", "{tmp}/m.safetensors", "--set", "bogus=1"], "Invalid parameter 'bogus'"),
    (["fit", "{data}", "-o", "{tmp}/m.safetensors", "--set", "max_epochs"], "NAME=VALUE"),
    (["fit", "{data}", "-o", "{tmp}/m.safetensors", "--set", "max_epochs=-1"], "max_epochs"),
    (["fit", "{data}", "-o", "{tmp}/m.safetensors", "--label-column", "nope"], "no column 'nope'"),
    (["fit", "{data}", "-o", "{tmp}/m.safetensors", "--generator", "dummy", "--set",
      "strategy=bootstrap"], "holds training rows.*--allow-training-rows"),
    (["fit", "{tmp}", "-o", "{tmp}/m.safetensors"], "is a folder"),
    (["fit", "{infinite}", "-o", "{tmp}/m.safetensors"], "column 'x' contains infinity"),
    (["evaluate", "{data}", "{infinite}"], "does not have the real table's columns: missing"),
    (["sample", "{data}", "-n", "5", "-o", "{tmp}/s.csv"], "not a readable sklearn-synth model"),
    (["sample", "{missing}", "-n", "5", "-o", "{tmp}/s.csv"], "no such file"),
    (["sample", "{model}", "-n", "-5", "-o", "{tmp}/s.csv"], "non-negative"),
    (["sample", "{model}", "-n", "5", "-o", "{tmp}/s.csv", "--chunk-size", "0"], "chunk-size"),
    (["sample", "{model}", "-n", "5", "-o", "{tmp}/s.csv", "--label-column", "y"],
     "fitted without labels"),
])
def test_bad_arguments_give_one_line(tmp_path, capsys, argv, message):
    import re

    _, data = _wine_file(tmp_path)
    model = tmp_path / "model.safetensors"
    main(["fit", str(data), "-o", str(model), "--generator", "dummy"])
    capsys.readouterr()
    infinite = tmp_path / "infinite.csv"
    infinite.write_text("x,y\n1.0,a\ninf,b\n2.0,a\n")
    argv = [a.format(missing=tmp_path / "missing.csv", tmp=tmp_path, data=data, model=model,
                     infinite=infinite) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("sklearn-synth: error: ") and err.count("\n") == 1, err
    assert re.search(message, err), err


def _flows_file(tmp_path):
    rng = np.random.RandomState(0)
    n = 300
    proto = rng.choice(["tcp", "udp"], n)
    frame = pd.DataFrame({
        "proto": proto,
        "port": np.where(proto == "udp", 53, rng.choice([80, 443], n)),
        "bytes": rng.lognormal(5, 1, n).round(1),
        "label": np.where(proto == "udp", "dns", "web"),
    })
    path = tmp_path / "flows.csv"
    frame.to_csv(path, index=False)
    return frame, path


def test_sample_with_a_conditions_file(tmp_path, capsys):
    _, data = _flows_file(tmp_path)
    model = tmp_path / "m.safetensors"
    assert main(["fit", str(data), "-o", str(model), "--label-column", "label", *FAST]) == 0
    conditions = tmp_path / "partial.csv"
    pd.DataFrame({"port": [53, None, 443], "bytes": [None, 120.5, None]}).to_csv(conditions,
                                                                              index=False)
    out = tmp_path / "out.csv"
    assert main(["sample", str(model), "--conditions", str(conditions), "-o", str(out),
                 "--label-column", "label", "--chunk-size", "2"]) == 0
    assert "Wrote 3 rows" in capsys.readouterr().out
    rows = pd.read_csv(out)
    assert list(rows.columns) == ["proto", "port", "bytes", "label"]
    assert rows["port"].iloc[0] == 53 and rows["port"].iloc[2] == 443
    assert rows["bytes"].iloc[1] == 120.5
    # a single conditions row is repeated -n times; a label column fixes the classes
    one = tmp_path / "one.csv"
    pd.DataFrame({"proto": ["udp"], "label": ["dns"]}).to_csv(one, index=False)
    assert main(["sample", str(model), "--conditions", str(one), "-n", "5", "-o", str(out),
                 "--label-column", "label"]) == 0
    rows = pd.read_csv(out)
    assert len(rows) == 5 and (rows["proto"] == "udp").all() and (rows["label"] == "dns").all()


@pytest.mark.parametrize("argv, message", [
    (["sample", "{model}", "-o", "{tmp}/s.csv"], "give the number of rows to write with -n"),
    (["sample", "{model}", "--conditions", "{partial}", "-n", "7", "-o", "{tmp}/s.csv"],
     "has 3 rows but -n 7"),
    (["sample", "{model}", "--conditions", "{unknown}", "-o", "{tmp}/s.csv"],
     "'nope' in conditions was not seen during fit"),
    (["sample", "{dummy}", "--conditions", "{partial}", "-o", "{tmp}/s.csv"],
     "cannot condition on given cells"),
    (["impute", "{model}", "{missing}", "-o", "{tmp}/f.csv"], "no such file"),
    (["impute", "{model}", "{partial}", "-o", "{tmp}/f.csv"], "no column 'proto'"),
    (["impute", "{dummy}", "{data}", "-o", "{tmp}/f.csv"], "cannot impute"),
    (["impute", "{model}", "{data}", "-o", "{tmp}/f.txt"], "no table format"),
])
def test_conditions_and_impute_errors_are_one_line(tmp_path, capsys, argv, message):
    import re

    _, data = _flows_file(tmp_path)
    model, dummy = tmp_path / "m.safetensors", tmp_path / "d.safetensors"
    main(["fit", str(data), "-o", str(model), *FAST])
    main(["fit", str(data), "-o", str(dummy), "--generator", "dummy"])
    partial, unknown = tmp_path / "partial.csv", tmp_path / "unknown.csv"
    pd.DataFrame({"port": [53, None, 443]}).to_csv(partial, index=False)
    pd.DataFrame({"nope": [1]}).to_csv(unknown, index=False)
    capsys.readouterr()
    argv = [a.format(model=model, dummy=dummy, tmp=tmp_path, partial=partial, unknown=unknown,
                     data=data, missing=tmp_path / "missing.csv") for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("sklearn-synth: error: ") and err.count("\n") == 1, err
    assert re.search(message, err), err


@pytest.mark.parametrize("strategy", ["draw", "expected"])
def test_impute_fills_the_empty_cells_of_a_file(tmp_path, capsys, strategy):
    frame, data = _flows_file(tmp_path)
    model = tmp_path / "m.safetensors"
    assert main(["fit", str(data), "-o", str(model), "--label-column", "label", *FAST]) == 0
    holes = frame.head(40).copy()
    hidden = np.random.RandomState(1).rand(40, 3) < 0.3
    for j, column in enumerate(["proto", "port", "bytes"]):
        holes.loc[hidden[:, j], column] = None
    holes_path, out = tmp_path / "holes.csv", tmp_path / "filled.csv"
    holes.to_csv(holes_path, index=False)
    assert main(["impute", str(model), str(holes_path), "-o", str(out), "--strategy", strategy,
                 "--n-draws", "3"]) == 0
    assert f"Filled {int(hidden.sum())} empty cell(s) in 40 rows" in capsys.readouterr().out
    filled = pd.read_csv(out)
    assert list(filled.columns) == list(frame.columns) and not filled.isna().any().any()
    pd.testing.assert_series_equal(filled["label"], frame["label"].head(40))  # passed through
    for j, column in enumerate(["proto", "port", "bytes"]):
        kept = ~hidden[:, j]
        np.testing.assert_array_equal(filled[column][kept], frame[column].head(40)[kept])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["flows.csv", "m.safetensors", "holes.csv", "filled.csv"])


def test_sample_refuses_series_models(tmp_path, capsys):
    from sklearn_synth.generators import SenseGenSynthesizer
    from tests._estimators import TINY_SENSEGEN, series

    path = SenseGenSynthesizer(random_state=0, **TINY_SENSEGEN).fit(series()).save(
        tmp_path / "s.safetensors")
    assert main(["sample", str(path), "-n", "3", "-o", str(tmp_path / "out.csv")]) == 2
    assert "generates series, not table rows" in capsys.readouterr().err
    assert not (tmp_path / "out.csv").exists()


def test_help_is_complete():
    for command in ["fit", "sample", "impute", "evaluate", "demo", "encode"]:
        result = subprocess.run([sys.executable, "-m", "sklearn_synth", command, "--help"],
                                capture_output=True, text=True, check=True)
        assert "usage: sklearn-synth " + command in result.stdout
    result = subprocess.run([sys.executable, "-m", "sklearn_synth", "--help"],
                            capture_output=True, text=True, check=True)
    for command in ["fit", "sample", "impute", "evaluate", "demo", "encode"]:
        assert command in result.stdout


def test_evaluate_reports_exact_copies_by_default(tmp_path, capsys):
    frame, data = _wine_file(tmp_path)
    copies = frame.iloc[:20]
    copies.to_csv(tmp_path / "copies.csv", index=False)
    assert main(["evaluate", str(data), str(tmp_path / "copies.csv"), "--no-detection"]) == 0
    out = capsys.readouterr().out
    assert "Exact copies: 100.00% of the synthetic rows (20 of 20)" in out
    assert "pass --train" in out
    assert main(["evaluate", str(data), str(tmp_path / "copies.csv"), "--train", str(data),
                 "--no-detection"]) == 0
    assert "identical to a row of the training file." in capsys.readouterr().out


def test_a_bug_in_the_command_line_keeps_its_traceback(tmp_path, monkeypatch):
    """Only errors on the user's data become one-line messages; a bug (here a
    KeyError raised by the command's own code) is not hidden."""
    import sklearn_synth.cli as cli

    _, data = _wine_file(tmp_path)

    def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(cli, "_split_label", broken)
    with pytest.raises(KeyError, match="a bug"):
        main(["fit", str(data), "-o", str(tmp_path / "m.safetensors"), "--generator", "dummy"])


def test_refused_training_rows_are_recognised_by_type(tmp_path, capsys, monkeypatch):
    from sklearn_synth.exceptions import TrainingRowsError
    from sklearn_synth.generators import DummySynthesizer

    def refuse(self, path, **kwargs):
        raise TrainingRowsError("worded differently")

    monkeypatch.setattr(DummySynthesizer, "save", refuse)
    _, data = _wine_file(tmp_path)
    assert main(["fit", str(data), "-o", str(tmp_path / "m.safetensors"),
                 "--generator", "dummy"]) == 2
    err = capsys.readouterr().err
    assert "worded differently (on the command line: --allow-training-rows)" in err


@pytest.mark.parametrize("name", ["out.xlsx", "out.json", "out", "out.csv.zip"])
def test_sample_refuses_output_formats_it_does_not_write(tmp_path, capsys, name):
    _, data = _wine_file(tmp_path)
    model = tmp_path / "m.safetensors"
    main(["fit", str(data), "-o", str(model), "--generator", "dummy"])
    capsys.readouterr()
    assert main(["sample", str(model), "-n", "5", "-o", str(tmp_path / name)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "end it in .csv" in err
    assert not (tmp_path / name).exists()


def test_plot_without_matplotlib_is_a_one_line_error(tmp_path, capsys, monkeypatch):
    frame, data = _wine_file(tmp_path)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib fails
    assert main(["evaluate", str(data), str(data), "--plot", str(tmp_path / "r.png")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "sklearn-synth[plot]" in err
    assert main(["demo", "--plot", str(tmp_path / "r.png")]) == 2  # before any training
    assert "sklearn-synth[plot]" in capsys.readouterr().err


def test_plot_must_be_a_png(tmp_path, capsys):
    _, data = _wine_file(tmp_path)
    assert main(["evaluate", str(data), str(data), "--plot", str(tmp_path / "r.pdf")]) == 2
    assert "end the file name in .png" in capsys.readouterr().err


def test_fit_columns_and_drop_then_sample_in_training_order(tmp_path, capsys):
    from sklearn_synth.utils import load_model, model_metadata

    frame, _ = _wine_file(tmp_path)
    # a raw log: an identifier first, the label in the middle
    frame.insert(0, "uid", [f"C{i:05d}" for i in range(len(frame))])
    frame = frame[["uid", "alcohol", "target", "malic_acid", "ash", "hue"]]
    data = tmp_path / "log.csv"
    frame.to_csv(data, index=False)
    model = tmp_path / "m.safetensors"
    assert main(["fit", str(data), "-o", str(model), "--generator", "dummy",
                 "--label-column", "target", "--drop", "uid,hue"]) == 0
    assert list(load_model(model).feature_names_in_) == ["alcohol", "malic_acid", "ash"]
    assert model_metadata(model) == {"columns": ["alcohol", "target", "malic_acid", "ash"],
                                     "label_column": "target"}
    out = tmp_path / "s.csv"
    assert main(["sample", str(model), "-n", "20", "-o", str(out), "--label-column",
                 "target"]) == 0
    assert list(pd.read_csv(out).columns) == ["alcohol", "target", "malic_acid", "ash"]
    assert main(["sample", str(model), "-n", "0", "-o", str(out), "--label-column",
                 "target"]) == 0
    assert list(pd.read_csv(out).columns) == ["alcohol", "target", "malic_acid", "ash"]
    assert main(["fit", str(data), "-o", str(model), "--generator", "dummy",
                 "--label-column", "target", "--columns", "ash,alcohol"]) == 0
    assert list(load_model(model).feature_names_in_) == ["alcohol", "ash"]  # file order
    capsys.readouterr()


@pytest.mark.parametrize("option, value, message", [
    ("--drop", "nope", "--drop: no column 'nope'"),
    ("--columns", "alcohol,nope", "--columns: no column 'nope'"),
    ("--columns", ",", "--columns expects column names"),
    ("--drop", "target", "--drop names the label column 'target'"),
])
def test_fit_column_selection_errors(tmp_path, capsys, option, value, message):
    _, data = _wine_file(tmp_path)
    assert main(["fit", str(data), "-o", str(tmp_path / "m.safetensors"), "--generator",
                 "dummy", "--label-column", "target", option, value]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def _zeek_conn_log(n=1500, seed=0):
    """A raw Zeek conn log: connection ids, addresses, ports, rare services."""
    rng = np.random.RandomState(seed)
    alphabet = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    service = rng.choice(["dns", "http", "ssl"], n).astype(object)
    service[:3] = ["irc", "irc", "gopher"]
    resp_h = rng.choice(["8.8.8.8", "10.0.0.1"], n).astype(object)
    resp_h[3:8] = [f"203.0.113.{i}" for i in range(5)]
    orig_bytes = rng.lognormal(6, 2, n).round()
    return pd.DataFrame({
        "ts": 1.6e9 + np.sort(rng.uniform(0, 86400, n)),
        "uid": ["C" + "".join(rng.choice(alphabet, 17)) for _ in range(n)],
        "id.orig_h": rng.choice(["192.168.1.10", "192.168.1.11"], n),
        "id.orig_p": rng.randint(1024, 65535, n),
        "id.resp_h": resp_h,
        "id.resp_p": rng.choice([53, 80, 443], n),
        "proto": rng.choice(["tcp", "udp"], n),
        "service": service,
        "duration": rng.lognormal(0, 2, n),
        "orig_bytes": orig_bytes,
        "orig_ip_bytes": orig_bytes + 40,
        "label": rng.choice(["benign", "malicious"], n, p=[0.8, 0.2]),
    })


def test_raw_conn_log_gives_no_training_identifier_or_rare_value(tmp_path, capsys):
    """The issue's trial: fit on a raw Zeek conn log and sample; no uid, rare address or
    rare service of the training file comes back, and evaluate says so."""
    log = _zeek_conn_log()
    train, held = log.iloc[:1200], log.iloc[1200:]
    train.to_csv(tmp_path / "conn.csv", index=False)
    held.to_csv(tmp_path / "held.csv", index=False)
    model, out = tmp_path / "m.safetensors", tmp_path / "s.csv"
    assert main(["fit", str(tmp_path / "conn.csv"), "--label-column", "label", "-o", str(model),
                 "--set", "max_epochs=2", "--set", "n_bins=20", "--set", "hidden_size=16",
                 "--set", "embedding_dim=8"]) == 0
    assert b"irc" not in model.read_bytes() and train["uid"][0].encode() not in model.read_bytes()
    assert main(["sample", str(model), "-n", "3000", "-o", str(out), "--label-column",
                 "label"]) == 0
    sampled = pd.read_csv(out)
    assert sampled["uid"].is_unique and not set(sampled["uid"]) & set(train["uid"])
    assert sampled["uid"].str.match(r"^C[0-9A-Za-z]{17}$").all()
    assert not {"irc", "gopher"} & set(sampled["service"])
    assert not set(sampled["id.resp_h"]) & {f"203.0.113.{i}" for i in range(5)}
    capsys.readouterr()
    assert main(["evaluate", str(tmp_path / "held.csv"), str(out), "--train",
                 str(tmp_path / "conn.csv"), "--label-column", "label", "--no-detection"]) == 0
    report = capsys.readouterr().out
    assert "verbatim training identifiers" in report
    assert not any(line.startswith("Column 'uid'") for line in report.splitlines())


def test_fit_with_epsilon_reports_it(tmp_path, capsys):
    pytest.importorskip("opacus")
    log = _zeek_conn_log(1200).drop(columns=["uid"])
    log.to_csv(tmp_path / "conn.csv", index=False)
    model, out = tmp_path / "m.safetensors", tmp_path / "s.csv"
    assert main(["fit", str(tmp_path / "conn.csv"), "--label-column", "label", "-o", str(model),
                 "--epsilon", "8", "--set", "max_epochs=1", "--set", "n_bins=10",
                 "--set", "hidden_size=8", "--set", "embedding_dim=8"]) == 0
    assert "Differential privacy: epsilon=" in capsys.readouterr().out
    assert main(["sample", str(model), "-n", "200", "-o", str(out), "--label-column",
                 "label"]) == 0
    assert main(["evaluate", str(tmp_path / "conn.csv"), str(out), "--model", str(model),
                 "--label-column", "label", "--no-detection"]) == 0
    assert "epsilon (differential privacy)" in capsys.readouterr().out
