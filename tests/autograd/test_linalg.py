"""Linear algebra on nodes: batched matmul, einsum, tensordot, norms, det, inv, solve.

As in test_array_ops, each case must agree with NumPy on plain data, record
NumPy's values when ``np.f`` is called on Tensors, and have first and second
derivatives matching central differences of NumPy's own function.
"""

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor
from autograd.testing import assert_grads_match_numeric

rng = np.random.default_rng(11)


def data(*shape):
    return rng.normal(size=shape)


def readout(out):
    """A smooth scalar with a different weight per element (as in test_array_ops)."""
    weights = 1.0 + 0.1 * np.arange(np.size(out)).reshape(np.shape(out))
    return np.sum(np.sin(out) * weights)


def well_conditioned(*shape):
    n = shape[-1]
    return data(*shape) + 3.0 * np.eye(n)


M33, M233 = well_conditioned(3, 3), well_conditioned(2, 3, 3)
A23, B34, V3, V4 = data(2, 3), data(3, 4), data(3), data(4)

CASES = [
    ("matmul-2d", lambda m, a, b: m.matmul(a, b), (A23, B34)),
    ("matmul-batched", lambda m, a, b: m.matmul(a, b), (data(2, 1, 2, 3), data(3, 3, 2))),
    ("matmul-vector-left", lambda m, a, b: m.matmul(a, b), (V3, data(2, 3, 4))),
    ("matmul-vector-right", lambda m, a, b: m.matmul(a, b), (data(2, 2, 3), V3)),
    ("matmul-operator", lambda m, a, b: a @ b, (data(2, 2, 3), data(3, 2))),
    ("dot-nd", lambda m, a, b: m.dot(a, b), (data(2, 2, 3), data(2, 3, 2))),
    ("dot-nd-vector", lambda m, a, b: m.dot(a, b), (data(2, 2, 3), V3)),
    ("dot-scalar", lambda m, a, b: m.dot(a, b), (np.array(1.5), A23)),
    ("tensordot", lambda m, a, b: m.tensordot(a, b, axes=([1, 0], [0, 2])), (data(3, 2, 2), data(2, 4, 3))),
    ("tensordot-int", lambda m, a, b: m.tensordot(a, b, 1), (A23, B34)),
    ("tensordot-0", lambda m, a, b: m.tensordot(a, b, 0), (V3, data(2))),
    ("inner", lambda m, a, b: m.inner(a, b), (A23, data(4, 3))),
    ("outer", lambda m, a, b: m.outer(a, b), (A23, V4)),
    ("einsum-matmul", lambda m, a, b: m.einsum("ij,jk->ik", a, b), (A23, B34)),
    ("einsum-implicit", lambda m, a, b: m.einsum("ij,kj", a, b), (A23, data(4, 3))),
    ("einsum-diagonal", lambda m, a: m.einsum("ii->i", a), (M33,)),
    ("einsum-trace", lambda m, a: m.einsum("ii", a), (M33,)),
    ("einsum-sum", lambda m, a: m.einsum("ij->", a), (A23,)),
    ("einsum-broadcast-out", lambda m, a, b: m.einsum("i,j->ij", a, b), (V3, V4)),
    ("einsum-three", lambda m, a, b, c: m.einsum("ij,jk,k->i", a, b, c), (A23, B34, V4)),
    ("einsum-ellipsis", lambda m, a, b: m.einsum("...ij,...jk->...ik", a, b), (data(2, 2, 3), data(1, 3, 2))),
    ("einsum-ellipsis-implicit", lambda m, a: m.einsum("...ii", a), (data(2, 3, 3),)),
    ("einsum-transpose", lambda m, a: m.einsum("ijk->kij", a), (data(2, 3, 2),)),
    ("kron", lambda m, a, b: m.kron(a, b), (A23, data(2, 2))),
    ("kron-mixed", lambda m, a, b: m.kron(a, b), (V3, data(2, 2))),
    ("cross", lambda m, a, b: m.cross(a, b), (V3, data(2, 3))),
    ("cross-axis", lambda m, a, b: m.cross(a, b, axis=0), (data(3, 2), data(3, 2))),
    ("norm", lambda m, a: m.linalg.norm(a), (data(2, 3),)),
    ("norm-2", lambda m, a: m.linalg.norm(a, 2), (V4,)),
    ("norm-1", lambda m, a: m.linalg.norm(a, 1), (V4,)),
    ("norm-inf", lambda m, a: m.linalg.norm(a, np.inf), (V4,)),
    ("norm--inf", lambda m, a: m.linalg.norm(a, -np.inf), (V4,)),
    ("norm-axis", lambda m, a: m.linalg.norm(a, axis=1, keepdims=True), (A23,)),
    ("norm-fro", lambda m, a: m.linalg.norm(a, "fro"), (A23,)),
    ("norm-matrix-1", lambda m, a: m.linalg.norm(a, 1), (A23,)),
    ("norm-matrix--1", lambda m, a: m.linalg.norm(a, -1), (A23,)),
    ("norm-matrix-inf", lambda m, a: m.linalg.norm(a, np.inf), (A23,)),
    ("norm-matrix--inf-axes", lambda m, a: m.linalg.norm(a, -np.inf, axis=(2, 0)), (data(2, 3, 4),)),
    ("det", lambda m, a: m.linalg.det(a), (M33,)),
    ("det-stack", lambda m, a: m.linalg.det(a), (M233,)),
    ("inv", lambda m, a: m.linalg.inv(a), (M33,)),
    ("inv-stack", lambda m, a: m.linalg.inv(a), (M233,)),
    ("solve-vector", lambda m, a, b: m.linalg.solve(a, b), (M33, V3)),
    ("solve-matrix", lambda m, a, b: m.linalg.solve(a, b), (M33, data(3, 2))),
    ("solve-stack-vector", lambda m, a, b: m.linalg.solve(a, b), (M233, V3)),
    ("solve-broadcast", lambda m, a, b: m.linalg.solve(a, b), (M33, data(2, 3, 2))),
    ("slogdet", lambda m, a: m.linalg.slogdet(a)[1], (M233,)),
]


