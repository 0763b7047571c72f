"""Per-column encoders behind SymbolicBinner: numbers to symbols and back.

Each codec owns one column. Symbols ``0 .. n_symbols - 1`` are regular; the
next two are the column's missing-value symbol and unknown symbol, so every
column's vocabulary is ``n_symbols + 2`` long.
"""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import warnings

import numpy as np
import pandas as pd

from ..exceptions import OutOfRangeWarning, UnknownCategoryWarning

# Number of in-bin quantiles kept per bin for "empirical" decoding: the stored
# table summarises the training values of a bin without keeping the values
# themselves, and interpolating in it reproduces the in-bin distribution (and
# repeated values such as zero durations exactly).
EMPIRICAL_RESOLUTION = 101


def sort_categories(values):
    """Sort category values; mixed, unorderable types sort by (type name, str)."""
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=lambda v: (type(v).__name__, str(v)))


class ContinuousCodec:
    """Quantile/uniform/k-means bins, plus exact symbols for frequent values.

    Parameters
    ----------
    spikes : ndarray
        Sorted values frequent enough to get a symbol of their own.
    edges : ndarray
        Bin edges of the remaining values (``len(edges) - 1`` bins); the first
        and last edge span the whole training range.
    integer_valued : bool
        True when every training value is an integer: bins then hold whole
        numbers and decoding returns whole numbers inside the bin.
    tables : ndarray of shape (n_bins, EMPIRICAL_RESOLUTION)
        In-bin order statistics of the training values (a linear ramp across
        the bin when a bin holds no training value).
    interpolate : ndarray of bool of shape (n_bins,)
        Bins whose table is interpolated when decoding: bins of real numbers
        holding more values than the table has entries. Other bins decode to
        one of their table's values, that is, to a training value.
    """

    kind = "continuous"

    def __init__(self, spikes, edges, integer_valued, tables, interpolate):
        self.spikes = spikes
        self.edges = edges
        self.integer_valued = integer_valued
        self.tables = tables
        self.interpolate = interpolate
        n_raw = spikes.size + edges.size - 1
        # Order symbols by value (a spike before a bin starting at the same value)
        # so that printed sentences read low letters as low values.
        keys = np.concatenate([spikes, edges[:-1]])
        is_bin = np.concatenate([np.zeros(spikes.size), np.ones(edges.size - 1)])
        self.order = np.lexsort((is_bin, keys))  # symbol -> raw index
        self.rank = np.empty(n_raw, dtype=np.int64)  # raw index -> symbol
        self.rank[self.order] = np.arange(n_raw)
        self.n_symbols = n_raw
        self.low, self.high = edges[0], edges[-1]

    @classmethod
    def fit(cls, x, *, n_bins, strategy, shared_edges, rng, threshold=None):
        """Learn a codec from the finite values ``x`` (missing values removed).

        ``threshold`` (an int) turns value protection on: the range stops at the
        ``threshold``-th most extreme value on each side, a value needs that
        many rows to get a symbol of its own, and neither the quantile edges
        nor the in-bin tables hold a value seen in fewer rows (see
        :func:`protect_extremes` and :func:`_empirical_tables`).
        """
        x = np.sort(x)
        integer_valued = bool(np.all(x == np.round(x)))
        if threshold is not None:
            x = protect_extremes(x, threshold, integer_valued)
        if shared_edges is not None:
            spikes = np.empty(0)
            edges = shared_edges.copy()
            if threshold is None:
                edges[0], edges[-1] = min(edges[0], x[0]), max(edges[-1], x[-1])
            else:  # the pooled edges must not reach beyond this column's protected range
                edges = np.unique(np.clip(edges, x[0], x[-1]))
                if edges.size == 1:
                    edges = np.repeat(edges, 2)
        else:
            values, counts = np.unique(x, return_counts=True)
            frequent = counts * n_bins >= x.size
            if threshold is not None:
                frequent &= counts >= threshold
            spikes = values[frequent]
            rest = x[~np.isin(x, spikes)] if spikes.size else x
            n_cont = max(n_bins - spikes.size, 1)
            edges = _bin_edges(rest, n_cont, strategy, rng, window=threshold)
            if integer_valued:
                edges = np.unique(np.ceil(edges))
            if edges.size == 1:
                edges = np.repeat(edges, 2)
            edges[0], edges[-1] = x[0], x[-1]
            edges = np.maximum.accumulate(edges)
        tables, interpolate = _empirical_tables(x, edges, spikes, integer_valued, window=threshold)
        return cls(spikes, edges, integer_valued, tables, interpolate)

    def to_parts(self, with_tables=True):
        """The codec as plain values, for the safe model format (the in-bin
        tables only when ``with_tables``: only empirical decoding reads them)."""
        return {"kind": self.kind, "spikes": self.spikes, "edges": self.edges,
                "integer_valued": bool(self.integer_valued),
                "tables": self.tables if with_tables else None,
                "interpolate": self.interpolate if with_tables else None}

    def encode(self, x, label, warn=True):
        """Symbols for the float array ``x`` (NaN gets the missing symbol)."""
        missing = np.isnan(x)
        outside = ~missing & ((x < self.low) | (x > self.high))
        example = x[outside][0] if outside.any() else None
        if outside.any():  # clipped to the range first (its ends may be spikes)
            x = np.where(missing, x, np.clip(x, self.low, self.high))
        raw = np.searchsorted(self.edges[1:-1], x, side="right")
        if self.spikes.size:
            idx = np.minimum(np.searchsorted(self.spikes, x), self.spikes.size - 1)
            hit = self.spikes[idx] == x
            raw += self.spikes.size
            raw[hit] = idx[hit]
        else:
            raw = raw.astype(np.int64, copy=False)
        codes = self.rank[np.minimum(raw, self.n_symbols - 1)]
        if warn and outside.any():
            warnings.warn(
                f"{label}: {int(outside.sum())} value(s) outside the training range "
                f"[{self.low:g}, {self.high:g}] (e.g. {example:g}) were clipped to the "
                "edge bins.",
                OutOfRangeWarning,
                stacklevel=4,
            )
        codes[missing] = self.n_symbols
        return codes

    def decode(self, codes, mode, rng, sub=None, n=None):
        """Float values for regular symbols; NaN for the missing/unknown symbols.
        ``sub`` (with ``n``): each cell's slice of its bin (see :meth:`sub_bins`)
        for ``"empirical"`` decoding, -1 to draw anywhere in the bin."""
        out = np.full(codes.shape, np.nan)
        regular = codes < self.n_symbols
        raw = self.order[codes[regular]]
        values = np.empty(raw.shape)
        is_spike = raw < self.spikes.size
        values[is_spike] = self.spikes[raw[is_spike]]
        b = raw[~is_spike] - self.spikes.size
        if sub is not None:
            sub = sub[regular][~is_spike]
        values[~is_spike] = self._decode_bins(b, mode, rng, sub, n)
        out[regular] = values
        return out

    def bin_bounds(self, b):
        """Closed bounds ``[lo, hi]`` of the values bin ``b`` can decode to."""
        lo, hi = self.edges[b], self.edges[b + 1]
        if not self.integer_valued:
            return lo, hi
        last = b == self.edges.size - 2
        lo_int = np.ceil(lo)
        hi_int = np.where(last, np.floor(hi), np.ceil(hi) - 1)
        return lo_int, np.maximum(hi_int, lo_int)

    def log_volume(self, codes):
        """Log of the size of each symbol's cell: bin width (count of whole numbers
        for integer columns), 0 for spikes and for the missing/unknown symbols."""
        out = np.zeros(codes.shape)
        regular = codes < self.n_symbols
        raw = self.order[codes[regular]]
        is_bin = raw >= self.spikes.size
        b = raw[is_bin] - self.spikes.size
        lo, hi = self.bin_bounds(b)
        size = hi - lo + 1 if self.integer_valued else hi - lo
        values = np.zeros(raw.shape)
        values[is_bin] = np.log(np.maximum(size, 1e-300))
        out[regular] = values
        return out

    # -- sub-bins: each bin cut into ``n`` slices at the quantiles of its training
    # values (its in-bin table), so each slice holds about 1/n of the bin's rows;
    # a model may choose the slice, decoding then draws inside it. Slices are
    # half-open [E_s, E_s+1); the last one is closed. Repeated values can leave
    # a slice empty (zero width): no value falls in it and it is masked.

    def _bin_cells(self, codes):
        """Positions of the cells whose symbol is a bin, and their bin indices."""
        raw = self.order[np.minimum(codes, self.n_symbols - 1)]
        cells = np.flatnonzero((codes < self.n_symbols) & (raw >= self.spikes.size))
        return cells, raw[cells] - self.spikes.size

    def _slice_edges(self, b, n):
        """Edges (len(b), n + 1) of the slices of bins ``b``: the bin's start,
        the in-bin quantiles, and its end (one past the last whole number for
        integer columns)."""
        lo, hi = self.bin_bounds(b)
        steps = np.rint(np.arange(1, n) * (EMPIRICAL_RESOLUTION - 1) / n).astype(np.int64)
        inner = self.tables[b][:, steps]
        if self.integer_valued:
            inner, hi = np.ceil(inner), hi + 1
        edges = np.column_stack([lo, np.clip(inner, lo[:, None], hi[:, None]), hi])
        return np.maximum.accumulate(edges, axis=1)

    def _slice_range(self, b, s, n):
        """Value range ``[a, c)`` of slice ``s`` of bins ``b``."""
        edges = self._slice_edges(b, n)
        rows = np.arange(b.size)
        return edges[rows, s], edges[rows, s + 1]

    def sub_bins(self, x, codes, n):
        """Slice (0 .. n-1) of each value of ``x`` inside its bin; -1 for cells
        that are not in a bin (spikes, missing values)."""
        out = np.full(codes.shape, -1, dtype=np.int64)
        cells, b = self._bin_cells(codes)
        lo, hi = self.bin_bounds(b)  # values beyond the range were encoded as its end
        inner = self._slice_edges(b, n)[:, 1:-1]
        out[cells] = (inner <= np.clip(x[cells], lo, hi)[:, None]).sum(1)
        return out

    def sub_bin_mask(self, n):
        """Boolean (n_symbols + 2, n): the slices of each bin symbol that can
        hold a value (none for spikes and the missing/unknown symbols)."""
        mask = np.zeros((self.n_symbols + 2, n), dtype=bool)
        cells, b = self._bin_cells(np.arange(self.n_symbols))
        edges = self._slice_edges(b, n)
        mask[cells] = edges[:, 1:] > edges[:, :-1]
        mask[cells, n - 1] = True  # the closed last slice holds the bin's end
        return mask

    def sub_bin_log_volume(self, codes, sub, n):
        """Log size (width, or count of whole numbers) of each cell's slice;
        0 for cells not in a bin."""
        out = np.zeros(codes.shape)
        cells, b = self._bin_cells(codes)
        *_, a, c = self._slice_tables(n)
        s = np.maximum(sub[cells], 0)
        out[cells] = np.log(np.maximum(c[b, s] - a[b, s], 1e-300))
        return out

    def _decode_bins(self, b, mode, rng, sub=None, n=None):
        lo, hi = self.bin_bounds(b)
        if mode == "empirical":
            u = rng.random_sample(b.size)
            if sub is not None:
                return self._decode_slices(b, u, sub, n)
            # rows of training values (small bins, integer columns): pick one
            pick = np.minimum((u * EMPIRICAL_RESOLUTION).astype(np.int64), EMPIRICAL_RESOLUTION - 1)
            values = self.tables[b, pick]
            smooth = self.interpolate[b]
            if smooth.any():  # large bins of real numbers: interpolate between quantiles
                pos = u[smooth] * (EMPIRICAL_RESOLUTION - 1)
                i = np.minimum(pos.astype(np.int64), EMPIRICAL_RESOLUTION - 2)
                left = self.tables[b[smooth], i]
                values[smooth] = left + (pos - i) * (self.tables[b[smooth], i + 1] - left)
            return self._off_spikes(values, lo)
        if self.integer_valued:
            # rank r among the bin's integers that are not spikes
            n_spikes = np.searchsorted(self.spikes, hi, "right") - np.searchsorted(self.spikes, lo)
            allowed = np.maximum(hi - lo + 1 - n_spikes, 1)
            if mode == "midpoint":
                r = (allowed - 1) // 2
            else:
                r = np.minimum(np.floor(rng.random_sample(b.size) * allowed), allowed - 1)
            values = lo + r
            for spike in self.spikes:  # ascending: skip each spike at or below the value
                values += (spike >= lo) & (spike <= values)
            return np.minimum(values, hi)
        if mode == "midpoint":
            return self._off_spikes((lo + hi) / 2, lo)
        return self._off_spikes(lo + rng.random_sample(b.size) * (hi - lo), lo)

    def _decode_slices(self, b, u, sub, n):
        """Empirical decoding inside the chosen slices: the bin's in-bin table
        restricted to the slice (uniform in the slice when no table entry
        falls in it); cells without a slice (-1) decode as usual."""
        lo, _ = self.bin_bounds(b)
        first, stop, u_lo, u_hi, a, c = (part[b, np.maximum(sub, 0)]
                                         for part in self._slice_tables(n))
        free = sub < 0
        first, stop = np.where(free, 0, first), np.where(free, EMPIRICAL_RESOLUTION, stop)
        u_lo, u_hi = np.where(free, 0.0, u_lo), np.where(free, 1.0, u_hi)
        tables = self.tables[b]
        rows = np.arange(b.size)
        # tables of training values: a pick among the entries inside the slice
        pick = np.minimum(first + (u * (stop - first)).astype(np.int64), EMPIRICAL_RESOLUTION - 1)
        values = tables[rows, pick]
        smooth = self.interpolate[b]
        if smooth.any():  # interpolated bins: u restricted to the slice's share of the bin
            pos = (u_lo + u * (u_hi - u_lo))[smooth] * (EMPIRICAL_RESOLUTION - 1)
            i = np.minimum(pos.astype(np.int64), EMPIRICAL_RESOLUTION - 2)
            left = tables[rows[smooth], i]
            values[smooth] = left + (pos - i) * (tables[rows[smooth], i + 1] - left)
        empty = ~free & np.where(smooth, u_hi <= u_lo, stop <= first)
        if empty.any():  # no training value in the slice: uniform in it
            draw = u[empty] * (c[empty] - a[empty])
            values[empty] = a[empty] + (np.floor(draw) if self.integer_valued else draw)
        return self._off_spikes(values, lo)

    def _slice_tables(self, n):
        """Per (bin, slice): the first and stop table entries inside the slice,
        its share ``[u_lo, u_hi]`` of an interpolated table, and its value
        range ``[a, c)``; computed once per ``n``."""
        cache = self.__dict__.setdefault("_slice_cache", {})
        if n not in cache:
            b = np.repeat(np.arange(self.edges.size - 1), n)
            s = np.tile(np.arange(n), self.edges.size - 1)
            a, c = self._slice_range(b, s, n)
            c_pick = np.where(s == n - 1, np.inf, c)  # the closed last slice: up to the end
            tables = self.tables[b]
            first = (tables < a[:, None]).sum(1)
            stop = (tables < c_pick[:, None]).sum(1)
            u_lo, u_hi = _table_position(tables, a), _table_position(tables, c_pick)
            cache[n] = tuple(part.reshape(-1, n) for part in (first, stop, u_lo, u_hi, a, c))
        return cache[n]

    def _off_spikes(self, values, lo):
        """Move float values that coincide with a spike one ulp toward the bin start,
        so that encoding them again gives the same bin symbol."""
        if self.spikes.size:
            idx = np.minimum(np.searchsorted(self.spikes, values), self.spikes.size - 1)
            hit = self.spikes[idx] == values
            values = np.where(hit, np.nextafter(values, lo), values)
        return values


