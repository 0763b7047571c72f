"""The ``sklearn-synth`` command line.

``sklearn-synth demo`` runs the main job on a table that ships with
scikit-learn: it fits a :class:`~sklearn_synth.preprocessing.SymbolicBinner`,
prints rows as sentences of symbols, decodes them and reports what the round
trip kept, then samples from a baseline generator and prints the quality
report. ``sklearn-synth fit`` trains a generator on a CSV or Parquet file and
saves it in the safe model format; ``sklearn-synth sample`` streams rows from a
saved model to a CSV or Parquet file (optionally with some cells given, from a
file of partial rows); ``sklearn-synth impute`` fills the missing cells of a
file; ``sklearn-synth evaluate`` prints the
quality report of a synthetic file, always with its exact-copy rate;
``sklearn-synth encode`` shows the symbolic encoding of a file of yours.
"""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import argparse
import contextlib
import sys
import time
import warnings

import numpy as np
import pandas as pd

from . import __version__


class CommandError(Exception):
    """An error to report on one line, without a traceback."""


class _Parser(argparse.ArgumentParser):
    # usage errors are reported like every other error: one line, exit status 2
    def error(self, message):
        raise CommandError(message)


@contextlib.contextmanager
def _user_errors():
    """Turn the errors that the user's data, options or files cause inside the
    block into a one-line CommandError; anything else (a bug) keeps its traceback."""
    try:
        yield
    except (ValueError, TypeError, KeyError, OSError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        raise CommandError(_one_line(message)) from exc


def _at_least(minimum):
    """An argparse ``type`` for whole numbers of at least ``minimum``."""
    def convert(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            what = "a non-negative whole number" if minimum == 0 else f"at least {minimum}"
            raise argparse.ArgumentTypeError(f"must be {what}, got {value}")
        return value

    convert.__name__ = "count"  # what argparse names in its messages
    return convert


def _build_parser():
    parser = _Parser(
        prog="sklearn-synth",
        description="Synthetic tabular and sensor data, scikit-learn style.",
    )
    parser.add_argument("--version", action="version", version=f"sklearn-synth {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in (_add_demo_parser, _add_encode_parser, _add_fit_parser, _add_sample_parser,
                _add_impute_parser, _add_evaluate_parser):
        add(sub)
    return parser


def _add_binner_options(p):
    p.add_argument("--n-bins", type=_at_least(2), default=49,
                   help="bins per numeric column (default 49)")
    p.add_argument(
        "--strategy", choices=["quantile", "uniform", "kmeans"], default="quantile",
        help="how bin edges are placed (default quantile)",
    )
    p.add_argument(
        "--bins", choices=["per_column", "shared"], default="per_column",
        help="edges per column, or one set shared by all columns as in the paper",
    )
    p.add_argument(
        "--decode", choices=["empirical", "uniform", "midpoint"], default="empirical",
        help="how a bin symbol becomes a number again (default empirical)",
    )
    p.add_argument("--no-value-protection", action="store_true",
                   help="keep rare values, extremes and identifiers as they are (by default "
                   "none seen in fewer than 5 to 7 rows survives the round trip)")
    p.add_argument("--random-state", type=int, default=0, help="seed (default 0)")
    p.add_argument("--show", type=_at_least(0), default=3,
                   help="rows to print as sentences (default 3)")
    p.add_argument(
        "--output", help="write the rows as sentences to this text file (written atomically)"
    )


def _add_demo_parser(sub):
    demo = sub.add_parser(
        "demo",
        help="train the language model on a table that ships with scikit-learn and report "
        "its quality beside a baseline's (nothing downloaded; about 30 s)",
        description="The main job on a table bundled with scikit-learn: encode rows as "
        "sentences of symbols and decode them, train SequenceLMSynthesizer on 70%% of the rows, "
        "sample as many rows as were held out, and print the quality report of the language "
        "model beside that of the independent-columns baseline.",
    )
    demo.add_argument(
        "--dataset", choices=["breast_cancer", "wine", "iris"], default="breast_cancer",
        help="which bundled table (default breast_cancer: 569 rows, 30 correlated columns)",
    )
    demo.add_argument("--max-epochs", type=_at_least(1), default=40,
                      help="training epochs of the language model (default 40)")
    demo.add_argument("--plot", help="write the language model's report figure to this PNG file")
    demo.add_argument("-v", "--verbose", action="store_true",
                      help="print the language model's per-epoch training table")
    _add_binner_options(demo)
    demo.set_defaults(run=_run_demo)


def _add_encode_parser(sub):
    encode = sub.add_parser(
        "encode",
        help="encode and decode a CSV file of yours",
        description="Fit a SymbolicBinner on a CSV file (or a CICFlowMeter file with --flows) "
        "and report the round trip.",
    )
    encode.add_argument("input", help="a CSV file (or, with --flows, a file or folder of them)")
    encode.add_argument(
        "--flows", action="store_true",
        help="read CICFlowMeter flow records (normalises the column names)",
    )
    encode.add_argument(
        "--paper-features", action="store_true",
        help="with --flows: keep the symbolic-sequence paper's 23 features",
    )
    encode.add_argument("--label-column", help="a label column to leave out of the encoding")
    _add_binner_options(encode)
    encode.set_defaults(run=_run_encode)


def _add_fit_parser(sub):
    fit = sub.add_parser(
        "fit",
        help="train a generator on a CSV or Parquet file and save it",
        description="Train a generator on a table (CSV, or Parquet with pyarrow installed) and "
        "save it in the safe model format (safetensors + JSON, no pickle, no training rows). "
        "The file is written atomically.",
    )
    fit.add_argument("input", help="the training table: .csv, .csv.gz, .tsv or .parquet")
    fit.add_argument("-o", "--output", required=True, help="model file to write (.safetensors)")
    fit.add_argument(
        "--generator", choices=sorted(_GENERATORS), default="sequence-lm",
        help="sequence-lm (SequenceLMSynthesizer, default) or dummy (DummySynthesizer, "
        "independent columns: a fast baseline)",
    )
    fit.add_argument("--label-column", help="class column: the model learns per-class rows")
    fit.add_argument("--columns", metavar="COL,...",
                     help="learn only these columns (and the label column), e.g. an id-free "
                     "selection of a raw log")
    fit.add_argument("--drop", metavar="COL,...",
                     help="leave these columns out, e.g. --drop uid,id.orig_h,id.resp_h")
    fit.add_argument(
        "--set", action="append", default=[], metavar="NAME=VALUE", dest="params",
        help="a generator parameter, e.g. --set architecture=transformer --set max_epochs=10 "
        "(values are read as JSON, else as text); repeat for several",
    )
    fit.add_argument("--epsilon", type=float,
                     help="train with (epsilon, delta)-differential privacy (sequence-lm; needs "
                     "pip install \"sklearn-synth[dp]\")")
    fit.add_argument("--delta", type=float, help="the delta of --epsilon (default 1/rows)")
    fit.add_argument("--no-value-protection", action="store_true",
                     help="let the model reproduce rare categories, extremes and identifiers "
                     "(by default it does not)")
    fit.add_argument("--random-state", type=int, default=0, help="seed (default 0)")
    fit.add_argument(
        "--allow-training-rows", action="store_true",
        help="save a model that keeps training rows (dummy with strategy=bootstrap); everyone "
        "who gets the file gets those rows",
    )
    fit.add_argument("-v", "--verbose", action="store_true", help="print training progress")
    fit.set_defaults(run=_run_fit)


def _add_sample_parser(sub):
    sample = sub.add_parser(
        "sample",
        help="write rows sampled from a saved model to a CSV or Parquet file",
        description="Load a model saved by 'sklearn-synth fit' (or by an estimator's save "
        "method) and write N rows, streamed in chunks so that memory stays flat in N, to a "
        "temporary file renamed onto OUTPUT when complete.",
    )
    sample.add_argument("model", help="a model file written by 'sklearn-synth fit'")
    sample.add_argument("-n", "--n-rows", type=_at_least(0),
                        help="rows to write (default with --conditions: one per conditions row)")
    sample.add_argument("-o", "--output", required=True,
                        help="output file: .csv, .csv.gz, .tsv or .parquet")
    sample.add_argument("--label-column",
                        help="add the class of each row under this name (labelled models only)")
    sample.add_argument("--conditions", metavar="FILE",
                        help="a CSV or Parquet file of partial rows over any of the training "
                        "columns: one output row per row of it (a single row is repeated -n "
                        "times); its cells are kept exactly, its empty cells are generated. "
                        "With --label-column, a label column in it fixes each row's class")
    sample.add_argument("--chunk-size", type=_at_least(1), default=50_000,
                        help="rows generated and written at a time (default 50000)")
    sample.add_argument("--random-state", type=int, default=0, help="seed (default 0)")
    sample.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                        help="show a progress bar (default: when writing to a terminal)")
    sample.set_defaults(run=_run_sample)


def _add_impute_parser(sub):
    impute = sub.add_parser(
        "impute",
        help="fill the missing cells of a CSV or Parquet file with a saved model",
        description="Load a model saved by 'sklearn-synth fit' and write INPUT with every "
        "empty cell of the training columns drawn given the row's other cells (other "
        "columns, such as the label, pass through unchanged), to a temporary file renamed "
        "onto OUTPUT when complete.",
    )
    impute.add_argument("model", help="a model file written by 'sklearn-synth fit'")
    impute.add_argument("input", help="rows with empty cells: .csv, .csv.gz, .tsv or .parquet")
    impute.add_argument("-o", "--output", required=True,
                        help="output file: .csv, .csv.gz, .tsv or .parquet")
    impute.add_argument("--strategy", choices=("draw", "expected"), default="draw",
                        help="'draw' (default): one plausible value per cell; 'expected': the "
                        "mean (numbers) or most frequent value of --n-draws draws")
    impute.add_argument("--n-draws", type=_at_least(1), default=20,
                        help="draws per row with --strategy expected (default 20)")
    impute.add_argument("--random-state", type=int, default=0, help="seed (default 0)")
    impute.set_defaults(run=_run_impute)


def _add_evaluate_parser(sub):
    evaluate = sub.add_parser(
        "evaluate",
        help="compare real and synthetic CSV files: fidelity, utility and privacy",
        description="Print the quality report of sklearn_synth.metrics.evaluate for a synthetic "
        "file against real held-out rows (and the generator's training rows, if given), and "
        "always the exact-copy rate: the share of synthetic rows identical to a training row "
        "(or, without --train, to a row of the real file). CSV or Parquet files.",
    )
    evaluate.add_argument("real", help="real rows the generator did not see (CSV or Parquet)")
    evaluate.add_argument("synthetic", help="synthetic rows with the same columns")
    evaluate.add_argument("--train", help="the generator's training rows (adds privacy figures)")
    evaluate.add_argument("--label-column", help="label column (adds train-on-synthetic figures)")
    evaluate.add_argument("--plot", help="write the report's figure to this PNG file")
    evaluate.add_argument("--model", help="the generator's model file: its epsilon, when "
                          "trained with differential privacy, goes into the report")
    evaluate.add_argument("--no-detection", action="store_true",
                          help="skip the classifier two-sample test (the slowest figure)")
    evaluate.add_argument("--random-state", type=int, default=0, help="seed (default 0)")
    evaluate.set_defaults(run=_run_evaluate)


_GENERATORS = {"sequence-lm": "SequenceLMSynthesizer", "dummy": "DummySynthesizer"}


def _table_format(path):
    name = str(path).lower()
    if name.endswith((".parquet", ".pq")):
        return "parquet"
    if name.endswith((".tsv", ".tsv.gz")):
        return "tsv"
    return "csv"


_OUTPUT_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".tsv.gz", ".parquet", ".pq")


