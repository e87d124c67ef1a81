"""No wrong number without an error: edits, aliases and conversions that used to pass silently.

Each test is a case that once returned a wrong gradient (or dropped one)
without a word; it asserts the right number, or the error that says why
there is none.
"""

import numpy as np
import pytest

import autograd
from autograd import InPlaceEditError, Tensor
from nn.layers import Affine

# -- arrays a recorded operation keeps as parameters (indices, masks, conditions) ----


def test_an_index_array_edited_after_indexing_keeps_the_gradient_of_the_forward_pass():
    x = Tensor(np.arange(5.0))
    index = np.array([0, 1, 1])
    y = (x[index] * np.array([1.0, 2.0, 3.0])).sum()
    index[:] = 4  # the caller reuses the index array
    y.backward()
    np.testing.assert_array_equal(x.grad, [1.0, 5.0, 0.0, 0.0, 0.0])


def test_a_boolean_mask_edited_after_indexing_keeps_the_gradient_of_the_forward_pass():
    x = Tensor(np.arange(5.0))
    mask = np.array([True, False, True, False, False])
    y = (x[mask] * np.array([2.0, 3.0])).sum()
    mask[:] = ~mask
    y.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 3.0, 0.0, 0.0])


def test_a_where_condition_edited_after_recording_keeps_the_gradient_of_the_forward_pass():
    x = Tensor(np.ones(3))
    condition = np.array([True, False, True])
    y = autograd.where(condition, x, 0.0).sum()
    condition[:] = [False, True, False]
    y.backward()
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 1.0])


def test_take_indices_edited_after_recording_keep_the_gradient_of_the_forward_pass():
    x = Tensor(np.arange(4.0))
    indices = np.array([3, 3, 0])
    y = np.take(x, indices).sum()
    indices[:] = 1
    y.backward()
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 0.0, 2.0])


# -- the function transformations check for edits as backward() does --------------------


def _scaled_by(w):
    def f(x):
        y = (x * w).sum()
        w.data *= 10.0  # an edit after the product was recorded
        return y
    return f


def test_grad_of_a_function_that_edits_recorded_data_raises_instead_of_using_the_new_values():
    w = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=False)
    with pytest.raises(InPlaceEditError, match=r"input 1 of 'mul' \(a constant of shape \(3,\)\) was changed in place"):
        autograd.grad(_scaled_by(w))(np.ones(3))


def test_jacobian_and_value_and_grad_check_for_edits_too():
    w = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=False)
    with pytest.raises(InPlaceEditError):
        autograd.value_and_grad(_scaled_by(w))(np.ones(3))
    w = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=False)
    with pytest.raises(InPlaceEditError):
        autograd.jacobian(_scaled_by(w))(np.ones(3))


def test_vjp_raises_when_the_primal_array_was_edited_before_the_pullback_runs():
    x = np.array([1.0, 2.0, 3.0])
    _, f_vjp = autograd.vjp(lambda x: x * x, x)  # the variable computes with the caller's array
    x *= 10.0
    with pytest.raises(InPlaceEditError, match="input 0 of 'mul'"):
        f_vjp(np.ones(3))


def test_linearize_raises_when_recorded_data_was_edited_before_the_pushforward_runs():
    w = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=False)
    _, f_jvp = autograd.linearize(lambda x: x * w, np.ones(3))
    np.testing.assert_array_equal(f_jvp(np.ones(3)), [1.0, 2.0, 3.0])
    w.data *= 10.0
    with pytest.raises(InPlaceEditError, match=r"input 1 of 'mul'"):
        f_jvp(np.ones(3))


def test_the_transformations_still_allow_edits_no_derivative_depends_on():
    w = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=False)

    def f(x):
        y = (x + w).sum()  # add's gradient reads neither input
        w.data *= 10.0
        return y

    np.testing.assert_array_equal(autograd.grad(f)(np.ones(3)), [1.0, 1.0, 1.0])


# -- constants and seeds that are views of the caller's memory -----------------------


class _Subclass(np.ndarray):
    pass


def test_a_constant_of_an_ndarray_subclass_keeps_the_values_the_forward_pass_used(tmp_path):
    mapped = np.memmap(tmp_path / "weights.bin", dtype=np.float64, mode="w+", shape=(3,))
    mapped[:] = [1.0, 2.0, 3.0]
    viewed = np.array([1.0, 2.0, 3.0]).view(_Subclass)
    for constant in (mapped, viewed):
        x = Tensor(np.ones(3))
        y = (x * constant).sum()
        constant[:] = 100.0
        y.backward()
        np.testing.assert_array_equal(x.grad, [1.0, 2.0, 3.0])


def test_a_seed_of_an_ndarray_subclass_is_copied_too():
    seed = np.array([1.0, 2.0]).view(_Subclass)
    x = Tensor(np.ones(2))
    y = x * 2.0
    y.backward(seed)
    assert not np.shares_memory(y.grad, seed)
    seed[:] = 7.0
    np.testing.assert_array_equal(y.grad, [1.0, 2.0])
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


# -- gradients that were another array -----------------------------------------------


def test_affine_db_for_one_sample_is_not_the_callers_dout():
    layer = Affine(np.ones((2, 3)), np.zeros(3))
    layer.forward(np.array([1.0, 2.0]))
    dout = np.array([1.0, 2.0, 3.0])
    layer.backward(dout)
    dout *= 0.0  # the caller reuses its buffer
    np.testing.assert_array_equal(layer.db, [1.0, 2.0, 3.0])


