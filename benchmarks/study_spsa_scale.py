"""Study (issue 27, item 5, measurement only): does the default ``spsa`` blow up at P ~ 100?

TFIM n = 16 (open, h = 1), the built-in hardware-efficient ansatz (reps = 2, P = 96), exact
energies on Aer; seeds 0-2, ``STEPS`` steps each, for the default SPSA (gain calibrated so
the first step moves each coordinate by 2π/10, qiskit's target) and for three alternatives:
a target step shrunk as 2π/10 · sqrt(10 / P) (the per-coordinate move that keeps the
*norm* of the first step at qiskit's value for P = 10), a fixed small target of 0.05, and
the default with blocking (reject a step that raises the loss by more than 2σ; exact
energies have σ = 0, so any increase is rejected). Reported: the energy error E - E0 at the
start, after steps 0, 1, 3, 5, 9, 17, 31 and 56 (log-spaced records) (median over seeds, and the worst seed).

Usage: ``python benchmarks/study_spsa_scale.py``; writes ``results/study_spsa_scale.md``.
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import numpy as np

from zeroth_q import Budget, build_objective, minimize

RESULTS = Path(__file__).parent / "results" / "study_spsa_scale.md"
QUBITS, STEPS, SEEDS = 16, 60, (0, 1, 2)
REPORTED = (0, 1, 3, 5, 9, 17, 31, 56)  # the steps metrics_per_decade=4 records


def variants(parameters: int) -> dict[str, dict[str, object]]:
    shrunk = 2 * math.pi / 10 * math.sqrt(10 / parameters)
    return {
        "default (target 2π/10 = 0.628)": {},
        f"target 2π/10·sqrt(10/P) = {shrunk:.3f}": {"update.target_step": shrunk},
        "target 0.05": {"update.target_step": 0.05},
        "default + blocking": {"blocking": True},
    }


def main() -> None:
    objective = build_objective("vqe", {"qubits": QUBITS, "shots": "exact"})
    exact = objective.metrics(np.zeros(objective.dim))["exact_ground_energy"]
    lines = [
        f"# SPSA at P = {objective.dim}: TFIM n={QUBITS}, HEA reps=2, exact energies (Aer)",
        "",
        f"E0 = {exact:.6f}; the start (θ ~ N(0, 0.1²), near |0…0>) has E ≈ -15, error ≈ 5. Energy "
        f"error E - E0 after the steps listed (0-based), median over seeds {SEEDS} [worst seed]. "
        f"Load average {os.getloadavg()[0]:.1f} at the start.",
        "",
        "| optimizer | " + " | ".join(f"after step {s}" for s in REPORTED) + " | seconds |",
        "|---|" + "---|" * (len(REPORTED) + 1),
    ]
    for name, params in variants(objective.dim).items():
        began = time.perf_counter()
        errors = []
        for seed in SEEDS:
            result = minimize(
                objective,
                "spsa",
                Budget(steps=STEPS),
                optimizer_params=params,
                seed=seed,
                metrics_every=0,
                metrics_per_decade=4,
            )
            recorded = {row["step"]: row["energy_error"] for row in result.history if "energy_error" in row}
            errors.append([recorded[s] for s in REPORTED])
        table = np.array(errors)
        seconds = time.perf_counter() - began
        cells = [f"{np.median(table[:, k]):.2f} [{table[:, k].max():.2f}]" for k in range(len(REPORTED))]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {seconds:.0f} |")
        print(lines[-1], flush=True)
    RESULTS.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
