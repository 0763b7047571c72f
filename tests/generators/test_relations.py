"""SequenceLMSynthesizer keeps the exact relations of its training table."""

import numpy as np
import pandas as pd
import pytest

from sklearn_synth.generators import SequenceLMSynthesizer
from sklearn_synth.preprocessing import ColumnRelation, relation_violations
from tests._tables import flow_table

pytest.importorskip("torch")

TINY = dict(n_bins=20, dropout=0.0, embedding_dim=16, hidden_size=16, n_layers=1,
            batch_size=64, max_epochs=3, random_state=0)


@pytest.fixture(scope="module")
def fitted():
    X = flow_table()
    y = np.where(X["packets"] > 30, "bulk", "short")
    return X, y, SequenceLMSynthesizer(**TINY).fit(X, y)


def test_relations_are_found_and_every_sampled_row_keeps_them(fitted):
    X, y, gen = fitted
    found = [str(r) for r in gen.relations_]
    assert "pkts_s = 1e+06 * packets / duration" in found
    assert "iat_min <= iat_mean" in found and "iat_mean <= iat_max" in found
    assert "resp_pkts == 0 implies resp_bytes == 0" in found
    assert all(isinstance(r, ColumnRelation) for r in gen.relations_)
    rows = gen.sample(2000, random_state=0)
    assert not relation_violations(rows, gen.relations_).any()
    assert rows.dtypes.equals(X.dtypes)
    labeled, labels = gen.sample_labeled(300, y="bulk", random_state=1)
    assert not relation_violations(labeled, gen.relations_).any()
    assert set(labels) == {"bulk"}
    pd.testing.assert_frame_equal(rows, gen.sample(2000, random_state=0))


def test_without_relations_the_same_model_breaks_them(fitted):
    X, y, gen = fitted
    off = SequenceLMSynthesizer(discover_relations=False, **TINY).fit(X, y)
    assert off.relations_ == []
    rows = off.sample(2000, random_state=0)
    assert relation_violations(rows, gen.relations_).any(axis=1).mean() > 0.3


def test_user_relations_are_added_and_a_broken_one_warns():
    X = flow_table(200)
    X["ceiling"] = X["iat_max"] + 5.0 + np.random.RandomState(1).uniform(0, 99, len(X))
    user = [("le", ("iat_max", "ceiling")), ColumnRelation("le", ("iat_min", "packets"))]
    with pytest.warns(UserWarning, match="iat_min <= packets is broken by"):
        gen = SequenceLMSynthesizer(discover_relations=False, relations=user, **TINY).fit(X)
    assert [str(r) for r in gen.relations_] == ["iat_max <= ceiling", "iat_min <= packets"]
    broken = relation_violations(gen.sample(500, random_state=0), gen.relations_)
    assert not broken[:, 0].any()
    # iat_min runs to 1,000 and packets to 60: rows where neither can move inside its
    # learned range keep the break (no repair gives a value value protection hides)
    assert 0 < broken[:, 1].mean() < 1
    with pytest.raises(ValueError, match="'nope' is not a column"):
        SequenceLMSynthesizer(relations=[("le", ("nope", "packets"))], **TINY).fit(X)
    with pytest.raises(ValueError, match="target of two equations"):
        SequenceLMSynthesizer(relations=[("eq", ("iat_max", "iat_min")),
                                         ("sum", ("iat_max", "iat_min", "packets"))],
                              **TINY).fit(X)


def test_given_cells_win_and_free_ones_keep_the_relations(fitted):
    X, y, gen = fitted
    conditions = pd.DataFrame({"iat_mean": [500.0] * 50 + [np.nan] * 50,
                               "packets": [10] * 100,
                               "pkts_s": [123.0] * 25 + [np.nan] * 75})
    rows = gen.sample(100, conditions=conditions, random_state=0)
    assert (rows["packets"] == 10).all()
    np.testing.assert_array_equal(rows["iat_mean"][:50], 500.0)
    np.testing.assert_array_equal(rows["pkts_s"][:25], 123.0)  # a given target stays
    broken = relation_violations(rows, gen.relations_)
    ratio = [str(r) for r in gen.relations_].index("pkts_s = 1e+06 * packets / duration")
    assert not np.delete(broken[25:], ratio, axis=1).any()
    assert not broken[25:, ratio].any()
    # imputing never changes an observed cell
    holes = X.head(40).copy()
    holes.loc[::2, "iat_max"] = np.nan
    filled = gen.impute(holes, random_state=0)
    observed = holes.notna()
    pd.testing.assert_frame_equal(filled[observed.all(axis=1)], holes[observed.all(axis=1)])
    assert not relation_violations(filled, gen.relations_).any()


def test_relations_survive_save_and_load(fitted, tmp_path):
    X, y, gen = fitted
    loaded = SequenceLMSynthesizer.load(gen.save(tmp_path / "m.safetensors"))
    assert loaded.relations_ == gen.relations_
    assert all(isinstance(r, ColumnRelation) for r in loaded.relations_)
    pd.testing.assert_frame_equal(gen.sample(300, random_state=3),
                                  loaded.sample(300, random_state=3))


def test_arrays_refer_to_columns_by_position():
    X = flow_table(300).drop(columns="proto").to_numpy(dtype=float)
    gen = SequenceLMSynthesizer(**TINY).fit(X)
    assert ColumnRelation("le", (2, 3)) in gen.relations_
    assert not relation_violations(gen.sample(500, random_state=0), gen.relations_).any()


def test_an_implication_resting_on_a_rare_zero_is_not_kept_under_value_protection():
    X = flow_table(400, seed=3)
    X.loc[:2, ["resp_pkts", "resp_bytes"]] = 0  # three rows with both zero, the others not
    X.loc[3:, "resp_pkts"] = X.loc[3:, "resp_pkts"].clip(lower=1)
    X.loc[3:, "resp_bytes"] = X.loc[3:, "resp_bytes"].clip(lower=1)
    implication = "resp_pkts == 0 implies resp_bytes == 0"
    protected = SequenceLMSynthesizer(**TINY).fit(X)
    assert implication not in [str(r) for r in protected.relations_]
    assert not (protected.sample(2000, random_state=0)[["resp_pkts", "resp_bytes"]] == 0).any().any()
    exact = SequenceLMSynthesizer(value_protection=False, **TINY).fit(X)
    assert implication in [str(r) for r in exact.relations_]
