"""How a recorded node keeps its inputs: constants as raw data made nodes on demand, the rare fields apart."""

import sys
import tracemalloc

import numpy as np
import pytest

import autograd
from autograd import InPlaceEditError, Tensor, Value
from autograd.engine import skip_edit_checks


def test_a_constant_operand_becomes_the_same_leaf_node_every_time():
    x = Value(2.0)
    y = x * 3.0
    first = y.inputs[1]
    assert first is y.inputs[1] and first.data == 3.0 and not first.requires_grad and first.is_leaf
    assert y.inputs[0] is x
    assert x._seq < y._seq < first._seq < (y + 1.0)._seq  # numbered between its consumer and the next node


def test_constants_of_a_three_input_operation_and_of_a_unary_one_are_nodes_too():
    W, b = Tensor(np.eye(2)), Tensor(np.zeros(2))
    batch = np.array([[1.0, 2.0]])
    out = autograd.affine(batch, W, b)
    inputs = out.inputs
    assert len(inputs) == 3 and inputs[1] is W and inputs[2] is b and inputs is out.inputs
    assert isinstance(inputs[0], Tensor) and not inputs[0].requires_grad
    np.testing.assert_array_equal(inputs[0].data, batch)
    assert inputs[0].data is not batch  # the graph keeps a copy of the caller's array (dW reads it)
    e = Value(1.0).exp()
    assert len(e.inputs) == 1 and e.inputs[0].data == 1.0


def test_a_constant_made_inside_a_group_belongs_to_it():
    x = Value(0.5)
    with autograd.group("scale") as scale:
        y = x * 2.0
    assert y.group is scale and y.inputs[1].group is scale and x.group is None


def test_gradients_are_the_same_before_and_after_the_constants_are_made_nodes():
    def build():
        x = Value(1.5)
        return x, (x * 2.0 + 1.0) * x

    x1, y1 = build()
    y1.backward()
    x2, y2 = build()
    y2.inputs, y2.inputs[0].inputs  # make every constant a node first
    y2.backward()
    assert x1.grad == x2.grad == pytest.approx(2 * 2.0 * 1.5 + 1.0)
    assert y2.inputs[0].inputs[1].grad is None  # a constant gets no gradient


def test_a_node_is_one_object_without_a_dict_and_a_multiply_costs_under_150_bytes():
    x = Value(1.0)
    y = x * 1.0001
    assert not hasattr(y, "__dict__") and y._rare is None  # name, group, params… unset
    y.name = "y"
    assert y.name == "y" and y._rare is not None and (x * 2.0).name is None
    constant = Value(1.0001)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    z = x
    for _ in range(2000):
        z = z * constant
    used = (tracemalloc.get_traced_memory()[0] - before) / 2000
    tracemalloc.stop()
    assert used <= 150, used
    assert sys.getsizeof(z) <= 96


def test_skip_edit_checks_records_no_checksums_and_restores_the_guard():
    x = Tensor([1.0, 2.0])
    batch = np.array([3.0, 4.0])
    with skip_edit_checks():
        y = (x * batch).sum()
    assert y.inputs[0]._saved == () and y.inputs[0].inputs[1].data is batch  # nothing kept, nothing copied
    y.backward()
    np.testing.assert_array_equal(x.grad, batch)
    z = (x * x).sum()  # outside the block the guard is back
    x.data[0] = 5.0
    with pytest.raises(InPlaceEditError):
        z.backward()
    assert autograd.engine.state.check_edits and autograd.engine._switched == 0
