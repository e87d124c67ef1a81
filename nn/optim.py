"""Gradient-descent optimizers from "Deep Learning from Scratch", chapter 6.

Every optimizer has one method, ``update(params, grads)``.  Both arguments
are dicts mapping a parameter name (``"W1"``, ``"b1"``, ...) to a NumPy
array.  The arrays in ``params`` are modified **in place**, so layers that
hold references to the same arrays see the new values immediately::

    net = TwoLayerNet(784, 50, 10)
    opt = Adam(lr=0.001)
    for x_batch, t_batch in batches:
        grads = net.gradient(x_batch, t_batch)
        opt.update(net.params, grads)

Before anything is modified, ``update`` checks that ``grads`` has exactly
the names in ``params``, that every gradient is real numbers of its
parameter's shape, and that the optimizer's state still fits every
parameter, so a bad call never leaves the parameters half-updated. The check
of the parameters themselves is remembered while the same dict holds the
same arrays, so a training loop pays only for checking the gradients.

A parameter may also be a Python float or a NumPy scalar (the textbook's
optimizer_compare_naive keeps ``params['x']`` as a float): a number cannot
change in place, so ``update`` stores a new float under its name, and
values read out before the step keep their old value. 0-d arrays are
arrays and are updated in place like every other array.

Optimizer state (velocities, squared-gradient sums, moments) is kept per
parameter name and created lazily on the first update.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from collections.abc import MutableMapping
from typing import Any

import numpy as np

__all__ = ["Optimizer", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"]


def _check_real(name: Any, value: Any, *, low: Any | None = None, high: Any | None = None, low_open: bool = False,
                high_open: bool = False) -> Any:
    """Return ``value`` as a float after checking it lies in the given interval."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    bad = (
        (low is not None and (value <= low if low_open else value < low))
        or (high is not None and (value >= high if high_open else value > high))
    )
    if bad:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        lo = "-inf" if low is None else repr(low)
        hi = "inf" if high is None else repr(high)
        raise ValueError(f"{name} must be in {left}{lo}, {hi}{right}, got {value!r}")
    return value


