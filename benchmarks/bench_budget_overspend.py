"""Benchmark: how much of its budget each optimizer spends, before and after the budget rule.

The old rule (before Core 2.0) took a step if the *previous* step's cost still fitted, so
the first step always ran, steps of varying cost (line searches, difference Hessians,
blocking) overshot, and the final evaluation of the returned point was charged on top.
The new rule asks the optimizer what its next step costs (``step_cost``, from the
objective's cost model) and takes it only if it fits together with the final evaluation;
a run whose first step does not fit is refused before it starts.

For each case (objective × optimizer × budget) the table gives what the run spent in the
budget's unit and the ratio to the budget. ``--label before`` on the old code stores its
numbers in ``results/budget_overspend_before.json``; a run without a label (the new code)
prints and writes ``results/budget_overspend.md`` with both columns side by side.
Usage: ``OMP_NUM_THREADS=1 python benchmarks/bench_budget_overspend.py [--label before]``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from zeroth_q import Budget, ZerothQError, build_objective, minimize

RESULTS = Path(__file__).parent / "results"
BEFORE = RESULTS / "budget_overspend_before.json"
TABLE = RESULTS / "budget_overspend.md"

VQE8 = {"problem": "tfim", "qubits": 8, "shots": 1000}
VQE2 = {"problem": "h2", "qubits": 2, "shots": 500}
NOISY = {"dim": 8, "noise": 1.0, "shots": 100}
# (objective, objective params, optimizer, optimizer params, budget)
CASES: list[tuple[str, dict, str, dict, dict]] = [
    ("vqe", VQE8, "parameter-shift-adam", {}, {"shots": 10_000}),
    ("vqe", VQE2, "spsa", {}, {"shots": 200_000}),
    ("vqe", VQE2, "qnspsa", {}, {"shots": 48_000}),
    ("quadratic", NOISY, "zo-adam", {"perturbations": 3}, {"shots": 60_000}),
    ("quadratic", NOISY, "2spsa", {}, {"shots": 9_600}),
    ("quadratic", {"dim": 10}, "fd-sgd", {}, {"evaluations": 84}),
    ("rosenbrock", {"dim": 4}, "bfgs", {}, {"evaluations": 10}),
    ("rosenbrock", {"dim": 4}, "lbfgs", {}, {"evaluations": 30}),
    ("xor", {}, "newton", {}, {"evaluations": 50}),
    ("xor", {}, "backprop-adam", {}, {"examples": 5_000}),
]


def case_key(case: tuple) -> str:
    objective, params, optimizer, _, budget = case
    unit, limit = next(iter(budget.items()))
    size = ", ".join(f"{k}={v}" for k, v in params.items())
    return f"{objective}({size}) | {optimizer} | {unit} {limit:,}"


def run_case(case: tuple) -> dict:
    objective_name, params, optimizer, optimizer_params, budget = case
    unit, limit = next(iter(budget.items()))
    objective = build_objective(objective_name, params)
    try:
        result = minimize(
            objective, optimizer, Budget(**budget), optimizer_params=optimizer_params, metrics_every=0, seed=0
        )
    except (ZerothQError, TypeError) as exc:
        return {"spent": 0, "steps": 0, "limit": limit, "note": f"refused: {str(exc).split(';')[0]}"}
    return {"spent": getattr(result.cost, unit), "steps": result.nit, "limit": limit, "note": result.message}


def cell(measured: dict | None) -> str:
    if measured is None:
        return "n/a"
    if measured["note"].startswith("refused"):
        return "refused, 0 steps"
    spent, limit = measured["spent"], measured["limit"]
    return f"{spent:,} ({spent / limit:.3f}x), {measured['steps']} steps"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--label", choices=["before"], help="store the old code's numbers")
    args = parser.parse_args()
    measured = {case_key(case): run_case(case) for case in CASES}
    if args.label == "before":
        BEFORE.write_text(json.dumps(measured, indent=1) + "\n")
        print(json.dumps(measured, indent=1))
        return
    before = json.loads(BEFORE.read_text()) if BEFORE.is_file() else {}
    lines = [
        "# Budget overspend, before and after the step-cost rule",
        "",
        "`python benchmarks/bench_budget_overspend.py`; spent = total cost in the budget's unit,",
        "final evaluation included. Before: the old predictive rule (measured on the code before",
        "the change, `results/budget_overspend_before.json`; `examples` budgets did not exist then);",
        "after: `step_cost` before every step, the final evaluation reserved inside the budget.",
        "",
        "| objective | optimizer | budget | before: spent (x budget) | after: spent (x budget) "
        "| after: how it ended |",
        "|---|---|---|---|---|---|",
    ]
    for key, new in measured.items():
        objective, optimizer, budget = key.split(" | ")
        old = before.get(key)
        lines.append(f"| {objective} | {optimizer} | {budget} | {cell(old)} | {cell(new)} | {new['note']} |")
    text = "\n".join(lines) + "\n"
    TABLE.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
