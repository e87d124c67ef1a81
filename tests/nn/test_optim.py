import math

import numpy as np
import pytest

from nn.optim import SGD, AdaGrad, Adam, Momentum


def make():
    params = {"W": np.array([[1.0, -2.0], [0.5, 3.0]]), "b": np.array([0.25, -0.75])}
    g1 = {"W": np.array([[0.5, -1.0], [2.0, 0.0]]), "b": np.array([-0.5, 4.0])}
    g2 = {"W": np.array([[1.0, 1.0], [-3.0, 0.5]]), "b": np.array([0.25, 0.0])}
    return params, g1, g2


def run_two_steps(opt):
    params, g1, g2 = make()
    p0 = {k: v.copy() for k, v in params.items()}
    opt.update(params, g1)
    p1 = {k: v.copy() for k, v in params.items()}
    opt.update(params, g2)
    return p0, p1, params, g1, g2


def test_sgd_two_steps():
    p0, p1, p2, g1, g2 = run_two_steps(SGD(lr=0.1))
    for k in p0:
        np.testing.assert_allclose(p1[k], p0[k] - 0.1 * g1[k])
        np.testing.assert_allclose(p2[k], p0[k] - 0.1 * g1[k] - 0.1 * g2[k])
    # one concrete number, computed by hand: 1.0 - 0.1*0.5 - 0.1*1.0
    assert p2["W"][0, 0] == pytest.approx(0.85)


def test_momentum_two_steps():
    lr, mu = 0.1, 0.9
    p0, p1, p2, g1, g2 = run_two_steps(Momentum(lr=lr, momentum=mu))
    for k in p0:
        v1 = -lr * g1[k]
        v2 = mu * v1 - lr * g2[k]
        np.testing.assert_allclose(p1[k], p0[k] + v1)
        np.testing.assert_allclose(p2[k], p0[k] + v1 + v2)
    # W[0,0]: v1 = -0.05, v2 = -0.045 - 0.1 = -0.145 -> 1 - 0.05 - 0.145
    assert p2["W"][0, 0] == pytest.approx(0.805)


def test_adagrad_two_steps():
    lr, eps = 0.5, 1e-7
    p0, p1, p2, g1, g2 = run_two_steps(AdaGrad(lr=lr))
    for k in p0:
        h1 = g1[k] ** 2
        h2 = h1 + g2[k] ** 2
        np.testing.assert_allclose(p1[k], p0[k] - lr * g1[k] / (np.sqrt(h1) + eps))
        np.testing.assert_allclose(
            p2[k], p0[k] - lr * g1[k] / (np.sqrt(h1) + eps) - lr * g2[k] / (np.sqrt(h2) + eps)
        )
    # First AdaGrad step moves every element with a non-zero gradient by ~lr*sign(g).
    np.testing.assert_allclose(p1["b"], p0["b"] - lr * np.sign(g1["b"]), atol=1e-6)
    # A zero gradient leaves the element untouched (no division by zero).
    assert p1["W"][1, 1] == p0["W"][1, 1]


def test_adam_two_steps():
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    p0, p1, p2, g1, g2 = run_two_steps(Adam(lr=lr, beta1=b1, beta2=b2, style="pytorch"))
    for k in p0:
        # step 1: m_hat = g1, v_hat = g1^2
        np.testing.assert_allclose(p1[k], p0[k] - lr * g1[k] / (np.abs(g1[k]) + eps))
        m2 = b1 * (1 - b1) * g1[k] + (1 - b1) * g2[k]
        v2 = b2 * (1 - b2) * g1[k] ** 2 + (1 - b2) * g2[k] ** 2
        m_hat = m2 / (1 - b1**2)
        v_hat = v2 / (1 - b2**2)
        np.testing.assert_allclose(p2[k], p1[k] - lr * m_hat / (np.sqrt(v_hat) + eps))
    # W[0,0] by hand: g1 = 0.5, g2 = 1.0
    m_hat = (0.9 * 0.1 * 0.5 + 0.1 * 1.0) / (1 - 0.81)
    v_hat = (0.999 * 0.001 * 0.25 + 0.001 * 1.0) / (1 - 0.999**2)
    expected = 1.0 - 0.01 * 0.5 / (0.5 + 1e-8) - 0.01 * m_hat / (math.sqrt(v_hat) + 1e-8)
    assert p2["W"][0, 0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    "opt", [SGD(0.1), Momentum(0.1), AdaGrad(0.1), Adam(0.1)], ids=lambda o: type(o).__name__
)
def test_update_is_in_place(opt):
    params, g1, g2 = make()
    W, b = params["W"], params["b"]
    W_before = W.copy()
    opt.update(params, g1)
    assert params["W"] is W and params["b"] is b
    assert not np.array_equal(W, W_before)