def _output_format(path):
    """The format to write ``path`` in, from its name; anything else is refused."""
    if not str(path).lower().endswith(_OUTPUT_SUFFIXES):
        raise CommandError(
            f"cannot write '{path}': the file name says no table format this command writes; "
            f"end it in {', '.join(_OUTPUT_SUFFIXES)}."
        )
    return _table_format(path)


def _need_pyarrow():
    try:
        import pyarrow  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise CommandError("Parquet files need pyarrow: pip install pyarrow.") from None


def _read_table(path):
    """Read a table: CSV (also .csv.gz, .tsv) or Parquet, by the file name."""
    kind = _table_format(path)
    try:
        if kind == "parquet":
            _need_pyarrow()
            return pd.read_parquet(path)
        return pd.read_csv(path, sep="\t" if kind == "tsv" else ",")
    except FileNotFoundError:
        raise CommandError(f"cannot read '{path}': no such file.") from None
    except IsADirectoryError:
        raise CommandError(f"cannot read '{path}': it is a folder, not a file.") from None
    except PermissionError:
        raise CommandError(f"cannot read '{path}': permission denied.") from None
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise CommandError(f"cannot parse '{path}' as {kind.upper()}: {exc}") from None
    except OSError as exc:  # pyarrow reports unreadable Parquet files as OSError subclasses
        raise CommandError(f"cannot read '{path}' as {kind.upper()}: {exc}") from None


