"""autograd.testing: leaves, random expressions (domains, coverage, shrinking) and the assertion."""

import numpy as np
import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st

from autograd import Node, Tensor, Value, grad, ops
from autograd import array_ops, linalg
from autograd.ops import TABLE
from autograd.testing import (
    ARC_MAX,
    ARCCOSH_MIN,
    ARRAY_OPS,
    IMAGE_OPS,
    SPREAD_MIN,
    TAN_MAX,
    DIVISOR_MIN,
    ELEMENTWISE,
    EXP_MAX,
    KINK_MARGIN,
    LOG_MIN,
    VALUE_LIMIT,
    Expression,
    assert_grads_match_numeric,
    expressions,
    tensors,
    values,
)

SEARCH = settings(max_examples=3000, derandomize=True, database=None)
SEARCH_WITHOUT_SHRINKING = settings(SEARCH, phases=[Phase.generate])


def leaves(expr):
    return [Tensor(x) if np.ndim(x) else Value(x) for x in expr.inputs]


def intermediate_values(expr):
    """The raw value of every input and step, in order."""
    computed = list(expr.inputs)
    for step in expr.steps:
        args = [computed[a] if isinstance(a, int) else a.value for a in step.args]
        computed.append(TABLE[step.op](*args, **dict(step.params)))
    return computed


# -- leaves ------------------------------------------------------------------


@given(values())
def test_values_are_value_leaves_with_finite_data_in_the_default_range(v):
    assert isinstance(v, Value) and v.is_leaf and v.requires_grad
    assert -3.0 <= v.data <= 3.0


@given(values(0.5, 1.0, requires_grad=False))
def test_values_respect_the_range_and_requires_grad(v):
    assert 0.5 <= v.data <= 1.0 and not v.requires_grad


@given(tensors())
def test_tensors_default_to_small_float64_arrays_in_range(t):
    assert isinstance(t, Tensor) and t.dtype == np.float64 and t.requires_grad
    assert t.ndim <= 3 and all(1 <= n <= 4 for n in t.shape)
    assert np.all(np.abs(t.data) <= 3.0)


@given(tensors(shape=(2, 3), min_value=1.0, max_value=2.0), tensors(shape=st.just((4,)), elements=st.just(1.5)))
def test_tensors_take_a_shape_or_a_shape_strategy_and_elements(t, u):
    assert t.shape == (2, 3) and np.all((1.0 <= t.data) & (t.data <= 2.0))
    np.testing.assert_array_equal(u.data, np.full(4, 1.5))


# -- expressions: what they are ------------------------------------------------


def test_the_strategy_knows_every_primitive_in_the_op_table():
    # array_ops' and linalg's primitives have their own tables of checks (test_array_ops, test_linalg)
    missing = set(TABLE) - set(ELEMENTWISE + ARRAY_OPS + IMAGE_OPS) - set(array_ops.PRIMITIVES) - set(linalg.PRIMITIVES)
    assert not missing, f"teach autograd.testing.expressions to generate {sorted(missing)} (domain and shapes)"


@given(expressions())
def test_an_expression_gives_one_scalar_on_plain_data_and_on_nodes(expr):
    plain = expr(*expr.inputs)
    recorded = expr(*leaves(expr))
    assert np.ndim(plain) == 0 and np.isfinite(plain)
    assert isinstance(recorded, Node) and np.shape(recorded.data) == () and recorded.requires_grad
    assert float(recorded.data) == pytest.approx(float(plain), rel=1e-12, abs=1e-12)


