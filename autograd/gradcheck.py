"""Numerical gradients by central differences, and checking backprop against them.

Numerical differentiation is slow but hard to get wrong, which makes it the
oracle for backpropagation (the textbook's "gradient check"):

    ∂f/∂xᵢ ≈ (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h,   h = eps · max(1, |xᵢ|)

with an error of order h²·f‴ from the formula and ε_machine·|f|/h from
rounding. ``f`` is evaluated on nodes with recording off (``no_grad()``), so
anything that runs on nodes can be checked, ``x.relu()`` and
``x * x.detach()`` included. ``gradcheck`` compares both of the engine's
modes with it: backprop (``grad``) and forward mode (``linearize``, one
tangent per element).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .engine import no_grad
from .forward import linearize
from .functional import grad
from .node import Node, Tensor, Value

_NUMBER_TYPES = (bool, int, float, np.integer, np.floating)


def numerical_grad(f: Callable[..., Any], *inputs: Any, eps: float = 1e-6) -> Any:
    """∂f/∂input for each input of a scalar-valued ``f``, by central differences.

    ``f`` is called with leaves that need no gradient, under ``no_grad()``:
    a ``Value`` (float64) for each number or Value, a float64 ``Tensor`` for
    each array or Tensor (over a copy, so the caller's arrays are never
    changed). Returns the gradient (a float or an array shaped like the
    input) for one input, a tuple of them for several.
    """
    if not inputs:
        raise TypeError("numerical_grad: give at least one input to differentiate with respect to")
    if not eps > 0:
        raise ValueError(f"numerical_grad: eps must be positive, got {eps!r}")
    point = [_plain(x, i, "numerical_grad") for i, x in enumerate(inputs)]
    name = getattr(f, "__name__", type(f).__name__)

    def f_at(args: Any) -> Any:
        with no_grad():
            leaves = [Tensor(a, requires_grad=False) if isinstance(a, np.ndarray) else Value(a, requires_grad=False)
                      for a in args]
            return _scalar_result(f(*leaves), name)

    grads = []
    for i, x in enumerate(point):
        if np.ndim(x) == 0:
            up, down = x + eps * max(1.0, abs(x)), x - eps * max(1.0, abs(x))
            args = list(point)
            args[i] = up
            f_up = f_at(args)
            args[i] = down
            grads.append(float((f_up - f_at(args)) / (up - down)))
            continue
        g = np.zeros_like(x)
        for index in np.ndindex(x.shape):
            old = x[index]
            step = eps * max(1.0, abs(old))
            up, down = old + step, old - step
            x[index] = up
            f_up = f_at(point)
            x[index] = down
            f_down = f_at(point)
            x[index] = old
            g[index] = (f_up - f_down) / (up - down)
        grads.append(g)
    return grads[0] if len(grads) == 1 else tuple(grads)


def _plain(x: Any, position: Any, caller: Any) -> Any:
    """A float, or a float64 array copy; complex numbers are refused."""
    if isinstance(x, Node):
        x = x.data
    if isinstance(x, _NUMBER_TYPES):
        return float(x)
    if isinstance(x, np.ndarray) and x.dtype.kind in "biuf":
        return np.array(x, dtype=np.float64)
    if isinstance(x, (complex, np.complexfloating)) or (isinstance(x, np.ndarray) and x.dtype.kind == "c"):
        raise TypeError(f"{caller}: input {position} is complex; derivatives here are for real numbers: "
                        "pass the real and imaginary parts as separate real inputs")
    raise TypeError(
        f"{caller}: input {position} is a {type(x).__name__}; "
        "expected a number, a NumPy array of numbers, a Value or a Tensor"
    )


def _scalar_result(out: Any, name: Any) -> Any:
    if isinstance(out, Node):
        out = out.data
    if np.ndim(out) != 0:
        raise ValueError(
            f"numerical_grad: {name} must return a scalar, but it returned shape {np.shape(out)}; "
            "reduce it first, e.g. with .sum()"
        )
    return float(out)


@dataclass(frozen=True)
class InputCheck:
    """How backprop and central differences agree for one input.

    Relative error is |a − n| / max(|a|, |n|) per element (0 where both are 0).
    The worst element is the one furthest outside the tolerance
    |a − n| ≤ atol + rtol·|n|, or with the largest error when all pass.
    """

    position: int
    name: object  # the parameter's name in f, when it has one
    shape: tuple
    passed: bool
    max_abs_error: float
    max_rel_error: float
    worst_index: tuple | None  # () for a number, None for an empty array
    backprop: float  # both gradients at the worst element (backprop: the mode's, forward mode's too)
    numerical: float
    mode: str = "rev"  # "rev": backprop; "fwd": forward mode

    @property
    def label(self) -> str:
        what = "a number" if self.shape == () else f"shape {self.shape}"
        named = f" '{self.name}'" if self.name else ""
        return f"input {self.position}{named} ({what})"

    @property
    def method(self) -> str:
        return MODES[self.mode]


@dataclass(frozen=True)
class GradcheckReport:
    """The outcome of ``gradcheck``: one ``InputCheck`` per input and mode."""

    function: str
    inputs: tuple
    atol: float
    rtol: float
    eps: float

    @property
    def passed(self) -> bool:
        return all(check.passed for check in self.inputs)

    @property
    def failures(self) -> tuple[InputCheck, ...]:
        return tuple(check for check in self.inputs if not check.passed)

    def __str__(self) -> str:
        verdict = "passed" if self.passed else "FAILED"
        lines = [f"gradcheck of {self.function}: {verdict} (atol={self.atol:g}, rtol={self.rtol:g}, eps={self.eps:g})"]
        for check in self.inputs:
            lines.append(
                f"  {'ok  ' if check.passed else 'FAIL'} {check.label}{_MODE_NOTE[check.mode]}: max abs error "
                f"{check.max_abs_error:.3g}, max rel error {check.max_rel_error:.3g}, worst at {check.worst_index}: "
                f"{check.method} {check.backprop:.10g}, numerical {check.numerical:.10g}"
            )
        return "\n".join(lines)


class GradcheckError(RuntimeError):
    """Backprop disagrees with central differences; ``.report`` has the details."""

    def __init__(self, report: GradcheckReport) -> None:
        self.report = report
        worst = report.failures[0]
        where = "" if worst.shape == () else f" at index {worst.worst_index}"
        others = len(report.failures) - 1
        message = (
            f"gradcheck: the gradient of {report.function} with respect to {worst.label} is wrong{where}: "
            f"{worst.method} gives {worst.backprop:.10g} but central differences give {worst.numerical:.10g} "
            f"(abs error {abs(worst.backprop - worst.numerical):.3g}; allowed {report.atol:g} + "
            f"{report.rtol:g}·|numerical|)"
        )
        if others:
            message += f"; {others} more check{'s' if others > 1 else ''} also fail{'' if others > 1 else 's'}"
        super().__init__(message)


MODES = {"rev": "backprop", "fwd": "forward mode"}
_MODE_NOTE = {"rev": "", "fwd": " forward mode"}


def gradcheck(f: Callable[..., Any], *inputs: Any, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_on_failure: bool = True, modes: Sequence[str] = ("rev", "fwd")) -> GradcheckReport:
    """Compare ``grad(f)`` (and forward mode) with ``numerical_grad(f)`` at ``inputs``, element by element.

    ``f`` must be scalar-valued and run on nodes (anything built from
    operators, methods and ``autograd`` functions does). ``modes`` picks
    what is checked: ``"rev"``, backprop through ``grad``; ``"fwd"``,
    forward mode through ``linearize``, with one tangent per element.
    Everything is computed in float64. An element passes when
    |a − n| ≤ atol + rtol·|n| (a: the engine's, n: numerical). Returns a
    ``GradcheckReport``; raises ``GradcheckError`` naming the input, the
    element and both values when an element fails, unless
    ``raise_on_failure=False``.
    """
    if not inputs:
        raise TypeError("gradcheck: give at least one input to check the gradient for")
    modes = (modes,) if isinstance(modes, str) else tuple(modes)
    if not modes or any(mode not in MODES for mode in modes):
        raise ValueError(f"gradcheck: modes must be some of {tuple(MODES)}, got {modes!r}")
    point = [_plain(x, i, "gradcheck") for i, x in enumerate(inputs)]
    numerical = numerical_grad(f, *point, eps=eps)
    if len(point) == 1:
        numerical = (numerical,)
    names = _parameter_names(f, len(point))
    checks: Any = []  # a list, then the tuple the report keeps
    for mode in modes:
        computed = grad(f, argnums=tuple(range(len(point))))(*point) if mode == "rev" else _forward_grad(f, point)
        checks.extend(
            _compare(position, names[position], a, n, atol, rtol, mode)
            for position, (a, n) in enumerate(zip(computed, numerical))
        )
    checks = tuple(checks)
    report = GradcheckReport(getattr(f, "__name__", type(f).__name__), checks, atol, rtol, eps)
    if raise_on_failure and not report.passed:
        raise GradcheckError(report)
    return report


def _forward_grad(f: Any, point: Any) -> Any:
    """∂f/∂input for each input by forward mode: one tangent per element, at one linearization."""
    _, f_jvp = linearize(f, *point)
    grads = []
    for i, x in enumerate(point):
        tangents: list[Any] = [None] * len(point)
        if np.ndim(x) == 0:
            tangents[i] = 1.0
            grads.append(_scalar_result(f_jvp(*tangents), "gradcheck"))
            continue
        g = np.zeros_like(x)
        for index in np.ndindex(x.shape):
            direction = np.zeros_like(x)
            direction[index] = 1.0
            tangents[i] = direction
            g[index] = _scalar_result(f_jvp(*tangents), "gradcheck")
        grads.append(g)
    return grads


def _compare(position: Any, name: Any, backprop: Any, numerical: Any, atol: Any, rtol: Any, mode: str = "rev") -> Any:
    if isinstance(backprop, Node):  # called inside an enclosing grad
        backprop = backprop.data
    a = np.asarray(backprop, dtype=np.float64)
    n = np.asarray(numerical, dtype=np.float64)
    if a.size == 0:
        return InputCheck(position, name, a.shape, True, 0.0, 0.0, None, float("nan"), float("nan"), mode)
    with np.errstate(invalid="ignore", divide="ignore"):
        abs_error = np.abs(a - n)
        scale = np.maximum(np.abs(a), np.abs(n))
        rel_error = np.where(scale > 0, abs_error / np.where(scale > 0, scale, 1.0), 0.0)
        rel_error = np.where(np.isnan(abs_error), np.nan, rel_error)
        excess = abs_error / (atol + rtol * np.abs(n))
    excess = np.where(np.isfinite(excess), excess, np.inf)
    passed = bool(np.all(abs_error <= atol + rtol * np.abs(n)))
    worst = np.unravel_index(int(np.argmax(excess)), a.shape) if a.ndim else ()
    return InputCheck(
        position=position,
        name=name,
        shape=a.shape,
        passed=passed,
        max_abs_error=float(np.max(abs_error)),
        max_rel_error=float(np.max(rel_error)),
        worst_index=tuple(int(i) for i in worst),
        backprop=float(a[worst]),
        numerical=float(n[worst]),
        mode=mode,
    )


def _parameter_names(f: Any, count: Any) -> Any:
    """Names of f's first ``count`` positional parameters, None where unknown."""
    try:
        parameters = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        return [None] * count
    names = []
    for parameter in parameters:
        if parameter.kind == parameter.VAR_POSITIONAL:
            break
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            names.append(parameter.name)
    return (names + [None] * count)[:count]