def test_float32_params_stay_float32_and_in_place():
    p = {"w": np.ones(3, dtype=np.float32)}
    arr = p["w"]
    Adam(0.1).update(p, {"w": np.array([1.0, -1.0, 0.5])})
    assert p["w"] is arr and arr.dtype == np.float32
    np.testing.assert_allclose(arr, [0.9, 1.1, 0.9], rtol=1e-6)


@pytest.mark.parametrize(
    "factory, steps",
    [
        (lambda: SGD(lr=0.1), 200),
        (lambda: Momentum(lr=0.05, momentum=0.9), 300),
        (lambda: AdaGrad(lr=1.0), 500),
        (lambda: Adam(lr=0.1), 1000),
    ],
)
def test_minimises_quadratic(factory, steps):
    # f(x) = 1/2 (x - c)^T A (x - c), gradient A (x - c), minimum at c.
    A = np.array([[3.0, 0.5], [0.5, 1.0]])
    c = np.array([1.5, -2.0])
    params = {"x": np.array([-4.0, 5.0])}
    opt = factory()
    f0 = 0.5 * (params["x"] - c) @ A @ (params["x"] - c)
    for _ in range(steps):
        opt.update(params, {"x": A @ (params["x"] - c)})
    f = 0.5 * (params["x"] - c) @ A @ (params["x"] - c)
    assert f < 1e-6 * f0
    np.testing.assert_allclose(params["x"], c, atol=1e-2)


def test_missing_grad_key_raises_and_leaves_params_untouched():
    params, g1, _ = make()
    before = {k: v.copy() for k, v in params.items()}
    del g1["b"]
    with pytest.raises(KeyError, match=r"no entry for parameter\(s\) \['b'\]"):
        SGD(0.1).update(params, g1)
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])


def test_extra_grad_key_raises():
    params, g1, _ = make()
    g1["W2"] = np.zeros(2)
    with pytest.raises(KeyError, match="unknown parameter.*W2"):
        Momentum().update(params, g1)


def test_shape_mismatch_names_key_and_both_shapes():
    params, g1, _ = make()
    before = params["W"].copy()
    g1["b"] = np.zeros((2, 1))
    with pytest.raises(ValueError) as err:
        Adam().update(params, g1)
    msg = str(err.value)
    assert "'b'" in msg and "(2, 1)" in msg and "(2,)" in msg
    # validation happens before any update: W was not touched either
    np.testing.assert_array_equal(params["W"], before)


def test_non_float_or_non_array_params_rejected():
    with pytest.raises(TypeError, match="floating dtype"):
        SGD().update({"w": np.arange(3)}, {"w": np.ones(3)})
    with pytest.raises(TypeError, match="neither a numpy array nor a real number"):
        SGD().update({"w": "1.0"}, {"w": 1.0})


@pytest.mark.parametrize(
    "factory, match",
    [
        (lambda: SGD(lr=0), "lr must be in"),
        (lambda: SGD(lr=-0.1), "lr must be in"),
        (lambda: SGD(lr=float("nan")), "lr must be finite"),
        (lambda: Momentum(momentum=1.0), "momentum must be in"),
        (lambda: Momentum(momentum=-0.1), "momentum must be in"),
        (lambda: AdaGrad(eps=0), "eps must be in"),
        (lambda: Adam(beta1=1.0), "beta1 must be in"),
        (lambda: Adam(beta2=1.5), "beta2 must be in"),
    ],
)
def test_bad_hyperparameters(factory, match):
    with pytest.raises(ValueError, match=match):
        factory()


def test_hyperparameter_type_checked():
    with pytest.raises(TypeError, match="lr must be a real number"):
        SGD(lr="0.1")


def test_state_shape_change_is_reported():
    opt = Momentum(0.1)
    opt.update({"w": np.zeros(3)}, {"w": np.ones(3)})
    with pytest.raises(ValueError, match="state for 'w' has shape \\(3,\\)"):
        opt.update({"w": np.zeros(4)}, {"w": np.ones(4)})


ALL_OPTIMIZERS = [SGD, Momentum, AdaGrad, Adam]


