"""Gradients you can trust: in-place edits are caught, gradients own their memory, bad input is refused."""

import re

import numpy as np
import pytest

import autograd
import nn
from autograd import InPlaceEditError, Tensor, Value

# -- in-place edits of recorded data ---------------------------------------------


def test_editing_a_leafs_data_in_place_after_recording_is_caught_at_backward():
    x = Tensor([1.0, 2.0], name="x")
    y = (x * x).sum()
    x.data[...] = [10.0, 20.0]
    with pytest.raises(InPlaceEditError, match=r"input 0 of 'mul' \(a leaf Tensor of shape \(2,\) named 'x'\) was changed in place"):
        y.backward()
    assert x.grad is None  # nothing was accumulated


def test_the_error_says_what_to_do_and_names_the_line_under_detect_anomaly():
    x = Tensor([1.0, 2.0])
    with autograd.detect_anomaly():
        y = (x * 3.0).exp().sum()  # exp's VJP reads its output
    y.inputs[0].data[0] = 5.0
    with pytest.raises(InPlaceEditError) as caught:
        y.backward()
    message = str(caught.value)
    assert "the output of 'exp' (the result of 'exp' of shape (2,))" in message
    assert re.search(r"created at .*test_trust\.py:\d+ in test_the_error", message)
    assert "before the operations that use the data are recorded" in message and "copy" in message


def test_editing_an_intermediate_that_a_later_vjp_reads_is_caught():
    x = Tensor([0.5, 1.5])
    h = x * 2.0
    y = (h * h).sum()  # mul reads h
    h.data += 1.0
    with pytest.raises(InPlaceEditError, match="input 0 of 'mul' \\(the result of 'mul'"):
        y.backward()


@pytest.mark.parametrize("size", [4, 20_000])  # kept byte for byte, and past the 64 kB by checksum
def test_an_array_read_by_two_operations_is_checked_against_what_each_of_them_used(size):
    # relu keeps its output h, and the product reads h too: h is edited between the two
    # records and restored afterwards, so it matches relu's record but not the product's.
    x = Tensor(np.linspace(0.5, 1.5, size))
    w = Tensor(np.full(size, 2.0))
    h = x.relu()
    saved = h.data.copy()
    h.data[1] = 7.0
    y = (h * w).sum()  # dw = h: the edited values
    h.data[...] = saved
    with pytest.raises(InPlaceEditError, match=r"input 0 of 'mul' \(the result of 'relu'"):
        y.backward()


def test_an_edit_that_no_gradient_depends_on_is_allowed():
    x = Tensor([1.0, 2.0])
    y = (x + 1.0).sum()  # add's gradient does not read its inputs
    x.data[...] = [7.0, 8.0]
    y.backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])


def test_a_constant_array_keeps_the_values_the_forward_pass_used():
    batch = np.array([[1.0, 2.0], [3.0, 4.0]])
    W = Tensor(np.eye(2))
    loss = (batch @ W).sum()  # dW = batchᵀ · g reads the batch
    batch *= 2.0  # the caller's array; the graph kept its own copy
    loss.backward()
    np.testing.assert_array_equal(W.grad, [[4.0, 4.0], [6.0, 6.0]])


def test_a_large_array_edited_in_one_element_is_caught():
    x = Tensor(np.linspace(0.0, 1.0, 100_000))  # past the 64 kB kept byte for byte
    y = (x * x).sum()
    x.data[63_701] = np.nextafter(x.data[63_701], 2.0)  # one unit in the last place
    with pytest.raises(InPlaceEditError):
        y.backward()


def _word_sum(array):
    return int(np.ascontiguousarray(array).reshape(-1).view(np.uint64).sum())


