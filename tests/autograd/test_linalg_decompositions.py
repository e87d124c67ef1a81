"""np.linalg's matrix powers and decompositions on nodes: matrix_power, cholesky, eigh, eigvalsh, svd, svdvals.

Each must give NumPy's values on plain data and on Tensors, and first and
second derivatives (reverse and forward mode) that match central
differences of NumPy's own function. NumPy's decompositions of symmetric
matrices read one triangle only; on nodes they factor the symmetric part
(a + aᵀ)/2, so the symmetric gradient is the derivative of what is
computed, for any a (the cases below also go through x ↦ (x + xᵀ)/2, so
that their differences are those of NumPy's own functions); eigenvectors
and singular vectors are defined up to sign, so their losses are sign-free
(v², |u|). Where a derivative does not exist (repeated eigenvalues or
singular values, the arbitrary completion of a full U) it must be refused.
"""

import numpy as np
import pytest

import autograd as ag
from autograd import InPlaceEditError, Tensor
from autograd.testing import assert_grads_match_numeric

rng = np.random.default_rng(7)


def data(*shape):
    return rng.normal(size=shape)


def spd(*shape):
    """Symmetric positive definite with well-separated eigenvalues."""
    n = shape[-1]
    q = np.linalg.qr(data(*shape))[0]
    return (q * np.linspace(1.0, 3.0, n)[..., None, :]) @ np.swapaxes(q, -1, -2)


def sym(x):
    return (x + np.swapaxes(x, -1, -2)) / 2.0


def readout(out):
    """A smooth scalar with a different weight per element."""
    weights = 1.0 + 0.1 * np.arange(np.size(out)).reshape(np.shape(out))
    return np.sum(np.sin(out) * weights)


S33, S233 = spd(3, 3), spd(2, 3, 3)
TALL, WIDE, STACK = data(4, 3), data(3, 5), data(2, 3, 2)
M33 = data(3, 3) + 3.0 * np.eye(3)

