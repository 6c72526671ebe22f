"""Circuit objectives for zeroth_q: VQE on Qiskit Aer (or any primitives V2) and PennyLane.

Layout: ``hamiltonians`` (problems) and ``ground_state`` (exact references), ``ansatz``
(backend-neutral gate list), ``grouping`` (measurement groups, energies from bitstrings),
``shot_models`` (exact / sampled / gaussian estimates and their costs), ``measurement``
(outcome probabilities of measurement bases from simulated states), ``noise`` (device noise),
``backend`` (the simulator interface) with ``qiskit_backend`` and ``pennylane_backend``
(one simulator call per batch), ``vqe`` (the
objective), ``specs`` (its configuration and registration; cheap to import).
"""
