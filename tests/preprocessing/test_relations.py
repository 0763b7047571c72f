import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sklearn_synth.preprocessing import ColumnRelation, find_relations, relation_violations
from sklearn_synth.preprocessing._relations import RelationEnforcer
from tests._tables import flow_table


def test_finds_the_planted_relations():
    found = [str(r) for r in find_relations(flow_table())]
    for text in [
        "pkts_s = 1e+06 * packets / duration",  # the rate is derived, not the count
        "bytes_per_pkt = orig_bytes / packets",
        "orig_bytes <= orig_ip_bytes",
        "iat_min <= iat_mean",
        "iat_mean <= iat_max",
        "resp_pkts == 0 implies resp_bytes == 0",
    ]:
        assert text in found, found
    # implied by the two orderings above: left out
    assert "iat_min <= iat_max" not in found
    # the table's relations hold in the table
    assert not relation_violations(flow_table(), find_relations(flow_table())).any()


def test_finds_every_kind_of_equation_with_the_latest_column_as_target():
    rng = np.random.RandomState(1)
    a, b = rng.uniform(1, 9, 200), rng.uniform(1, 9, 200)
    X = pd.DataFrame({"a": a, "b": b, "twice": 2 * a, "total": a + b, "gap": a - b,
                      "area": 0.5 * a * b})
    found = {str(r) for r in find_relations(X)}
    assert {"twice = 2 * a", "total = a + b", "gap = a - b", "area = 0.5 * a * b"} <= found


def test_a_relation_needs_support():
    rng = np.random.RandomState(0)
    low = rng.uniform(0, 1, 400)
    X = pd.DataFrame({"low": low, "high": low + rng.uniform(0, 0.2, 400)})
    assert [str(r) for r in find_relations(X)] == ["low <= high"]
    # five rows of an ordering could be chance: not reported
    assert find_relations(X.iloc[:5]) == []
    # an ordering the ranges imply tells nothing: not reported
    apart = pd.DataFrame({"low": low, "high": 2 + rng.uniform(0, 1, 400)})
    assert find_relations(apart) == []
    # an equation needs min_rows rows and ten values of its target
    Y = pd.DataFrame({"a": low, "b": 3 * low})
    assert [str(r) for r in find_relations(Y)] == ["b = 3 * a", "a <= b"]
    assert find_relations(Y.iloc[:12]) == []
    assert find_relations(Y.iloc[:12], min_rows=10) != []


def test_no_relations_between_independent_columns():
    rng = np.random.RandomState(0)
    spurious = []
    for _ in range(60):
        n, d = rng.randint(3, 200), rng.randint(2, 7)
        X = pd.DataFrame(rng.normal(size=(n, d)) * rng.uniform(0.1, 10, d))
        # small whole numbers, where sums and orderings come easily by chance
        X[d] = rng.randint(0, 4, n)
        X[d + 1] = rng.randint(0, 4, n)
        X[d + 2] = rng.randint(0, 2, n) * rng.randint(0, 3, n)
        spurious += find_relations(X)
    assert spurious == []


def test_missing_values_and_constant_columns():
    X = flow_table(300)
    X.loc[::7, "iat_mean"] = np.nan
    X["zero"] = 0.0
    found = find_relations(X)
    assert "iat_min <= iat_mean" in [str(r) for r in found]
    assert all("zero" not in r.columns for r in found)
    assert not relation_violations(X, found).any()


def test_works_on_arrays_by_position():
    rng = np.random.RandomState(0)
    low = rng.uniform(0, 1, 300)
    X = np.column_stack([low, low + rng.uniform(0, 1, 300)])
    assert find_relations(X) == [ColumnRelation("le", (0, 1))]
    broken = relation_violations(np.array([[1.0, 2.0], [3.0, 2.0], [np.nan, 0.0]]),
                                 [("le", (0, 1))])
    np.testing.assert_array_equal(broken[:, 0], [False, True, False])


def test_scales_to_wide_tables():
    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.normal(size=(2000, 60)))
    X[60] = X[0] + X[1]
    assert [str(r) for r in find_relations(X)] == ["60 = 0 + 1"]


@pytest.mark.parametrize("relation, match", [
    (("bigger", ("a", "b")), "kind must be one of"),
    (("le", ("a",)), "takes 2 columns"),
    (("le", ("a", "nope")), "'nope' is not a column"),
    (("le", ("a", "name")), "'name' is not numeric"),
    (("le", ("a", "b"), 2.0), "has no factor"),
    (("ratio", ("a", "b", "c"), float("inf")), "finite non-zero"),
    (("eq", ("a", "a")), "names a column twice"),
    ("a <= b", "must be a ColumnRelation"),
])
def test_invalid_relations_are_refused_with_the_fix(relation, match):
    X = pd.DataFrame({"a": [1.0, 2.0], "b": [2.0, 3.0], "c": [1.0, 1.0], "name": ["x", "y"]})
    with pytest.raises(ValueError, match=match):
        relation_violations(X, [relation])


