"""The engine: recording, backward order, accumulation, grad modes, groups, errors."""

import copy
import gc
import math
import threading
import warnings

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value, ops


# -- recording ---------------------------------------------------------------


def test_every_operation_records_its_op_name_parents_and_value():
    a, b = Value(2.0, name="a"), Value(3.0, name="b")
    c = a * b
    d = c.exp()
    assert (c.op, d.op) == ("mul", "exp")
    assert c.inputs == (a, b) and d.inputs == (c,)
    assert d.data == pytest.approx(math.exp(6.0))
    assert a.is_leaf and not c.is_leaf


def test_plain_numbers_become_constant_inputs():
    x = Value(2.0)
    y = 3 * x
    constant = y.inputs[0]
    assert constant.data == 3.0 and not constant.requires_grad and constant.is_leaf
    y.backward()
    assert x.grad == 3.0 and constant.grad is None


def test_ops_on_constants_only_are_not_recorded():
    a = Tensor([1.0, 2.0], requires_grad=False)
    b = a * 2
    assert b.op is None and not b.requires_grad and b.inputs == ()


def test_plain_data_in_gives_plain_data_out():
    assert autograd.exp(0.0) == 1.0 and type(autograd.exp(0.0)) is float
    out = autograd.exp(np.zeros(2))
    assert type(out) is np.ndarray
    np.testing.assert_array_equal(out, [1.0, 1.0])


def test_no_vjp_is_computed_for_inputs_that_need_no_gradient(monkeypatch):
    calls = []
    original = ops.dot.vjps

    def spy(position):
        def vjp(*args, **kwargs):
            calls.append(position)
            return original[position](*args, **kwargs)

        return vjp

    monkeypatch.setattr(ops.dot, "vjps", (spy(0), spy(1)))
    images = np.ones((4, 3))  # a raw batch: a constant
    weights = Tensor(np.ones((3, 2)))
    (Tensor(images, requires_grad=False) @ weights).sum().backward()
    (images @ weights).sum().backward()
    assert calls == [1, 1]


# -- backward ------------------------------------------------------------------


def test_gradients_accumulate_where_a_node_is_used_twice():
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0


def test_reused_tensor_accumulates_with_broadcasting():
    w = Tensor([1.0, 2.0, 3.0])
    out = (w * w + w * np.ones((2, 3))).sum()
    out.backward()
    np.testing.assert_allclose(w.grad, 2 * (2 * w.data + 1))  # two rows of w² + w


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_zero_d_tensor_gradients_stay_arrays_when_they_accumulate(dtype):
    # NumPy adds two 0-d arrays into a scalar; the gradient of a 0-d Tensor is still an array.
    x = Tensor(np.array(2.0, dtype=dtype))
    (x * x).backward()  # two contributions within one pass
    assert type(x.grad) is np.ndarray and x.grad.shape == () and x.grad.dtype == dtype
    assert x.grad == 4.0
    (x * 3.0).backward()  # and across passes
    assert type(x.grad) is np.ndarray and x.grad == 7.0
    x.backward()  # a leaf as the output: its seed accumulates too
    assert type(x.grad) is np.ndarray and x.grad == 8.0


def test_gradients_have_the_dtype_of_their_node():
    weights = Tensor(np.ones((2, 3), dtype=np.float32))
    bias = Tensor(np.zeros(3, dtype=np.float32))
    x = np.arange(6.0).reshape(3, 2)  # float64 data: the arithmetic runs in float64
    out = (x @ weights + bias).sum()
    assert out.data.dtype == np.float64
    out.backward()
    assert weights.grad.dtype == np.float32 and bias.grad.dtype == np.float32
    np.testing.assert_array_equal(weights.grad, np.repeat(x.sum(axis=0)[:, None], 3, axis=1))
    np.testing.assert_array_equal(bias.grad, [3.0, 3.0, 3.0])
    scalar = Tensor(np.float32(2.0))
    (scalar * np.ones(4)).sum().backward()  # broadcast up from 0-d
    assert scalar.grad.dtype == np.float32 and scalar.grad.shape == () and scalar.grad == 4.0


def test_leaves_accumulate_across_backward_calls_until_zero_grad():
    x = Value(2.0)
    y = x * x
    y.backward()
    y.backward()
    assert x.grad == 8.0
    x.zero_grad()
    assert x.grad is None
    y.backward()
    assert x.grad == 4.0


