import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_synth.generators import DummySynthesizer
from sklearn_synth.metrics import (
    InlierRateScorer,
    column_distances,
    correlation_difference,
    detection_auc,
    detection_auc_loss,
    distance_attack,
    distance_to_closest_record,
    evaluate,
    exact_copy_rate,
    inlier_rate,
    inlier_rate_score,
    membership_attack_report,
    mia_advantage,
    mia_advantage_loss,
    train_synthetic_test_real,
    tstr_score,
)


def _correlated(n, seed):
    rng = np.random.RandomState(seed)
    a = rng.normal(size=n)
    return pd.DataFrame(
        {
            "a": a,
            "b": a + rng.normal(scale=0.1, size=n),
            "c": rng.exponential(size=n),
            "proto": np.where(a > 0, "tcp", "udp"),
        }
    )


TRAIN, HELDOUT = _correlated(600, 0), _correlated(600, 1)


# --- inlier rate: the paper's flaw and the fix ---------------------------------

def test_paper_configuration_rewards_wide_noise_and_default_does_not():
    rng = np.random.RandomState(0)
    noise = pd.DataFrame(
        {"a": rng.normal(scale=20, size=600), "b": rng.normal(scale=20, size=600),
         "c": rng.normal(scale=20, size=600), "proto": rng.choice(["tcp", "udp"], 600)}
    )
    X_num = TRAIN.drop(columns="proto")
    wide = (X_num - X_num.mean()) * 3 + X_num.mean()
    paper_noise = inlier_rate_score(TRAIN, noise, HELDOUT, method="paper")
    paper_wide = inlier_rate_score(X_num, wide, HELDOUT.drop(columns="proto"), method="paper")
    assert paper_noise["synthetic"] > 0.9 > paper_noise["real_heldout"] - 0.2
    assert paper_wide["synthetic"] > 0.95  # training rows x3 look "more normal" than real
    default_noise = inlier_rate_score(TRAIN, noise, HELDOUT)
    assert default_noise["synthetic"] < 0.2
    assert default_noise["calibrated"] < 0.3
    assert 0.6 < default_noise["real_heldout"] < 0.95
    # the mean row is an outlier under the paper's kernel, an inlier under ours
    mean_row = pd.concat([X_num.mean().to_frame().T] * 20, ignore_index=True)
    assert inlier_rate_score(X_num, mean_row, HELDOUT.drop(columns="proto"),
                             method="paper")["synthetic"] == 0.0
    collapsed = inlier_rate_score(X_num, mean_row, HELDOUT.drop(columns="proto"))
    assert collapsed["synthetic"] == 1.0 and collapsed["calibrated"] < 1.0


def test_real_heldout_rows_score_near_one_calibrated():
    rates = inlier_rate_score(TRAIN, HELDOUT.iloc[:300], HELDOUT.iloc[300:])
    assert rates["calibrated"] > 0.85
    assert set(rates) == {"synthetic", "real_heldout", "real_train", "calibrated"}


# --- detection, distances, correlations ---------------------------------------

def test_detection_auc_known_cases():
    assert abs(detection_auc_loss(HELDOUT, TRAIN) - 0.5) < 0.1
    independent = DummySynthesizer(random_state=0).fit(TRAIN).sample(600, random_state=0)
    assert detection_auc_loss(HELDOUT, independent) > 0.9
    with pytest.warns(UserWarning, match="copy real rows"):
        detection_auc_loss(TRAIN, TRAIN.iloc[np.r_[:600]])  # the same rows on both sides


def test_independent_sampler_keeps_marginals_loses_correlations():
    independent = DummySynthesizer(random_state=0).fit(TRAIN).sample(600, random_state=0)
    distances = column_distances(HELDOUT, independent)
    assert (distances["distance"] < 0.1).all()
    assert list(distances["statistic"]) == ["ks", "ks", "ks", "tv"]
    assert correlation_difference(HELDOUT, independent).loc["a", "b"] > 0.9
    assert correlation_difference(HELDOUT, TRAIN).loc["a", "b"] < 0.05