def _parse_params(pairs):
    import json

    params = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or not name:
            raise CommandError(f"--set expects NAME=VALUE, got {pair!r}.")
        try:
            params[name] = json.loads(text)
        except json.JSONDecodeError:
            params[name] = text
    return params


def _run_fit(args, out):
    from . import generators
    from .exceptions import TrainingRowsError

    cls = getattr(generators, _GENERATORS[args.generator])
    params = _parse_params(args.params)
    if args.no_value_protection:
        params["value_protection"] = False
    for name in ("epsilon", "delta"):
        if getattr(args, name) is not None:
            params[name] = getattr(args, name)
    with _user_errors():  # an unknown parameter name
        model = cls(random_state=args.random_state)
        if args.verbose and "verbose" in model.get_params():
            model.set_params(verbose=1)
        model.set_params(**params)
    data = _select_columns(_read_table(args.input), args)
    X, y = _split_label(data, args.label_column, args.input)
    print(f"Read {X.shape[0]} rows x {X.shape[1]} columns from {args.input}"
          + (f" (labels: {args.label_column!r}, {len(np.unique(y))} classes)" if y is not None
             else "") + ".", file=out, flush=True)
    start = time.perf_counter()
    with _user_errors():
        model.fit(X, y)
    seconds = time.perf_counter() - start
    print(f"Fitted {model!r} in {seconds:.1f} s.", file=out)
    if getattr(model, "epsilon_", None) is not None:
        print(f"Differential privacy: epsilon={model.epsilon_:.3g}, delta={model.delta_:.3g} "
              "(the encoding and the network).", file=out)
    with _user_errors():
        try:
            path = model.save(args.output, allow_training_rows=args.allow_training_rows,
                              metadata=_table_layout(data, args.label_column))
        except TrainingRowsError as exc:
            raise CommandError(f"{exc} (on the command line: --allow-training-rows)") from None
    rows = "training rows included" if args.allow_training_rows else "no training rows"
    print(f"Saved the model to {path} ({path.stat().st_size / 1024:.0f} KiB; {rows}, no pickle).",
          file=out)