# Edits of a large array that keep the sum of its 64-bit words mod 2**64: a change
# of sign adds 2**63 to a word whichever way it goes, so an even number of them
# cancel; a doubling adds 2**52, so 4,096 of them do; a swap moves no word.
STRUCTURED_EDITS = {
    "negate all": lambda a: np.negative(a, out=a),
    "negate two": lambda a: a.reshape(-1)[:2].__imul__(-1),
    "double all": lambda a: a.__imul__(2),
    "swap two": lambda a: a.reshape(-1).__setitem__([0, 9_000], a.reshape(-1)[[9_000, 0]]),
    "sort": lambda a: a.reshape(-1).sort(),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("edit", STRUCTURED_EDITS.values(), ids=STRUCTURED_EDITS.keys())
def test_structured_edits_of_a_large_array_that_keep_its_word_sum_are_caught(edit, dtype):
    rng = np.random.default_rng(3)
    values = rng.standard_normal((256, 128))  # 32,768 values: over 64 kB in both dtypes
    W = Tensor(values.astype(dtype))
    x = Tensor(rng.standard_normal((4, 256)).astype(dtype))
    y = (x @ W).sum()  # the VJP for x reads W
    before = _word_sum(W.data)
    edit(W.data)
    if dtype is np.float64 and edit is not STRUCTURED_EDITS["negate two"]:
        assert _word_sum(W.data) == before  # the edit is one a sum of words alone misses
    with pytest.raises(InPlaceEditError, match="input 1 of 'dot'"):
        y.backward()


def test_the_textbook_protocol_catches_a_change_of_sign_of_its_weights():
    rng = np.random.default_rng(4)
    affine = nn.Affine(rng.standard_normal((784, 50)), np.zeros(50))
    affine.forward(rng.standard_normal((10, 784)))
    affine.W *= -1  # even count of sign flips: the sum of the words is unchanged
    with pytest.raises(InPlaceEditError, match="Affine.backward: input 1 of 'affine'"):
        affine.backward(np.ones((10, 50)))


@pytest.mark.parametrize("make", [
    lambda rng: rng.standard_normal((300, 301)),  # a size with a partial last block of 4,096
    lambda rng: rng.standard_normal((301, 300)).T,  # not contiguous: fingerprinted from a copy
    lambda rng: np.where(rng.random((200, 100)) < 0.1, np.nan, rng.standard_normal((200, 100))),
    lambda rng: rng.standard_normal((200, 100)).astype(np.float32) * np.float32(1e30),
    lambda rng: rng.integers(-5, 5, (200, 100)),  # not float: kept byte for byte
], ids=["partial block", "transposed", "with NaN", "float32 near overflow", "integers"])
def test_large_arrays_left_alone_pass_the_check(make):
    data = make(np.random.default_rng(5))
    assert data.nbytes > 65536
    assert autograd.engine.checksum(data) == autograd.engine.checksum(data.copy())
    x = Tensor(data.astype(np.float64))
    y = (x * x).sum()
    y.backward()
    np.testing.assert_array_equal(x.grad, 2 * x.data)


def test_float32_data_edited_in_place_is_caught():
    x = Tensor(np.ones(301, dtype=np.float32))
    y = (x * x).sum()
    x.data[5] = 2.0
    with pytest.raises(InPlaceEditError):
        y.backward()


def test_rebinding_data_after_recording_is_caught_for_values_and_tensors():
    v = Value(2.0)
    w = v * v
    v.data = 3.0
    with pytest.raises(InPlaceEditError, match=r"input 0 of 'mul' \(a leaf Value\) was given new data"):
        w.backward()
    t = Tensor([1.0, 2.0])
    u = (t * t).sum()
    t.data = np.array([1.0, 2.0])  # the same numbers, another array: still refused, like a version counter
    with pytest.raises(InPlaceEditError):
        u.backward()


def test_editing_before_recording_and_after_backward_is_fine():
    x = Tensor([1.0, 2.0])
    x.data[...] = [3.0, 4.0]
    y = (x * x).sum()
    y.backward()
    np.testing.assert_array_equal(x.grad, [6.0, 8.0])
    x.data -= 0.5  # an optimizer's step, after backward
    x.zero_grad()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [5.0, 7.0])