def test_bootstrap_is_faithful_but_copies_and_leaks():
    gen = DummySynthesizer("bootstrap", random_state=0).fit(TRAIN)
    synth = gen.sample(600, random_state=0)
    assert exact_copy_rate(TRAIN, synth) == 1.0
    assert exact_copy_rate(TRAIN, HELDOUT) == 0.0
    assert column_distances(HELDOUT, synth)["distance"].max() < 0.1
    assert mia_advantage_loss(gen, TRAIN, HELDOUT) > 0.5
    dcr = distance_to_closest_record(TRAIN, synth, HELDOUT)
    assert dcr["synthetic_median"] == 0.0 and dcr["ratio"] == 0.0
    # real held-out rows as "synthetic" leak nothing
    assert distance_attack(TRAIN, HELDOUT.iloc[:300], HELDOUT.iloc[300:])[0] < 0.15


def test_classifier_attacks_separate_memorizing_from_regularized_models():
    X, y = load_digits(return_X_y=True)
    rng = np.random.RandomState(0)
    order = rng.permutation(len(X))
    members, others = order[:200], order[200:600]
    X, y = X / 16.0, y
    memorizer = MLPClassifier(hidden_layer_sizes=(256,), alpha=0.0, max_iter=2000,
                              random_state=0).fit(X[members], y[members])
    regularized = LogisticRegression(C=0.005, max_iter=2000).fit(X[members], y[members])
    loud = membership_attack_report(memorizer, X[members], y[members], X[others], y[others])
    quiet = membership_attack_report(regularized, X[members], y[members], X[others], y[others])
    for attack in ["confidence", "entropy", "modified_entropy"]:
        assert loud.loc[attack, "advantage"] > 0.25, attack
        assert quiet.loc[attack, "advantage"] < loud.loc[attack, "advantage"] - 0.1, attack
    knn = KNeighborsClassifier(1).fit(X[members], y[members])
    assert mia_advantage_loss(knn, X[members], X[others], y[members], y[others],
                               attack="confidence") > 0.02


def test_tstr_known_cases():
    X, y = load_digits(return_X_y=True)
    result = train_synthetic_test_real(X[:900], y[:900], X[900:], y[900:], X[:900], y[:900])
    assert result["tstr"] == result["trtr"] > 0.9 and result["ratio"] == 1.0
    shuffled = np.random.RandomState(0).permutation(y[:900])
    assert train_synthetic_test_real(X[:900], shuffled, X[900:], y[900:])["tstr"] < 0.3
    one_class = train_synthetic_test_real(X[:50], np.zeros(50, int), X[900:], y[900:])
    assert one_class["tstr"] < 0.1


def test_metrics_handle_mixed_dtypes_and_missing_values():
    real = TRAIN.assign(c=TRAIN["c"].mask(TRAIN.index % 7 == 0), flag=TRAIN["a"] > 1)
    synth = HELDOUT.assign(c=HELDOUT["c"].mask(HELDOUT.index % 5 == 0), flag=HELDOUT["a"] > 1)
    distances = column_distances(real, synth)
    assert distances.loc["c", "missing_diff"] == pytest.approx(abs(1 / 7 - 1 / 5), abs=0.01)
    report = evaluate(real, synth, X_train=real, detection=False)
    assert np.isfinite(report.summary["value"]).all()


def test_mismatched_columns_are_refused():
    with pytest.raises(ValueError, match=r"missing \['proto'\], extra \['protocol'\]"):
        column_distances(TRAIN, HELDOUT.rename(columns={"proto": "protocol"}))
    with pytest.raises(ValueError, match="3 columns"):
        detection_auc_loss(np.zeros((10, 3)), np.zeros((10, 2)))
    with pytest.raises(ValueError, match="infinity"):
        inlier_rate_score(TRAIN, HELDOUT.assign(a=np.inf))


def test_evaluate_report_and_plot():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    gen = DummySynthesizer(random_state=0).fit(TRAIN, TRAIN["proto"])
    synth, y_synth = gen.sample_labeled(600, random_state=0)
    report = evaluate(HELDOUT, synth, HELDOUT["proto"], y_synth, X_train=TRAIN, y_train=TRAIN["proto"])
    summary = report.summary.set_index("metric")
    assert {"fidelity", "utility", "privacy"} == set(report.summary["group"])
    assert summary.loc["detection AUC", "value"] > 0.8
    assert summary.loc["exact-copy rate", "value"] < 0.05
    assert "TSTR macro-F1" in summary.index
    figure = report.plot()
    assert len(figure.axes) >= 6
    assert "detection AUC" in repr(report)


# --- scorers in model selection ------------------------------------------------

SCORING = {"inliers": inlier_rate, "tstr": tstr_score, "privacy": mia_advantage,
           "detection": detection_auc}