def _column_list(text, option):
    """``--columns a,b`` as a list of names."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise CommandError(f"{option} expects column names separated by commas, got {text!r}.")
    return names


def _select_columns(data, args):
    """The training table after ``--columns`` and ``--drop``, in the file's column order."""
    keep = set(data.columns)
    for option, text in (("--columns", args.columns), ("--drop", args.drop)):
        if text is None:
            continue
        names = _column_list(text, option)
        unknown = [name for name in names if name not in data.columns]
        if unknown:
            raise CommandError(f"{option}: no column {unknown[0]!r} in {args.input}; columns: "
                               f"{list(data.columns)}")
        if option == "--columns":
            keep = set(names) | ({args.label_column} if args.label_column else set())
        else:
            if args.label_column in names:
                raise CommandError(f"--drop names the label column {args.label_column!r}; "
                                   "drop --label-column instead.")
            keep -= set(names)
    if not keep - {args.label_column}:
        raise CommandError("no feature column left to learn from after --columns/--drop.")
    return data[[c for c in data.columns if c in keep]]


def _table_layout(data, label_column):
    """What ``sample`` needs to write rows as the training table had them."""
    return {"columns": [str(c) for c in data.columns], "label_column": label_column}


def _label_position(layout):
    """Where the training table had its label column (None: unknown, put it last)."""
    columns, label = layout.get("columns"), layout.get("label_column")
    return columns.index(label) if columns and label in columns else None


def _in_training_order(frame, label_column, position):
    """Put a sampled frame's label column at ``position``, as in the training table."""
    if label_column is None or position is None:
        return frame
    order = [c for c in frame.columns if c != label_column]
    order.insert(min(position, len(order)), label_column)
    return frame[order]


class _TableWriter:
    """Writes chunks of rows to a temporary file; ``path`` appears only when complete."""

    def __init__(self, tmp, kind, gzip):
        self.tmp, self.kind, self.gzip = tmp, kind, gzip
        self.rows, self._parquet, self._schema = 0, None, None

    def write(self, frame):
        if self.kind == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(frame, schema=self._schema, preserve_index=False)
            if self._parquet is None:
                self._schema = table.schema
                self._parquet = pq.ParquetWriter(str(self.tmp), table.schema)
            self._parquet.write_table(table)
        else:
            frame.to_csv(self.tmp, mode="a" if self.rows else "w", header=not self.rows,
                         index=False, sep="\t" if self.kind == "tsv" else ",",
                         compression="gzip" if self.gzip else None)
        self.rows += len(frame)

    def close(self):
        if self._parquet is not None:
            self._parquet.close()


