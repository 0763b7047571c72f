"""Small tables shared by several test modules."""

import numpy as np
import pandas as pd


def flow_table(n=500, seed=0):
    """A flow-like table with relations of CIC-IDS2017 and Zeek planted: a packet
    rate over the duration, min <= mean <= max inter-arrival times, IP bytes
    above payload bytes, and no response bytes without response packets."""
    rng = np.random.RandomState(seed)
    packets = rng.randint(1, 60, n)
    duration = rng.randint(1_000, 5_000_000, n)
    iat_min = rng.uniform(0, 1_000, n)
    iat_max = iat_min + rng.exponential(500, n)
    resp_pkts = np.where(rng.rand(n) < 0.3, 0, rng.randint(1, 40, n))
    orig_bytes = rng.randint(0, 5_000, n)
    return pd.DataFrame({
        "duration": duration,
        "packets": packets,
        "iat_min": iat_min,
        "iat_mean": (iat_min + iat_max) / 2,
        "iat_max": iat_max,
        "pkts_s": packets / duration * 1e6,
        "orig_bytes": orig_bytes,
        "orig_ip_bytes": orig_bytes + 20 * packets,
        "bytes_per_pkt": orig_bytes / packets,
        "resp_pkts": resp_pkts,
        "resp_bytes": np.where(resp_pkts == 0, 0, resp_pkts * 40 + rng.randint(0, 900, n)),
        "proto": pd.Categorical(rng.choice(["tcp", "udp"], n)),
    })