def test_scorers_are_picklable_with_clear_repr():
    for scorer in SCORING.values():
        assert repr(pickle.loads(pickle.dumps(scorer))) == repr(scorer)
    assert "method='paper'" in repr(InlierRateScorer(method="paper"))


@pytest.mark.slow
def test_grid_search_on_generator_and_pipeline_with_n_jobs():
    X, y = TRAIN.drop(columns="proto"), TRAIN["proto"].to_numpy()
    search = GridSearchCV(
        DummySynthesizer(random_state=0), {"strategy": ["independent", "bootstrap"]},
        scoring=SCORING, refit="privacy", cv=3, n_jobs=2,
    ).fit(X, y)
    results = pd.DataFrame(search.cv_results_).set_index("param_strategy")
    assert results.loc["bootstrap", "mean_test_privacy"] < results.loc["independent", "mean_test_privacy"]
    assert results.loc["bootstrap", "mean_test_detection"] > results.loc["independent", "mean_test_detection"]
    assert search.best_params_ == {"strategy": "independent"}

    pipe = Pipeline([("scale", StandardScaler()), ("gen", DummySynthesizer(random_state=0))])
    search = GridSearchCV(pipe, {"gen__n_bins": [5, 30]}, scoring=SCORING, refit="inliers",
                          cv=3, n_jobs=2).fit(X, y)
    assert np.isfinite(pd.DataFrame(search.cv_results_).filter(like="mean_test").to_numpy()).all()
    cv = cross_validate(pipe, X, y, scoring=SCORING, cv=3)
    assert all(np.isfinite(cv[f"test_{k}"]).all() for k in SCORING)


def test_scorer_errors_say_what_to_do():
    gen = DummySynthesizer(random_state=0).fit(TRAIN)
    restored = pickle.loads(pickle.dumps(gen))  # loses the audit sample
    with pytest.raises(ValueError, match="mia_advantage_loss"):
        mia_advantage(restored, HELDOUT)
    with pytest.raises(ValueError, match="needs labels"):
        tstr_score(gen, HELDOUT)
    with pytest.raises(TypeError, match="not a generator"):
        inlier_rate(LogisticRegression(), HELDOUT)
    pipe = Pipeline([("clf", LogisticRegression())])
    with pytest.raises(TypeError, match="last step 'clf'"):
        inlier_rate(pipe, HELDOUT)
    with pytest.raises(TypeError, match="attack='distance' needs a generator"):
        mia_advantage_loss(LogisticRegression(), TRAIN, HELDOUT)


@pytest.mark.parametrize("old, new", [
    ("detection_auc_score", "detection_auc_loss"),
    ("mia_advantage_score", "mia_advantage_loss"),
    ("discriminator_accuracy_score", "discriminator_accuracy_loss"),
    ("predictive_score", "predictive_error"),
])
def test_renamed_metrics_keep_a_deprecated_alias(old, new):
    import sklearn_synth.metrics as metrics

    assert new in metrics.__all__ and old not in metrics.__all__
    alias, function = getattr(metrics, old), getattr(metrics, new)
    assert alias.__name__ == old and new in alias.__doc__
    if new == "detection_auc_loss":
        rng = np.random.RandomState(0)
        real, synth = rng.normal(size=(60, 2)), rng.normal(size=(60, 2))
        with pytest.warns(FutureWarning, match=f"{old} was renamed {new}"):
            assert alias(real, synth) == function(real, synth)


def test_heavy_tailed_columns_are_drawn_on_a_log_scale():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    rng = np.random.RandomState(0)
    real = pd.DataFrame({"bytes": np.exp(rng.normal(5, 3, 500)), "level": rng.normal(size=500)})
    synth = pd.DataFrame({"bytes": np.exp(rng.normal(5, 3, 500)), "level": rng.normal(size=500)})
    figure = evaluate(real, synth, detection=False).plot(max_columns=2)
    labels = {ax.get_title().split(" (")[0]: ax.get_xlabel() for ax in figure.axes[:2]}
    assert "log10" in labels["bytes"] and labels["level"] == ""


@pytest.mark.filterwarnings("ignore:Scoring failed")  # unseen classes: scikit-learn's NaN
def test_scorers_warn_when_a_fold_cannot_stand_for_the_classes():
    from sklearn.model_selection import StratifiedKFold, cross_val_score

    from sklearn_synth.exceptions import UnrepresentativeFoldWarning

    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    y = np.repeat(["x", "y", "z"], 100)  # rows grouped by class, as the flow loader gives them
    gen = DummySynthesizer(random_state=0)
    with pytest.warns(UnrepresentativeFoldWarning, match="StratifiedKFold"):
        cross_val_score(gen, X, y, scoring=tstr_score, cv=3)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", UnrepresentativeFoldWarning)
        cross_val_score(gen, X, y, scoring=tstr_score,
                        cv=StratifiedKFold(3, shuffle=True, random_state=0))