# ---------------------------------------------------------------- enforcement
_CHAIN = [ColumnRelation("ratio", ("rate", "count", "duration"), 1e6),
          ColumnRelation("le", ("low", "mid")), ColumnRelation("le", ("mid", "high")),
          ColumnRelation("le", ("high", "duration")),
          ColumnRelation("zero_implies_zero", ("count", "bytes"))]


def _independent(n, seed):
    rng = np.random.RandomState(seed)
    return pd.DataFrame({
        "duration": rng.randint(1, 100, n), "low": rng.uniform(0, 100, n),
        "mid": rng.uniform(0, 100, n), "high": rng.randint(0, 100, n),
        "count": rng.randint(0, 3, n), "bytes": rng.randint(0, 3, n) * 100,
        "rate": rng.uniform(0, 1, n), "other": rng.normal(size=n),
    })


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 60), seed=st.integers(0, 10_000), given_share=st.floats(0, 0.5))
def test_enforced_rows_keep_every_relation_and_every_given_cell(n, seed, given_share):
    X = _independent(n, seed)
    free = np.random.RandomState(seed + 1).rand(*X.shape) >= given_share
    out = X.copy()
    left = RelationEnforcer(_CHAIN, list(X.columns), X.shape[1]).enforce(out, free=free)
    assert out.shape == X.shape and out.dtypes.equals(X.dtypes)
    assert np.isin(out["count"], [0, 1, 2]).all()
    # where every cell is free, every relation holds
    all_free = free.all(axis=1)
    assert not relation_violations(out[all_free], _CHAIN).any()
    assert left <= (~all_free).sum()
    # given cells come back as they were, and so does a column in no relation
    for j, name in enumerate(X.columns):
        given_rows = ~free[:, j]
        np.testing.assert_array_equal(out[name].to_numpy()[given_rows],
                                      X[name].to_numpy()[given_rows])
    pd.testing.assert_series_equal(out["other"], X["other"])


def test_enforcer_leaves_rows_that_keep_the_relations_alone():
    X = _independent(200, 0)
    out = X.copy()
    assert RelationEnforcer(_CHAIN, list(X.columns), X.shape[1]).enforce(out) == 0
    ok = ~relation_violations(X, _CHAIN[1:]).any(axis=1)
    cols = ["low", "mid", "high", "duration", "count", "other"]
    pd.testing.assert_frame_equal(out.loc[ok, cols], X.loc[ok, cols])
    assert not relation_violations(out, _CHAIN).any()
    # the larger column of a broken ordering is raised to the smaller one's value
    broken = relation_violations(X, [_CHAIN[1]])[:, 0] & ~relation_violations(
        X, _CHAIN[2:]).any(axis=1)
    np.testing.assert_array_equal(out.loc[broken, "mid"], X.loc[broken, "low"])


def test_a_chain_of_orderings_is_reported_as_its_links_only():
    rng = np.random.RandomState(0)
    X = pd.DataFrame(np.sort(rng.uniform(size=(500, 30)), axis=1))
    found = find_relations(X)
    assert found == [ColumnRelation("le", (j, j + 1)) for j in range(29)]


def test_parameters_are_validated():
    from sklearn.utils._param_validation import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="max_chance"):
        find_relations(flow_table(50), max_chance=2)
    assert find_relations(flow_table(50).iloc[:0]) == []


def test_user_relations_come_first_and_found_ones_do_not_repeat_or_conflict():
    from sklearn_synth.preprocessing._relations import merge_relations

    user = [ColumnRelation("le", ("a", "b")), ColumnRelation("sum", ("t", "a", "b"))]
    found = [ColumnRelation("ratio", ("t", "a", "c")), ColumnRelation("eq", ("u", "t"), 2.0),
             ColumnRelation("le", ("a", "b")), ColumnRelation("le", ("b", "c"))]
    merged = merge_relations(user, found)
    # the user's equation keeps the target; the one found for it is left out
    assert [str(r) for r in merged] == ["t = a + b", "u = 2 * t", "a <= b", "b <= c"]


def test_repairs_stay_inside_the_bounds_they_are_given():
    # value protection hides values beyond a column's learned range: no repair gives one
    X = pd.DataFrame({"low": [5.0, 9.0, 1.0], "high": [1.0, 2.0, 3.0],
                      "count": [0, 0, 1], "bytes": [7, 8, 9]})
    relations = [ColumnRelation("le", ("low", "high")),
                 ColumnRelation("zero_implies_zero", ("count", "bytes"))]
    enforcer = RelationEnforcer(relations, list(X.columns), X.shape[1])
    bounds = np.array([[0.0, 10.0], [0.5, 6.0], [0.0, 2.0], [3.0, 9.0]])
    out = X.copy()
    left = enforcer.enforce(out, bounds=bounds)
    assert out["high"].tolist() == [5.0, 2.0, 3.0]  # raised to 5; 9 is beyond its range
    assert out["low"].tolist() == [5.0, 2.0, 1.0]   # so the 9 is lowered instead
    assert (out["bytes"] >= 3).all()                # 0 is not in its range: never set
    assert left == 2
    assert ((out >= bounds[:, 0]) & (out <= bounds[:, 1])).all().all()
