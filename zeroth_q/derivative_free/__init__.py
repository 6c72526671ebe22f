"""Methods that need no gradient estimate: the contenders VQE studies reach for first.

Sequential minimal optimization on circuits (:mod:`.sequential`: Rotosolve, NFT, exact
one-parameter minima from :mod:`.fourier`), CMA-ES on pycma (:mod:`.cmaes`), and scipy's
COBYLA, COBYQA, Nelder-Mead and Powell run step by step (:mod:`.scipy_methods`). Libraries
whose state is an object are checkpointed as the values they were told (:mod:`.sessions`).
"""

from zeroth_q.composition import Configurable
from zeroth_q.derivative_free.cmaes import CMAES
from zeroth_q.derivative_free.scipy_methods import ScipyMinimizer
from zeroth_q.derivative_free.sequential import SequentialMinimization

DERIVATIVE_FREE_METHODS: list[tuple[Configurable, str]] = [
    (
        SequentialMinimization(),
        "Rotosolve (Ostaszewski et al., Quantum 5, 391 (2021)): per coordinate, 2M+1 values in one batch, "
        "jump to the exact minimum of the reconstructed trig polynomial; circuits (frequencies)",
    ),
    (
        SequentialMinimization(name="nft", recycle=True),
        "NFT (Nakanishi et al., PRR 2, 043158 (2020)) as qiskit's: Rotosolve recycling the predicted "
        "value at the current point (2M new values per coordinate), re-measured every reset_interval",
    ),
    (
        CMAES(),
        "CMA-ES on pycma (Hansen): a generation per step in one batch; sigma0, popsize, restarts "
        "(ipop/bipop)",
    ),
    (ScipyMinimizer("cobyla"), "scipy's COBYLA, one evaluation per step, exactly scipy's iterates"),
    (
        ScipyMinimizer("cobyqa"),
        "scipy's COBYQA (Ragonneau & Zhang), one evaluation per step, scipy's iterates",
    ),
    (ScipyMinimizer("nelder-mead"), "scipy's Nelder-Mead, one evaluation per step, exactly scipy's iterates"),
    (ScipyMinimizer("powell"), "scipy's Powell, one evaluation per step, exactly scipy's iterates"),
]

__all__ = ["CMAES", "DERIVATIVE_FREE_METHODS", "ScipyMinimizer", "SequentialMinimization"]
