"""Known-truth sweep of the launch evaluation: coverage, bias, interval width, placebo flags.

For each seed and true effect, the generator (``data.generate.simulate_counts``)
draws the default six-hub, 48-month panel with ASB multiplied by ``1 + effect``
from each hub's launch month. Every estimator of :mod:`analysis.stats.evaluation` is run
and scored against the truth:

- coverage: share of 95% intervals that contain the true effect (Monte Carlo
  standard error alongside);
- mean estimate, bias and RMSE in percentage points, mean interval width;
- how often the interval excludes zero (power when the effect is real, false
  positives when it is zero);
- placebo checks (fake launch dates on pre-launch data, crime types with no
  effect) through each pooled estimator: how often each flags. Placebos never see
  the launch effect (the generator's pre-launch ASB and its crime types do not
  depend on it), so they are run once per seed;
- the event study: coverage of the leads (truth 0) and lags (truth = effect);
- runtime of one full :func:`analysis.stats.evaluation.evaluate.evaluate` call.

    python -m bench.evaluate_coverage [--seeds 300] [--effects -0.2 -0.1 0.0] [--jobs 1] [--json FILE]
"""

from __future__ import annotations

import os

# Hundreds of tiny regressions: BLAS threads only contend for the cores. Set before numpy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.schema import ASB  # noqa: E402
from analysis.stats.evaluation.evaluate import evaluate  # noqa: E402
from analysis.stats.evaluation.placebo import placebo_checks  # noqa: E402
from data.generate import DEFAULT_LAUNCHES, simulate_counts  # noqa: E402

HUBS = pd.DataFrame({"hub": list(DEFAULT_LAUNCHES), "launched": pd.to_datetime(list(DEFAULT_LAUNCHES.values()))})


def _score(row: dict, name: str, truth_pct: float, low: float, high: float, est: float) -> None:
    row.setdefault("estimates", []).append(
        {
            "method": name,
            "truth": truth_pct,
            "estimate": est,
            "covered": low <= truth_pct <= high,
            "width": high - low,
            "excludes_zero": not (low <= 0 <= high),
        }
    )


def run_seed(args: tuple[int, tuple[float, ...]]) -> list[dict]:
    """All estimators on one seed at every effect; placebos once (they never see the effect)."""
    seed, effects = args
    rows = []
    for i, effect in enumerate(effects):
        truth = 100 * effect
        counts = simulate_counts(seed, asb_launch_effect=effect)
        row: dict = {"seed": seed, "effect": effect}
        started = time.perf_counter()
        evaluation = evaluate(counts, HUBS, placebo_shifts=(), placebo_outcomes=())
        row["evaluate_seconds"] = time.perf_counter() - started
        o = evaluation.overall
        _score(row, "Stacked DiD (overall)", truth, o.ci_low_pct, o.ci_high_pct, o.effect_pct)
        for alt in evaluation.alternatives:
            _score(row, "Pooled ITS", truth, alt.ci_low_pct, alt.ci_high_pct, alt.effect_pct)
        for hub in evaluation.hubs:
            _score(row, "Per-hub ITS", truth, hub.ci_low_pct, hub.ci_high_pct, hub.effect_pct)
        for point in evaluation.event_study:
            if point.reference:
                continue
            kind = "Event study lags" if point.relative_month >= 0 else "Event study leads"
            point_truth = truth if point.relative_month >= 0 else 0.0
            _score(row, kind, point_truth, point.ci_low_pct, point.ci_high_pct, point.effect_pct)
        if i == 0:
            started = time.perf_counter()
            row["placebo"] = []
            for method in ("stacked_did", "pooled_its"):
                for p in placebo_checks(counts, HUBS, method=method):
                    row["placebo"].append(
                        {"method": method, "name": p.name.split(" (")[0], "flagged": p.flagged, "effect": p.effect_pct}
                    )
            row["placebo_seconds"] = time.perf_counter() - started
        rows.append(row)
    return rows


def _mcse(p: float, n: int) -> float:
    return math.sqrt(max(p * (1 - p), 1e-12) / max(n, 1))