def test_verbatim_value_rates_count_identifiers_and_rare_values():
    from sklearn_synth.metrics import verbatim_value_rates

    rng = np.random.RandomState(0)
    n = 200
    train = pd.DataFrame({"uid": [f"C{i:06d}x" for i in range(n)],
                          "service": ["http"] * (n - 3) + ["irc", "irc", "gopher"],
                          "port": [80] * (n - 1) + [31337]})
    synth = pd.DataFrame({"uid": ["C000001x", "fresh1", "fresh2", "fresh3"],
                          "service": ["http", "irc", "_RARE_", "http"],
                          "port": [80, 80, 31337, 80]})
    held = pd.DataFrame({"uid": ["new1", "new2"], "service": ["http", "gopher"],
                         "port": [80, 80]})
    rates = verbatim_value_rates(train, synth, held)
    assert rates.loc["uid", "kind"] == "identifier" and rates.loc["service", "kind"] == "value"
    assert rates.loc["uid", "synthetic"] == 0.25 and rates.loc["uid", "n_synthetic"] == 1
    assert rates.loc["service", "synthetic"] == 0.25 and rates.loc["service", "heldout"] == 0.5
    assert rates.loc["port", "synthetic"] == 0.25 and rates.loc["port", "heldout"] == 0.0
    # rare_threshold moves the bar; missing values never count
    assert verbatim_value_rates(train, synth, rare_threshold=2).loc["service", "synthetic"] == 0
    with_missing = synth.assign(service=[None, None, None, "irc"])
    assert verbatim_value_rates(train, with_missing).loc["service", "synthetic"] == 1.0
    del rng


def test_evaluate_reports_leaks_and_epsilon():
    from sklearn_synth.metrics import evaluate

    rng = np.random.RandomState(0)
    train = pd.DataFrame({"uid": [f"id{i:05d}" for i in range(300)],
                          "x": rng.normal(size=300)})
    synth = train.iloc[:50].reset_index(drop=True)  # copies: every id leaks
    held = pd.DataFrame({"uid": [f"new{i}" for i in range(100)], "x": rng.normal(size=100)})
    report = evaluate(held, synth, X_train=train, detection=False, epsilon=3.5)
    values = report.summary.set_index("metric")
    assert values.loc["verbatim training identifiers", "value"] == 1.0
    assert values.loc["verbatim training identifiers", "reference"] == 0.0
    assert values.loc["epsilon (differential privacy)", "value"] == 3.5
    assert report.leaks.loc["uid", "n_synthetic"] == 50
    assert evaluate(held, synth, detection=False).leaks is None


def test_class_neighbor_shares_count_the_neighbours_of_the_rows_class():
    from sklearn_synth.metrics import class_neighbor_score, class_neighbor_shares

    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": np.r_[rng.uniform(0, 1, 50), rng.uniform(5, 6, 50)],
                      "c": ["x"] * 50 + ["y"] * 50})
    y = np.repeat([0, 1], 50)
    synth = pd.DataFrame({"a": [0.5, 5.5, 0.5], "c": ["x", "y", "x"]})
    shares = class_neighbor_shares(X, y, synth, [0, 0, 1], n_neighbors=3)
    np.testing.assert_allclose(shares, [1.0, 0.0, 0.0])
    assert class_neighbor_score(X, y, synth, [0, 1, 1], n_neighbors=3) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="no rows"):
        class_neighbor_shares(X, y, synth.iloc[:0], [])
    with pytest.raises(ValueError, match="y_synth has shape"):
        class_neighbor_shares(X, y, synth, [0, 1])
    with pytest.raises(ValueError, match="n_neighbors must be an int >= 1"):
        class_neighbor_shares(X, y, synth, [0, 1, 0], n_neighbors=0)


def test_train_synthetic_test_real_names_the_labels_that_do_not_fit():
    from sklearn_synth.metrics import train_synthetic_test_real

    X, y = np.arange(20.0)[:, None], np.arange(20) % 2
    with pytest.raises(ValueError, match="y_synth has shape .* one label per row"):
        train_synthetic_test_real(X, y[:5], X, y)
