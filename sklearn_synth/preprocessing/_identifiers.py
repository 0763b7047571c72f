"""Identifier columns under value protection: fresh values of the same shape.

A column with about one distinct value per row (connection ids, flow ids,
serial numbers) carries no distribution a model could learn, only the
records themselves. Under value protection such a column gets one symbol,
and decoding it writes a *fresh* identifier: the training values' common
prefix, then characters drawn per position from those that many training
values use there, at a training length. Where that shape leaves too few
possible values for fresh ones to be safe from colliding with training
values, the fresh ones are made longer than every training value, so they
cannot equal one.
"""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

from collections import Counter

import numpy as np
import pandas as pd

#: Fresh identifiers are drawn from at least 2**48 possible values; a shape
#: with fewer is lengthened beyond every training value.
_MIN_SPACE_BITS = 48


class IdentifierCodec:
    """One symbol that decodes to a fresh identifier.

    Parameters
    ----------
    prefix : str
        The prefix every training value shares.
    alphabets : list of str
        Characters allowed at each position after the prefix (those used
        there by at least ``threshold`` training values, else those used
        anywhere by that many values).
    lengths : ndarray of int
        Lengths (after the prefix) fresh values take...
    weights : ndarray of float
        ...with these probabilities.
    """

    kind = "identifier"
    n_symbols = 1

    def __init__(self, prefix, alphabets, lengths, weights):
        self.prefix = prefix
        self.alphabets = alphabets
        self.lengths = lengths
        self.weights = weights
        self.categories = np.empty(0, dtype=object)

    @classmethod
    def fit(cls, present, threshold):
        values = [str(v) for v in present]
        prefix = _common_prefix(values)
        suffixes = [v[len(prefix):] for v in values]
        length_counts = Counter(len(s) for s in suffixes)
        # a fresh value is never the bare prefix (which may be a training value)
        kept = {n: c for n, c in length_counts.items() if c >= threshold and n > 0}
        if not kept:  # no length shared by enough rows: the longest one
            kept = {max(max(length_counts), 1): 1}
        lengths = np.array(sorted(kept), dtype=np.int64)
        weights = np.array([kept[n] for n in lengths], dtype=np.float64)
        weights /= weights.sum()

        anywhere = Counter(ch for s in suffixes for ch in set(s))
        common = "".join(sorted(ch for ch, c in anywhere.items() if c >= threshold))
        if not common:
            common = "0123456789abcdef"
        alphabets = []
        for position in range(int(lengths.max())):
            here = Counter(s[position] for s in suffixes if len(s) > position)
            chars = "".join(sorted(ch for ch, c in here.items() if c >= threshold))
            alphabets.append(chars or common)
        # lengthen beyond every training value when the shape leaves too few values
        bits = min(sum(np.log2(len(a)) for a in alphabets[:n]) for n in lengths)
        if bits < _MIN_SPACE_BITS:
            longest = max(len(s) for s in suffixes)
            alphabets = alphabets + [common] * (longest - len(alphabets))
            extra = int(np.ceil(_MIN_SPACE_BITS / np.log2(max(len(common), 2))))
            alphabets += [common] * extra
            lengths = np.array([len(alphabets)], dtype=np.int64)
            weights = np.ones(1)
        return cls(prefix, alphabets, lengths, weights)

    @classmethod
    def public(cls):
        """A shape that depends on no data (differential privacy): 16
        hexadecimal characters."""
        return cls("", ["0123456789abcdef"] * 16, np.array([16]), np.ones(1))

    def encode(self, x, label, warn=True):
        missing = np.asarray(pd.isna(x))
        return np.where(missing, self.n_symbols, 0).astype(np.int64)

    def decode(self, codes, mode, rng):
        out = np.full(codes.shape, np.nan, dtype=object)
        wanted = np.flatnonzero(codes == 0)
        fresh, seen = [], set()
        while len(fresh) < wanted.size:  # unique within the call
            for value in self._draw(wanted.size - len(fresh), rng):
                if value not in seen:
                    seen.add(value)
                    fresh.append(value)
        out[wanted] = np.array(fresh, dtype=object)
        return out

    def _draw(self, n, rng):
        lengths = self.lengths[rng.choice(self.lengths.size, size=n, p=self.weights)]
        columns = [np.array(list(a))[rng.randint(0, len(a), size=n)] for a in
                   self.alphabets[: int(lengths.max())]] if n else []
        return [self.prefix + "".join(col[i] for col in columns[:length])
                for i, length in enumerate(lengths)]

    def log_volume(self, codes):
        return np.zeros(codes.shape)

    def to_parts(self, with_tables=True):
        """The codec as plain values, for the safe model format."""
        return {"kind": self.kind, "prefix": self.prefix, "alphabets": list(self.alphabets),
                "lengths": self.lengths, "weights": self.weights}

    @classmethod
    def from_parts(cls, parts):
        """Inverse of ``to_parts``; raises ValueError for parts that do not fit."""
        prefix, alphabets = parts.get("prefix"), parts.get("alphabets")
        lengths, weights = parts.get("lengths"), parts.get("weights")
        ok = (isinstance(prefix, str) and len(prefix) <= 4096
              and isinstance(alphabets, list) and 1 <= len(alphabets) <= 4096
              and all(isinstance(a, str) and 1 <= len(a) <= 4096 for a in alphabets)
              and isinstance(lengths, np.ndarray) and lengths.ndim == 1 and lengths.size >= 1
              and lengths.dtype.kind in "iu" and lengths.min() >= 0
              and lengths.max() <= len(alphabets)
              and isinstance(weights, np.ndarray) and weights.shape == lengths.shape
              and weights.dtype.kind == "f" and np.all(weights >= 0)
              and abs(weights.sum() - 1) < 1e-6)
        if not ok:
            raise ValueError("a stored column codec is malformed: identifier")
        return cls(prefix, alphabets, lengths.astype(np.int64), weights.astype(np.float64))


def _common_prefix(values):
    first, last = min(values), max(values)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]