def test_a_second_backward_after_an_edit_is_caught():
    x = Tensor([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    x.data *= 3.0
    with pytest.raises(InPlaceEditError):
        y.backward()


def test_affine_weights_changed_between_forward_and_backward_are_caught():
    W = np.array([[1.0, -1.0], [2.0, 0.5]])
    layer = nn.Affine(W, np.zeros(2))
    layer.forward(np.array([[1.0, 1.0]]))
    W[0, 0] = 100.0  # the caller's array, shared with the layer
    with pytest.raises(InPlaceEditError, match="Affine.backward: input 1 of 'affine'"):
        layer.backward(np.ones((1, 2)))


def test_the_textbook_protocol_keeps_no_checksums_inside_skip_edit_checks():
    rng = np.random.default_rng(6)
    W, x, dout = rng.standard_normal((300, 40)), rng.standard_normal((5, 300)), rng.standard_normal((5, 40))
    guarded, unguarded = nn.Affine(W, np.zeros(40)), nn.Affine(W.copy(), np.zeros(40))
    guarded.forward(x)
    with autograd.engine.skip_edit_checks():
        unguarded.forward(x)
        assert unguarded._fast[-1] == () and len(guarded._fast[-1]) == 2  # checksums of x and W
        np.testing.assert_array_equal(unguarded.backward(dout), guarded.backward(dout))
    np.testing.assert_array_equal(unguarded.dW, guarded.dW)
    unguarded.forward(x)  # outside again: guarded as before
    unguarded.W[0, 0] += 1.0
    with pytest.raises(InPlaceEditError, match="Affine.backward: input 1 of 'affine'"):
        unguarded.backward(dout)


def test_a_layers_input_changed_between_forward_and_backward_is_caught():
    layer = nn.Affine(np.array([[1.0, -1.0], [2.0, 0.5]]), np.zeros(2))
    x = np.array([[1.0, 1.0]])
    layer.forward(x)
    x *= 3.0  # dW = xᵀ·dout reads the input
    with pytest.raises(InPlaceEditError, match=r"Affine.backward: input 0 of 'affine' \(an array of shape \(1, 2\)\)"):
        layer.backward(np.ones((1, 2)))
    layer.forward(x)  # a fresh forward sees the new values
    np.testing.assert_array_equal(layer.backward(np.ones((1, 2))), [[0.0, 2.5]])


def test_optimizers_update_in_place_between_steps():
    x, t = nn.spiral(n_per_class=10, seed=0)
    net = nn.TwoLayerNet(input_size=2, hidden_size=5, output_size=3, weight_init_std=1.0, seed=0)
    optimizer = nn.SGD(lr=0.5)
    expected = {key: value.copy() for key, value in net.params.items()}
    for _ in range(3):
        grads = net.gradient(x, t)
        for key in expected:
            expected[key] -= 0.5 * grads[key]
        optimizer.update(net.params, grads)
    for key, value in expected.items():
        np.testing.assert_allclose(net.params[key], value)


def test_recorded_network_trained_on_nodes_by_hand():
    W = Tensor(np.array([[0.5, -0.5], [0.25, 1.0]]))
    x = np.array([[1.0, 2.0]])
    for _ in range(2):
        loss = ((x @ W) ** 2).sum()
        loss.backward()
        W.data -= 0.1 * W.grad  # in place, after backward
        W.zero_grad()
    assert np.isfinite(W.data).all()


# -- every gradient owns its memory ---------------------------------------------------


def test_gradients_passed_on_unchanged_are_separate_arrays():
    a, b = Tensor([1.0, 2.0]), Tensor([3.0, 4.0])
    ((a + b) * 1.0).sum().backward()
    assert a.grad is not b.grad and not np.shares_memory(a.grad, b.grad)
    for p in (a, b):  # the hand-written update the promise is for
        p.grad *= 0.1
        p.data -= p.grad
    np.testing.assert_allclose(a.data, [0.9, 1.9])
    np.testing.assert_allclose(b.data, [2.9, 3.9])


def test_a_leafs_gradient_is_not_a_view_of_another_nodes():
    x = Tensor(np.arange(6.0))
    h = x.reshape((2, 3))
    y = (h * 2.0).sum()
    y.backward()
    assert x.grad.base is None and not np.shares_memory(x.grad, h.grad)


def test_backward_does_not_keep_the_callers_gradient():
    x = Tensor([1.0, 2.0])
    y = x + 0.0
    g = np.array([1.0, 1.0])
    y.backward(g)
    assert not np.shares_memory(y.grad, g) and not np.shares_memory(x.grad, g)
    g[:] = 100.0
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])


