"""Reference values for Kiln's drift statistics, from SciPy and Evidently.

drift-reference.test.ts writes seeded fixtures as JSON, runs this script with the Python of
.kiln/venv-evidently (see scripts/setup.mjs), and checks that the TypeScript results equal these.

    python reference_values.py fixtures.json results.json

Missing values arrive as JSON null. Each statistic is computed twice where possible: with SciPy
(and statsmodels for the two-proportion z-test) on counts and bins built here, and with
Evidently's own stattest functions, default method selection and dataset drift verdict.
"""

import json
import math
import sys
import warnings
from collections import Counter

warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import scipy  # noqa: E402
from scipy import stats  # noqa: E402
from scipy.spatial import distance  # noqa: E402
from statsmodels.stats.proportion import proportions_ztest  # noqa: E402

import evidently  # noqa: E402
from evidently import DataDefinition, Dataset, Report  # noqa: E402
from evidently.core.datasets import infer_column_type  # noqa: E402
from evidently.legacy.calculations.stattests import registry  # noqa: E402
from evidently.legacy.core import ColumnType  # noqa: E402
from evidently.legacy.metrics import DataDriftTable  # noqa: E402
from evidently.legacy.pipeline.column_mapping import ColumnMapping  # noqa: E402
from evidently.legacy.report import Report as LegacyReport  # noqa: E402
from evidently.metrics import DriftedColumnsCount  # noqa: E402

EXPECTED_VERSIONS = {"evidently": "0.7.23", "scipy": "1.17.1"}
COLUMN_TYPES = {"numerical": ColumnType.Numerical, "categorical": ColumnType.Categorical}
# Evidently's display name -> stattest name, for the reports.
METHOD_BY_LABEL = {
    "K-S p_value": "ks",
    "chi-square p_value": "chisquare",
    "Z-test p_value": "z",
    "Wasserstein distance (normed)": "wasserstein",
    "Jensen-Shannon distance": "jensenshannon",
    "PSI": "psi",
}


def number(x):
    """JSON-safe float: NaN and infinities as strings the test understands."""
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def present(values):
    """Evidently's cleaning: infinities become NaN, then NaN (JSON null) is dropped."""
    series = pd.Series(values)
    if pd.api.types.is_numeric_dtype(series):
        series = series.replace([-np.inf, np.inf], np.nan)
    return series.dropna().reset_index(drop=True)


def sturges_shares(reference, current):
    """Evidently's numerical binning, rebuilt with numpy."""
    edges = np.histogram_bin_edges(np.concatenate([reference, current]), bins="sturges")
    return (
        np.histogram(reference, edges)[0] / len(reference),
        np.histogram(current, edges)[0] / len(current),
    )


def category_shares(reference, current):
    ref, cur = Counter(reference.tolist()), Counter(current.tolist())
    keys = list(set(ref) | set(cur))
    return (
        np.array([ref[k] / len(reference) for k in keys]),
        np.array([cur[k] / len(current) for k in keys]),
    )


def fill_zeroes(shares):
    shares = shares.copy()
    smallest = shares[shares != 0].min()
    shares[shares == 0] = smallest / 10**6 if smallest <= 0.0001 else 0.0001
    return shares


def scipy_values(reference, current, kind):
    """The statistics from SciPy / statsmodels / numpy, independently of Evidently's code."""
    out = {}
    ref_counts, cur_counts = Counter(reference.tolist()), Counter(current.tolist())
    keys = list(set(ref_counts) | set(cur_counts))
    if kind == "numerical":
        ks = stats.ks_2samp(reference.to_numpy(float), current.to_numpy(float))
        out["ks"] = {"statistic": number(ks.statistic), "pValue": number(ks.pvalue)}
        w = stats.wasserstein_distance(reference, current)
        out["wasserstein"] = number(w / max(float(np.std(reference)), 0.001))
        out["wassersteinRaw"] = number(w)
    if len(keys) >= 2:
        expected = [ref_counts[k] * (len(current) / len(reference)) for k in keys]
        chi = stats.chisquare([cur_counts[k] for k in keys], expected)
        out["chisquare"] = {"statistic": number(chi.statistic), "pValue": number(chi.pvalue)}
        first = sorted(keys)[0]
        z, p = proportions_ztest(
            [len(reference) - ref_counts[first], len(current) - cur_counts[first]],
            [len(reference), len(current)],
        )
        out["z"] = {"statistic": number(z), "pValue": number(p)}
    if kind == "numerical" and reference.nunique() > 20:
        ref_shares, cur_shares = sturges_shares(reference.to_numpy(), current.to_numpy())
    else:
        ref_shares, cur_shares = category_shares(reference, current)
    out["jensenshannon"] = number(distance.jensenshannon(ref_shares, cur_shares))
    ref_filled, cur_filled = fill_zeroes(ref_shares), fill_zeroes(cur_shares)
    out["psi"] = number(np.sum((ref_filled - cur_filled) * np.log(ref_filled / cur_filled)))
    return out


