"""Speed of the generator's stage 1 (``simulate_counts``), beside a floor in the same run.

The floor draws the same number of negative-binomial counts with numpy alone, so the ratio is
the generator's own overhead (the grid, seasonality, launches and the frame around the draws).

    python -m bench.generate_bench [--repeats 5]

Timings depend on the machine: they belong here, not in tests (this replaced a unit test that
asserted a time).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from data.generate import simulate_counts


def best_of(func, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        begin = time.perf_counter()
        func()
        times.append(time.perf_counter() - begin)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    cells = len(simulate_counts(1))  # warm up; the grid's size
    ours = best_of(lambda: simulate_counts(2), args.repeats)
    rng = np.random.default_rng(2)
    floor = best_of(lambda: rng.negative_binomial(20, 0.5, size=cells), args.repeats)
    print(f"cells {cells:,}; simulate_counts {ours * 1000:.1f} ms; numpy draws alone {floor * 1000:.2f} ms; "
          f"ratio {ours / floor:.0f}")


if __name__ == "__main__":
    main()
