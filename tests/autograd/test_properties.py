"""Properties of derivatives, checked on random expression DAGs from autograd.testing.

The main check runs ten times the profile's example count (1,000 in the
``ci`` profile, 10,000 with ``--hypothesis-profile=thorough``); the others
run the profile's count.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Tensor, Value, grad
from autograd.testing import assert_grads_match_numeric, expressions

EXAMPLES = settings().max_examples  # the loaded profile's count
DAG_EXAMPLES = 10 * EXAMPLES


def all_argnums(expr):
    return tuple(range(len(expr.inputs)))


def assert_same_gradients(actual, expected, rtol=1e-9, atol=1e-12):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(e, dtype=float), rtol=rtol, atol=atol)


@settings(max_examples=DAG_EXAMPLES)
@given(expressions())
def test_backprop_matches_central_differences_on_random_dags(expr):
    assert_grads_match_numeric(expr, *expr.inputs)


@settings(max_examples=DAG_EXAMPLES // 4)
@given(expressions(scalar=True, max_ops=8))
def test_backprop_matches_central_differences_on_scalar_dags(expr):
    assert_grads_match_numeric(expr, *expr.inputs)


@given(st.data())
def test_the_gradient_is_linear(data):
    # ∇(a·f + b·g) = a·∇f + b·∇g
    f = data.draw(expressions(), label="f")
    g = data.draw(expressions(inputs=f.inputs), label="g")
    a, b = data.draw(st.floats(-3, 3), label="a"), data.draw(st.floats(-3, 3), label="b")
    argnums = all_argnums(f)
    combined = grad(lambda *xs: a * f(*xs) + b * g(*xs), argnums)(*f.inputs)
    separate = [a * df + b * dg for df, dg in zip(grad(f, argnums)(*f.inputs), grad(g, argnums)(*f.inputs))]
    assert_same_gradients(combined, separate)


@given(st.data())
def test_the_chain_rule_composes_gradients(data):
    # ∇(u ∘ h)(x) = u′(h(x)) · ∇h(x), for scalar u
    inner = data.draw(expressions(), label="inner")
    argnums = all_argnums(inner)
    s = inner(*inner.inputs)
    outer = data.draw(expressions(scalar=True, inputs=(s,)), label="outer")
    composed = grad(lambda *xs: outer(inner(*xs)), argnums)(*inner.inputs)
    slope = grad(outer)(s)
    assert_same_gradients(composed, [slope * d for d in grad(inner, argnums)(*inner.inputs)])


@given(expressions(scalar=True), st.integers(2, 4))
def test_values_and_tensors_give_the_same_gradients(expr, copies):
    argnums = all_argnums(expr)
    reference = grad(expr, argnums)(*expr.inputs)  # floats, through Value nodes

    as_values = grad(expr, argnums)(*[Value(x) for x in expr.inputs])
    as_0d_tensors = grad(expr, argnums)(*[np.array(x) for x in expr.inputs])
    assert all(isinstance(g, Value) for g in as_values)
    assert all(g.shape == () for g in as_0d_tensors)
    assert_same_gradients([g.data for g in as_values], reference, rtol=0, atol=0)
    assert_same_gradients(as_0d_tensors, reference)

    # Broadcast every input to `copies` equal elements: each element gets the scalar gradient.
    broadcast = grad(expr, argnums)(*[np.full(copies, x) for x in expr.inputs])
    assert_same_gradients(broadcast, [np.full(copies, g) for g in reference])

    # Mixed: the first input a Value, the others 0-d tensors. (Where the Value
    # met a Tensor, its gradient node is a 0-d Tensor: no primitive turns a
    # Tensor back into a Value.)
    mixed = grad(expr, argnums)(Value(expr.inputs[0]), *[Tensor(x) for x in expr.inputs[1:]])
    assert all(np.shape(g.data) == () for g in mixed)
    assert_same_gradients([g.data for g in mixed], reference)


@given(expressions())
def test_grad_agrees_with_backward_on_tensor_leaves(expr):
    leaves = [Tensor(x) if np.ndim(x) else Value(x) for x in expr.inputs]
    expr(*leaves).backward()
    assert_same_gradients([leaf.grad for leaf in leaves], grad(expr, all_argnums(expr))(*expr.inputs), rtol=0, atol=0)


@given(expressions(scalar=True), st.booleans())
def test_the_sweep_over_values_gives_the_general_pass_gradients_to_the_bit(expr, twice):
    # backward() takes a graph of Values in one sweep; under a switch it takes
    # the general pass. Both must leave the same numbers, also when leaves
    # accumulate over two passes.
    results = []
    for general in (False, True):
        leaves = [Value(x) for x in expr.inputs]
        out = expr(*leaves)
        if not out.requires_grad:
            return  # the expression does not depend on its inputs
        for _ in range(2 if twice else 1):
            if general:
                with autograd.enable_grad():  # a switch: the general pass
                    out.backward()
            else:
                out.backward()
        results.append([leaf.grad for leaf in leaves])
    swept, general = results
    assert [repr(g) for g in swept] == [repr(g) for g in general]  # to the bit, nan and -0.0 included


@given(expressions())
def test_second_derivatives_match_central_differences_of_the_gradient(expr):
    assert_grads_match_numeric(expr, *expr.inputs, order=2)


@settings(max_examples=EXAMPLES // 2)
@given(expressions(max_ops=4))
def test_third_derivatives_match_central_differences_of_the_second(expr):
    assert_grads_match_numeric(expr, *expr.inputs, order=3)


@given(st.data())
def test_mixed_partial_derivatives_commute(data):
    # ∂²f/∂x∂y = ∂²f/∂y∂x for smooth f
    x, y = data.draw(st.floats(-2, 2), label="x"), data.draw(st.floats(-2, 2), label="y")
    f = data.draw(expressions(scalar=True, inputs=(x, y)), label="f")
    d_xy = grad(lambda x, y: grad(f, 0)(x, y), 1)(x, y)
    d_yx = grad(lambda x, y: grad(f, 1)(x, y), 0)(x, y)
    assert d_xy == pytest.approx(d_yx, rel=1e-9, abs=1e-12)
