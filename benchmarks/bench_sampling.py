"""Sampling speed of SequenceLMSynthesizer settings, as ratios to the default
measured in the same run.

Run: python benchmarks/bench_sampling.py [--rows 100000] [--repeats 3]
     (reads SKLEARN_SYNTH_DATA or ../shared/data)

Speed does not depend on how long a model trained, so every setting is
trained for one epoch on the CIC-IDS2017 sample (the paper's 23 features and
the label) and then draws ``--rows`` labelled rows, ``--repeats`` times after a
warm-up; the median is reported. Settings: the default RNN in float32 and
bfloat16, the smaller RNN (``hidden_size=64, n_bins=49``), the Transformer and
the WaveNet.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _common import machine, print_table  # noqa: E402

SETTINGS = {
    "rnn (default)": {},
    "rnn, sample_dtype=bfloat16": {"sample_dtype": "bfloat16"},
    "rnn, hidden_size=64, n_bins=49": {"hidden_size": 64, "n_bins": 49},
    "transformer": {"architecture": "transformer"},
    "wavenet": {"architecture": "wavenet"},
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if not os.environ.get("SKLEARN_SYNTH_DATA"):
        os.environ["SKLEARN_SYNTH_DATA"] = str(Path(__file__).resolve().parents[2] / "shared" / "data")
    from sklearn_synth.datasets import load_network_flows
    from sklearn_synth.generators import SequenceLMSynthesizer

    X, y = load_network_flows(features="paper", return_X_y=True)
    print(f"CIC-IDS2017 sample, {X.shape[0]} rows x {X.shape[1]} columns + label; "
          f"{args.rows:,} rows per draw, median of {args.repeats}; machine: {machine()}\n",
          flush=True)
    rates = {}
    for name, params in SETTINGS.items():
        gen = SequenceLMSynthesizer(max_epochs=1, random_state=0, **params).fit(X, y)
        gen.sample_labeled(2000, random_state=0)  # warm-up
        times = []
        for repeat in range(args.repeats):
            start = time.perf_counter()
            gen.sample_labeled(args.rows, random_state=repeat)
            times.append(time.perf_counter() - start)
        rates[name] = args.rows / statistics.median(times)
        print(f"  {name}: {rates[name]:,.0f} rows/s", flush=True)
    base = rates["rnn (default)"]
    print()
    print_table([[name, rate, rate / base] for name, rate in rates.items()],
                ["setting", "rows/s", "x default"])


if __name__ == "__main__":
    main()
