"""Exact relations between numeric columns: finding them in a table, checking them, keeping them.

A generator that draws each column's value on its own (or inside a bin on
its own) breaks relations that hold in every real row: a minimum above its
maximum, a rate that is not its count over its duration. A classifier sees
that at once. This module finds such relations in a training table
(:func:`find_relations`), counts the rows that break them
(:func:`relation_violations`) and keeps them in generated rows
(:class:`RelationEnforcer`, used by the generators).
"""

# Authors: The sklearn-synth developers
# SPDX-License-Identifier: BSD-3-Clause

import math
from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.utils._param_validation import Interval, validate_params

from ..utils._validation import is_number_dtype

# kind -> number of columns
_ARITY = {"le": 2, "zero_implies_zero": 2, "eq": 2, "sum": 3, "diff": 3, "product": 3,
          "ratio": 3}
_FUNCTIONAL = ("eq", "sum", "diff", "product", "ratio")

# Rows of the table the functional relations are first screened on.
_SCREEN_ROWS = 32
# A screened relation needs this many of those rows where it can be checked.
_SCREEN_MIN = 8
# A functional relation's target must take at least this many values in the
# rows that support it: small integer columns add up by chance.
_MIN_DISTINCT = 10
# Relative tolerance of an ordering (rounding of derived values only).
_ORDER_RTOL = 1e-9


class ColumnRelation(NamedTuple):
    """An exact relation between numeric columns of a table.

    ``columns`` names the columns (labels of a DataFrame's columns, or
    positions for an array), the first one being the one the relation
    constrains:

    ============================  ==========================  ======================
    ``kind``                      ``columns``                 meaning
    ============================  ==========================  ======================
    ``"le"``                      ``(a, b)``                  ``a <= b``
    ``"zero_implies_zero"``       ``(a, b)``                  ``a == 0`` implies ``b == 0``
    ``"eq"``                      ``(t, a)``                  ``t = factor * a``
    ``"sum"``                     ``(t, a, b)``               ``t = a + b``
    ``"diff"``                    ``(t, a, b)``               ``t = a - b``
    ``"product"``                 ``(t, a, b)``               ``t = factor * a * b``
    ``"ratio"``                   ``(t, a, b)``               ``t = factor * a / b``
    ============================  ==========================  ======================

    A relation is checked on the rows where all its columns hold finite
    numbers (and, for ``"ratio"``, ``b`` is not 0).

    Examples
    --------
    >>> from sklearn_synth.preprocessing import ColumnRelation
    >>> print(ColumnRelation("ratio", ("pkts_s", "pkts", "duration_us"), 1e6))
    pkts_s = 1e+06 * pkts / duration_us
    """

    kind: str
    columns: tuple
    factor: float = 1.0

    def __str__(self):
        c = [str(name) for name in self.columns]
        scale = "" if self.factor == 1 else f"{self.factor:g} * "
        if self.kind == "le":
            return f"{c[0]} <= {c[1]}"
        if self.kind == "zero_implies_zero":
            return f"{c[0]} == 0 implies {c[1]} == 0"
        if self.kind == "eq":
            return f"{c[0]} = {scale}{c[1]}"
        symbol = {"sum": "+", "diff": "-", "product": "*", "ratio": "/"}[self.kind]
        if self.kind in ("sum", "diff"):
            scale = ""
        return f"{c[0]} = {scale}{c[1]} {symbol} {c[2]}"


def check_relation(relation, columns, numeric):
    """``relation`` (a :class:`ColumnRelation` or a plain tuple) checked against
    the table's ``columns`` (their labels, or None for an array) and the
    boolean mask ``numeric`` of its numeric columns; returns it as a
    :class:`ColumnRelation` with plain column references."""
    if not isinstance(relation, tuple) or len(relation) not in (2, 3):
        raise ValueError(
            f"A relation must be a ColumnRelation(kind, columns, factor) or a tuple (kind, "
            f"columns[, factor]), got {relation!r}.")
    kind, cols = relation[0], relation[1]
    factor = relation[2] if len(relation) == 3 else 1.0
    if kind not in _ARITY:
        raise ValueError(
            f"Relation {relation!r}: kind must be one of {sorted(_ARITY)}, got {kind!r}.")
    if not isinstance(cols, (tuple, list)) or len(cols) != _ARITY[kind]:
        raise ValueError(
            f"Relation {relation!r}: a {kind!r} relation takes {_ARITY[kind]} columns, got "
            f"{cols!r}.")
    if (isinstance(factor, bool) or not isinstance(factor, Real) or not math.isfinite(factor)
            or factor == 0):
        raise ValueError(
            f"Relation {relation!r}: factor must be a finite non-zero number, got {factor!r}.")
    if kind in ("le", "zero_implies_zero", "sum", "diff") and factor != 1:
        raise ValueError(f"Relation {relation!r}: a {kind!r} relation has no factor; drop it.")
    positions = [column_position(name, columns, len(numeric)) for name in cols]
    if len(set(positions)) != len(positions):
        raise ValueError(f"Relation {relation!r} names a column twice.")
    for name, j in zip(cols, positions):
        if not numeric[j]:
            raise ValueError(
                f"Relation {relation!r}: column {name!r} is not numeric; relations hold "
                "between numeric (not boolean) columns only.")
    names = tuple(int(j) if columns is None else columns[j] for j in positions)
    return ColumnRelation(str(kind), names, float(factor))