def test_assigning_grad_by_hand_is_checked():
    t = Tensor(np.zeros(3))
    t.grad = np.ones(3)
    np.testing.assert_array_equal(t.grad, np.ones(3))
    with pytest.raises(ValueError, match=r"shape \(2,\) does not match the data's shape \(3,\)"):
        t.grad = np.ones(2)
    with pytest.raises(TypeError, match="float64 but the gradient is float32"):
        t.grad = np.ones(3, dtype=np.float32)
    with pytest.raises(TypeError, match="float array"):
        t.grad = np.array(["a", "b", "c"])
    v = Value(1.0)
    v.grad = 2
    assert v.grad == 2.0 and v.grad.__class__ is float
    with pytest.raises(TypeError, match="real number"):
        v.grad = "1"
    with pytest.raises(ValueError, match="one real number"):
        v.grad = np.ones(2)
    v.grad = None
    assert v.grad is None


def test_assigning_data_by_hand_is_checked():
    v = Value(1.0)
    with pytest.raises(TypeError, match="Value.data must be a real number"):
        v.data = "two"
    t = Tensor([1.0])
    with pytest.raises(TypeError, match="unsupported dtype"):
        t.data = np.array(["x"])
    t.data = [1, 2]  # numbers become float64, as in the constructor
    assert t.data.dtype == np.float64 and t.shape == (2,)


# -- the audit's defects -----------------------------------------------------------------


@pytest.mark.parametrize("as_tensor", [False, True])
def test_a_boolean_mask_selects_like_numpy(as_tensor):
    x = Tensor([1.0, -2.0, 3.0, -4.0])
    mask = np.array([True, False, True, False])
    index = Tensor(mask, requires_grad=False) if as_tensor else mask
    picked = x[index]
    np.testing.assert_array_equal(picked.data, [1.0, 3.0])
    (picked * picked).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 6.0, 0.0])


def test_comparison_masks_select_too():
    x = Tensor([[1.0, -2.0], [3.0, -4.0]])
    x[x > 0].sum().backward()
    np.testing.assert_array_equal(x.grad, [[1.0, 0.0], [1.0, 0.0]])


def test_zero_grad_takes_a_dict_of_parameters():
    params = {"W": Tensor(np.ones(2)), "b": Tensor(np.ones(1))}
    (params["W"].sum() + params["b"].sum()).backward()
    autograd.zero_grad(params)
    assert all(p.grad is None for p in params.values())
    with pytest.raises(TypeError, match="not a node"):
        autograd.zero_grad({"W": np.ones(2)})


def test_bad_flags_and_seeds_are_clear_errors():
    with pytest.raises(TypeError, match="requires_grad must be True or False, got 'no'"):
        Value(1, requires_grad="no")
    with pytest.raises(TypeError, match="requires_grad must be True or False"):
        Tensor([1.0], requires_grad=None)
    y = Value(2.0) * 3.0
    with pytest.raises(TypeError, match="grad must be a number or an array of numbers"):
        y.backward("a")
    with pytest.raises(TypeError, match="create_graph must be True or False"):
        y.backward(create_graph="yes")