def _table_position(tables, x):
    """Where ``x`` falls in each row of the sorted ``tables``, from 0 (first
    entry) to 1 (last entry), interpolated linearly: the inverse of the
    interpolated empirical decoding (the first of repeated entries)."""
    last = tables.shape[1] - 1
    rows = np.arange(tables.shape[0])
    i = np.clip((tables < x[:, None]).sum(1) - 1, 0, last - 1)
    left, right = tables[rows, i], tables[rows, i + 1]
    frac = np.clip((x - left) / np.where(right > left, right - left, 1.0), 0, 1)
    return np.clip((i + frac) / last, 0, 1)


def _bin_edges(x, n_bins, strategy, rng, window=None):
    """Bin edges of the sorted finite array ``x`` (possibly with repeats).

    With ``window`` (value protection), quantile edges are means of
    ``window`` neighbouring values instead of single order statistics."""
    if x.size == 0:
        return np.array([0.0, 0.0])
    if strategy == "quantile" and window is not None:
        edges = window_means(x, np.linspace(0, 1, n_bins + 1), window)
    elif strategy == "quantile":
        edges = np.quantile(x, np.linspace(0, 1, n_bins + 1))
    elif strategy == "uniform":
        edges = np.linspace(x[0], x[-1], n_bins + 1)
    else:  # kmeans
        from sklearn.cluster import KMeans

        distinct = np.unique(x)
        k = min(n_bins, distinct.size)
        if k < 2:
            return np.array([x[0], x[-1]], dtype=float)
        init = np.linspace(x[0], x[-1], k + 1)
        init = ((init[1:] + init[:-1]) / 2)[:, None]
        km = KMeans(n_clusters=k, init=init, n_init=1, random_state=rng)
        centers = np.sort(km.fit(x[:, None]).cluster_centers_[:, 0])
        edges = np.concatenate([[x[0]], (centers[1:] + centers[:-1]) / 2, [x[-1]]])
    return np.unique(edges)