@given(expressions())
def test_every_operation_stays_inside_its_domain_with_a_margin(expr):
    computed = intermediate_values(expr)
    np.broadcast_shapes(*[np.shape(v) for v in computed])  # any two values can meet in a binary op
    for step, value in zip(expr.steps, computed[len(expr.inputs):]):
        args = [computed[a] if isinstance(a, int) else a.value for a in step.args]
        assert np.all(np.isfinite(value)) and np.max(np.abs(value)) <= VALUE_LIMIT
        if step.op == "log":
            assert np.min(args[0]) >= LOG_MIN
        elif step.op == "div":
            assert np.min(np.abs(args[1])) >= DIVISOR_MIN
        elif step.op == "exp":
            assert np.max(args[0]) <= EXP_MAX
        elif step.op in ("relu", "abs"):
            assert np.min(np.abs(args[0])) >= KINK_MARGIN
        elif step.op == "clip":
            for bound in dict(step.params).values():
                assert bound is None or np.min(np.abs(args[0] - bound)) >= KINK_MARGIN
        elif step.op == "pow":
            exponent = args[1]
            if not (np.ndim(exponent) == 0 and float(exponent) in (2.0, 3.0)):
                assert np.min(args[0]) >= LOG_MIN or (exponent == -1.0 and np.min(np.abs(args[0])) >= DIVISOR_MIN)
        elif step.op == "max":
            axis = dict(step.params)["axis"]
            axes = tuple(range(np.ndim(args[0]))) if axis is None else axis if isinstance(axis, tuple) else (axis,)
            kept = [a for a in range(np.ndim(args[0])) if a not in axes]
            moved = np.transpose(args[0], kept + list(axes))
            ordered = np.sort(moved.reshape(moved.shape[:len(kept)] + (-1,)), axis=-1)
            if ordered.shape[-1] > 1:
                assert np.min(ordered[..., -1] - ordered[..., -2]) >= KINK_MARGIN
        else:
            assert inside_numpy_ufunc_domain(step.op, args, dict(step.params))


def inside_numpy_ufunc_domain(op, args, params):
    x = args[0]
    distance_to_integers = lambda v: np.min(np.abs(v - np.round(v)))  # noqa: E731
    checks = {
        "tan": lambda: np.max(np.abs(x)) <= TAN_MAX,
        "arcsin": lambda: np.max(np.abs(x)) <= ARC_MAX, "arccos": lambda: np.max(np.abs(x)) <= ARC_MAX,
        "arctanh": lambda: np.max(np.abs(x)) <= ARC_MAX, "arccosh": lambda: np.min(x) >= ARCCOSH_MIN,
        "log2": lambda: np.min(x) >= LOG_MIN, "log10": lambda: np.min(x) >= LOG_MIN,
        "log1p": lambda: np.min(x) >= LOG_MIN - 1.0, "reciprocal": lambda: np.min(np.abs(x)) >= DIVISOR_MIN,
        "sinh": lambda: np.max(x) <= EXP_MAX, "cosh": lambda: np.max(x) <= EXP_MAX,
        "exp2": lambda: np.max(x) <= EXP_MAX, "expm1": lambda: np.max(x) <= EXP_MAX,
        "sign": lambda: np.min(np.abs(x)) >= KINK_MARGIN, "fabs": lambda: np.min(np.abs(x)) >= KINK_MARGIN,
        "floor": lambda: distance_to_integers(x) >= KINK_MARGIN, "ceil": lambda: distance_to_integers(x) >= KINK_MARGIN,
        "hypot": lambda: np.min(np.hypot(x, args[1])) >= DIVISOR_MIN,
        "arctan2": lambda: np.min(np.hypot(x, args[1])) >= DIVISOR_MIN and np.all((args[1] > 0) | (np.abs(x) >= KINK_MARGIN)),
        "remainder": lambda: np.min(np.abs(args[1])) >= DIVISOR_MIN and distance_to_integers(x / args[1]) >= KINK_MARGIN,
        "std": lambda: np.min(np.std(x, axis=params["axis"], ddof=params["ddof"])) >= SPREAD_MIN,
    }
    for op_name in ("maximum", "minimum", "fmax", "fmin"):
        checks[op_name] = lambda: np.min(np.abs(x - args[1])) >= KINK_MARGIN
    return bool(checks.get(op, lambda: True)())


@given(expressions())
def test_every_value_no_operation_uses_is_read_out(expr):
    used = {a for step in expr.steps for a in step.args if isinstance(a, int)}
    read = [index for index, _ in expr.readout]
    assert sorted(read) == [i for i in range(len(expr.inputs) + len(expr.steps)) if i not in used]
    for index, weights in expr.readout:  # distinct weights per element
        assert np.size(weights) == len(np.unique(weights))


