"""detect_anomaly(): the first NaN or inf, forward or backward, names the op, its inputs and the user's line."""

import math
import pathlib
import threading
import warnings

import numpy as np
import pytest

import autograd as ag
from autograd import AnomalyError, Tensor, Value, anomaly, detect_anomaly, engine

HERE = pathlib.Path(__file__).name


@pytest.fixture(autouse=True)
def quiet_numpy():
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def line_of(marker):
    """The line number of the source line in this file containing ``marker``."""
    lines = pathlib.Path(__file__).read_text().splitlines()
    return next(i for i, line in enumerate(lines, start=1) if marker in line and "line_of" not in line)


def test_a_forward_nan_names_the_op_its_inputs_and_the_users_line():
    x = Value(0.0)
    with detect_anomaly(), pytest.raises(AnomalyError) as caught:
        y = x * 1.0
        (y - 1.0).log() + 1.0  # the log of a negative: LOG-OF-NEGATIVE
    message = str(caught.value)
    assert message.splitlines() == [
        "forward of 'log' produced nan",
        "  inputs: Value from 'sub' -1.0",
        f"  created at {__file__}:{line_of('LOG-OF-NEGATIVE')} in "
        "test_a_forward_nan_names_the_op_its_inputs_and_the_users_line",
    ]


def test_a_forward_inf_in_a_tensor_gives_its_shape_count_and_first_index():
    t = Tensor([[1.0, 2.0], [0.0, 4.0]])
    with detect_anomaly(), pytest.raises(AnomalyError) as caught:
        1.0 / t  # DIVIDE-BY-ZERO
    first, inputs, where = str(caught.value).splitlines()
    assert first == "forward of 'div' produced inf (1 of 4 elements, first at index (1, 0))"
    assert inputs == "  inputs: constant 1.0; Tensor (2, 2) [1 2 0 4]"
    assert where.endswith(f"{HERE}:{line_of('DIVIDE-BY-ZERO')} in test_a_forward_inf_in_a_tensor_gives_its_shape_count_and_first_index")


def test_large_inputs_are_summarised_by_their_first_values():
    t = Tensor(np.arange(10.0) - 5.0)
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"Tensor \(10,\) \[-5 -4 -3 -2 …\]"):
        ag.log(t)


def test_nodes_that_are_not_recorded_are_checked_too():
    with detect_anomaly():
        with ag.no_grad(), pytest.raises(AnomalyError, match=r"forward of 'exp' produced inf\n  inputs: Value 1000.0"):
            Value(1000.0).exp()
        with pytest.raises(AnomalyError, match=r"forward of 'mul' produced nan\n  inputs: constant inf; constant 0.0"):
            Value(math.inf, requires_grad=False) * 0.0
        with pytest.raises(AnomalyError, match=r"forward of 'sum' produced inf"):
            Tensor([np.inf, 1.0], requires_grad=False).sum()


def test_a_backward_inf_names_the_op_the_input_and_where_the_node_was_made():
    x = Value(0.0)
    with detect_anomaly():
        y = x**0.5  # SQUARE-ROOT-AT-ZERO: finite forward, infinite slope
        with pytest.raises(AnomalyError) as caught:
            y.backward()
    assert str(caught.value).splitlines() == [
        "backward of 'pow' produced inf in the gradient for input 0",
        "  upstream gradient: 1.0; inputs: Value 0.0; constant 0.5",
        f"  node created at {__file__}:{line_of('SQUARE-ROOT-AT-ZERO')} in "
        "test_a_backward_inf_names_the_op_the_input_and_where_the_node_was_made",
    ]


def test_a_backward_nan_in_a_tensor_gradient_is_located():
    t = Tensor([1.0, 0.0, 4.0])
    with detect_anomaly():
        s = (t**0.5).sum()
        with pytest.raises(AnomalyError, match=r"backward of 'pow' produced inf \(1 of 3 elements, first at index \(1,\)\)"):
            s.backward()


def test_a_graph_built_outside_says_its_line_is_unknown():
    x = Value(0.0)
    y = x**0.5
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"unknown line \(run the forward pass inside detect_anomaly"):
        y.backward()


def test_higher_order_backward_is_checked_and_still_works():
    with detect_anomaly():
        assert ag.grad(ag.grad(lambda x: x**3))(2.0) == 12.0
        with pytest.raises(AnomalyError, match="produced"):
            ag.grad(ag.grad(lambda x: x**1.5))(0.0)  # the second derivative is infinite at 0


def test_without_detect_anomaly_nans_pass_silently_and_the_hooks_are_not_called(monkeypatch):
    def fail(*args):
        raise AssertionError("anomaly hook called outside detect_anomaly()")

    monkeypatch.setattr(anomaly, "check_forward", fail)
    monkeypatch.setattr(anomaly, "check_backward", fail)
    x = Value(-1.0)
    y = x.log()
    y.backward()
    assert math.isnan(y.data) and x.grad == -1.0
    with ag.no_grad():
        assert math.isnan(Value(-1.0).log().data)


def test_nodes_remember_their_origin_only_in_anomaly_mode():
    outside = Value(1.0) * 2.0
    with detect_anomaly():
        inside = Value(1.0) * 2.0  # ORIGIN-MARK
    assert outside._origin is None
    assert inside._origin.endswith(f"{HERE}:{line_of('ORIGIN-MARK')} in test_nodes_remember_their_origin_only_in_anomaly_mode")


def test_the_mode_ends_with_the_block_even_after_an_error_and_nests():
    with pytest.raises(AnomalyError):
        with detect_anomaly():
            with detect_anomaly():
                assert engine.state.anomaly
            assert engine.state.anomaly
            Value(-1.0).log()
    assert not engine.state.anomaly and engine._switched == 0


def test_the_mode_is_per_thread():
    seen = []
    started, release = threading.Event(), threading.Event()

    def other_thread():
        started.set()
        release.wait(5)
        seen.append(math.isnan(Value(-1.0).log().data))  # not raised here

    worker = threading.Thread(target=other_thread)
    worker.start()
    started.wait(5)
    with detect_anomaly():
        release.set()
        worker.join(5)
    assert seen == [True]


def test_anomaly_error_is_a_floating_point_error():
    assert issubclass(AnomalyError, FloatingPointError)
