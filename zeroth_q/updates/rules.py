"""Update-rule configurations: frozen dataclasses that build a GradientTransformation.

Each rule owns its hyper-parameters (the ``--set`` keys ``lr``, ``momentum``, ``b1`` ...)
and its step-size schedule: ``constant`` or Spall's ``a/(k+1+A)^alpha``
(:func:`zeroth_q.updates.schedules.spall_gain`). The maths of each rule lives in
:mod:`zeroth_q.updates.transforms`; this module only composes. Rules are registered by
``kind`` in :data:`UPDATE_RULES`; a user's own rule joins with :func:`register_update_rule`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal, Protocol, runtime_checkable

from zeroth_q.config import register_kind, require
from zeroth_q.updates.schedules import constant, linear_warmup, spall_gain
from zeroth_q.updates.transforms import (
    GradientTransformation,
    Schedule,
    chain,
    identity,
    scale_by_adam,
    scale_by_amsgrad,
    scale_by_calibrated_gain,
    scale_by_learning_rate,
    scale_by_sign,
    trace,
)


@dataclass(frozen=True)
class StepSize:
    """Step size ``lr · decay(k)``; ``decay`` is 1 (``constant``) or ``1/(k+1+A)^alpha``
    (``spall``, with ``A = stability``), times ``min(1, (k+1)/warmup)`` when ``warmup > 0``:
    a linear warm-up over the first ``warmup`` steps (Goyal et al. 2017), which keeps an
    adaptive rule's first steps (its second-moment estimate from one gradient) small."""

    lr: float = 0.01
    schedule: Literal["constant", "spall"] = "constant"
    stability: float = 0.0
    alpha: float = 0.602
    warmup: int = 0

    def __post_init__(self) -> None:
        require(self.lr is None or self.lr > 0, f"lr must be > 0 (got {self.lr}).")
        require(
            self.schedule in ("constant", "spall"),
            f"schedule must be 'constant' or 'spall' (got {self.schedule!r}).",
        )
        require(self.stability >= 0, f"stability (Spall's A) must be >= 0 (got {self.stability}).")
        require(0 < self.alpha <= 1, f"alpha must be in (0, 1] (got {self.alpha}).")
        require(self.warmup >= 0, f"warmup must be >= 0 steps, 0 for none (got {self.warmup}).")

    def decay(self) -> Schedule:
        base = constant(1.0) if self.schedule == "constant" else spall_gain(1.0, self.stability, self.alpha)
        return linear_warmup(base, self.warmup) if self.warmup else base

    def descent(self) -> GradientTransformation:
        decay = self.decay()
        return scale_by_learning_rate(lambda k: self.lr * decay(k))


@dataclass(frozen=True)
class SGD(StepSize):
    """Stochastic gradient descent, optionally with heavy-ball ``momentum``.

    ``lr=None`` calibrates the gain from ``target_step`` on the first gradient
    (:func:`zeroth_q.updates.transforms.scale_by_calibrated_gain`), Spall's recipe for SPSA;
    ``target_step=None`` is the size-aware default 2π/10·min(1, 10/P)
    (:func:`zeroth_q.updates.transforms.first_step_target`).
    """

    lr: float | None = 0.01
    target_step: float | None = 0.1
    momentum: float = 0.0
    kind: ClassVar[str] = "sgd"

    def __post_init__(self) -> None:
        super().__post_init__()
        require(
            self.target_step is None or self.target_step > 0,
            f"target_step must be > 0, or null for 2π/10·min(1, 10/P) (got {self.target_step}).",
        )
        require(0 <= self.momentum < 1, f"momentum must be in [0, 1) (got {self.momentum}).")

    def transform(self) -> GradientTransformation:
        velocity = trace(self.momentum) if self.momentum else identity()
        if self.lr is None:
            return chain(velocity, scale_by_calibrated_gain(self.target_step, self.decay()))
        return chain(velocity, self.descent())


@dataclass(frozen=True)
class SignSGD(StepSize):
    """signSGD: step ``lr`` along ``sign(g)`` (or the sign of the momentum, Signum)."""

    momentum: float = 0.0
    kind: ClassVar[str] = "sign"

    def __post_init__(self) -> None:
        super().__post_init__()
        require(self.lr is not None, "sign-SGD needs a numeric lr (e.g. --set lr=0.01).")
        require(0 <= self.momentum < 1, f"momentum must be in [0, 1) (got {self.momentum}).")

    def transform(self) -> GradientTransformation:
        velocity = trace(self.momentum) if self.momentum else identity()
        return chain(velocity, scale_by_sign(), self.descent())


@dataclass(frozen=True)
class Adam(StepSize):
    """Adam (Kingma & Ba 2015); see :func:`zeroth_q.updates.transforms.scale_by_adam`."""

    lr: float = 0.001
    b1: float = 0.9
    b2: float = 0.999
    eps: float = 1e-8
    kind: ClassVar[str] = "adam"

    def __post_init__(self) -> None:
        super().__post_init__()
        require(self.lr is not None, "Adam needs a numeric lr (e.g. --set lr=0.001).")
        require(
            0 <= self.b1 < 1 and 0 <= self.b2 < 1, f"b1, b2 must be in [0, 1) (got {self.b1}, {self.b2})."
        )
        require(self.eps >= 0, f"eps must be >= 0 (got {self.eps}).")

    def moments(self) -> GradientTransformation:
        return scale_by_adam(self.b1, self.b2, self.eps)

    def transform(self) -> GradientTransformation:
        return chain(self.moments(), self.descent())


@dataclass(frozen=True)
class AMSGrad(Adam):
    """AMSGrad (Reddi et al. 2018); with a ZO estimator, ZO-AdaMM (Chen et al. 2019)."""

    kind: ClassVar[str] = "amsgrad"

    def moments(self) -> GradientTransformation:
        return scale_by_amsgrad(self.b1, self.b2, self.eps)


@runtime_checkable
class UpdateRule(Protocol):
    """A frozen dataclass (its fields are its hyper-parameters) that builds the
    :class:`~zeroth_q.updates.transforms.GradientTransformation` turning gradient estimates
    into steps. ``kind`` is its name in configs (``{"update": {"kind": ...}}``)."""

    kind: ClassVar[str]

    def transform(self) -> GradientTransformation: ...


UPDATE_RULES: dict[str, type] = {}


def register_update_rule(cls: type) -> type:
    """Register an :class:`UpdateRule` dataclass under its ``kind``; returns ``cls``, so it
    also works as a class decorator. Then ``{"update": {"kind": cls.kind, ...}}`` builds it
    in any optimizer that has an update rule."""
    return register_kind(UPDATE_RULES, cls, "update rule", ("kind", "transform"))


for _builtin in (SGD, SignSGD, Adam, AMSGrad):
    register_update_rule(_builtin)
