"""Differentially private encoding: what SymbolicBinner learns, from noisy counts.

Under ``epsilon`` the binner touches the data only through Laplace-noised
counts, and everything it keeps (categories, exact values, value ranges, bin
edges, in-bin tables) is computed from those counts afterwards:

- *kept values* (categories, exact numbers): the count of every observed
  value plus Laplace noise, kept when the noisy count reaches
  ``tau = max(k, 1 + ln(1 / (2 delta)) / eps)`` (the stability histogram: a
  value that only one row holds survives with probability at most
  ``delta``);
- *the range* of a numeric column: a noisy histogram over 256 fixed cells,
  evenly spaced in ``asinh(x / 0.001)`` from -1e15 to 1e15 (so about
  logarithmic beyond 0.001); cells whose noisy count stays below
  ``ln(2560)`` noise scales are dropped (an empty cell survives with
  probability 1/5120), and the range runs from the first to the last cell
  left;
- *the shape* inside that range: a noisy histogram over 128 cells between
  its ends (evenly spaced, or evenly in ``asinh`` when the range covers
  several orders of magnitude), whose quantiles give the bin edges and the
  in-bin tables.

Each row adds one to one cell of each histogram of each column, so each
histogram is ``eps``-DP (``(eps, delta)`` for the stability histogram), and
the budgets add up (basic composition). The budget of a table is split
evenly over its columns; a numeric column splits its share in three equal
parts (kept values and the missing count, range, shape), a categorical
column in two (kept values and the missing count, the number of present
values). The symbol counts a model needs (which symbols occur, and how
often) are computed from these noisy counts too.
"""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import numpy as np
import pandas as pd

from ._codecs import EMPIRICAL_RESOLUTION, ContinuousCodec, ValueCodec, off_integer_spikes

_SCALE = 1e-3
_LIMIT = np.arcsinh(1e15 / _SCALE)
#: Fixed, data-independent cells of the range histogram (in asinh space).
RANGE_CELLS = np.linspace(-_LIMIT, _LIMIT, 257)
#: Cells of the shape histogram between the noisy ends of the range.
SHAPE_CELLS = 128


def _to_t(x):
    return np.arcsinh(np.asarray(x, dtype=float) / _SCALE)


def _from_t(t):
    return np.sinh(t) * _SCALE


class PrivateCounter:
    """Laplace noise for counts, drawn from one RandomState.

    Parameters
    ----------
    epsilon, delta : float
        The budget of one column.
    threshold : int
        The smallest count a kept value needs (value protection's ``k``).
    rng : RandomState
    """

    def __init__(self, epsilon, delta, threshold, rng):
        self.epsilon = epsilon
        self.delta = delta
        self.threshold = threshold
        self.rng = rng

    def noisy(self, counts, epsilon):
        return counts + self.rng.laplace(scale=1.0 / epsilon, size=np.shape(counts))

    def kept(self, values, counts, epsilon):
        """The values whose noisy count clears the stability threshold, with
        their noisy counts."""
        tau = max(self.threshold, 1.0 + np.log(1.0 / (2.0 * self.delta)) / epsilon)
        noisy = self.noisy(np.asarray(counts, dtype=float), epsilon)
        keep = noisy >= tau
        return values[keep], noisy[keep]

    def column_counts(self, values, counts, n_missing, epsilon):
        """Noisy counts of ``values`` and of the missing values, from one
        histogram (each row adds to one of them): all values, unthresholded
        (for a fixed, public set such as an identifier column's one symbol);
        the missing count goes through the stability threshold."""
        noisy = np.maximum(self.noisy(np.asarray(counts, dtype=float), epsilon), 0.0)
        return noisy, self._missing(n_missing, epsilon)

    def _missing(self, n_missing, epsilon):
        tau = max(self.threshold, 1.0 + np.log(1.0 / (2.0 * self.delta)) / epsilon)
        noisy = float(self.noisy(float(n_missing), epsilon))
        return noisy if noisy >= tau else 0.0

    def kept_categories(self, present, n_missing):
        """Kept categories of an object column (``present``: its non-missing
        values), their noisy counts, the noisy count of missing values and
        that of all the other rows (for the shared rare symbol)."""
        eps = self.epsilon / 2
        counts = pd.Series(present, dtype=object).value_counts()
        values = np.asarray(counts.index, dtype=object)
        kept, noisy = self.kept(values, counts.to_numpy(), eps)
        missing = self._missing(n_missing, eps)
        # the total from the other half of the budget
        total = float(self.noisy(float(len(present)), eps))
        return kept, noisy, missing, total - noisy.sum()

    def numeric_summary(self, x, n_missing):
        """Kept exact values and a noisy description of a numeric column:
        ``(values, value_counts, missing_count, low, high, cell_edges, cell_counts)``."""
        eps = self.epsilon / 3
        values, counts = np.unique(x, return_counts=True)
        kept, kept_counts = self.kept(values, counts, eps)
        missing = self._missing(n_missing, eps)
        coarse = np.histogram(np.clip(_to_t(x), -_LIMIT, _LIMIT), RANGE_CELLS)[0]
        coarse = self.noisy(coarse, eps)
        survive = coarse >= np.log(10 * coarse.size) / eps
        if not survive.any():  # too few rows for this budget: the cell holding most
            survive = coarse == coarse.max()
        cells = np.flatnonzero(survive)
        low, high = _from_t(RANGE_CELLS[cells[0]]), _from_t(RANGE_CELLS[cells[-1] + 1])
        if kept.size:  # the kept values bound the range too (they are released anyway)
            low, high = min(low, kept.min()), max(high, kept.max())
        edges = _shape_edges(low, high)
        fine = np.histogram(np.clip(x, low, high), edges)[0]
        fine = self.noisy(fine, eps)
        fine = np.where(fine >= 2 / eps, fine, 0.0)
        return kept, kept_counts, missing, low, high, edges, fine