def test_intermediate_nodes_hold_the_latest_pass():
    x = Value(2.0)
    h = x * 3
    y = h * h
    y.backward()
    y.backward()
    assert h.grad == 12.0 and x.grad == 72.0


def _failing_once(message):
    """A one-input primitive (x ↦ 2x) whose VJP raises the first time it is called."""
    calls = []

    def vjp(g, out, x):
        calls.append(1)
        if len(calls) == 1:
            raise ArithmeticError(message)
        return g * 2.0

    return ops.Primitive("twice", lambda x: x * 2.0, (vjp,))


def test_a_backward_that_raises_midway_can_run_again():
    x, w = Value(3.0), Value(0.5)
    twice = _failing_once("the VJP failed")
    h = x * w
    k = twice(h) + x  # the failing VJP runs after x got its part through the add
    y = k * k
    with pytest.raises(ArithmeticError, match="the VJP failed"):
        y.backward()
    assert h.grad is None and h._grad is None  # no gradient reached h: nor the mark of the aborted pass
    assert x.grad is None and w.grad is None  # a graph of Values changes no leaf before its pass is through
    y.backward()  # every node is found again: the same gradients as a fresh pass
    # k = 2xw + x = 6, y = k²: dy/dk = 12, dy/dh = 24, dy/dx = 12·(2w + 1), dy/dw = 12·2x
    assert k.grad == 12.0 and h.grad == 24.0
    assert x.grad == 24.0 and w.grad == 72.0


def test_a_graph_of_values_whose_order_the_sweep_cannot_take_gets_the_general_pass():
    # Value graphs are backpropagated in one sweep down the creation numbers;
    # where that cannot be trusted it gives up before any leaf has changed.
    x, w = Value(2.0), Value(5.0)
    h = x * 2.0
    unrelated = [Value(0.0) for _ in range(5000)]  # numbers far apart: not worth going down one by one
    y = h * w  # w receives its gradient before the sweep reaches h
    y.backward()
    assert (w.grad, x.grad) == (4.0, 10.0)  # w's gradient added once, not once per attempt
    a = Value(3.0)
    b = a * a
    twin = copy.copy(b)  # a second node with b's creation number
    (b + twin * w).backward()
    assert a.grad == 6.0 + 5.0 * 6.0 and w.grad == 4.0 + 9.0
    assert len(unrelated) == 5000


def test_a_rebinding_below_the_root_is_caught_before_any_leaf_changes():
    v, c = Value(2.0), Value(5.0)
    w = v * v
    v.data = 3.0
    z = w * c  # made after the rebinding: its own record is fine, w's is not
    with pytest.raises(autograd.InPlaceEditError, match="given new data"):
        z.backward()
    assert c.grad is None and v.grad is None


def test_an_in_place_edit_error_leaves_no_gradient_pending():
    w = Tensor(np.arange(1.0, 7.0).reshape(2, 3))
    x = Tensor(np.ones((4, 2)))
    h = (x @ w).tanh()
    y = (h * h).sum()
    original = w.data.copy()
    w.data[0, 0] = 9.0
    with pytest.raises(autograd.InPlaceEditError):
        y.backward()
    assert h.grad is None and x.grad is None
    w.data[...] = original
    y.backward()
    t = np.tanh(np.ones((4, 2)) @ original)
    np.testing.assert_allclose(h.grad, 2 * t)
    np.testing.assert_allclose(w.grad, np.ones((2, 4)) @ (2 * t * (1 - t * t)))


def test_a_gradient_read_inside_a_vjp_is_none_until_it_arrives():
    seen = []
    x = Value(2.0)
    h = x * 3.0
    watch = ops.Primitive("watch", lambda v: v, (lambda g, out, v: seen.append(h.grad) or g,))
    y = watch(h * 1.0) * h
    y.backward()
    assert seen == [6.0]  # y's second input delivered its part of h's gradient first
    assert h.grad == 12.0 and x.grad == 36.0


def test_zero_grad_function_takes_nodes_and_iterables():
    a, b, c = Value(1.0), Value(2.0), Value(3.0)
    (a * b * c).backward()
    autograd.zero_grad(a, [b, c])
    assert a.grad is None and b.grad is None and c.grad is None


def test_a_million_node_chain_backpropagates_without_recursion():
    x = Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y + 1.0
    y.backward()
    assert x.grad == 1.0
    assert y.data == 1_000_001.0