def evidently_values(reference, current, kind, methods):
    """Evidently's default method and its result, and every requested method's result."""
    column_type = COLUMN_TYPES[kind]

    def run(test):
        result = test(reference, current, column_type, None)
        return {
            "score": number(result.drift_score),
            "drifted": bool(result.drifted),
            "threshold": number(result.actual_threshold),
        }

    # The default can be a method not allowed by name for the kind (chisquare on a numerical
    # feature with few values), so it runs as the object Evidently picked.
    default = registry.get_stattest(reference, current, column_type, None)
    out = {"defaultMethod": default.name, "default": run(default), "methods": {}}
    for name in methods:
        out["methods"][name] = run(registry.get_stattest(reference, current, column_type, name))
    return out


def inferred_kind(values):
    """Evidently's inference for a column it was not told about (only without missing values)."""
    if any(v is None for v in values):
        return None
    inferred = infer_column_type(pd.Series(values))
    return {"num": "numerical", "cat": "categorical"}.get(inferred.value, inferred.value)


def dataset_values(case):
    kinds = case["kinds"]
    options = case.get("options", {})
    numerical = [c for c, k in kinds.items() if k == "numerical"]
    categorical = [c for c, k in kinds.items() if k == "categorical"]
    reference = pd.DataFrame(case["reference"])
    current = pd.DataFrame(case["current"])
    for frame in (reference, current):
        for column in numerical:
            frame[column] = frame[column].astype(float)
    settings = {
        "method": options.get("method"),
        "num_method": options.get("numerical", {}).get("method"),
        "cat_method": options.get("categorical", {}).get("method"),
        "threshold": options.get("threshold"),
        "num_threshold": options.get("numerical", {}).get("threshold"),
        "cat_threshold": options.get("categorical", {}).get("threshold"),
        "per_column_method": {c: o["method"] for c, o in options.get("features", {}).items() if "method" in o}
        or None,
        "per_column_threshold": {c: o["threshold"] for c, o in options.get("features", {}).items() if "threshold" in o}
        or None,
    }
    drift_share = options.get("driftShare", 0.5)

    # Evidently 0.7's Report: share of drifted columns and the dataset verdict (its default test
    # fails when share >= drift_share).
    definition = DataDefinition(numerical_columns=numerical, categorical_columns=categorical)
    metric = DriftedColumnsCount(drift_share=drift_share, **settings)
    snapshot = Report([metric], include_tests=True).run(
        Dataset.from_pandas(current, data_definition=definition),
        Dataset.from_pandas(reference, data_definition=definition),
    )
    result = snapshot.dict()
    value = result["metrics"][0]["value"]
    (test,) = result["tests"]

    # Per column, the same options through the legacy engine the Report runs on.
    legacy = LegacyReport(
        metrics=[
            DataDriftTable(
                stattest=settings["method"],
                num_stattest=settings["num_method"],
                cat_stattest=settings["cat_method"],
                per_column_stattest=settings["per_column_method"],
                stattest_threshold=settings["threshold"],
                num_stattest_threshold=settings["num_threshold"],
                cat_stattest_threshold=settings["cat_threshold"],
                per_column_stattest_threshold=settings["per_column_threshold"],
            )
        ]
    )
    legacy.run(
        reference_data=reference,
        current_data=current,
        column_mapping=ColumnMapping(
            numerical_features=numerical, categorical_features=categorical, target=None, prediction=None
        ),
    )
    table = legacy.as_dict()["metrics"][0]["result"]
    columns = {
        name: {
            "method": METHOD_BY_LABEL[column["stattest_name"]],
            "score": number(column["drift_score"]),
            "threshold": number(column["stattest_threshold"]),
            "drifted": bool(column["drift_detected"]),
        }
        for name, column in table["drift_by_columns"].items()
    }
    return {
        "count": int(value["count"]),
        "share": number(value["share"]),
        "datasetDrift": test["status"] == "FAIL",
        "columns": columns,
    }


def main(fixtures_path, results_path):
    versions = {"evidently": evidently.__version__, "scipy": scipy.__version__}
    if versions != EXPECTED_VERSIONS:
        raise SystemExit(f"expected {EXPECTED_VERSIONS}, found {versions}: run `npm run setup`")
    with open(fixtures_path) as f:
        fixtures = json.load(f)
    results = {"versions": versions, "cases": {}, "datasets": {}, "kolmogorov": [], "chiSquared": []}
    for case in fixtures["cases"]:
        reference, current = present(case["reference"]), present(case["current"])
        results["cases"][case["name"]] = {
            "referenceSize": len(reference),
            "currentSize": len(current),
            "inferredKind": inferred_kind(case["reference"]),
            "scipy": scipy_values(reference, current, case["kind"]),
            "evidently": evidently_values(reference, current, case["kind"], case.get("methods", [])),
        }
    for case in fixtures["datasets"]:
        results["datasets"][case["name"]] = dataset_values(case)
    results["kolmogorov"] = [number(stats.kstwo.sf(d, n)) for n, d in fixtures["kolmogorov"]]
    results["chiSquared"] = [number(stats.chi2.sf(x, df)) for x, df in fixtures["chiSquared"]]
    results["normalCdf"] = [number(stats.norm.cdf(x)) for x in fixtures["normalCdf"]]
    with open(results_path, "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
