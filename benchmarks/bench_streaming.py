"""Streamed sampling to Parquet: rows/s and peak memory as n grows.

Fits the flow language model (the CIC-IDS2017 sample, the paper's 23 features
and the label; a short epoch budget, since only sampling is measured here),
saves it, then runs ``sklearn-synth sample MODEL -n N -o OUT.parquet`` in a
fresh process for each N and reports the process's wall time, rows/s, peak
resident memory (max RSS) and file size. Target: peak memory flat in N.

    python benchmarks/bench_streaming.py                  # N = 1e5, 1e6, 1e7
    python benchmarks/bench_streaming.py --sizes 100000,1000000 --chunk-size 50000
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, print_table  # noqa: E402


def run_sample(model, n, out, chunk_size):
    """Wall seconds and peak RSS (MiB) of one ``sklearn-synth sample`` process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sklearn_synth", "sample", str(model), "-n", str(n), "-o",
         str(out), "--label-column", "label", "--chunk-size", str(chunk_size), "--no-progress"],
        stdout=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"sample failed with status {status}")
    return seconds, usage.ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000,10000000")
    parser.add_argument("--chunk-size", type=int, default=50_000)
    parser.add_argument("--max-epochs", type=int, default=3)
    args = parser.parse_args()

    from sklearn_synth.datasets import load_network_flows
    from sklearn_synth.generators import SequenceLMSynthesizer

    X, y = load_network_flows(features="paper", return_X_y=True)
    work = Path(tempfile.mkdtemp(prefix="bench_streaming_"))
    start = time.perf_counter()
    gen = SequenceLMSynthesizer(max_epochs=args.max_epochs, random_state=0).fit(X, y)
    fit_s = time.perf_counter() - start
    model = gen.save(work / "flows.safetensors")
    print(f"Machine: {machine()}; torch threads: {os.environ.get('OMP_NUM_THREADS', 'default')}")
    print(f"Model: SequenceLMSynthesizer(max_epochs={args.max_epochs}) on {len(X)} rows x "
          f"{X.shape[1]} columns + label, fitted in {fit_s:.0f} s; chunk size {args.chunk_size}.")
    rows = []
    for n in [int(v) for v in args.sizes.split(",")]:
        out = work / f"synthetic_{n}.parquet"
        seconds, peak = run_sample(model, n, out, args.chunk_size)
        size = out.stat().st_size / 2**20
        rows.append([f"{n:,}", seconds, n / seconds, peak, size])
        out.unlink()
        print(f"  n={n:,}: {seconds:.1f} s, {n / seconds:,.0f} rows/s, peak RSS {peak:,.0f} MiB, "
              f"file {size:,.0f} MiB", flush=True)
    print()
    print_table(rows, ["rows", "wall s", "rows/s", "peak RSS MiB", "file MiB"])
    peaks = [r[3] for r in rows]
    print(f"\nPeak RSS, largest n over smallest n: {peaks[-1] / peaks[0]:.2f}x "
          f"for {int(args.sizes.split(',')[-1]) // int(args.sizes.split(',')[0])}x the rows.")


if __name__ == "__main__":
    main()