def summarise(rows: list[dict]) -> dict:
    """Aggregate the per-seed rows into the figures printed and saved."""
    by_key: dict[tuple[str, float], list[dict]] = defaultdict(list)
    for row in rows:
        for e in row["estimates"]:
            by_key[(e["method"], row["effect"])].append(e)
    estimators = []
    for (method, effect), items in sorted(by_key.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        est = np.array([i["estimate"] for i in items])
        truth = 100 * effect if not method.endswith("leads") else 0.0
        cov = float(np.mean([i["covered"] for i in items]))
        estimators.append(
            {
                "method": method,
                "true_effect_pct": 100 * effect,
                "n": len(items),
                "coverage": cov,
                "coverage_mcse": _mcse(cov, len(items)),
                "mean_estimate_pct": float(est.mean()),
                "bias_pp": float(est.mean() - truth),
                "rmse_pp": float(np.sqrt(np.mean((est - truth) ** 2))),
                "mean_ci_width_pp": float(np.mean([i["width"] for i in items])),
                "share_excluding_zero": float(np.mean([i["excludes_zero"] for i in items])),
            }
        )
    placebo: dict[tuple[str, str], list[bool]] = defaultdict(list)
    per_run: dict[tuple[str, int], list[bool]] = defaultdict(list)
    for row in rows:
        for p in row.get("placebo", []):
            if p["flagged"] is not None:
                placebo[(p["method"], p["name"])].append(p["flagged"])
                per_run[(p["method"], row["seed"])].append(p["flagged"])
    placebo_rows = [
        {"method": m, "check": n, "n": len(f), "false_flag_rate": float(np.mean(f)), "mcse": _mcse(np.mean(f), len(f))}
        for (m, n), f in sorted(placebo.items())
    ]
    for method in ("stacked_did", "pooled_its"):
        flags = [f for (m, _), f in placebo.items() if m == method]
        allf = [x for f in flags for x in f]
        anyf = [any(v) for (m, _), v in per_run.items() if m == method]
        placebo_rows.append(
            {
                "method": method,
                "check": "ALL checks",
                "n": len(allf),
                "false_flag_rate": float(np.mean(allf)),
                "mcse": _mcse(float(np.mean(allf)), len(allf)),
            }
        )
        placebo_rows.append(
            {
                "method": method,
                "check": "ANY of 5 in a run",
                "n": len(anyf),
                "false_flag_rate": float(np.mean(anyf)),
                "mcse": _mcse(float(np.mean(anyf)), len(anyf)),
            }
        )
    seconds = [r["evaluate_seconds"] for r in rows]
    placebo_seconds = [r["placebo_seconds"] for r in rows if "placebo_seconds" in r]
    return {
        "estimators": estimators,
        "placebo": placebo_rows,
        "runtime": {
            "evaluate_mean_s": float(np.mean(seconds)),
            "evaluate_p95_s": float(np.percentile(seconds, 95)),
            "placebo_both_methods_mean_s": float(np.mean(placebo_seconds)) if placebo_seconds else None,
        },
    }


def print_summary(summary: dict, seeds: int, wall: float) -> None:
    """Print the summary as aligned tables."""
    print(f"\nKnown-truth sweep: {seeds} seeds, outcome {ASB}, default launches, 48 months, NB shape 50\n")
    print(
        f"{'method':<24}{'truth%':>7}{'n':>6}{'cover':>8}{'±mcse':>7}{'mean%':>8}{'bias pp':>9}"
        f"{'rmse pp':>9}{'CI width':>10}{'CI excl 0':>11}"
    )
    for e in summary["estimators"]:
        print(
            f"{e['method']:<24}{e['true_effect_pct']:>7.0f}{e['n']:>6}{e['coverage']:>8.1%}{e['coverage_mcse']:>7.1%}"
            f"{e['mean_estimate_pct']:>8.2f}{e['bias_pp']:>9.2f}{e['rmse_pp']:>9.2f}{e['mean_ci_width_pp']:>10.1f}"
            f"{e['share_excluding_zero']:>11.1%}"
        )
    print("\nPlacebo checks (no true effect: a flag is a false positive)")
    print(f"{'method':<14}{'check':<38}{'n':>6}{'flag rate':>11}{'±mcse':>8}")
    for p in summary["placebo"]:
        print(f"{p['method']:<14}{p['check']:<38}{p['n']:>6}{p['false_flag_rate']:>11.1%}{p['mcse']:>8.1%}")
    r = summary["runtime"]
    print(
        f"\nRuntime: evaluate() without placebos {r['evaluate_mean_s']:.3f} s mean "
        f"({r['evaluate_p95_s']:.3f} s p95); 10 placebo fits {r['placebo_both_methods_mean_s']:.3f} s mean; "
        f"wall {wall:.0f} s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=300)
    parser.add_argument("--effects", type=float, nargs="+", default=[-0.2, -0.1, 0.0])
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--json", type=Path, help="also write the summary here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    work = [(seed, tuple(args.effects)) for seed in range(args.seeds)]
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            results = list(pool.map(run_seed, work, chunksize=4))
    else:
        results = [run_seed(w) for w in work]
    rows = [r for chunk in results for r in chunk]
    summary = summarise(rows)
    wall = time.perf_counter() - started
    print_summary(summary, args.seeds, wall)
    if args.json:
        args.json.write_text(json.dumps(summary | {"seeds": args.seeds, "wall_s": wall}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