@given(expressions(scalar=True))
def test_scalar_expressions_use_numbers_and_elementwise_primitives(expr):
    assert all(type(x) is float for x in expr.inputs)
    assert set(expr.ops) <= set(ELEMENTWISE)
    assert isinstance(expr(*[Value(x) for x in expr.inputs]), Value)


@given(expressions(ops=["log", "exp"], max_ops=3))
def test_ops_restricts_the_primitives(expr):
    assert set(expr.ops) <= {"log", "exp"}


@given(expressions(inputs=(0.5, np.ones((2, 1)), np.arange(3.0))))
def test_inputs_can_be_fixed(expr):
    assert expr.inputs[0] == 0.5
    np.testing.assert_array_equal(expr.inputs[1], np.ones((2, 1)))
    np.testing.assert_array_equal(expr.inputs[2], np.arange(3.0))
    for value in intermediate_values(expr):
        assert np.broadcast_shapes(np.shape(value), (2, 3)) == (2, 3)


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(ops=["nope"]), r"cannot generate \['nope'\]"),
        (dict(scalar=True, ops=["sum"]), r"cannot generate \['sum'\] with scalar=True"),
        (dict(ops=[]), "ops is empty"),
        (dict(scalar=True, inputs=(np.ones(2),)), "scalar=True needs scalar inputs"),
        (dict(inputs=(np.ones(2), np.ones(3))), r"shapes \[\(2,\), \(3,\)\] do not broadcast together"),
        (dict(ops=["sum"], inputs=(1.0,)), r"none of \['sum'\] applies to scalar inputs"),
        (dict(min_ops=3, max_ops=2), "min_ops"),
        (dict(max_inputs=0), "max_inputs"),
    ],
)
def test_bad_options_are_refused_when_the_strategy_is_made(options, message):
    with pytest.raises(ValueError, match=message):
        expressions(**options)


@given(expressions(ops=["sum", "transpose"]))
def test_array_only_ops_get_array_inputs(expr):
    assert np.ndim(expr.inputs[0]) >= 1 and set(expr.ops) <= {"sum", "transpose"}


def test_an_expression_checks_how_many_inputs_it_gets():
    expr = Expression(inputs=(1.0, 2.0), steps=[ops_step("mul", 0, 1)], readout=[(2, 1.1)])
    assert expr(3.0, 4.0) == pytest.approx(1.1 * 12.0)
    with pytest.raises(TypeError, match="takes 2 inputs, got 3"):
        expr(1.0, 2.0, 3.0)


# -- expressions: coverage and shrinking ----------------------------------------


def test_each_primitive_is_generated_by_default():
    seen = set()

    def covers_every_primitive(expr):
        seen.update(expr.ops)
        return seen >= set(ELEMENTWISE + ARRAY_OPS)

    find(expressions(), covers_every_primitive, settings=settings(SEARCH_WITHOUT_SHRINKING, max_examples=10000))
    assert seen == set(ELEMENTWISE + ARRAY_OPS)


def test_shared_subexpressions_are_generated_and_shrink_to_one_reuse():
    expr = find(expressions(), lambda e: e.shared, settings=SEARCH)
    assert len(expr.steps) == 1 and expr.steps[0].args[0] == expr.steps[0].args[1]  # v = x0 op x0
    deeper = find(expressions(), lambda e: e.shared and len(e.steps) >= 4, settings=SEARCH_WITHOUT_SHRINKING)
    assert deeper.shared


def test_binary_operations_broadcast_between_different_shapes():
    def broadcasts(expr):
        computed = intermediate_values(expr)
        return any(
            step.op in ("add", "sub", "mul", "div", "pow")
            and isinstance(step.args[0], int) and isinstance(step.args[1], int)
            and np.shape(computed[step.args[0]]) != np.shape(computed[step.args[1]])
            for step in expr.steps
        )

    expr = find(expressions(), broadcasts, settings=SEARCH)
    assert len(expr.steps) == 1
    assert len({np.shape(x) for x in expr.inputs}) == 2


def gradient_is_wrong(expr):
    try:
        assert_grads_match_numeric(expr, *expr.inputs)
    except AssertionError:
        return True
    return False