def _shape_edges(low, high):
    if high <= low:
        return np.array([low, low + max(abs(low), 1.0) * 1e-9])
    t_low, t_high = _to_t(low), _to_t(high)
    if t_high - t_low > 4 * np.log(10) and low > -1:  # several orders of magnitude
        edges = _from_t(np.linspace(t_low, t_high, SHAPE_CELLS + 1))
    else:
        edges = np.linspace(low, high, SHAPE_CELLS + 1)
    edges[0], edges[-1] = low, high
    return np.unique(edges)


def noisy_quantiles(edges, counts, q):
    """Quantiles of the distribution the noisy histogram describes (uniform
    inside each cell)."""
    cumulative = np.concatenate([[0.0], np.cumsum(counts)])
    if cumulative[-1] <= 0:
        return np.interp(q, [0, 1], [edges[0], edges[-1]])
    return np.interp(np.asarray(q) * cumulative[-1], cumulative, edges)


def noisy_class_prior(classes, n_classes, epsilon, rng):
    """Class frequencies from Laplace-noised counts (at least one row each)."""
    counts = np.bincount(classes, minlength=n_classes).astype(float)
    noisy = np.maximum(counts + rng.laplace(scale=1.0 / epsilon, size=n_classes), 1.0)
    return noisy / noisy.sum()


def private_numeric_codec(x, n_missing, counter, integer, n_bins, max_distinct, strategy,
                           handle_unknown):
    """A numeric column's codec from the noisy counts of ``counter``: exact
    symbols when a few kept values hold almost every row, else bins; with the
    noisy count of each regular symbol and of the missing symbol."""
    kept, kept_counts, noisy_missing, low, high, cells, fine = counter.numeric_summary(
        x, n_missing)
    total = max(fine.sum(), 1.0)
    if 0 < kept.size <= max_distinct and kept_counts.sum() >= (1 - 1 / (2 * n_bins)) * total:
        order = np.argsort(kept)
        return ValueCodec(kept[order], True, handle_unknown), kept_counts[order], noisy_missing
    inside = (kept >= low) & (kept <= high)
    big = inside & (kept_counts * n_bins >= total)
    order = np.argsort(kept[big])
    spikes, spike_counts = kept[big][order], kept_counts[big][order]
    rest = fine.copy()
    if spikes.size:  # the spikes' own rows leave the histogram the bins are cut from
        cell = np.clip(np.searchsorted(cells, spikes, side="right") - 1, 0, rest.size - 1)
        np.subtract.at(rest, cell, spike_counts)
        rest = np.maximum(rest, 0)
    n_cont = max(n_bins - spikes.size, 1)
    if strategy == "uniform":
        edges = np.linspace(low, high, n_cont + 1)
    else:
        edges = noisy_quantiles(cells, rest, np.linspace(0, 1, n_cont + 1))
    if integer:
        low, high = np.ceil(low), max(np.floor(high), np.ceil(low))
        edges = np.ceil(edges)
    edges = np.unique(np.clip(edges, low, high))
    if edges.size == 1:
        edges = np.repeat(edges, 2)
    edges[0], edges[-1] = low, high
    tables, interpolate = _private_tables(cells, rest, edges, integer, spikes)
    codec = ContinuousCodec(spikes, edges, integer, tables, interpolate)
    cumulative = np.concatenate([[0.0], np.cumsum(rest)])
    bin_counts = np.diff(np.interp(edges, cells, cumulative))
    raw = np.concatenate([spike_counts, np.maximum(bin_counts, 1.0)])  # codec's raw order
    return codec, raw[codec.order], noisy_missing


def _private_tables(cells, counts, edges, integer, spikes):
    """In-bin tables from the noisy histogram: the quantiles of each bin's
    share of the noisy distribution (whole numbers off the spikes for integer
    columns)."""
    cumulative = np.concatenate([[0.0], np.cumsum(counts)])
    at_edges = np.interp(edges, cells, cumulative)
    q = np.linspace(0, 1, EMPIRICAL_RESOLUTION)
    tables = np.empty((edges.size - 1, EMPIRICAL_RESOLUTION))
    for b in range(edges.size - 1):
        lo, hi = at_edges[b], at_edges[b + 1]
        if hi - lo <= 1e-12:
            tables[b] = edges[b] + q * (edges[b + 1] - edges[b])
        else:
            tables[b] = np.interp(lo + q * (hi - lo), cumulative, cells)
        tables[b] = np.clip(tables[b], edges[b], edges[b + 1])
        if integer:
            last = b == edges.size - 2
            low = np.ceil(edges[b])
            high = max(edges[b + 1] if last else np.ceil(edges[b + 1]) - 1, low)
            tables[b] = np.clip(np.round(tables[b]), low, high)
            if not np.isin(low, spikes) and not np.isin(high, spikes):
                tables[b] = off_integer_spikes(tables[b], spikes, low, high)
    return tables, np.full(edges.size - 1, not integer)