def column_position(name, columns, n_columns):
    """Position of the column ``name`` in ``columns`` (None: an array of
    ``n_columns`` columns, referred to by position)."""
    if columns is None:
        if isinstance(name, bool) or not isinstance(name, Integral):
            raise ValueError(
                f"Column {name!r}: a table without column names refers to its columns "
                "by position (an int).")
        if not 0 <= int(name) < n_columns:
            raise ValueError(
                f"Column position {name!r} is out of range for {n_columns} columns.")
        return int(name)
    try:
        return list(columns).index(name)
    except ValueError:
        raise ValueError(
            f"Column {name!r} is not a column of the table; its columns are "
            f"{list(columns)[:10]}{' ...' if len(columns) > 10 else ''}.") from None


# ------------------------------------------------------------------ values
def numeric_mask(X):
    """Which columns of ``X`` hold numbers (not booleans, dates or strings)."""
    if hasattr(X, "dtypes"):
        return np.array([is_number_dtype(t) for t in X.dtypes], dtype=bool)
    X = np.asarray(X)
    return np.full(X.shape[1], X.dtype.kind in "iuf")


def float_block(X, positions):
    """Columns ``positions`` of ``X`` as a float64 array, NaN where not a finite number."""
    if hasattr(X, "iloc"):
        parts = [pd.to_numeric(X.iloc[:, j], errors="coerce").to_numpy(dtype=np.float64,
                                                                         na_value=np.nan)
                 for j in positions]
        V = np.column_stack(parts) if parts else np.empty((len(X), 0))
    else:
        V = np.asarray(np.asarray(X)[:, list(positions)], dtype=np.float64)
    V = V.copy()
    V[~np.isfinite(V)] = np.nan
    return V


def _close(x, y, rtol):
    return np.abs(x - y) <= rtol * np.maximum(np.abs(x), np.abs(y)) + 1e-300


def _predict(kind, factor, a, b=None):
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if kind == "eq":
            return factor * a
        if kind == "sum":
            return a + b
        if kind == "diff":
            return a - b
        if kind == "product":
            return factor * a * b
        out = factor * a / b
        out[b == 0] = np.nan
        return out


def _breaks(kind, factor, V, rtol):
    """Rows of ``V`` (the relation's columns) that break it; rows where it
    cannot be checked do not."""
    t, a = V[:, 0], V[:, 1]
    with np.errstate(invalid="ignore"):
        if kind == "le":
            return t - a > _ORDER_RTOL * np.maximum(np.abs(t), np.abs(a))
        if kind == "zero_implies_zero":
            return (t == 0) & np.isfinite(a) & (a != 0)
        pred = _predict(kind, factor, a, V[:, 2] if V.shape[1] > 2 else None)
        return np.isfinite(t) & np.isfinite(pred) & ~_close(t, pred, rtol)