@pytest.mark.parametrize("call, inputs", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_on_plain_data_autograd_gives_what_numpy_gives(call, inputs):
    expected, got = call(np, *inputs), call(ag, *inputs)
    assert np.shape(got) == np.shape(expected)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("call, inputs", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_numpy_functions_on_tensors_record_numpys_values(call, inputs):
    recorded = call(np, *[Tensor(x) for x in inputs])
    assert isinstance(recorded, Tensor) and recorded.requires_grad
    np.testing.assert_allclose(recorded.data, call(np, *inputs), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("order", [1, 2])
@pytest.mark.parametrize("call, inputs", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_derivatives_match_central_differences_of_numpy(call, inputs, order):
    assert_grads_match_numeric(lambda *xs: readout(call(np, *xs)), *inputs, order=order)


# -- closed forms and subgradients --------------------------------------------------------


def test_matmul_of_1d_and_2d_operands_stays_the_op_tables_dot_node():
    a, b = Tensor(A23), Tensor(B34)
    assert (a @ b).op == "dot" and ag.matmul(a, b).op == "dot"
    assert (Tensor(data(2, 2, 3)) @ b).op == "matmul"


def test_det_inv_and_solve_gradients_have_their_closed_forms():
    a = Tensor(M33)
    ag.linalg.det(a).backward()
    np.testing.assert_allclose(a.grad, np.linalg.det(M33) * np.linalg.inv(M33).T, rtol=1e-12)
    a, b = Tensor(M33), Tensor(V3)
    x = ag.linalg.solve(a, b)
    g = np.array([1.0, -2.0, 0.5])
    x.backward(g)
    gb = np.linalg.solve(M33.T, g)
    np.testing.assert_allclose(b.grad, gb, rtol=1e-12)
    np.testing.assert_allclose(a.grad, -np.outer(gb, x.data), rtol=1e-12)


def test_the_2_norm_has_a_zero_subgradient_at_zero_as_pytorch():
    x = Tensor(np.zeros(3))
    ag.linalg.norm(x).backward()
    np.testing.assert_array_equal(x.grad, np.zeros(3))
    y = Tensor(np.array([[0.0, 0.0], [3.0, 4.0]]))
    ag.sum(ag.linalg.norm(y, axis=1)).backward()
    np.testing.assert_allclose(y.grad, [[0.0, 0.0], [0.6, 0.8]])


def test_the_inf_norm_splits_the_gradient_among_tied_largest_magnitudes_as_torch():
    x = Tensor(np.array([1.0, -3.0, 3.0]))
    ag.linalg.norm(x, np.inf).backward()
    np.testing.assert_array_equal(x.grad, [0.0, -0.5, 0.5])


def test_einsum_gradient_of_a_diagonal_lands_on_the_diagonal():
    a = Tensor(M33)
    ag.einsum("ii->i", a).backward(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(a.grad, np.diag([1.0, 2.0, 3.0]))


# -- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("call, error, message", [
    (lambda: ag.matmul(Tensor(np.ones((2, 2, 3))), np.ones((4, 2))), ValueError,
     r"matmul: shapes \(2, 2, 3\) and \(4, 2\) are not aligned: 3 .* != 4"),
    (lambda: ag.matmul(Tensor(np.ones((2, 2, 3))), np.ones((3, 3, 2))), ValueError,
     r"matmul: the batch axes of shapes \(2, 2, 3\) and \(3, 3, 2\) do not broadcast"),
    (lambda: ag.matmul(Tensor(np.ones(3)), 2.0), ValueError, "matmul: operands must have at least one axis"),
    (lambda: ag.dot(Tensor(np.ones((2, 3, 2))), np.ones((3, 2))), ValueError,
     r"dot: shapes \(2, 3, 2\) and \(3, 2\) do not match along the summed axes"),
    (lambda: ag.tensordot(Tensor(np.ones((2, 3))), np.ones((2, 3)), 3), ValueError, "tensordot: cannot sum over 3 axes"),
    (lambda: ag.inner(Tensor(np.ones(2)), np.ones(3)), ValueError, r"inner: shapes \(2,\) and \(3,\)"),
    (lambda: ag.einsum("ij,jk->ik", Tensor(np.ones((2, 3))), np.ones((2, 2))), ValueError,
     r"einsum: letter 'j' stands for axes of sizes 3 and 2"),
    (lambda: ag.einsum("ij,jk->ik", Tensor(np.ones((2, 1))), np.ones((3, 2))), ValueError,
     "einsum: letter 'j' stands for axes of sizes 1 and 3"),
    (lambda: ag.einsum("...i,...i", Tensor(np.ones((2, 3))), np.ones((3, 3))), ValueError,
     r"einsum: the '\.\.\.' axes of operand shapes \(2, 3\), \(3, 3\) do not broadcast"),
    (lambda: ag.einsum("ij->ik", Tensor(np.ones((2, 1)))), ValueError, r"output letter\(s\) \['k'\] appear in no operand"),
    (lambda: ag.einsum("ij", Tensor(np.ones(2))), ValueError, r"subscripts 'ij' name 2 axes but the operand has shape \(2,\)"),
    (lambda: ag.einsum("i,i", Tensor(np.ones(2))), ValueError, "name 2 operands but 1 were given"),
    (lambda: ag.einsum("i->ii", Tensor(np.ones(2))), ValueError, "repeat a letter"),
    (lambda: ag.einsum("i1", Tensor(np.ones(2))), ValueError, "invalid subscripts"),
    (lambda: ag.cross(Tensor(np.ones(2)), np.ones(2)), ValueError, "cross: needs 3-element vectors"),
    (lambda: ag.linalg.norm(Tensor(np.ones(3)), 3), ValueError, "norm: vector ord 3 is not supported"),
    (lambda: ag.linalg.norm(Tensor(np.ones((2, 2))), 3), ValueError, "norm: matrix ord 3 is not supported"),
    (lambda: ag.linalg.norm(Tensor(np.ones((2, 2, 2))), 1), ValueError, "norm: ord=1 needs a 1-D or 2-D input"),
    (lambda: ag.linalg.det(Tensor(np.ones((2, 3)))), ValueError, r"det: needs square matrices .* got shape \(2, 3\)"),
    (lambda: ag.linalg.inv(Tensor(np.ones((2, 2)))), np.linalg.LinAlgError, "inv: the matrix is singular to working precision"),
    (lambda: ag.linalg.inv(Tensor(np.stack([np.eye(2), np.ones((2, 2))]))), np.linalg.LinAlgError,
     r"inv: the matrix \(matrix \[1\] of the stack\) is singular"),
    (lambda: ag.linalg.inv(1.0 / (np.arange(14)[:, None] + np.arange(14) + 1.0)), np.linalg.LinAlgError,
     r"inv: the matrix is singular to working precision \(condition number [0-9.]+e\+1[6-9]"),  # Hilbert, 14×14
    (lambda: ag.linalg.solve(Tensor(np.array([[1.0, 2.0], [2.0, 4.0]])), np.ones(2)), np.linalg.LinAlgError,
     "solve: the matrix is singular"),
    (lambda: ag.linalg.solve(Tensor(np.eye(2)), np.ones(3)), ValueError,
     r"solve: a of shape \(2, 2\) and b of shape \(3,\) do not fit"),
    (lambda: ag.linalg.det(np.eye(2) * 1j), TypeError, "det: complex input"),
    (lambda: ag.einsum("i,i", Tensor(np.ones(2)), np.ones(2) * 1j), TypeError, "einsum: complex input"),
])
def test_bad_input_is_refused_naming_the_function(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("ord", [2, -2, "nuc"])
@pytest.mark.parametrize("shape, axis", [((3, 2), None), ((2, 3, 2), (2, 0))])
def test_singular_value_norms_match_numpy_and_central_differences_to_first_order(ord, shape, axis):
    x = data(*shape)
    np.testing.assert_allclose(ag.linalg.norm(x, ord, axis), np.linalg.norm(x, ord, axis), rtol=1e-12)
    recorded = np.linalg.norm(Tensor(x), ord, axis, keepdims=True)
    assert recorded.op == "reshape" and recorded.shape == np.linalg.norm(x, ord, axis, keepdims=True).shape
    assert_grads_match_numeric(lambda x: readout(np.linalg.norm(x, ord, axis)), x)
    with pytest.raises(NotImplementedError, match=f"norm: the matrix norm ord={ord!r} has first derivatives only"):
        assert_grads_match_numeric(lambda x: readout(np.linalg.norm(x, ord, axis)), x, order=2)


def test_the_spectral_norm_gradient_is_the_top_singular_pair():
    x = Tensor(np.diag([3.0, 1.0]))
    ag.linalg.norm(x, 2).backward()
    np.testing.assert_allclose(np.abs(x.grad), [[1.0, 0.0], [0.0, 0.0]], atol=1e-12)


def test_the_gradient_of_det_at_a_singular_matrix_is_refused_not_noise():
    a = Tensor(np.array([[1.0, 2.0], [2.0, 4.0]]))
    d = ag.linalg.det(a)
    assert d.data == 0.0  # the value is right
    with pytest.raises(np.linalg.LinAlgError, match="det: the gradient at a singular matrix"):
        d.backward()


# -- properties over random shapes -----------------------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@st.composite
def matmul_operands(draw):
    """Two operands np.matmul accepts: 1-D or matrices with broadcasting batch axes."""
    m, k, n = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    batch = draw(st.lists(st.integers(1, 2), max_size=2))
    a_batch = [draw(st.sampled_from([size, 1])) for size in batch]
    b_batch = [draw(st.sampled_from([size, 1])) for size in batch][draw(st.integers(0, len(batch))):]
    a_shape = (k,) if draw(st.booleans()) and not a_batch else (*a_batch, m, k)
    b_shape = (k,) if draw(st.booleans()) and not b_batch else (*b_batch, k, n)
    seed = draw(st.integers(0, 2**16))
    r = np.random.default_rng(seed)
    return r.normal(size=a_shape), r.normal(size=b_shape)


@given(matmul_operands())
def test_batched_matmul_matches_numpy_and_central_differences(operands):
    a, b = operands
    np.testing.assert_allclose(ag.matmul(Tensor(a), b).data, np.matmul(a, b), rtol=1e-12, atol=1e-12)
    assert_grads_match_numeric(lambda a, b: readout(np.matmul(a, b)), a, b)