def test_recorded_gradients_of_two_inputs_are_separate_nodes_with_separate_data():
    a, b = Tensor(np.array([1.0, 2.0])), Tensor(np.array([3.0, 4.0]))
    (a + b).sum().backward(create_graph=True)
    assert a.grad is not b.grad
    assert not np.shares_memory(a.grad.data, b.grad.data)
    a.grad.data *= 5.0
    np.testing.assert_array_equal(b.grad.data, [1.0, 1.0])


def test_a_recorded_gradient_passed_through_a_reshape_is_not_a_view_of_the_upstream_one():
    x = Tensor(np.arange(6.0))
    y = x.reshape((2, 3))
    (y * 1.0).sum().backward(create_graph=True)
    assert not np.shares_memory(x.grad.data, y.grad.data)
    # and it still differentiates: d/dx Σ (∂/∂x Σ x²) = 2 per element
    x2 = Tensor(np.arange(6.0))
    (x2.reshape((2, 3)) ** 2).sum().backward(create_graph=True)
    g = x2.grad
    x2.grad = None
    g.sum().backward()
    np.testing.assert_array_equal(x2.grad, np.full(6, 2.0))


# -- NumPy taking a Tensor's plain array where no hook records ---------------------------


@pytest.mark.parametrize("convert", [
    lambda a, t: a.dot(t),  # an ndarray method: NumPy converts t with __array__
    lambda a, t: np.sum([t, t]),  # a list of Tensors: the dispatch sees only the list
    lambda a, t: np.mean([t, t], axis=0),
    lambda a, t: np.array([t, t]),
    lambda a, t: np.asarray(t),
    lambda a, t: np.vectorize(lambda v: 2.0 * v)(t),
], ids=["ndarray.dot", "np.sum(list)", "np.mean(list)", "np.array(list)", "np.asarray", "np.vectorize"])
def test_numpy_cannot_take_the_plain_array_of_a_tensor_that_requires_a_gradient(convert):
    a = np.array([[1.0, 0.0], [2.0, 1.0]])
    t = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]))
    with pytest.raises(TypeError, match=r"plain array of a Tensor of shape \(2, 2\) that requires a gradient.*t\.data"):
        convert(a, t)


def test_numpy_takes_the_plain_array_where_no_gradient_is_lost():
    a = np.array([[1.0, 0.0], [2.0, 1.0]])
    t = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]))
    expected = a @ t.data
    np.testing.assert_array_equal(a.dot(Tensor(t.data, requires_grad=False)), expected)
    with autograd.no_grad():
        np.testing.assert_array_equal(a.dot(t), expected)
    np.testing.assert_array_equal(a.dot(t.detach()), expected)
    np.testing.assert_array_equal(a.dot(t.data), expected)
    # the recorded spellings give the gradient a.dot(t) would have lost
    (a @ t).sum().backward()
    np.testing.assert_array_equal(t.grad, a.T @ np.ones((2, 2)))


# -- the numerical oracle in a narrow dtype -------------------------------------------


def test_nn_numerical_gradient_divides_by_the_step_a_float32_array_really_took():
    from nn import numerical_gradient

    x = np.array([1.0, 1000.0], dtype=np.float32)  # at 1000, float32 rounds 1000 ± 1e-4 by 20 %
    grad = numerical_gradient(lambda v: float(np.sum(v.astype(np.float64) ** 2)), x)
    np.testing.assert_allclose(grad, [2.0, 2000.0], rtol=1e-6)
    np.testing.assert_array_equal(x, np.array([1.0, 1000.0], dtype=np.float32))  # put back


def test_nn_numerical_gradient_refuses_a_step_lost_to_rounding():
    from nn import numerical_gradient

    x = np.array([0.01, 1.0], dtype=np.float16)  # float16 holds 0.01 ± 1e-4, not 1 ± 1e-4
    with pytest.raises(ValueError, match=r"x\[1\] = 1\.0 does not change when nudged by h = 0\.0001 in float16"):
        numerical_gradient(lambda v: float(np.sum(v.astype(np.float64) ** 2)), x)
    np.testing.assert_array_equal(x, np.array([0.01, 1.0], dtype=np.float16))


# -- two threads recording at once -------------------------------------------------------


def test_a_node_recorded_by_another_thread_while_checksums_are_taken_keeps_its_check(monkeypatch):
    from autograd import engine

    taking = engine.checksum
    other = {}

    def checksum_while_another_thread_records(array):
        # What another thread can do between this node's creation number and its
        # checksums being stored: record a newer node that keeps checksums too.
        if not other:
            other["x"] = Tensor(np.array([1.0, 2.0]))
            other["y"] = (other["x"] * other["x"]).sum()
        return taking(array)

    monkeypatch.setattr(engine, "checksum", checksum_while_another_thread_records)
    w = Tensor(np.linspace(3.0, 4.0, 10_000))  # over 64 kB: fingerprinted by engine.checksum
    (w * w).sum()  # recorded first, its checksums stored last
    monkeypatch.setattr(engine, "checksum", taking)
    other["x"].data[0] = 10.0
    with pytest.raises(InPlaceEditError, match="input 0 of 'mul'"):
        other["y"].backward()


def test_np_array_of_a_tensor_is_a_copy_as_numpy_promises():
    t = Tensor(np.array([1.0, 2.0]), requires_grad=False)
    snapshot = np.array(t)
    snapshot *= 10.0  # the caller's copy: t keeps its values
    np.testing.assert_array_equal(t.data, [1.0, 2.0])
    assert np.asarray(t) is t.data  # asarray shares, as for an ndarray
    assert not np.shares_memory(np.array(t, dtype=np.float32), t.data)
    with pytest.raises(ValueError, match="needs a copy"):
        np.asarray(t, dtype=np.float32, copy=False)