def relation_violations(X, relations, *, rtol=1e-6):
    """Which rows of ``X`` break which relations.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
        The table (real or synthetic).
    relations : list of ColumnRelation
        For example a generator's ``relations_``.
    rtol : float, default=1e-6
        Relative tolerance of equations (orderings are exact up to rounding).

    Returns
    -------
    broken : ndarray of bool, shape (n_samples, n_relations)
        True where the row breaks the relation; a row where a relation cannot
        be checked (a missing value, a zero denominator) does not break it.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_synth.preprocessing import ColumnRelation, relation_violations
    >>> X = pd.DataFrame({"low": [1, 5], "high": [2, 3]})
    >>> relation_violations(X, [ColumnRelation("le", ("low", "high"))])[:, 0]
    array([False,  True])
    """
    columns = list(X.columns) if hasattr(X, "columns") else None
    numeric = numeric_mask(X)
    out = np.zeros((np.shape(X)[0], len(relations)), dtype=bool)
    for i, relation in enumerate(relations):
        relation = check_relation(relation, columns, numeric)
        positions = [column_position(c, columns, len(numeric)) for c in relation.columns]
        out[:, i] = _breaks(relation.kind, relation.factor, float_block(X, positions), rtol)
    return out


# --------------------------------------------------------------- discovery
@validate_params(
    {
        "X": ["array-like"],
        "min_rows": [Interval(Integral, 1, None, closed="left")],
        "max_chance": [Interval(Real, 0, 1, closed="neither")],
        "rtol": [Interval(Real, 0, 1, closed="neither")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def find_relations(X, *, min_rows=20, max_chance=1e-3, rtol=1e-6, random_state=0):
    """Find the exact relations between the numeric columns of a table.

    Looks for relations that hold in every row where they can be checked:

    - orderings ``a <= b``;
    - functional relations: ``t = k * a``, ``t = a + b``, ``t = a - b``,
      ``t = k * a * b`` and ``t = k * a / b`` with a constant factor ``k``;
    - implications ``a == 0`` implies ``b == 0``.

    Only relations with support are kept, so that a small table does not
    yield relations that hold by chance:

    - an ordering or an implication is kept when holding in every row would
      be unlikely if the two columns were independent: the chance of that,
      from the two columns' own distributions (``p ** n`` for ``n`` rows
      where each holds with probability ``p``), must be below
      ``max_chance``. An ordering that the columns' ranges imply (``max(a)
      <= min(b)``) has chance 1 and is not reported; any generator that
      keeps each column inside its range keeps it;
    - a functional relation needs ``min_rows`` rows where it can be checked
      and at least 10 distinct values of its target in them (small
      integers add up by chance).

    Constant columns take part in no relation. Every relation is reported
    once: orderings implied by others (``a <= c`` given ``a <= b`` and
    ``b <= c``) and implications implied by an ordering of non-negative
    columns are left out, and of the forms of one equation (``t = a + b``,
    ``a = t - b``) the one that gives the latest column of the table is
    kept; a column is the target of at most one equation, and no column
    depends on itself through a chain of them.

    Cost: orderings and implications compare every pair of columns over
    every row, ``O(n_features**2 * n_samples)``; equations are screened on
    32 rows over every triple of columns, ``O(n_features**3)``, and only
    the survivors are checked on every row. About a second for 25,000 rows
    of 80 numeric columns on one CPU core.

    Parameters
    ----------
    X : array-like or DataFrame of shape (n_samples, n_features)
        The table. Non-numeric and boolean columns are ignored.
    min_rows : int, default=20
        Rows a functional relation must be checked on.
    max_chance : float, default=1e-3
        Largest chance of an ordering or implication holding in every row
        between independent columns.
    rtol : float, default=1e-6
        Relative tolerance of equations (values written with a few
        significant digits need more).
    random_state : int, RandomState instance or None, default=0
        Chooses the screening rows.

    Returns
    -------
    relations : list of ColumnRelation
        Equations first (in an order in which each target's sources come
        before it), then orderings, then implications.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn_synth.preprocessing import find_relations
    >>> rng = np.random.RandomState(0)
    >>> low = rng.uniform(0, 10, 200)
    >>> X = pd.DataFrame({"low": low, "high": low + rng.uniform(0, 1, 200),
    ...                   "size": rng.randint(1, 50, 200)})
    >>> X["per_size"] = X["high"] / X["size"]
    >>> for relation in find_relations(X):
    ...     print(relation)
    per_size = high / size
    low <= high
    """
    from sklearn.utils import check_random_state

    columns = list(X.columns) if hasattr(X, "columns") else None
    numeric = np.flatnonzero(numeric_mask(X))
    V = float_block(X, numeric)
    varies = np.array([np.unique(v[np.isfinite(v)]).size > 1 for v in V.T], dtype=bool)
    numeric, V = numeric[varies], V[:, varies]
    if V.shape[1] < 2:
        return []
    names = [int(j) if columns is None else columns[j] for j in numeric]
    rng = check_random_state(random_state)
    equations = _find_equations(V, min_rows, rtol, rng)
    closure = _find_orderings(V, max_chance)
    orderings = _transitive_reduction(closure)
    implied = set(_find_implications(V, max_chance))
    implications = [(a, b) for a, b in _transitive_reduction(implied)
                    if not ((b, a) in closure and np.nanmin(V[:, b]) >= 0)]
    out = [ColumnRelation(kind, tuple(names[j] for j in cols), factor)
           for kind, cols, factor in equations]
    out += [ColumnRelation("le", (names[a], names[b])) for a, b in orderings]
    out += [ColumnRelation("zero_implies_zero", (names[a], names[b])) for a, b in implications]
    return out


def _find_orderings(V, max_chance):
    """Pairs (a, b) with ``a <= b`` in every row, not equal in all, unlikely by chance."""
    finite = np.isfinite(V)
    pairs = []
    for a in range(V.shape[1]):
        with np.errstate(invalid="ignore"):
            above = (V[:, [a]] > V).any(axis=0)
            below = (V[:, [a]] < V).any(axis=0)
        candidates = np.flatnonzero(~above & below)
        for b in candidates[candidates != a]:
            both = finite[:, a] & finite[:, b]
            va, vb = V[both, a], np.sort(V[both, b])
            m = va.size
            # chance that a row of independent columns has a <= b
            p = (m - np.searchsorted(vb, va, side="left")).sum() / float(m * m)
            if p < 1 and m * math.log(p) < math.log(max_chance):
                pairs.append((a, int(b)))
    return set(pairs)


def _transitive_reduction(pairs):
    """The pairs (a, c) not implied by two others (a, b) and (b, c)."""
    after = {}
    for a, b in pairs:
        after.setdefault(a, set()).add(b)
    return [(a, c) for a, c in sorted(pairs)
            if not any(c in after.get(b, ()) for b in after[a] if b != c)]


def _find_implications(V, max_chance):
    """Pairs (a, b) with ``b == 0`` in every row where ``a == 0``, unlikely by chance."""
    finite = np.isfinite(V)
    zero = V == 0
    share = zero.sum(axis=0) / np.maximum(finite.sum(axis=0), 1)
    pairs = []
    for a in np.flatnonzero(zero.any(axis=0)):
        rows = zero[:, a]
        broken = (rows[:, None] & finite & ~zero).any(axis=0)
        checked = (rows[:, None] & finite).sum(axis=0)
        for b in np.flatnonzero(~broken & (checked > 0) & (share > 0)):
            if b == a or share[b] >= 1:
                continue
            if checked[b] * math.log(share[b]) < math.log(max_chance):
                pairs.append((int(a), int(b)))
    return pairs


def _screen_rows(V, rng):
    complete = np.flatnonzero(np.isfinite(V).all(axis=1))
    if complete.size >= _SCREEN_ROWS:
        return rng.choice(complete, _SCREEN_ROWS, replace=False)
    order = np.argsort(-np.isfinite(V).sum(axis=1), kind="stable")
    return order[:_SCREEN_ROWS]


def _constant_on_rows(K, zero_needed):
    """Over axis 0 of ``K`` (a factor per screening row): the factor if it is the
    same in every row where it is defined (and at least _SCREEN_MIN of them),
    else NaN; ``zero_needed`` marks rows that break the relation outright."""
    defined = np.isfinite(K) & (K != 0)
    with np.errstate(invalid="ignore"):
        low = np.where(defined, K, np.inf).min(axis=0)
        high = np.where(defined, K, -np.inf).max(axis=0)
    ok = (defined.sum(axis=0) >= _SCREEN_MIN) & ~zero_needed.any(axis=0)
    ok &= _close(low, high, 1e-4)
    return np.where(ok, low, np.nan)


def _find_equations(V, min_rows, rtol, rng):
    """Functional relations as (kind, column positions, factor), targets latest."""
    d = V.shape[1]
    R = V[_screen_rows(V, rng)]
    found = {}  # (frozenset of columns, form) -> (signs, factor)

    def keep(key, signs, factor):
        found.setdefault(key, (signs, factor))

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # t = k * a
        K = R[:, None, :] / R[:, :, None]  # [row, a, t]
        mismatch = (R[:, :, None] == 0) & np.isfinite(R[:, None, :]) & (R[:, None, :] != 0)
        k = _constant_on_rows(K, mismatch)
        for a, t in zip(*np.nonzero(np.isfinite(k))):
            if a != t:
                keep((frozenset((a, t)), "eq"), {t: 1, a: -1}, k[a, t])
        for a in range(d):
            # t = a + b
            S = R[:, [a]] + R  # [row, b]
            fin = np.isfinite(S)[:, :, None] & np.isfinite(R)[:, None, :]
            match = _close(S[:, :, None], R[:, None, :], max(rtol, 1e-9)) | ~fin
            ok = match.all(axis=0) & (fin.sum(axis=0) >= _SCREEN_MIN)
            for b, t in zip(*np.nonzero(ok)):
                if b > a and t not in (a, b):
                    keep((frozenset((a, b, t)), "add"), {t: 1, a: -1, b: -1}, 1.0)
            # t = k * a * b and t = k * a / b
            for form, Q in (("product", R[:, [a]] * R), ("ratio", R[:, [a]] / R)):
                K = R[:, None, :] / Q[:, :, None]  # [row, b, t]
                mismatch = (Q[:, :, None] == 0) & np.isfinite(R[:, None, :]) \
                    & (R[:, None, :] != 0)
                k = _constant_on_rows(K, mismatch)
                for b, t in zip(*np.nonzero(np.isfinite(k))):
                    if len({a, b, t}) < 3 or (form == "product" and b < a):
                        continue
                    sign_b = -1 if form == "product" else 1
                    keep((frozenset((a, b, t)), "mul"), {t: 1, a: -1, b: sign_b}, k[b, t])
    finite = np.isfinite(V)
    integral = [bool(np.all(np.mod(v[f], 1) == 0)) for v, f in zip(V.T, finite.T)]
    equations = []
    for (cols, form), (signs, factor) in sorted(found.items(),
                                                key=lambda item: sorted(item[0][0])):
        relation = _as_latest_target(form, signs, factor, integral)
        if relation is not None:
            relation = _verify(V, relation, min_rows, rtol)
        if relation is not None:
            equations.append(relation)
    return _consistent(equations)


def _as_latest_target(form, signs, factor, integral):
    """The equation (``form`` "eq", "add" or "mul": the sum or product of the
    columns ``x ** sign`` is ``factor``) solved for its latest column that
    holds fractions (``integral`` marks the columns of whole numbers), or its
    latest column when all are whole: a count is not derived from a rate."""
    fractional = [c for c in signs if not integral[c]]
    target = max(fractional) if fractional and form == "mul" else max(signs)
    s_t = signs[target]
    others = sorted(c for c in signs if c != target)
    pos = [c for c in others if -signs[c] / s_t > 0]
    neg = [c for c in others if -signs[c] / s_t < 0]
    k = factor if s_t > 0 else 1 / factor
    if form == "eq":
        return "eq", (target, others[0]), k
    if form == "add":
        kind = "sum" if len(pos) == 2 else "diff" if len(pos) == 1 else None
        return None if kind is None else (kind, (target, *pos, *neg), 1.0)
    if len(pos) == 2:
        return "product", (target, *pos), k
    if len(pos) == 1:
        return "ratio", (target, pos[0], neg[0]), k
    return None


def _verify(V, relation, min_rows, rtol):
    """The relation with its factor refined on every row, or None if a row breaks it
    or it lacks support."""
    kind, cols, factor = relation
    W = V[:, list(cols)]
    checkable = np.isfinite(W).all(axis=1)
    if kind == "ratio":
        checkable &= W[:, 2] != 0
    if checkable.sum() < min_rows or np.unique(W[checkable, 0]).size < _MIN_DISTINCT:
        return None
    if kind in ("eq", "product", "ratio"):
        unit = _predict(kind, 1.0, W[checkable, 1], W[checkable, 2] if len(cols) > 2 else None)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios = W[checkable, 0] / unit
        ratios = ratios[np.isfinite(ratios) & (ratios != 0)]
        if ratios.size == 0:
            return None
        factor = _round_factor(float(np.median(ratios)), rtol)
    if _breaks(kind, factor, W, rtol).any():
        return None
    return kind, cols, factor


def _round_factor(k, rtol):
    """``k`` written with as few significant digits as stay within ``rtol / 10``."""
    for digits in range(1, 16):
        rounded = float(f"{k:.{digits}g}")
        if abs(rounded - k) <= rtol / 10 * abs(k):
            return rounded
    return k


def _consistent(equations, keep_first=0):
    """Keep each column the target of one equation at most, without cycles; order
    them so that a target's sources come first. The first ``keep_first``
    equations are taken first, in their order; the others simplest first."""
    kept, sources_of = [], {}

    def depends(column, on):
        stack, seen = [column], set()
        while stack:
            c = stack.pop()
            if c == on:
                return True
            if c not in seen:
                seen.add(c)
                stack.extend(sources_of.get(c, ()))
        return False

    rank = {"eq": 0, "sum": 1, "diff": 1, "product": 2, "ratio": 2}
    head, tail = equations[:keep_first], equations[keep_first:]
    for kind, cols, factor in head + sorted(tail, key=lambda e: (rank[e[0]], e[1])):
        target, sources = cols[0], cols[1:]
        if target in sources_of or any(depends(s, target) for s in sources):
            continue
        sources_of[target] = sources
        kept.append((kind, cols, factor))
    ordered, done = [], set()
    while kept:
        for e in kept:
            if all(s not in sources_of or s in done for s in e[1][1:]):
                ordered.append(e)
                done.add(e[1][0])
                kept.remove(e)
                break
    return ordered


def merge_relations(user, found):
    """The user's relations (checked for conflicts) and the found ones that add
    to them: an equation whose target is already a target, or that would make
    a column depend on itself, is left out."""
    user_equations = [(r.kind, r.columns, r.factor) for r in user if r.kind in _FUNCTIONAL]
    targets = [cols[0] for _, cols, _ in user_equations]
    if len(set(targets)) < len(targets):
        twice = next(t for t in targets if targets.count(t) > 1)
        raise ValueError(
            f"relations: column {twice!r} is the target of two equations; give one, or "
            "express the other as a relation of a different column.")
    kept = _consistent(user_equations)
    if len(kept) < len(user_equations):
        raise ValueError(
            "relations: the equations make a column depend on itself through a chain of "
            "equations; drop one of them.")
    found_equations = [(r.kind, r.columns, r.factor) for r in found if r.kind in _FUNCTIONAL]
    equations = _consistent(kept + found_equations, keep_first=len(kept))
    others = [r for r in user if r.kind not in _FUNCTIONAL]
    given = {(r.kind, tuple(r.columns)) for r in others}
    others += [r for r in found
               if r.kind not in _FUNCTIONAL and (r.kind, tuple(r.columns)) not in given]
    return [ColumnRelation(k, tuple(c), f) for k, c, f in equations] + others


class RelationEnforcer:
    """Keeps ``relations`` in generated tables of the training columns.

    Equations are derived (their target computed from their sources, in an
    order that computes a source before its use); then, in a row that
    breaks an implication, the column it constrains is set to 0, and in a
    row that breaks an ordering, the larger column is raised to the smaller
    one's value (or, when it cannot move or an implication holds it at 0,
    the smaller lowered), until nothing moves. Given cells (``free``
    False) are never changed, and a relation among given cells only is not
    checked.

    Drawing the broken rows again was measured and dropped: on the flow data
    redrawing the values inside their bins changed neither the detection
    AUC nor anything else but halved the sampling speed, and redrawing whole
    rows shifted the table toward rows that keep relations easily
    (detection AUC 0.80 against 0.74).

    Parameters
    ----------
    relations : list of ColumnRelation
    columns : list or None
        The table's column labels (None: an array, relations by position).
    n_columns : int
    """

    def __init__(self, relations, columns, n_columns):
        self.positions = sorted({column_position(c, columns, n_columns)
                                 for r in relations for c in r.columns})
        local = {p: i for i, p in enumerate(self.positions)}
        self.checks = [(r.kind, [local[column_position(c, columns, n_columns)]
                                 for c in r.columns], r.factor) for r in relations]
        self.equations = [c for c in self.checks if c[0] in _FUNCTIONAL]
        self.derived = np.zeros(len(self.positions), dtype=bool)
        self.derived[[cols[0] for _, cols, _ in self.equations]] = True

    def enforce(self, X, free=None, bounds=None):
        """Keep the relations in ``X`` (changed in place) and return the number of
        rows that still break one: 0 unless given cells, conflicting relations
        or ``bounds`` leave no way. ``free`` (n_samples, n_features) marks the
        cells the generator drew; None: all. ``bounds`` (n_positions, 2): the
        lowest and highest value a repair may give each column of
        ``positions`` (a generator's learned ranges, so that a repair never
        gives a value that value protection hid); None: any."""
        n = np.shape(X)[0]
        if not self.checks or n == 0:
            return 0
        free = np.ones((n, len(self.positions)), dtype=bool) if free is None \
            else np.asarray(free)[:, self.positions]
        V = float_block(X, self.positions)
        self._derive(V, free)
        bad = self._broken(V, free)
        if bad.any():  # only the broken rows are moved
            W = V[bad]
            if bounds is None:
                bounds = np.tile([-np.inf, np.inf], (len(self.positions), 1))
            self._repair(W, free[bad], _whole_number_columns(X, self.positions),
                         np.asarray(bounds, dtype=np.float64))
            V[bad] = W
            bad[bad] = self._broken(W, free[bad])
        _write_columns(X, self.positions, V)
        return int(bad.sum())

    def _derive(self, V, free):
        for kind, cols, factor in self.equations:
            t, sources = cols[0], cols[1:]
            pred = _predict(kind, factor, *(V[:, s] for s in sources))
            write = free[:, t] & np.isfinite(pred)
            V[write, t] = pred[write]

    def _broken(self, V, free):
        bad = np.zeros(V.shape[0], dtype=bool)
        for kind, cols, factor in self.checks:
            # a given target cannot be derived; relations among given cells only stand
            checked = free[:, cols[0]] if kind in _FUNCTIONAL else free[:, cols].any(axis=1)
            bad |= checked & _breaks(kind, factor, V[:, cols], 1e-6)
        return bad

    def _repair(self, V, free, whole, bounds):
        """Move the free, underived cells of the rows of ``V`` until they keep the
        relations: a column an implication makes 0 is set to 0, the larger
        column of a broken ordering is raised to the smaller (or, when it
        cannot move or an implication holds it at 0, the smaller lowered).
        ``whole`` marks integer columns: raised to the next whole number,
        lowered to the previous one. A column is never moved outside its
        ``bounds`` (then the other column of the ordering moves, or the row
        stays broken)."""
        low, high = bounds[:, 0], bounds[:, 1]
        movable = free & ~self.derived
        implications = [c for c in self.checks if c[0] == "zero_implies_zero"]
        orderings = [c for c in self.checks if c[0] == "le"]
        for _ in range(len(self.checks) + 1):
            changed = False
            pinned = np.zeros_like(movable)
            for kind, (a, b), factor in implications:
                pinned[:, b] |= V[:, a] == 0
                zero = _breaks(kind, factor, V[:, [a, b]], 1e-6) & movable[:, b] \
                    & (low[b] <= 0) & (0 <= high[b])
                V[zero, b] = 0.0
                changed |= bool(zero.any())
            for kind, (a, b), factor in orderings:
                broken = _breaks(kind, factor, V[:, [a, b]], 1e-6)
                up = broken & movable[:, b] & ~pinned[:, b] & (V[:, a] <= high[b])
                down = broken & ~up & movable[:, a] & (V[:, b] >= low[a])
                V[up, b] = np.ceil(V[up, a]) if whole[b] else V[up, a]
                V[down, a] = np.floor(V[down, b]) if whole[a] else V[down, b]
                changed |= bool(up.any() or down.any())
            self._derive(V, free)
            if not changed:
                break


def _whole_number_columns(X, positions):
    if hasattr(X, "dtypes"):
        return np.array([pd.api.types.is_integer_dtype(X.dtypes.iloc[j]) for j in positions],
                        dtype=bool)
    return np.full(len(positions), np.asarray(X).dtype.kind in "iu")


def _write_columns(X, positions, V):
    """Write the float values ``V`` into columns ``positions`` of ``X`` where they
    differ from what is there (whole numbers rounded for integer columns)."""
    current = float_block(X, positions)
    for i, j in enumerate(positions):
        changed = ~((current[:, i] == V[:, i]) | (np.isnan(current[:, i]) & np.isnan(V[:, i])))
        if not changed.any():
            continue
        if hasattr(X, "iloc"):
            dtype = X.dtypes.iloc[j]
            values = X.iloc[:, j].to_numpy(copy=True)
            new = V[changed, i]
            if pd.api.types.is_integer_dtype(dtype):
                new = np.round(new)
            values[changed] = new
            X.isetitem(j, pd.Series(values, index=X.index).astype(dtype))
        else:
            new = V[changed, i]
            if X.dtype.kind in "iu":
                new = np.round(new)
            X[changed, j] = new