def _build_and_backpropagate(mode):
    x, w = Value(0.5, name="x"), Tensor(np.linspace(-1.0, 1.0, 6).reshape(2, 3), name="w")
    if mode == "second order":
        (x * x).exp().backward(create_graph=True)
        dx, x.grad = x.grad, None
        dx.backward()  # d²/dx² of exp(x²)
        assert x.grad == pytest.approx((2 + 4 * 0.25) * math.exp(0.25))
        return
    with autograd.detect_anomaly() if mode == "anomaly mode" else autograd.group("layer"):
        y = x
        for _ in range(50):
            y = (y * 1.01 + x).tanh()
        loss = (np.ones((4, 2)) @ w).relu().sum() * y
    loss.backward()
    assert x.grad is not None and w.grad is not None


@pytest.mark.parametrize("mode", ["in a group", "second order", "anomaly mode"])
def test_a_graph_holds_no_reference_cycle(mode):
    # So a graph is freed by reference counting alone when its last name goes, and a
    # program that makes no cycles of its own may pause the collector while it builds one.
    gc.collect()
    gc.disable()
    try:
        _build_and_backpropagate(mode)
        assert gc.collect() == 0  # objects the collector had to find: none
    finally:
        gc.enable()


def test_backward_on_non_scalar_tensor_needs_an_upstream_gradient():
    x = Tensor(np.ones((2, 3)))
    with pytest.raises(RuntimeError, match=r"shape \(2, 3\).*backward\(grad\)"):
        (x * 2).backward()
    (x * 2).backward(np.full((2, 3), 0.5))
    np.testing.assert_array_equal(x.grad, np.ones((2, 3)))


def test_backward_grad_must_match_the_output_shape():
    x = Tensor(np.ones(3))
    with pytest.raises(ValueError, match=r"grad has shape \(2,\) but the output has shape \(3,\)"):
        (x * 2).backward(np.ones(2))


def test_size_one_tensor_backward_needs_no_upstream_gradient():
    x = Tensor([[3.0]])
    (x * x).backward()
    np.testing.assert_array_equal(x.grad, [[6.0]])


def test_backward_on_a_constant_explains_why_it_cannot():
    with pytest.raises(RuntimeError, match="does not require a gradient"):
        Value(1.0, requires_grad=False).backward()


def test_topological_order_puts_inputs_before_users():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d * c
    order = autograd.engine.topological_order(e)
    position = {id(node): i for i, node in enumerate(order)}
    for node in order:
        for parent in node.inputs:
            if parent.requires_grad:
                assert position[id(parent)] < position[id(node)]
    assert len(order) == 5


# -- grad modes ------------------------------------------------------------------


def test_no_grad_stops_recording_and_restores_on_exit():
    x = Value(2.0)
    with autograd.no_grad():
        assert not autograd.is_grad_enabled()
        y = x * x
        with autograd.enable_grad():
            z = x * x
    assert autograd.is_grad_enabled()
    assert y.op is None and not y.requires_grad
    assert z.op == "mul"


def test_no_grad_is_thread_local():
    seen = {}
    inside = threading.Event()
    release = threading.Event()

    def other_thread():
        inside.wait()
        seen["recorded"] = (Value(1.0) * 2).requires_grad
        release.set()

    thread = threading.Thread(target=other_thread)
    thread.start()
    with autograd.no_grad():
        inside.set()
        release.wait(5)
        seen["here"] = (Value(1.0) * 2).requires_grad
    thread.join()
    assert seen == {"recorded": True, "here": False}