def _run_sample(args, out):
    from .utils._io import atomic_path

    kind = _output_format(args.output)
    if kind == "parquet":
        _need_pyarrow()
    model, layout = _load_row_generator(args.model)
    labeled = args.label_column is not None
    if labeled and getattr(model, "classes_", None) is None:
        raise CommandError(f"'{args.model}' was fitted without labels; drop --label-column.")
    position = _label_position(layout)
    conditions, n_rows = _read_conditions(args, model)
    from tqdm.auto import tqdm

    start = time.perf_counter()
    with atomic_path(args.output) as tmp:
        writer = _TableWriter(tmp, kind, gzip=str(args.output).lower().endswith(".gz"))
        try:
            with tqdm(total=n_rows, unit="rows", unit_scale=True, file=sys.stderr,
                      disable=None if args.progress is None else not args.progress) as bar:
                for chunk in _sample_chunks(model, n_rows, args, labeled, conditions):
                    frame = _in_training_order(_chunk_frame(chunk, args.label_column),
                                               args.label_column, position)
                    writer.write(frame)
                    bar.update(len(frame))
            if writer.rows == 0:  # an empty table still gets its header
                empty = model.sample(0, random_state=0)
                writer.write(_in_training_order(
                    _chunk_frame((empty, model.classes_[:0]) if labeled else empty,
                                 args.label_column), args.label_column, position))
        finally:
            writer.close()
    seconds = time.perf_counter() - start
    print(f"Wrote {n_rows} rows to {args.output} in {seconds:.1f} s "
          f"({n_rows / max(seconds, 1e-9):,.0f} rows/s).", file=out)


def _read_conditions(args, model):
    """``--conditions`` as (conditions frame or None, labels or None), and the row count."""
    if args.conditions is None:
        if args.n_rows is None:
            raise CommandError("give the number of rows to write with -n, or a --conditions file.")
        return None, args.n_rows
    if not callable(getattr(model, "impute", None)):
        raise CommandError(f"'{args.model}' holds a {type(model).__name__}, which cannot "
                           "condition on given cells; drop --conditions.")
    frame = _read_table(args.conditions)
    labels = None
    if args.label_column is not None and args.label_column in frame.columns:
        labels = frame[args.label_column]
        frame = frame.drop(columns=args.label_column)
        if labels.isna().any() and not labels.isna().all():
            raise CommandError(f"--conditions: the label column {args.label_column!r} is empty "
                               "in some rows only; give every row a label, or none.")
        labels = None if labels.isna().all() else labels.to_numpy()
    n_rows = len(frame) if args.n_rows is None else args.n_rows
    if len(frame) not in (1, n_rows):
        raise CommandError(f"--conditions has {len(frame)} rows but -n {n_rows}: give one "
                           "conditions row per output row (leave out -n), or a single row.")
    if len(frame) == 1 and n_rows != 1:
        frame = frame.loc[np.zeros(n_rows, dtype=int)].reset_index(drop=True)
        labels = None if labels is None else np.repeat(labels, n_rows)
    return (frame, labels), n_rows


def _sample_chunks(model, n_rows, args, labeled, conditions):
    """The chunks ``sample`` writes: from the model's stream, or one
    ``--chunk-size`` slice of the conditions at a time."""
    if conditions is None:
        yield from model.sample_chunks(n_rows, chunk_size=args.chunk_size, labeled=labeled,
                                       random_state=args.random_state)
        return
    frame, labels = conditions
    rng = np.random.RandomState(args.random_state)
    for start in range(0, n_rows, args.chunk_size):
        part = frame.iloc[start:start + args.chunk_size]
        with _user_errors():
            if labels is not None:
                yield model.sample_labeled(len(part), y=labels[start:start + len(part)],
                                           conditions=part, random_state=rng)
            elif labeled:
                yield model.sample_labeled(len(part), conditions=part, random_state=rng)
            else:
                yield model.sample(len(part), conditions=part, random_state=rng)


def _run_impute(args, out):
    from .utils._io import atomic_path

    kind = _output_format(args.output)
    if kind == "parquet":
        _need_pyarrow()
    model, _ = _load_row_generator(args.model)
    if not callable(getattr(model, "impute", None)):
        raise CommandError(f"'{args.model}' holds a {type(model).__name__}, which cannot "
                           "impute; fit a sequence_lm model.")
    data = _read_table(args.input)
    names = getattr(model, "feature_names_in_", None)
    columns = list(names) if names is not None else list(data.columns)
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise CommandError(f"no column {missing[0]!r} in {args.input}; the model needs "
                           f"{columns}.")
    holes = int(data[columns].isna().to_numpy().sum())
    start = time.perf_counter()
    with _user_errors():
        filled = model.impute(data[columns], strategy=args.strategy, n_draws=args.n_draws,
                              random_state=args.random_state)
    seconds = time.perf_counter() - start
    if not isinstance(filled, pd.DataFrame):
        filled = pd.DataFrame(filled, columns=columns)
    result = data.copy()
    for column in columns:
        result[column] = filled[column].to_numpy()
    with atomic_path(args.output) as tmp:
        writer = _TableWriter(tmp, kind, gzip=str(args.output).lower().endswith(".gz"))
        try:
            writer.write(result)
        finally:
            writer.close()
    print(f"Filled {holes} empty cell(s) in {len(data)} rows of {args.input} in {seconds:.1f} s; "
          f"wrote {args.output}.", file=out)