class Optimizer:
    """Base class: validates ``update`` arguments, then calls :meth:`_step`."""

    def __init__(self, lr: float) -> None:
        self.lr = _check_real("lr", lr, low=0.0, low_open=True)
        # What the last full check of the parameters found: (params dict,
        # ((key, array, shape), ...)). While the same dict holds the same
        # arrays with the same shapes, only the gradients need checking.
        self._checked: tuple[Any, tuple[tuple[str, Any, tuple[int, ...]], ...]] | None = None

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({fields})"

    def __getstate__(self) -> dict[str, Any]:
        # Pickles and copies keep the state, not the remembered check: it refers to
        # the caller's parameters, which would be copied along with it.
        state = dict(vars(self))
        state["_checked"] = None
        return state

    def update(self, params: MutableMapping[str, Any], grads: Mapping[str, Any]) -> None:
        """Apply one step to every array in ``params`` (in place).

        Raises ``KeyError`` if ``grads`` misses a name of ``params`` or has
        an extra one, ``ValueError`` if a gradient's shape differs from its
        parameter's (or from the optimizer's state for that name),
        ``TypeError`` if a parameter cannot be updated in place or a gradient
        is not real numbers. Everything is checked before anything changes.
        """
        if type(params) is not dict and not isinstance(params, Mapping):
            raise TypeError(
                f"params must be a dict of name -> numpy array, got {type(params).__name__}; "
                "pass e.g. network.params"
            )
        if type(grads) is not dict and not isinstance(grads, Mapping):
            raise TypeError(f"grads must be a dict of name -> numpy array, got {type(grads).__name__}")
        if grads.keys() != params.keys():
            _raise_key_mismatch(params, grads)

        steps = []
        for key, p, shape in self._checked_params(params):
            g = grads[key]
            if type(g) is not np.ndarray:
                g = np.asarray(g)
            if g.shape != shape:
                raise ValueError(
                    f"gradient for {key!r} has shape {g.shape} but the parameter has shape "
                    f"{shape}; they must match"
                )
            if g.dtype.kind not in "biuf":
                raise TypeError(
                    f"gradient for {key!r} has dtype {g.dtype}; gradients must be real numbers"
                )
            steps.append((key, p, g))

        step = self._step
        for key, p, g in steps:
            if p.__class__ is np.ndarray or isinstance(p, np.ndarray):
                step(key, p, g)
            else:  # a number: step a 0-d copy, then store the new number under the same name
                value = np.array(p, dtype=np.float64)
                step(key, value, g)
                params[key] = type(p)(value) if isinstance(p, np.floating) else float(value)

    def _checked_params(self, params: Any) -> Any:
        """((key, array, shape), ...) for ``params``, every array checked (or known good)."""
        checked = getattr(self, "_checked", None)  # a subclass may skip Optimizer.__init__
        if checked is not None and checked[0] is params and len(checked[1]) == len(params):
            get = params.get
            for key, p, shape in checked[1]:
                if get(key) is not p or p.shape != shape or not p.flags.writeable:
                    break
            else:
                return checked[1]
        entries = []
        numbers_seen = False
        for key, p in params.items():
            if _is_number(p):
                numbers_seen = True
                for store in self._state_stores():
                    state = store.get(key)
                    if state is not None and state.shape != ():
                        raise ValueError(
                            f"{type(self).__name__} state for {key!r} has shape {state.shape} but the "
                            f"parameter is now a number; create a new optimizer for a reshaped network"
                        )
                entries.append((key, p, ()))
                continue
            if not isinstance(p, np.ndarray):
                raise TypeError(
                    f"parameter {key!r} is a {type(p).__name__}, neither a numpy array nor a real number; "
                    "store parameters as float arrays (np.asarray(..., dtype=float)) or floats."
                )
            if p.dtype.kind != "f":
                raise TypeError(
                    f"parameter {key!r} has dtype {p.dtype}; in-place updates need a floating "
                    "dtype. Convert it with .astype(np.float64) when building the network."
                )
            if not p.flags.writeable:
                raise TypeError(f"parameter {key!r} is a read-only array; it cannot be updated in place")
            for store in self._state_stores():
                state = store.get(key)
                if state is not None and state.shape != p.shape:
                    raise ValueError(
                        f"{type(self).__name__} state for {key!r} has shape {state.shape} but the "
                        f"parameter now has shape {p.shape}; create a new optimizer for a reshaped network"
                    )
            entries.append((key, p, p.shape))
        entries = tuple(entries)
        self._checked = None if numbers_seen else (params, entries)  # numbers are replaced at every step
        return entries

    def _state_stores(self) -> Any:
        """The dicts of per-parameter state arrays (checked against the parameters' shapes)."""
        return ()

    def _step(self, key: Any, p: Any, g: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    @staticmethod
    def _state(store: Any, key: Any, p: Any) -> Any:
        """Per-parameter state array, created as zeros on first use."""
        s = store.get(key)
        if s is None:
            s = store[key] = np.zeros(p.shape, dtype=np.result_type(p.dtype, np.float64))
        return s


def _is_number(p: Any) -> Any:
    """A Python float or int (not bool) or a NumPy floating scalar: a parameter stepped by replacing it."""
    if isinstance(p, np.floating):
        return True
    return isinstance(p, numbers.Real) and not isinstance(p, (bool, np.generic, np.ndarray))


def _raise_key_mismatch(params: Any, grads: Any) -> Any:
    missing = [k for k in params if k not in grads]
    extra = [k for k in grads if k not in params]
    parts = []
    if missing:
        parts.append(f"grads has no entry for parameter(s) {missing}")
    if extra:
        parts.append(f"grads has entries for unknown parameter(s) {extra}")
    raise KeyError(
        "; ".join(parts)
        + f" (params keys: {list(params)}, grads keys: {list(grads)}). "
        "grads must have exactly the same names as params."
    )


class SGD(Optimizer):
    """Stochastic gradient descent:  W <- W - lr * dL/dW."""

    def __init__(self, lr: float = 0.01) -> None:
        super().__init__(lr)

    def _step(self, key: Any, p: Any, g: Any) -> None:
        p -= self.lr * g


class Momentum(Optimizer):
    """SGD with momentum.

    v <- momentum * v - lr * dL/dW;   W <- W + v     (v starts at 0)
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        super().__init__(lr)
        self.momentum = _check_real("momentum", momentum, low=0.0, high=1.0, high_open=True)
        self._v: dict[str, Any] = {}

    def _state_stores(self) -> Any:
        return (self._v,)

    def _step(self, key: Any, p: Any, g: Any) -> None:
        v = self._state(self._v, key, p)
        v *= self.momentum
        v -= self.lr * g
        p += v


class Nesterov(Momentum):
    """Nesterov's accelerated gradient, in the textbook's form (Sutskever et al., 2013).

    v <- momentum * v - lr * g;   W <- W + momentum² * v - (1 + momentum) * lr * g
    (v starts at 0). This is momentum with the gradient taken at the
    looked-ahead point, rewritten so that only the gradient at W is needed.
    """

    def _step(self, key: Any, p: Any, g: Any) -> None:
        v = self._state(self._v, key, p)
        v *= self.momentum
        v -= self.lr * g
        p += self.momentum * self.momentum * v
        p -= (1.0 + self.momentum) * self.lr * g


class AdaGrad(Optimizer):
    """AdaGrad: per-element learning rates that shrink with past gradients.

    h <- h + g*g;   W <- W - lr * g / (sqrt(h) + eps)     (h starts at 0,
    eps = 1e-7 as in the textbook, so a zero gradient never divides by 0)
    """

    def __init__(self, lr: float = 0.01, eps: float = 1e-7) -> None:
        super().__init__(lr)
        self.eps = _check_real("eps", eps, low=0.0, low_open=True)
        self._h: dict[str, Any] = {}

    def _state_stores(self) -> Any:
        return (self._h,)

    def _step(self, key: Any, p: Any, g: Any) -> None:
        h = self._state(self._h, key, p)
        h += g * g
        p -= self.lr * g / (np.sqrt(h) + self.eps)


class RMSprop(AdaGrad):
    """RMSprop (Hinton's lecture 6e): AdaGrad with a decaying average of squared gradients.

    h <- decay_rate * h + (1 - decay_rate) * g*g;   W <- W - lr * g / (sqrt(h) + eps)
    (h starts at 0, eps = 1e-7 as in the textbook).
    """

    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99, eps: float = 1e-7) -> None:
        super().__init__(lr, eps)
        self.decay_rate = _check_real("decay_rate", decay_rate, low=0.0, high=1.0, high_open=True)

    def _step(self, key: Any, p: Any, g: Any) -> None:
        h = self._state(self._h, key, p)
        h *= self.decay_rate
        h += (1.0 - self.decay_rate) * g * g
        p -= self.lr * g / (np.sqrt(h) + self.eps)


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with bias correction.

    At step t = 1, 2, ... (counted per parameter)::

        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g*g

    then, with ``style="textbook"`` (the default, the textbook's
    common/optimizer.py: the bias correction folded into the learning rate)::

        lr_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t)
        W <- W - lr_t * m / (sqrt(v) + eps)              eps = 1e-7

    or with ``style="pytorch"`` (the paper's and torch.optim.Adam's form)::

        m_hat = m / (1 - beta1**t);   v_hat = v / (1 - beta2**t)
        W <- W - lr * m_hat / (sqrt(v_hat) + eps)        eps = 1e-8

    The two agree except where sqrt(v_hat) is comparable to eps. ``eps``
    defaults to the style's value.
    """

    STYLES = {"textbook": 1e-7, "pytorch": 1e-8}

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999, eps: float | None = None,
                 style: str = "textbook") -> None:
        super().__init__(lr)
        if style not in self.STYLES:
            raise ValueError(f"Adam: style must be one of {list(self.STYLES)}, got {style!r}")
        self.style = style
        self.beta1 = _check_real("beta1", beta1, low=0.0, high=1.0, high_open=True)
        self.beta2 = _check_real("beta2", beta2, low=0.0, high=1.0, high_open=True)
        self.eps = _check_real("eps", self.STYLES[style] if eps is None else eps, low=0.0, low_open=True)
        self._m: dict[str, Any] = {}
        self._v: dict[str, Any] = {}
        self._t: dict[str, Any] = {}

    def _state_stores(self) -> Any:
        return (self._m, self._v)

    def _step(self, key: Any, p: Any, g: Any) -> None:
        m = self._state(self._m, key, p)
        v = self._state(self._v, key, p)
        t = self._t[key] = self._t.get(key, 0) + 1
        m += (1.0 - self.beta1) * (g - m)
        v += (1.0 - self.beta2) * (g * g - v)
        if self.style == "textbook":
            lr_t = self.lr * math.sqrt(1.0 - self.beta2**t) / (1.0 - self.beta1**t)
            p -= lr_t * m / (np.sqrt(v) + self.eps)
        else:
            m_hat = m / (1.0 - self.beta1**t)
            v_hat = v / (1.0 - self.beta2**t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