def test_format_specs_format_the_data():
    assert f"{Value(3.14159):.2f}" == "3.14"
    assert f"{Tensor(2.5):.1f}" == "2.5"
    assert f"{Tensor([1.25]):.3e}" == "1.250e+00"
    assert f"{Value(1.0)}" == str(Value(1.0))
    with pytest.raises(TypeError, match=r"shape \(2,\) has no single number"):
        f"{Tensor([1.0, 2.0]):.2f}"


def test_a_tensor_of_nodes_is_refused_instead_of_dropping_their_history():
    t1, t2 = Tensor([1.0]), Tensor([2.0])
    with pytest.raises(TypeError, match="drop their history"):
        Tensor([t1, t2])
    with pytest.raises(TypeError, match="drop their history"):
        Tensor([[Value(1.0), 2.0]])


# -- anomaly mode names the user's line -----------------------------------------------------


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_detect_anomaly_names_the_users_line_for_an_operation_inside_a_layer():
    layer = nn.Affine(np.array([[1e308, 1.0]]), np.zeros(2))
    with pytest.raises(autograd.AnomalyError) as caught:
        with autograd.detect_anomaly():
            layer(Tensor(np.array([[10.0]])))  # the line to name
    message = str(caught.value)
    assert re.search(r"created at .*test_trust\.py:\d+ in test_detect_anomaly_names", message), message
    assert "nn/layers.py" not in message


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_failure_in_a_recorded_backward_says_backward():
    x = Tensor([0.0, 1.0])
    with autograd.detect_anomaly():
        y = (x ** 0.5).sum()
        with pytest.raises(autograd.AnomalyError, match=r"^backward of 'pow' \(the gradient for input 0\)"):
            y.backward(create_graph=True)


# -- numerical gradients: loss-only passes -------------------------------------------


def test_a_numerical_gradient_keeps_no_guard_and_refuses_a_backward_from_its_passes():
    rng = np.random.default_rng(7)
    W, x = rng.standard_normal((300, 40)), rng.standard_normal((3, 300))
    layer = nn.Affine(W, np.zeros(40))
    kept = []

    def loss(_):
        out = layer.forward(x)
        kept.append(layer._fast[-1])
        return float((out ** 2).sum())

    numeric = nn.numerical_gradient(loss, layer.b)
    np.testing.assert_allclose(numeric, 2 * (x @ W).sum(axis=0), rtol=1e-6)  # d/db Σ (xW + b)², b = 0
    assert kept and all(k is None for k in kept)  # no checksums taken in the 80 loss-only calls
    with pytest.raises(InPlaceEditError, match=r"Affine.backward: the last forward\(\) ran inside nn.numerical_gradient"):
        layer.backward(np.ones((3, 40)))
    layer.forward(x)  # a forward outside: guarded, and backward works
    assert len(layer._fast[-1]) == 2
    np.testing.assert_allclose(layer.backward(np.ones((3, 40))), np.ones((3, 40)) @ W.T)


def test_a_backward_inside_a_numerical_gradients_function_is_refused_not_guessed():
    layer = nn.Affine(np.eye(2), np.zeros(2))

    def loss_and_backward(b):
        layer.forward(np.ones((1, 2)))
        layer.backward(np.ones((1, 2)))  # a backward pass inside: it could follow an edit in f
        return 0.0

    with pytest.raises(InPlaceEditError, match="numerical_gradient"):
        nn.numerical_gradient(loss_and_backward, layer.b)
    np.testing.assert_array_equal(layer.b, [0.0, 0.0])  # restored


def test_operations_recorded_inside_a_numerical_gradient_keep_their_checksums():
    from autograd.edits import forward_only

    x = Tensor(np.array([1.0, 2.0]))
    with forward_only():
        y = (x * x).sum()
    x.data[0] = 5.0
    with pytest.raises(InPlaceEditError, match="input 0 of 'mul'"):
        y.backward()