@pytest.mark.parametrize("factory", ALL_OPTIMIZERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    "bad",
    [np.ones(2, dtype=complex), np.array([None, None]), np.array(["a", "b"])],
    ids=["complex", "object", "str"],
)
def test_non_real_gradient_rejected_before_anything_changes(factory, bad):
    params, g1, _ = make()
    before = {k: v.copy() for k, v in params.items()}
    g1["b"] = bad
    with pytest.raises(TypeError, match="gradient for 'b' has dtype"):
        factory(0.1).update(params, g1)
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])


@pytest.mark.parametrize("factory", [Momentum, AdaGrad, Adam], ids=lambda f: f.__name__)
def test_state_shape_change_is_reported_before_anything_changes(factory):
    opt = factory(0.1)
    params, g1, _ = make()
    opt.update(params, g1)
    state_before = {k: v.copy() for k, v in vars(opt).items() if isinstance(v, dict)}
    # W keeps its shape, b grows: the whole call must be refused, W included.
    params = {"W": params["W"], "b": np.zeros(3)}
    before = {k: v.copy() for k, v in params.items()}
    with pytest.raises(ValueError, match="state for 'b' has shape \\(2,\\)"):
        opt.update(params, {"W": g1["W"], "b": np.ones(3)})
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])
    for name, store in state_before.items():
        assert {k: np.asarray(v).tolist() for k, v in vars(opt)[name].items()} == {
            k: np.asarray(v).tolist() for k, v in store.items()
        }


@pytest.mark.parametrize("factory", ALL_OPTIMIZERS, ids=lambda f: f.__name__)
def test_checks_still_run_after_a_good_update(factory):
    # The parameters' check is remembered between calls on the same dict; a
    # replaced entry, a new dict or an array made read-only must be seen.
    opt = factory(0.1)
    params, g1, g2 = make()
    opt.update(params, g1)
    params["b"] = np.zeros(2, dtype=int)
    with pytest.raises(TypeError, match="'b' has dtype int"):
        opt.update(params, g2)
    params["b"] = np.zeros(2)
    params["W"].flags.writeable = False
    with pytest.raises(TypeError, match="'W' is a read-only array"):
        opt.update(params, g2)
    params["W"].flags.writeable = True
    with pytest.raises(ValueError, match="gradient for 'W' has shape"):
        opt.update(params, {"W": np.zeros(4), "b": g2["b"]})
    other = {"W": params["W"], "b": np.zeros(2), "c": np.zeros(1)}
    with pytest.raises(KeyError, match="no entry for parameter"):
        opt.update(other, g2)
    renamed = {"W": params["W"], "c": np.zeros(2)}
    opt.update(renamed, {"W": g2["W"], "c": g2["b"]})
    renamed["b"] = renamed.pop("c")  # same dict, same size, another name
    opt.update(renamed, g2)
    before = params["W"].copy()
    opt.update(params, g2)
    assert not np.array_equal(params["W"], before)


class _PlainSGD(SGD):
    def __init__(self, lr):  # does not call Optimizer.__init__
        self.lr = lr


def test_subclass_without_base_init_still_updates():
    params, g1, _ = make()
    before = params["W"].copy()
    _PlainSGD(0.5).update(params, g1)
    np.testing.assert_allclose(params["W"], before - 0.5 * g1["W"])


@pytest.mark.parametrize("factory, state_arrays", [(SGD, 0), (Momentum, 1), (AdaGrad, 1), (Adam, 2)],
                         ids=["SGD", "Momentum", "AdaGrad", "Adam"])
def test_pickled_or_copied_optimizer_carries_its_state_but_not_the_parameters(factory, state_arrays):
    import copy
    import pickle

    params = {"W": np.zeros((300, 300))}
    opt = factory(0.1)
    opt.update(params, {"W": np.ones((300, 300))})
    # The remembered check refers to params; it must not drag the arrays along.
    assert len(pickle.dumps(opt)) < state_arrays * len(pickle.dumps(params)) + 1000
    for clone in (pickle.loads(pickle.dumps(opt)), copy.deepcopy(opt)):
        twin = {"W": params["W"].copy()}
        clone.update(twin, {"W": np.ones((300, 300))})
        expected = {"W": params["W"].copy()}
        copy.deepcopy(opt).update(expected, {"W": np.ones((300, 300))})
        np.testing.assert_array_equal(twin["W"], expected["W"])
