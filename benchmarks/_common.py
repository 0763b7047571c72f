"""Helpers shared by the benchmark scripts (timing, data location, machine line)."""

import json
import os
import platform
import subprocess
import sys
import time

import numpy as np


def best_of(func, repeat=5):
    """Best wall-clock seconds of ``repeat`` calls (the least disturbed by noise)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def machine():
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def print_table(rows, columns):
    widths = [max(len(str(c)), *(len(_fmt(r[i])) for r in rows)) for i, c in enumerate(columns)]
    print("  ".join(str(c).ljust(w) for c, w in zip(columns, widths)))
    for row in rows:
        print("  ".join(_fmt(v).ljust(w) for v, w in zip(row, widths)))


def _fmt(value):
    if isinstance(value, float | np.floating):
        return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def parse_set(pairs):
    """``--set NAME=VALUE`` pairs as a dict of parameters: values read as JSON
    (``0.5``, ``false``, ``null``), then as Python's ``None``/``True``/``False``
    in any case, else kept as text."""
    params = {}
    for pair in pairs:
        key, _, text = pair.partition("=")
        try:
            params[key] = json.loads(text)
        except json.JSONDecodeError:
            params[key] = {"none": None, "true": True, "false": False}.get(text.lower(), text)
    return params


def add_child_arguments(parser):
    """The hidden options a benchmark script's own child processes are run with."""
    import argparse

    for name in ("--one", "--table", "--out"):
        parser.add_argument(name, help=argparse.SUPPRESS)


def run_child(script, *args):
    """Run ``script`` with ``args`` in a fresh Python process (warnings off) and
    return the JSON object its last output line holds, or None when it failed
    (its error output is printed)."""
    result = subprocess.run([sys.executable, str(script), *map(str, args)], capture_output=True,
                            text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    if result.returncode != 0:
        print(f"  failed: {' '.join(map(str, args))}\n{result.stderr[-2000:]}", flush=True)
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_matrix(script, tables, names, load_table, judge, row, columns, extra=()):
    """For every table and every model name: fit in a child process of
    ``script`` (``--one NAME --table TABLE --out FILE``, plus ``extra``), judge
    its synthetic table with ``judge(table, frame)``, print the figures as they
    come and a table per data set; ``row(name, timing, quality)`` makes a row."""
    import tempfile
    from pathlib import Path

    import pandas as pd

    work = Path(tempfile.mkdtemp(prefix=Path(script).stem + "_"))
    for table in tables:
        X_train, X_test, _, _ = load_table(table)
        print(f"\n{table}: {len(X_train)} training rows, {len(X_test)} held-out rows, "
              f"{X_train.shape[1]} columns + label", flush=True)
        rows = []
        for name in names:
            out = work / f"{table}_{name}.parquet"
            timing = run_child(script, "--one", name, "--table", table, "--out", out, *extra)
            if timing is None:
                continue
            quality = judge(table, pd.read_parquet(out))
            rows.append(row(name, timing, quality))
            print(f"  {name}: " + ", ".join(f"{k} {v:.4g}" for k, v in
                                            {**timing, **quality}.items() if v is not None),
                  flush=True)
        if rows:
            print()
            print_table(rows, columns)