def test_a_planted_bug_shrinks_to_a_small_readable_counterexample(monkeypatch):
    monkeypatch.setattr(ops.cos, "vjps", (lambda g, out, x: g * ops.sin(x),))  # sign dropped
    expr = find(expressions(), gradient_is_wrong, settings=SEARCH)
    lines = repr(expr).splitlines()
    assert lines[0] == "Expression with 1 input(s) and 1 operation(s):"
    assert lines[1].startswith("  x0 = ")
    assert lines[2] == "  v1 = cos(x0)" and lines[3].startswith("  out = ") and len(lines) == 4


def test_a_planted_array_bug_shrinks_to_one_operation(monkeypatch):
    # softmax's VJP without the − Σ g·y term
    monkeypatch.setattr(ops.softmax, "vjps", (lambda g, out, x, axis=-1: out * g,))
    expr = find(expressions(), gradient_is_wrong, settings=SEARCH)
    assert expr.ops == ("softmax",) and len(expr.inputs) == 1


def test_a_program_listing_names_values_and_parameters():
    expr = Expression(
        inputs=(2.0, np.array([[1.0, 2.0]])),
        steps=[
            ops_step("mul", 0, 1),
            ops_step("sum", 2, axis=1, keepdims=True),
            ops_step("getitem", 1, index=np.array([0])),
        ],
        readout=[(3, np.array([[1.1]])), (4, np.array([[1.35, 1.45]]))],
    )
    assert repr(expr).splitlines() == [
        "Expression with 2 input(s) and 3 operation(s):",
        "  x0 = 2.0",
        "  x1 = [[1., 2.]]",
        "  v2 = x0 * x1",
        "  v3 = sum(v2, axis=1, keepdims=True)",
        "  v4 = x1[[0]]",
        "  out = sum([[1.1]] * v3) + sum([[1.35, 1.45]] * v4)",
    ]
    assert expr(*expr.inputs) == pytest.approx(1.1 * 6.0 + 1.35 * 1.0 + 1.45 * 2.0)


def ops_step(op, *args, **params):
    from autograd.testing import Step

    return Step(op, args, tuple(params.items()))


# -- assert_grads_match_numeric -----------------------------------------------------


def test_assert_grads_match_numeric_returns_the_report_when_they_match():
    report = assert_grads_match_numeric(lambda x, y: ops.sum(ops.tanh(x) * y), np.array([0.1, 0.2]), 3.0)
    assert report.passed and [(c.position, c.mode) for c in report.inputs] == [(0, "rev"), (1, "rev"), (0, "fwd"), (1, "fwd")]


def test_assert_grads_match_numeric_fails_with_gradchecks_message(monkeypatch):
    monkeypatch.setattr(ops.exp, "vjps", (lambda g, out, x: g * x,))
    with pytest.raises(AssertionError, match=r"gradient of <lambda> with respect to input 0 'x' \(a number\)"):
        assert_grads_match_numeric(lambda x: ops.exp(x), 1.0)


def test_higher_orders_catch_a_derivative_that_is_only_right_to_first_order(monkeypatch):
    # A VJP computed from raw data is right in value but a constant to the
    # next order: tanh″ would come out as 0.
    monkeypatch.setattr(ops.tanh, "vjps", (lambda g, out, x: g * (1.0 - ops._data(out) ** 2),))
    f = lambda x: ops.sum(ops.tanh(x))  # noqa: E731
    x = np.array([0.3, -0.8])
    assert_grads_match_numeric(f, x)
    with pytest.raises(AssertionError, match=r"^order 2: .*grad\(<lambda>\)·w"):
        assert_grads_match_numeric(f, x, order=2)


def test_higher_orders_pass_for_correct_derivatives():
    f = lambda x, y: ops.sum(ops.exp(x * y) * ops.sin(x))  # noqa: E731
    for order in (2, 3):
        assert assert_grads_match_numeric(f, np.array([0.3, -0.5]), 0.7, order=order).passed
    assert grad(grad(lambda x: x**3))(2.0) == 12.0


@pytest.mark.parametrize("order", [0, 1.5, "2"])
def test_the_order_must_be_a_positive_int(order):
    with pytest.raises(ValueError, match="order must be a positive int"):
        assert_grads_match_numeric(lambda x: x, 1.0, order=order)