def _load_row_generator(path):
    """A saved model that generates table rows and the metadata saved with it, or a
    one-line error saying why not."""
    from .exceptions import ModelFormatError
    from .utils import load_model

    try:
        model, layout = load_model(path, return_metadata=True)
    except FileNotFoundError:
        raise CommandError(f"cannot read '{path}': no such file.") from None
    except ModelFormatError as exc:  # not a model file, a damaged one, or a crafted one
        raise CommandError(_one_line(exc)) from None
    if not callable(getattr(model, "sample_chunks", None)):
        raise CommandError(f"'{path}' holds a {type(model).__name__}, which does not "
                           "generate rows.")
    if model.__sklearn_tags__().input_tags.three_d_array:
        raise CommandError(f"'{path}' holds a {type(model).__name__}, which generates "
                           "series, not table rows; sample it from Python (model.sample).")
    return model, layout


def _chunk_frame(chunk, label_column):
    """A sampled chunk (``X`` or ``(X, y)`` with a label column name) as a DataFrame."""
    X, y = chunk if label_column is not None else (chunk, None)
    frame = X if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
    return frame if y is None else frame.assign(**{label_column: y})


def _split_label(frame, label, source):
    if label is None:
        return frame, None
    if label not in frame.columns:
        raise CommandError(f"no column {label!r} in {source}; columns: {list(frame.columns)}")
    return frame.drop(columns=label), frame[label].to_numpy()


def print_report(report, out):
    """Print a QualityReport's summary as an aligned table."""
    _print_table(report.summary, out)


def _print_table(table, out):
    """Print a table of text and number columns (numbers to 4 places, NaN blank), aligned."""
    table = table.copy()
    for column in table.columns:
        if pd.api.types.is_float_dtype(table[column]):
            table[column] = table[column].map(lambda v: "" if np.isnan(v) else f"{v:.4f}")
    print(table.to_string(index=False), file=out)


def _run_evaluate(args, out):
    from .metrics import evaluate, exact_copy_rate

    if args.plot:
        _need_matplotlib()
        _output_is_png(args.plot)
    real, y_real = _split_label(_read_table(args.real), args.label_column, args.real)
    synth, y_synth = _split_label(_read_table(args.synthetic), args.label_column, args.synthetic)
    train, y_train = (None, None)
    if args.train:
        train, y_train = _split_label(_read_table(args.train), args.label_column, args.train)
    reference, what = (train, "training") if train is not None else (real, "real held-out")
    epsilon = None
    if args.model:
        from .utils import load_model

        with _user_errors():
            epsilon = getattr(load_model(args.model), "epsilon_", None)
    with _user_errors():
        report = evaluate(real, synth, y_real, y_synth, X_train=train, y_train=y_train,
                          detection=not args.no_detection, epsilon=epsilon,
                          random_state=args.random_state)
        rate = exact_copy_rate(reference, synth)
    print(f"Real: {len(real)} rows; synthetic: {len(synth)} rows"
          + (f"; training: {len(train)} rows" if train is not None else "") + ".", file=out)
    print_report(report, out)
    print(f"Exact copies: {rate:.2%} of the synthetic rows ({round(rate * len(synth))} of "
          f"{len(synth)}) are identical to a row of the {what} file"
          + ("" if train is not None else "; pass --train to compare with the training rows")
          + ".", file=out)
    if report.leaks is not None:
        leaking = report.leaks[report.leaks["n_synthetic"] > 0]
        for column, row in leaking.iterrows():
            what_leaks = "training identifiers" if row["kind"] == "identifier" else \
                "values seen in fewer than 5 training rows"
            print(f"Column {column!r}: {row['synthetic']:.2%} of the synthetic values "
                  f"({row['n_synthetic']}) are {what_leaks} (real held-out rows: "
                  f"{row['heldout']:.2%}).", file=out)
        if not len(leaking):
            print("No synthetic value is a training identifier or a value seen in fewer than 5 "
                  "training rows.", file=out)
    if args.plot:
        _save_figure(report, args.plot, out)


