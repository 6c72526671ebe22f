"""Optimizers for noisy losses that manage their own sampling: shot-adaptive gradient descent
(iCANS, Rosalin, gCANS) and SPSA with qiskit-algorithms' safeguards (blocking, resamplings,
iterate averaging, a final high-shot evaluation)."""