CASES = [
    ("matrix_power-3", lambda m, a: m.linalg.matrix_power(a, 3), (M33,)),
    ("matrix_power-1", lambda m, a: m.linalg.matrix_power(a, 1), (M33,)),
    ("matrix_power-neg", lambda m, a: m.linalg.matrix_power(a, -2), (S233,)),
    ("matrix_power-0", lambda m, a: m.linalg.matrix_power(a, 0) + a, (S233,)),
    ("cholesky", lambda m, a: m.linalg.cholesky(sym(a)), (S33,)),
    ("cholesky-stack", lambda m, a: m.linalg.cholesky(sym(a)), (S233,)),
    ("cholesky-upper", lambda m, a: m.linalg.cholesky(sym(a), upper=True), (S33,)),
    ("eigvalsh", lambda m, a: m.linalg.eigvalsh(sym(a)), (S233,)),
    ("eigvalsh-upper", lambda m, a: m.linalg.eigvalsh(sym(a), UPLO="U"), (S33,)),
    ("eigh-values", lambda m, a: m.linalg.eigh(sym(a)).eigenvalues, (S233,)),
    ("eigh-vectors", lambda m, a: m.linalg.eigh(sym(a))[1] ** 2, (S233,)),
    ("eigh-projector", lambda m, a: m.linalg.eigh(sym(a), "U")[1][..., :, :1] @ m.linalg.eigh(sym(a), "U")[1][..., :1, :],
     (S33,)),
    ("svdvals-tall", lambda m, a: m.linalg.svdvals(a), (TALL,)),
    ("svdvals-wide-stack", lambda m, a: m.linalg.svd(a, compute_uv=False), (np.stack([WIDE, WIDE[::-1]]),)),
    ("svd-u-tall", lambda m, a: np.abs(m.linalg.svd(a, full_matrices=False)[0]), (TALL,)),
    ("svd-vh-tall", lambda m, a: np.abs(m.linalg.svd(a, full_matrices=False).Vh), (TALL,)),
    ("svd-u-wide", lambda m, a: np.abs(m.linalg.svd(a, full_matrices=False).U), (WIDE,)),
    ("svd-vh-wide", lambda m, a: np.abs(m.linalg.svd(a, full_matrices=False)[2]), (WIDE,)),
    ("svd-stack", lambda m, a: np.abs(m.linalg.svd(a, full_matrices=False)[0]) + m.linalg.svd(a)[1][..., None, :],
     (STACK,)),
    ("svd-full-square", lambda m, a: np.abs(m.linalg.svd(a)[0]) + np.abs(m.linalg.svd(a)[2]), (M33,)),
    ("svd-full-tall-values", lambda m, a: m.linalg.svd(a)[1], (TALL,)),
    ("qr-q-stack", lambda m, a: m.linalg.qr(a)[0], (np.stack([TALL, TALL[::-1]]),)),
    ("qr-r-square", lambda m, a: m.linalg.qr(a).R, (M33,)),
    ("qr-mode-r", lambda m, a: m.linalg.qr(a, mode="r"), (TALL,)),
    ("qr-wide", lambda m, a: m.linalg.qr(a)[0] + m.linalg.qr(a).R[..., :3], (np.stack([WIDE, WIDE[::-1]]),)),
    ("qr-wide-r", lambda m, a: m.linalg.qr(a, mode="r"), (WIDE,)),
    ("qr-wide-complete", lambda m, a: m.linalg.qr(a, mode="complete").R, (WIDE,)),
    ("pinv-tall-stack", lambda m, a: m.linalg.pinv(a), (STACK,)),
    ("pinv-wide", lambda m, a: m.linalg.pinv(a), (WIDE,)),
    ("lstsq-vector", lambda m, a, b: m.linalg.lstsq(a, b)[0], (TALL, data(4))),
    ("lstsq-residuals", lambda m, a, b: m.linalg.lstsq(a, b)[1], (TALL, data(4, 2))),
    ("lstsq-wide", lambda m, a, b: m.linalg.lstsq(a, b)[0], (WIDE, data(3, 2))),
    ("lstsq-s", lambda m, a, b: m.linalg.lstsq(a, b)[3], (TALL, data(4))),
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
def test_derivatives_match_central_differences_of_numpy_in_both_modes(call, inputs, order):
    assert_grads_match_numeric(lambda *xs: readout(call(np, *xs)), *inputs, order=order, modes=("rev", "fwd"))


def test_the_first_columns_of_a_full_u_differentiate_once_in_reverse_mode():
    """Backprop sees that the completion's cotangent is 0; forward mode and higher derivatives cannot, and refuse."""
    first_columns = lambda a: readout(np.abs(np.linalg.svd(a)[0][:, :3]))  # noqa: E731
    assert_grads_match_numeric(first_columns, TALL, modes=("rev",))
    assert_grads_match_numeric(lambda a: readout(np.abs(np.linalg.svd(a)[2][:3, :])), WIDE, modes=("rev",))
    with pytest.raises(ValueError, match="the last one column of U .*pass full_matrices=False"):
        ag.hessian(first_columns)(TALL)


# -- results as NumPy gives them, and closed forms ----------------------------------------------


def test_eigh_and_svd_results_unpack_and_name_their_parts_as_numpys():
    w, v = np.linalg.eigh(Tensor(S33))
    result = ag.linalg.eigh(Tensor(S33))
    assert result.eigenvalues.op == "eigvalsh" and result.eigenvectors.op == "eigh_vectors"
    np.testing.assert_allclose(w.data, np.linalg.eigh(S33).eigenvalues, rtol=1e-12)
    np.testing.assert_allclose(np.abs(v.data), np.abs(np.linalg.eigh(S33).eigenvectors), rtol=1e-12)
    u, s, vh = np.linalg.svd(Tensor(TALL))
    named = np.linalg.svd(Tensor(TALL))
    assert (u.shape, s.shape, vh.shape) == ((4, 4), (3,), (3, 3))
    assert (named.U.op, named.S.op, named.Vh.op) == ("svd_u", "svdvals", "svd_vh")
    assert np.linalg.svd(Tensor(TALL), compute_uv=False).op == "svdvals"


def test_gradients_have_their_closed_forms():
    a = Tensor(np.array([[4.0]]))
    np.linalg.cholesky(a).sum().backward()
    np.testing.assert_allclose(a.grad, [[1.0 / (2.0 * 2.0)]])  # d√a/da
    a = Tensor(np.diag([1.0, 2.0, 5.0]))
    (np.linalg.eigvalsh(a) * np.array([1.0, 10.0, 100.0])).sum().backward()
    np.testing.assert_allclose(a.grad, np.diag([1.0, 10.0, 100.0]), atol=1e-15)
    a, weights = Tensor(TALL), np.array([1.0, -2.0, 0.5])
    (np.linalg.svdvals(a) * weights).sum().backward()
    u, _, vh = np.linalg.svd(TALL, full_matrices=False)
    np.testing.assert_allclose(a.grad, u @ np.diag(weights) @ vh, rtol=1e-12)


def test_the_symmetric_gradients_are_symmetric_and_give_the_change_along_symmetric_perturbations():
    a = Tensor(S33)
    readout(np.linalg.cholesky(a)).backward()
    np.testing.assert_allclose(a.grad, a.grad.T, rtol=1e-12)
    direction = sym(data(3, 3))
    step = 1e-6
    change = (readout(np.linalg.cholesky(S33 + step * direction)) - readout(np.linalg.cholesky(S33 - step * direction))) / (2 * step)
    np.testing.assert_allclose(np.sum(a.grad * direction), change, rtol=1e-6)


LOPSIDED = S33 + np.triu(np.full((3, 3), 0.3), 1)  # not symmetric: the upper triangle differs


@pytest.mark.parametrize("upper", [False, True])
def test_plain_data_reads_the_triangle_numpy_reads(upper):
    uplo = "U" if upper else "L"
    np.testing.assert_array_equal(ag.linalg.cholesky(LOPSIDED, upper=upper), np.linalg.cholesky(LOPSIDED, upper=upper))
    np.testing.assert_array_equal(ag.linalg.eigh(LOPSIDED, UPLO=uplo)[0], np.linalg.eigh(LOPSIDED, UPLO=uplo)[0])
    np.testing.assert_array_equal(ag.linalg.eigvalsh(LOPSIDED, UPLO=uplo), np.linalg.eigvalsh(LOPSIDED, UPLO=uplo))


@pytest.mark.parametrize("upper", [False, True])
def test_on_nodes_the_symmetric_part_is_factored_and_a_symmetric_matrix_gives_numpys_values_to_the_bit(upper):
    uplo = "U" if upper else "L"
    np.testing.assert_allclose(np.linalg.cholesky(Tensor(LOPSIDED), upper=upper).data,
                               np.linalg.cholesky(sym(LOPSIDED), upper=upper), rtol=1e-12)
    np.testing.assert_allclose(np.linalg.eigvalsh(Tensor(LOPSIDED), UPLO=uplo).data,
                               np.linalg.eigvalsh(sym(LOPSIDED)), rtol=1e-12)
    exact = sym(S233)  # symmetric to the bit (S233 itself is so only to rounding)
    assert np.array_equal(exact, np.swapaxes(exact, -1, -2))
    np.testing.assert_array_equal(np.linalg.cholesky(Tensor(exact), upper=upper).data,
                                  np.linalg.cholesky(exact, upper=upper))
    w, v = np.linalg.eigh(Tensor(exact), UPLO=uplo)
    np.testing.assert_array_equal(v.data, np.linalg.eigh(exact, UPLO=uplo)[1])
    # The eigenvalues on nodes are eigvalsh's, which LAPACK computes without the vectors: NumPy's to rounding.
    np.testing.assert_array_equal(w.data, np.linalg.eigvalsh(exact, UPLO=uplo))
    np.testing.assert_allclose(w.data, np.linalg.eigh(exact, UPLO=uplo)[0], rtol=1e-14)


@pytest.mark.parametrize("call", [
    lambda a: np.linalg.eigvalsh(a),
    lambda a: np.linalg.eigh(a, UPLO="U")[1] ** 2,
    lambda a: np.linalg.cholesky(a),
    lambda a: np.linalg.cholesky(a, upper=True),
], ids=["eigvalsh", "eigh-vectors", "cholesky", "cholesky-upper"])
def test_the_gradient_of_a_matrix_that_is_not_symmetric_is_the_derivative_of_what_is_computed(call):
    """Element by element, with no symmetrising wrapper: a symmetric gradient of a one-triangle read would fail here."""
    assert_grads_match_numeric(lambda a: readout(call(a)), LOPSIDED, modes=("rev", "fwd"))
    assert_grads_match_numeric(lambda a: readout(call(a)), S33, modes=("rev", "fwd"))


def test_matrix_power_0_is_the_identity_with_a_zero_gradient():
    a = Tensor(S233)
    p = ag.linalg.matrix_power(a, 0)
    np.testing.assert_array_equal(p.data, np.broadcast_to(np.eye(3), (2, 3, 3)))
    p.sum().backward()
    np.testing.assert_array_equal(a.grad, np.zeros((2, 3, 3)))


# -- where no derivative exists: refused, never noise ----------------------------------------------

DEGENERATE = np.stack([S33, np.diag([1.0, 1.0, 2.0])])  # the second has a repeated eigenvalue


def test_eigenvalue_gradients_are_fine_at_repeated_eigenvalues():
    a = Tensor(DEGENERATE)
    (np.linalg.eigvalsh(a) ** 2).sum().backward()  # Σw² = ‖A‖²: the gradient is 2A
    np.testing.assert_allclose(a.grad, 2.0 * DEGENERATE, rtol=1e-12, atol=1e-12)
    b = Tensor(DEGENERATE)
    w, v = np.linalg.eigh(b)  # v is computed but not differentiated
    w.sum().backward()
    np.testing.assert_allclose(b.grad, np.broadcast_to(np.eye(3), (2, 3, 3)), atol=1e-12)
    _, tangent = ag.jvp(lambda x: np.linalg.eigvalsh(x).sum(), (DEGENERATE,), (np.ones((2, 3, 3)),))
    np.testing.assert_allclose(tangent, 6.0, rtol=1e-12)


@pytest.mark.parametrize("matrix", [np.diag([1.0, 1.0, 2.0]), np.diag([1.0, 1.0 + 1e-10, 2.0])], ids=["equal", "near"])
def test_eigenvector_gradients_are_refused_at_equal_or_nearly_equal_eigenvalues(matrix):
    stack = np.stack([S33, matrix])
    pattern = (r"eigh: the gradient of the eigenvectors is undefined here: the matrix \(matrix \[1\] of the stack\) "
               r"has eigenvalues \[1\. +1\. +2\.\], of which two are equal or nearly so .*Differentiate the eigenvalues only")
    a = Tensor(stack)
    loss = (np.linalg.eigh(a)[1] ** 2 * np.arange(9.0).reshape(3, 3)).sum()
    with pytest.raises(np.linalg.LinAlgError, match=pattern):
        loss.backward()
    with pytest.raises(np.linalg.LinAlgError, match=pattern):
        ag.jvp(lambda x: (np.linalg.eigh(x)[1] ** 2).sum(), (stack,), (np.ones((2, 3, 3)),))
    with pytest.raises(np.linalg.LinAlgError, match=pattern):  # the second derivative of the eigenvalues needs them
        ag.hessian(lambda x: (np.linalg.eigvalsh(x) ** 3).sum())(stack)


def test_eigenvectors_whose_gradient_is_zero_are_fine_at_repeated_eigenvalues():
    a = Tensor(DEGENERATE)
    w, v = np.linalg.eigh(a)
    (w.sum() + (v * 0.0).sum()).backward()
    np.testing.assert_allclose(a.grad, np.broadcast_to(np.eye(3), (2, 3, 3)), atol=1e-12)


@pytest.mark.parametrize("matrix, problem", [
    (np.diag([2.0, 2.0, 1.0]), "two are equal or nearly so"),
    (np.diag([3.0, 1.0, 0.0]), "one is 0 or nearly so"),
], ids=["tie", "zero"])
def test_singular_vector_gradients_are_refused_at_tied_or_zero_singular_values(matrix, problem):
    for part in (0, 2):
        a = Tensor(matrix)
        loss = (np.linalg.svd(a, full_matrices=False)[part] ** 2 * np.arange(9.0).reshape(3, 3)).sum()
        with pytest.raises(np.linalg.LinAlgError, match=f"svd: the gradient of the singular vectors is undefined here: "
                                                          f".*singular values .*{problem}.*svdvals"):
            loss.backward()
    a = Tensor(matrix)
    np.linalg.svdvals(a).sum().backward()  # the nuclear norm: U·Vᵀ on the nonzero part
    u, _, vh = np.linalg.svd(matrix)
    np.testing.assert_allclose(a.grad, u @ vh, atol=1e-12)


def test_the_completion_of_a_full_u_has_no_derivative_and_is_refused():
    a = Tensor(TALL)
    u = np.linalg.svd(a)[0]  # (4, 4): the last column completes the basis
    with pytest.raises(ValueError, match=r"svd: with full_matrices=True, the last one column of U of a matrix of shape "
                                         r"\(4, 3\) .*pass full_matrices=False"):
        (u ** 2 * np.arange(16.0).reshape(4, 4)).sum().backward()
    with pytest.raises(ValueError, match=r"the last 2 rows of Vh .*pass full_matrices=False"):
        ag.jvp(lambda x: (np.linalg.svd(x)[2] ** 2).sum(), (WIDE,), (np.ones((3, 5)),))


def test_cholesky_of_a_matrix_that_is_not_positive_definite_is_refused_naming_it():
    stack = np.stack([S33, np.diag([1.0, -1.0, 1.0])])
    with pytest.raises(np.linalg.LinAlgError, match=r"cholesky: the matrix \(matrix \[1\] of the stack\) is not positive "
                                                    r"definite \(input of shape \(2, 3, 3\)\)"):
        np.linalg.cholesky(Tensor(stack))
    with pytest.raises(np.linalg.LinAlgError, match=r"cholesky: the matrix is not positive definite \(input of shape \(2, 2\)\)"):
        ag.linalg.cholesky(-np.eye(2))


# -- in-place edits between forward and backward ---------------------------------------------------


@pytest.mark.parametrize("call", [
    lambda a: np.linalg.svdvals(a),
    lambda a: np.abs(np.linalg.svd(a, full_matrices=False)[0]),
    lambda a: np.linalg.qr(a)[0],
    lambda a: np.linalg.qr(a)[1],
], ids=["svdvals", "svd-u", "qr-q", "qr-r"])
def test_editing_the_input_in_place_before_backward_is_caught(call):
    a = Tensor(S33.copy())
    loss = readout(call(a))
    a.data[0, 0] += 1.0
    with pytest.raises(InPlaceEditError, match="was changed in place"):
        loss.backward()


@pytest.mark.parametrize("call", [
    lambda a: np.linalg.eigvalsh(a),
    lambda a: np.linalg.eigh(a)[1] ** 2,
    lambda a: np.linalg.cholesky(a),
], ids=["eigvalsh", "eigh-vectors", "cholesky"])
def test_editing_the_input_of_a_symmetric_decomposition_is_harmless(call):
    """They factor a's symmetric part, a new array: the gradient stays the one at the recorded point."""
    a = Tensor(S33.copy())
    readout(call(a)).backward()
    expected = a.grad.copy()
    b = Tensor(S33.copy())
    loss = readout(call(b))
    b.data[0, 0] += 1.0
    loss.backward()
    np.testing.assert_allclose(b.grad, expected, rtol=1e-12)


def test_editing_the_eigenvectors_in_place_before_backward_is_caught():
    a = Tensor(S33.copy())
    v = np.linalg.eigh(a)[1]
    loss = readout(v ** 2)
    v.data[0, 0] += 1.0
    with pytest.raises(InPlaceEditError, match="'eigh_vectors'"):
        loss.backward()


def test_cholesky_reads_its_factor_not_its_input():
    a = Tensor(S33.copy())
    factor = np.linalg.cholesky(a)
    readout(factor).backward()
    expected = a.grad.copy()
    b = Tensor(S33.copy())
    factor = np.linalg.cholesky(b)
    loss = readout(factor)
    b.data[0, 0] += 1.0  # the gradient reads only L, so it stays the one at the recorded point
    loss.backward()
    np.testing.assert_allclose(b.grad, expected, rtol=1e-12)
    c = Tensor(S33.copy())
    factor = np.linalg.cholesky(c)
    loss = readout(factor * 1.0)
    factor.data[1, 0] = 0.0
    with pytest.raises(InPlaceEditError, match="'cholesky'"):
        loss.backward()


# -- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("call, error, message", [
    (lambda: ag.linalg.cholesky(Tensor(np.ones((2, 3)))), ValueError, r"cholesky: needs square matrices .* got shape \(2, 3\)"),
    (lambda: ag.linalg.eigh(Tensor(np.ones(3))), ValueError, r"eigh: needs square matrices .* got shape \(3,\)"),
    (lambda: ag.linalg.eigvalsh(Tensor(np.ones((2, 3)))), ValueError, r"eigvalsh: needs square matrices"),
    (lambda: ag.linalg.eigh(Tensor(S33), UPLO="X"), ValueError, "eigh: UPLO must be 'L' or 'U'"),
    (lambda: ag.linalg.svd(Tensor(np.ones(3))), ValueError, r"svd: needs matrices of shape \(\.\.\., m, n\), got shape \(3,\)"),
    (lambda: ag.linalg.svdvals(Tensor(np.ones(3))), ValueError, r"svdvals: needs matrices"),
    (lambda: ag.linalg.svd(Tensor(S33), hermitian=True), ValueError, "svd: hermitian=True is not supported on nodes"),
    (lambda: ag.linalg.matrix_power(Tensor(S33), 1.5), TypeError, "matrix_power: the exponent must be an integer"),
    (lambda: ag.linalg.matrix_power(Tensor(np.ones((2, 3))), 2), ValueError, r"matrix_power: needs square matrices"),
    (lambda: ag.linalg.matrix_power(Tensor(np.ones((2, 2))), -1), np.linalg.LinAlgError, "inv: the matrix is singular"),
    (lambda: np.linalg.eig(Tensor(S33)), TypeError, "eig: .*complex.*differentiates real numbers only.*use eigh"),
    (lambda: np.linalg.eigvals(Tensor(S33)), TypeError, "eigvals: .*use eigh"),
    (lambda: ag.linalg.cholesky(np.eye(2) * 1j), TypeError, "cholesky: complex input"),
    (lambda: ag.linalg.qr(Tensor(np.ones(3))), ValueError, r"qr: needs matrices of shape \(\.\.\., m, n\), got shape \(3,\)"),
    (lambda: ag.linalg.qr(Tensor(TALL), mode="raw"), ValueError, r"qr: mode='raw' is not supported on nodes"),
    (lambda: ag.linalg.qr(Tensor(TALL), mode="complete"), ValueError, r"qr: mode='complete' is not supported on nodes "
                                                                     r"for shape \(4, 3\).*use mode='reduced'"),
    (lambda: ag.linalg.pinv(Tensor(np.stack([M33, np.ones((3, 3))]))), np.linalg.LinAlgError,
     r"pinv: the matrix \(matrix \[1\] of the stack\) of shape \(2, 3, 3\) is rank-deficient .*no derivative there"),
    (lambda: ag.linalg.lstsq(Tensor(np.ones((4, 2))), np.ones(4)), np.linalg.LinAlgError, "lstsq: the matrix of shape "
                                                                                        r"\(4, 2\) is rank-deficient"),
    (lambda: ag.linalg.lstsq(Tensor(TALL), np.ones(3)), ValueError, r"lstsq: a must be a matrix \(m, n\) and b of shape "
                                                                  r"\(m,\) or \(m, k\), got shapes \(4, 3\) and \(3,\)"),
])
def test_bad_input_is_refused_naming_the_function(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("matrix", [[[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]], [[1.0, 2.0, 0.0], [2.0, 4.0, 1.0]]],
                         ids=["tall", "wide-singular-leading-block"])
def test_the_qr_gradient_of_a_rank_deficient_matrix_is_refused(matrix):
    a = Tensor(np.array(matrix))
    loss = readout(np.linalg.qr(a)[0])
    with pytest.raises(np.linalg.LinAlgError, match=r"qr: the gradient needs a matrix of full column rank \(.*\), and the "
                                                    "matrix is rank-deficient to working precision"):
        loss.backward()


def test_pinv_and_lstsq_on_plain_data_are_numpys_even_when_rank_deficient():
    ones = np.ones((3, 2))
    np.testing.assert_allclose(ag.linalg.pinv(ones), np.linalg.pinv(ones), rtol=1e-12)
    np.testing.assert_allclose(ag.linalg.pinv(ones, rtol=0.5), np.linalg.pinv(ones, rtol=0.5), rtol=1e-12)
    x, residuals, rank, s = ag.linalg.lstsq(ones, np.arange(3.0))
    assert rank == 1
    np.testing.assert_allclose(x, np.linalg.lstsq(ones, np.arange(3.0))[0], rtol=1e-12)


def test_lstsq_on_nodes_gives_numpys_rank_and_residual_shapes():
    x, residuals, rank, s = np.linalg.lstsq(Tensor(TALL), data(4))
    assert rank == 3 and residuals.shape == (1,) and s.op == "svdvals"
    x, residuals, rank, s = np.linalg.lstsq(Tensor(WIDE), data(3))
    assert residuals.shape == (0,) and x.shape == (5,)


def test_eig_on_plain_data_is_numpys():
    np.testing.assert_allclose(ag.linalg.eigvals(M33), np.linalg.eigvals(M33), rtol=1e-12)


# -- properties over random shapes and stacks --------------------------------------------------------

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@st.composite
def spectra(draw, square):
    """(batch..., m, n) matrices Q₁·diag(values)·Q₂ᵀ whose values are separated by at least 0.5 and from 0."""
    batch = tuple(draw(st.lists(st.integers(1, 2), max_size=2)))
    m = draw(st.integers(1, 4))
    n = m if square else draw(st.integers(1, 4))
    r = np.random.default_rng(draw(st.integers(0, 2**16)))
    k = min(m, n)
    values = (0.5 + 0.5 * np.arange(k)) * r.choice([-1.0, 1.0], size=k) if square else 0.5 + 0.5 * np.arange(k)
    values = r.permuted(np.broadcast_to(values, batch + (k,)), axis=-1)
    left = np.linalg.qr(r.normal(size=batch + (m, k)))[0]
    right = np.linalg.qr(r.normal(size=batch + (n, k)))[0]
    return (left * values[..., None, :]) @ np.swapaxes(right if not square else left, -1, -2)


@given(spectra(square=False))
def test_svd_matches_central_differences_on_random_shapes_and_stacks(a):
    def loss(x):
        u, s, vh = np.linalg.svd(x, full_matrices=False)
        return readout(s) + readout(np.abs(u)) + readout(np.abs(vh))
    assert_grads_match_numeric(loss, a)


@given(spectra(square=True))
def test_eigh_and_cholesky_match_central_differences_on_random_shapes_and_stacks(a):
    def loss(x):
        w, v = np.linalg.eigh(sym(x))
        return readout(w) + readout(v ** 2) + readout(np.linalg.cholesky(sym(x @ np.swapaxes(x, -1, -2))))
    assert_grads_match_numeric(loss, a)