def _need_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise CommandError("--plot needs matplotlib: pip install 'sklearn-synth[plot]' "
                           "(or pip install matplotlib).") from None


def _output_is_png(path):
    if not str(path).lower().endswith(".png"):
        raise CommandError(f"cannot write '{path}': --plot writes a PNG image; end the file "
                           "name in .png.")


def _run_demo(args, out):
    """The main job on a bundled table: the symbolic round trip, then the language
    model's quality report beside the baseline's."""
    from .datasets import load_demo_table

    if args.plot:
        _need_matplotlib()
        _output_is_png(args.plot)
    data = load_demo_table(args.dataset)
    _binner_round_trip(data.drop(columns="label"), f"scikit-learn's {args.dataset} table",
                       args, out)
    print("", file=out)
    _demo_reports(data, args, out)


def _demo_reports(data, args, out):
    """Fit the baseline and the language model on 70% of ``data``, sample as many
    rows as were held out (of the same classes), and print both quality reports."""
    from sklearn.model_selection import train_test_split

    from .generators import DummySynthesizer, SequenceLMSynthesizer

    X, y = data.drop(columns="label"), data["label"].to_numpy()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=args.random_state
    )
    split = (X_train, X_test, y_train, y_test)
    baseline = DummySynthesizer(n_bins=args.n_bins, random_state=args.random_state)
    baseline_report = _fit_and_evaluate(baseline, split, args)
    # settings for a table of a few hundred rows: the defaults are sized for tens of
    # thousands (more bins, a validation split for early stopping)
    model = SequenceLMSynthesizer(n_bins=20, dropout=0.3, max_epochs=args.max_epochs,
                                  validation_fraction=0.0, verbose=int(args.verbose),
                                  random_state=args.random_state)
    described = " ".join(repr(model).split())
    print(f"Training the language model {described} on {len(X_train)} rows x {X.shape[1]} "
          f"columns ({args.max_epochs} epochs) ...", file=out, flush=True)
    start = time.perf_counter()
    model_report = _fit_and_evaluate(model, split, args)
    print(f"Trained and evaluated in {time.perf_counter() - start:.1f} s.", file=out)
    print("", file=out)
    print(f"Quality of {len(X_test)} synthetic rows of each generator against {len(X_test)} "
          "held-out real rows (reference: the value real rows would get):", file=out)
    summary = baseline_report.summary
    table = pd.DataFrame({
        "metric": summary["metric"], "independent columns": summary["value"],
        "language model": model_report.summary["value"], "reference": summary["reference"],
        "better": summary["better"],
    })
    _print_table(table, out)
    print("", file=out)
    print("Detection AUC 0.5 means a random forest cannot tell synthetic rows from real ones; "
          "a distance-attack advantage of 0 means the rows say nothing about who was in the "
          f"training set. {len(X_train)} rows are few "
          "for a neural model; on the README's network-flow table (20,101 rows) its detection "
          "AUC is 0.73 against the baseline's 1.00.", file=out)
    if args.plot:
        _save_figure(model_report, args.plot, out)


def _fit_and_evaluate(generator, split, args):
    from .metrics import evaluate

    X_train, X_test, y_train, y_test = split
    generator.fit(X_train, y_train)
    X_synth, y_synth = generator.sample_labeled(y=y_test, random_state=args.random_state)
    return evaluate(X_test, X_synth, y_test, y_synth, X_train=X_train, y_train=y_train,
                    random_state=args.random_state)


def _save_figure(report, path, out):
    import matplotlib

    from .utils._io import atomic_path

    matplotlib.use("Agg")
    figure = report.plot()
    with atomic_path(path) as tmp:
        figure.savefig(tmp, format="png", dpi=110)
    print(f"Wrote the report's figure to {path}.", file=out)


def _run_encode(args, out):
    """The symbolic round trip on a file of the user's."""
    if args.paper_features and not args.flows:
        raise CommandError("--paper-features needs --flows.")
    if args.flows:
        from .datasets import load_network_flows

        with _user_errors():
            data = load_network_flows(args.input, features="paper" if args.paper_features else None,
                                      label_column=args.label_column)
    else:
        data = _read_table(args.input)
    data, _ = _split_label(data, args.label_column, args.input)
    _binner_round_trip(data, args.input, args, out)