def protect_extremes(x_sorted, threshold, integer_valued):
    """Clip the sorted values to the range between the ``threshold``-th smallest
    and the ``threshold``-th largest, so that no value beyond them is kept
    (tables too short for that collapse to their mean, rounded for integers)."""
    k = min(threshold, x_sorted.size) - 1
    low, high = x_sorted[k], x_sorted[x_sorted.size - 1 - k]
    if low > high:  # fewer than 2 * threshold - 1 values
        low = high = x_sorted.mean()
        if integer_valued:
            low = high = np.round(low)
    return np.clip(x_sorted, low, high)


def window_means(x_sorted, q, window):
    """For each quantile level in ``q``, the mean of the ``window`` consecutive
    sorted values around it: a summary that is a training value only when
    ``window`` values share it (so a value seen in fewer rows never appears)."""
    n = x_sorted.size
    window = min(window, n)
    start = np.clip(np.round(q * (n - 1)).astype(np.int64) - window // 2, 0, n - window)
    cumulative = np.concatenate([[0.0], np.cumsum(x_sorted - x_sorted[0])])
    means = x_sorted[0] + (cumulative[start + window] - cumulative[start]) / window
    # a window of equal values gives that value exactly (no rounding noise)
    same = x_sorted[start] == x_sorted[start + window - 1]
    means[same] = x_sorted[start[same]]
    return np.clip(means, x_sorted[start], x_sorted[start + window - 1])


def off_integer_spikes(values, spikes, low, high):
    """Move rounded means that landed on a spike (a value with a symbol of its
    own) to the nearest whole number in ``[low, high]`` that is not one, so
    that decoding stays in the bin's symbol (``low`` and ``high``, values of
    the bin, are never spikes)."""
    if not spikes.size:
        return values
    values = values.copy()
    for i in np.flatnonzero(np.isin(values, spikes)):
        for step in range(1, int(high - low) + 1):
            for candidate in (values[i] - step, values[i] + step):
                if low <= candidate <= high and not np.isin(candidate, spikes):
                    values[i] = candidate
                    break
            else:
                continue
            break
    return values


def _empirical_tables(x_sorted, edges, spikes, integer_valued, window=None):
    """In-bin order statistics: row ``b`` summarises the training values in bin b.

    With ``window`` (value protection) every entry is a mean of ``window``
    neighbouring values of the bin (rounded for integer columns), and a bin
    with fewer values is spread over its whole width, so no entry is a value
    seen in fewer than ``window`` rows."""
    n_bins = edges.size - 1
    rest = x_sorted[~np.isin(x_sorted, spikes)] if spikes.size else x_sorted
    # bin index of every (sorted) non-spike value, as ``encode`` computes it
    bins = np.searchsorted(edges[1:-1], rest, side="right")
    starts = np.searchsorted(bins, np.arange(n_bins), side="left")
    stops = np.searchsorted(bins, np.arange(n_bins), side="right")
    q = np.linspace(0, 1, EMPIRICAL_RESOLUTION)
    tables = np.empty((n_bins, EMPIRICAL_RESOLUTION))
    interpolate = np.zeros(n_bins, dtype=bool)
    for b in range(n_bins):
        chunk = rest[starts[b] : stops[b]]
        if window is not None and chunk.size >= window:
            tables[b] = window_means(chunk, q, window)
            if integer_valued:
                tables[b] = off_integer_spikes(
                    np.clip(np.round(tables[b]), chunk[0], chunk[-1]), spikes, chunk[0], chunk[-1])
            interpolate[b] = not integer_valued
            continue
        if chunk.size == 0 or window is not None:  # no (or too few) values: spread over the bin
            ramp = edges[b] + q * (edges[b + 1] - edges[b])
            if integer_valued:
                lo = np.ceil(edges[b])
                ramp = np.clip(np.round(ramp), lo, max(lo, np.ceil(edges[b + 1]) - 1))
            tables[b] = ramp
            interpolate[b] = not integer_valued
        elif integer_valued or chunk.size <= EMPIRICAL_RESOLUTION:
            # equal shares of the bin's actual values (no value invented between
            # two training values, which may sit on either side of a gap)
            tables[b] = chunk[(np.arange(EMPIRICAL_RESOLUTION) * chunk.size) // EMPIRICAL_RESOLUTION]
        else:
            pos = q * (chunk.size - 1)
            i = pos.astype(np.int64)
            j = np.minimum(i + 1, chunk.size - 1)
            tables[b] = chunk[i] + (pos - i) * (chunk[j] - chunk[i])
            interpolate[b] = True
    return tables, interpolate


class ValueCodec:
    """One symbol per distinct value: categorical columns and numeric columns
    with few distinct values (ports, protocols, flags, counts).

    Parameters
    ----------
    categories : ndarray
        The sorted distinct training values (float for numeric columns, object
        otherwise) that have a symbol of their own.
    numeric : bool
        Numeric columns map unseen values to the nearest known value (with a
        warning); categorical ones to the unknown symbol or an error.
    rare_value : object or None
        Categorical columns under value protection, what the categories seen
        in too few rows (and, at transform time, unseen ones) become:
        ``RARE_MARKER``, a symbol of its own (the last regular one), in
        columns of strings; else the most frequent kept category, whose
        symbol they share. None: no protection.
    """

    kind = "exact"

    def __init__(self, categories, numeric, handle_unknown, rare_value=None):
        self.categories = categories
        self.numeric = numeric
        self.handle_unknown = handle_unknown
        self.rare_value = rare_value
        # the marker gets a symbol of its own unless it is a kept category already
        self._own_symbol = _is_marker(rare_value) and RARE_MARKER not in set(categories)
        self.n_symbols = categories.size + self._own_symbol
        if not numeric:
            self.kind = "categorical"
            self._index = pd.Index(categories)
        self._rare_code = None
        if self._own_symbol:
            self._rare_code = self.n_symbols - 1
        elif rare_value is not None:
            self._rare_code = int(self._index.get_loc(rare_value))

    @classmethod
    def fit(cls, x, *, numeric, handle_unknown, declared=None, threshold=None):
        """Learn the categories of ``x`` (missing values removed).

        With ``threshold`` (value protection), values seen in fewer rows get no
        symbol: numeric ones are encoded as the nearest kept value, categorical
        ones as the shared rare symbol. Returns None for a numeric column none
        of whose values is kept (it is binned instead).
        """
        if numeric:
            values, counts = np.unique(x, return_counts=True)
            if threshold is not None:
                values = values[counts >= threshold]
                if values.size == 0 and x.size:
                    return None
            return cls(values, True, handle_unknown)
        if declared is not None:  # pandas categorical: keep its declared order
            categories = list(declared)
        else:
            categories = sort_categories(pd.unique(pd.Series(x, dtype=object)))
        rare_value = None
        if threshold is not None:
            counts = pd.Series(x, dtype=object).value_counts(dropna=True)
            kept = [c for c in categories if counts.get(c, 0) >= threshold]
            if len(kept) < len(categories):
                rare_value = _rare_value(kept, counts, declared)
            categories = kept
        return cls(np.asarray(categories, dtype=object), False, handle_unknown, rare_value)

    def encode(self, x, label, warn=True):
        if self.numeric:
            return self._encode_numeric(x, label, warn)
        missing = np.asarray(pd.isna(x))
        codes = self._index.get_indexer(x).astype(np.int64)
        unknown = (codes < 0) & ~missing
        if unknown.any() and self._rare_code is not None:
            # the rare symbol stands for every value without a symbol of its own
            codes[unknown] = self._rare_code
        elif unknown.any():
            examples = list(pd.unique(pd.Series(x[unknown], dtype=object)))[:5]
            if self.handle_unknown == "error":
                raise ValueError(
                    f"{label} contains {int(unknown.sum())} value(s) not seen during fit, "
                    f"e.g. {examples}. Refit on data that includes them, or use "
                    "handle_unknown='unknown_symbol' to map them to the unknown symbol."
                )
            if warn:
                warnings.warn(
                    f"{label}: {int(unknown.sum())} value(s) not seen during fit (e.g. "
                    f"{examples}) were mapped to the unknown symbol.",
                    UnknownCategoryWarning,
                    stacklevel=4,
                )
            codes[unknown] = self.n_symbols + 1
        codes[missing] = self.n_symbols
        return codes

    def _encode_numeric(self, x, label, warn):
        missing = np.isnan(x)
        cats = self.categories
        if cats.size == 0:  # the column was entirely missing during fit
            if warn and not missing.all():
                warnings.warn(
                    f"{label} held only missing values during fit; its "
                    f"{int((~missing).sum())} present value(s) were mapped to the unknown symbol.",
                    UnknownCategoryWarning,
                    stacklevel=4,
                )
            return np.where(missing, self.n_symbols, self.n_symbols + 1).astype(np.int64)
        idx = np.minimum(np.searchsorted(cats, x), cats.size - 1)
        hit = cats[idx] == x
        unseen = ~hit & ~missing
        if unseen.any():
            left = np.maximum(idx - 1, 0)
            closer_left = np.abs(x - cats[left]) <= np.abs(cats[idx] - x)
            idx = np.where(unseen & closer_left, left, idx)
            if warn:
                warnings.warn(
                    f"{label}: {int(unseen.sum())} value(s) not seen during fit, or protected "
                    f"as rare (e.g. {x[unseen][0]:g}), were mapped to the nearest training value.",
                    OutOfRangeWarning,
                    stacklevel=4,
                )
        idx = idx.astype(np.int64, copy=False)
        idx[missing] = self.n_symbols
        return idx

    def to_parts(self, with_tables=True):
        """The codec as plain values, for the safe model format."""
        return {"kind": self.kind, "categories": self.categories, "numeric": bool(self.numeric),
                "rare_value": self.rare_value}

    def log_volume(self, codes):
        return np.zeros(codes.shape)

    def decode(self, codes, mode, rng):
        regular = codes < self.categories.size
        if self.numeric:
            out = np.full(codes.shape, np.nan)
            out[regular] = self.categories[codes[regular]]
            return out
        out = np.full(codes.shape, np.nan, dtype=object)
        out[regular] = self.categories[codes[regular]]
        if self._own_symbol:
            out[codes == self.n_symbols - 1] = RARE_MARKER
        return out


#: What a protected rare category decodes to in a column of strings.
RARE_MARKER = "_RARE_"


def _is_marker(value):
    return isinstance(value, str) and value == RARE_MARKER


def _rare_value(kept, counts, declared):
    """What the rare symbol decodes to: ``RARE_MARKER`` where the column holds
    strings, else (booleans, numbers in an object column) the most frequent
    kept value; a column with no kept value gets the marker."""
    if not kept or all(isinstance(c, str) for c in kept):
        return RARE_MARKER
    return max(kept, key=lambda c: counts[c])


def codec_from_parts(parts, handle_unknown):
    """Inverse of ``to_parts``; parts that do not fit together raise ValueError
    (a model file read by the loader is untrusted)."""
    if isinstance(parts, dict) and parts.get("kind") == "identifier":
        from ._identifiers import IdentifierCodec

        return IdentifierCodec.from_parts(parts)
    _check_parts(parts)
    if parts["kind"] == "continuous":
        tables = parts["tables"]
        return ContinuousCodec(np.asarray(parts["spikes"], dtype=np.float64),
                               np.asarray(parts["edges"], dtype=np.float64),
                               bool(parts["integer_valued"]),
                               None if tables is None else np.asarray(tables, dtype=np.float64),
                               None if tables is None else np.asarray(parts["interpolate"], dtype=bool))
    categories = parts["categories"]
    if parts["numeric"]:
        categories = np.asarray(categories, dtype=np.float64)
    rare_value = parts.get("rare_value")
    if rare_value is not None and not _is_marker(rare_value) and rare_value not in set(categories):
        raise ValueError("a stored column codec is malformed: rare_value")
    return ValueCodec(categories, bool(parts["numeric"]), handle_unknown, rare_value)


def _check_parts(parts):
    def fail(what):
        raise ValueError(f"a stored column codec is malformed: {what}")

    if not isinstance(parts, dict) or parts.get("kind") not in ("continuous", "exact",
                                                                "categorical"):
        fail("kind")
    if parts["kind"] != "continuous":
        categories = parts.get("categories")
        if (not isinstance(categories, np.ndarray) or categories.ndim != 1
                or not isinstance(parts.get("numeric"), bool)):
            fail("categories")
        rare = parts.get("rare_value")
        if rare is not None and (parts["numeric"] or not isinstance(
                rare, (str, bool, int, float, np.bool_, np.integer, np.floating))):
            fail("rare_value")
        return
    spikes, edges = parts.get("spikes"), parts.get("edges")
    for name, values in (("spikes", spikes), ("edges", edges)):
        if (not isinstance(values, np.ndarray) or values.ndim != 1 or values.dtype.kind != "f"
                or not np.all(np.isfinite(values)) or np.any(np.diff(values) < 0)):
            fail(name)
    if edges.size < 2 or not isinstance(parts.get("integer_valued"), bool):
        fail("edges")
    tables, interpolate = parts.get("tables"), parts.get("interpolate")
    if (tables is None) != (interpolate is None):
        fail("tables")
    if tables is not None and not (
            isinstance(tables, np.ndarray) and tables.ndim == 2
            and tables.shape[0] == edges.size - 1 and tables.shape[1] >= 1
            and isinstance(interpolate, np.ndarray) and interpolate.shape == (edges.size - 1,)
            and interpolate.dtype == bool):
        fail("tables")