def test_detach_shares_data_and_cuts_the_graph():
    x = Tensor([1.0, 2.0])
    y = x * 2
    d = y.detach()
    assert d.data is y.data and not d.requires_grad and d.is_leaf
    (d * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_requires_grad_false_opts_out():
    x = Tensor([1.0, 2.0], requires_grad=False)
    w = Tensor([3.0, 4.0])
    (x * w).sum().backward()
    assert x.grad is None
    np.testing.assert_array_equal(w.grad, [1.0, 2.0])


# -- groups ----------------------------------------------------------------------


def test_groups_label_the_nodes_created_inside():
    x = Value(0.5)
    with autograd.group("layer") as outer:
        h = x * 2
        with autograd.group("sigmoid") as inner:
            y = h.sigmoid()
    z = y + 1
    assert h.group is outer and y.group is inner and z.group is None
    assert inner.parent is outer and inner.path == ("layer", "sigmoid")
    assert x.group is None


def test_sigmoid_composite_is_four_nodes_in_a_group_matching_the_fused_one():
    x = Value(-0.8)
    y = autograd.sigmoid(x, fused=False)
    ops_seen = []
    node = y
    while node.op is not None:
        ops_seen.append(node.op)
        node = next(p for p in node.inputs if p.requires_grad)
    assert ops_seen == ["div", "add", "exp", "neg"]
    assert y.group.name == "sigmoid"
    y.backward()
    composed_grad = x.grad
    x.zero_grad()
    fused = autograd.sigmoid(x)
    fused.backward()
    assert fused.data == pytest.approx(y.data, rel=1e-15)
    assert x.grad == pytest.approx(composed_grad, rel=1e-12)


def test_group_name_must_be_a_string():
    with pytest.raises(TypeError, match="group"):
        with autograd.group(None):
            pass


# -- bad input -------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["a", None, object(), [1, 2], {"a": 1}])
def test_unsupported_types_name_the_operation_and_the_type(bad):
    with pytest.raises(TypeError) as info:
        Value(1.0) * bad
    message = str(info.value)
    assert "mul" in message and type(bad).__name__ in message


def test_unsupported_type_in_tensor_op_and_function():
    with pytest.raises(TypeError, match="add.*'str'"):
        Tensor([1.0]) + "x"
    with pytest.raises(TypeError, match="exp.*'NoneType'"):
        autograd.exp(None)


@pytest.mark.parametrize("data", [np.array(["a"]), np.array([1 + 2j]), np.array([object()], dtype=object)])
def test_tensor_refuses_non_numeric_dtypes(data):
    with pytest.raises(TypeError, match="dtype"):
        Tensor(data)


def test_value_refuses_non_numbers():
    for bad in ("1.0", None, [1.0], np.ones(2)):
        with pytest.raises(TypeError, match="Value"):
            Value(bad)


def test_ints_and_bools_are_promoted_to_float64():
    assert Tensor([1, 2]).dtype == np.float64
    assert Tensor(np.array([True, False])).dtype == np.float64
    assert Tensor(np.ones(2, dtype=np.float32)).dtype == np.float32
    assert type(Value(3).data) is float and type(Value(np.float32(1.5)).data) is float


def test_broadcast_mismatch_names_the_op_and_both_shapes():
    with pytest.raises(ValueError, match=r"add: .*\(2, 3\) and \(4,\)"):
        Tensor(np.ones((2, 3))) + Tensor(np.ones(4))
    with pytest.raises(ValueError, match=r"mul: .*\(2,\) and \(3,\)"):
        Tensor(np.ones(2)) * np.ones(3)


def test_dot_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"dot: shapes \(2, 3\) and \(4, 5\) are not aligned"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"dot: supports 1-D and 2-D"):  # the op table's 2-D primitive
        autograd.ops.dot(Tensor(np.ones((2, 2, 2))), Tensor(np.ones(2)))


def test_ieee_results_with_numpy_warnings_never_crash():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        zero = Value(0.0)
        assert Value(0.0).log().data == -math.inf
        assert (1 / zero).data == math.inf
        assert math.isnan((zero / zero).data)
        assert Value(1000.0).exp().data == math.inf
        assert math.isnan((Value(-8.0) ** (1 / 3)).data)
        assert math.isnan(Value(-1.0).log().data)
        assert (zero ** -1.0).data == math.inf
        with np.errstate(all="warn"):
            t = Tensor([0.0, 1.0]).log()
    assert t.data[0] == -math.inf
    assert all(issubclass(w.category, RuntimeWarning) for w in caught)
    assert len(caught) >= 6


def test_backward_through_inf_gives_ieee_not_an_exception():
    x = Value(0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = x.log()
        y.backward()
    assert x.grad == math.inf


def test_sigmoid_is_stable_for_huge_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Value(-1000.0).sigmoid().data == 0.0
        assert Value(1000.0).sigmoid().data == 1.0
        np.testing.assert_array_equal(Tensor([-1000.0, 1000.0]).sigmoid().data, [0.0, 1.0])
        out = Tensor([[-1000.0, 0.0, 1000.0]]).log_softmax(axis=1)
    assert np.all(np.isfinite(out.data[0, 1:])) and out.data[0, 2] == 0.0


def test_thread_safety_of_recording_in_parallel():
    results = []

    def work(seed):
        x = Value(float(seed))
        y = x
        for _ in range(2000):
            y = y * 1.0 + 0.0
        y.backward()
        results.append(x.grad)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [1.0] * 4