def _binner_round_trip(data, source, args, out):
    """Fit a binner, encode and decode ``data``; print what the round trip kept."""
    from .preprocessing import SymbolicBinner

    binner = SymbolicBinner(n_bins=args.n_bins, strategy=args.strategy, bins=args.bins,
                            decode=args.decode,
                            value_protection=not getattr(args, "no_value_protection", False),
                            random_state=args.random_state)
    with _user_errors():
        seconds, symbols, decoded = _timed_round_trip(binner, data)
    print(f"Read {data.shape[0]} rows x {data.shape[1]} columns from {source}.", file=out)
    kinds = pd.Series(binner.column_kinds_).value_counts().to_dict()
    print(
        f"Fitted SymbolicBinner(n_bins={args.n_bins}, strategy={args.strategy!r}, "
        f"bins={args.bins!r}, decode={args.decode!r}) in {seconds['fit']:.3f} s: "
        + ", ".join(f"{v} {k}" for k, v in sorted(kinds.items()))
        + f" column(s), {binner.n_tokens_} tokens in all.",
        file=out,
    )
    ks_values = _column_round_trip(binner, data, decoded)
    _print_columns(binner, data.columns, ks_values, out)
    show = min(args.show, data.shape[0])
    if show:
        print(f"First {show} row(s) as sentences:", file=out)
        for sentence in binner.render_sentences(symbols[:show]):
            print(f"  {sentence}", file=out)
        print("", file=out)
    same_bins = binner.transform(decoded) == symbols
    cells = data.shape[0] * data.shape[1]
    print(
        f"Round trip: {int(same_bins.sum())} of {cells} values decoded inside their own bin; "
        f"per-column KS statistic original vs decoded: max {max(ks_values):.4f}, "
        f"mean {np.mean(ks_values):.4f}.",
        file=out,
    )
    print(
        f"Throughput: encode {cells / max(seconds['encode'], 1e-9):,.0f} cells/s, "
        f"decode {cells / max(seconds['decode'], 1e-9):,.0f} cells/s.",
        file=out,
    )
    if args.output:
        _write_sentences(binner, symbols, args.output, out)
    if not same_bins.all():
        raise CommandError("some decoded values left their bin; please report this as a bug.")


def _timed_round_trip(binner, data):
    """Fit ``binner``, encode and decode ``data``: (seconds per step, symbols, decoded)."""
    seconds = {}
    start = time.perf_counter()
    binner.fit(data)
    seconds["fit"] = time.perf_counter() - start
    start = time.perf_counter()
    symbols = binner.transform(data)
    seconds["encode"] = time.perf_counter() - start
    start = time.perf_counter()
    decoded = binner.inverse_transform(symbols)
    seconds["decode"] = time.perf_counter() - start
    return seconds, symbols, decoded


def _column_round_trip(binner, data, decoded):
    """Per column: the KS statistic original vs decoded (numeric), or the share of
    values changed (categorical)."""
    from scipy.stats import ks_2samp

    values = []
    for j, column in enumerate(data.columns):
        original, back = data[column], decoded[column]
        if binner.column_kinds_[j] == "categorical":
            values.append(float((original.astype(str) != back.astype(str)).mean()))
        elif original.notna().any():
            with warnings.catch_warnings():  # exact p-values are not needed here
                warnings.simplefilter("ignore", RuntimeWarning)
                values.append(ks_2samp(original.dropna(), back.dropna()).statistic)
        else:
            values.append(0.0)
    return values


def _print_columns(binner, columns, ks_values, out):
    print("", file=out)
    print(f"{'column':<28} {'kind':<12} {'symbols':>7} {'KS':>7}", file=out)
    for j, column in enumerate(columns):
        print(f"{str(column)[:28]:<28} {binner.column_kinds_[j]:<12} {binner.n_symbols_[j]:>7} "
              f"{ks_values[j]:>7.4f}", file=out)
    print("", file=out)


def _write_sentences(binner, symbols, path, out):
    from .utils._io import atomic_path

    with atomic_path(path) as tmp:
        tmp.write_text("\n".join(binner.render_sentences(symbols)) + "\n", encoding="utf-8")
    print(f"Wrote {symbols.shape[0]} sentences to {path}.", file=out)


def _one_line(message):
    """An error message on one line (scikit-learn's messages span several)."""
    return " ".join(part.strip() for part in str(message).splitlines() if part.strip())


def main(argv=None):
    """Entry point of the ``sklearn-synth`` command.

    Parameters
    ----------
    argv : list of str, default=None
        Arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    status : int
        0 on success, 2 on a usage or input error (reported on one line).
    """
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        args.run(args, sys.stdout)
    except CommandError as exc:
        print(f"sklearn-synth: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    return 0
