"""nn's networks: the textbook's TwoLayerNet surface, any depth, and one-graph backprop."""

from collections import OrderedDict

import numpy as np
import pytest

from autograd import Tensor
from nn import (
    SGD,
    Affine,
    IdentityWithLoss,
    MLP,
    Network,
    Relu,
    Sigmoid,
    SoftmaxWithLoss,
    TwoLayerNet,
    gradient_check,
    spiral,
)

rng = np.random.default_rng(3)


def batch(n=6, features=5, classes=3):
    return rng.random((n, features)), rng.integers(0, classes, n)


def chained_backward(network, x, t):
    """The textbook's gradient(): forward through the layers, backward through them reversed."""
    for layer in network.layers.values():
        x = layer.forward(x)
    network.lastLayer.forward(x, t)
    dout = network.lastLayer.backward(1)
    for layer in reversed(list(network.layers.values())):
        dout = layer.backward(dout)
    grads = {}
    for k, layer in enumerate((l for l in network.layers.values() if isinstance(l, Affine)), start=1):
        grads[f"W{k}"], grads[f"b{k}"] = layer.dW, layer.db
    return grads


def test_two_layer_net_has_the_textbooks_surface():
    net = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
    assert list(net.params) == ["W1", "b1", "W2", "b2"]
    assert [net.params[k].shape for k in net.params] == [(784, 50), (50,), (50, 10), (10,)]
    assert isinstance(net.layers, OrderedDict)
    assert list(net.layers) == ["Affine1", "Relu1", "Affine2"]
    assert isinstance(net.lastLayer, SoftmaxWithLoss)
    assert net.layers["Affine1"].W is net.params["W1"] and net.layers["Affine2"].b is net.params["b2"]
    assert not net.params["b1"].any()
    assert repr(net) == "TwoLayerNet(784 → 50 → 10, activation='relu', output='softmax')"


def test_two_layer_net_draws_weights_like_the_textbook_from_the_global_generator():
    np.random.seed(0)
    net = TwoLayerNet(4, 3, 2, weight_init_std=0.5)
    np.random.seed(0)
    np.testing.assert_array_equal(net.params["W1"], 0.5 * np.random.randn(4, 3))
    np.testing.assert_array_equal(net.params["W2"], 0.5 * np.random.randn(3, 2))
    a, b = TwoLayerNet(4, 3, 2, seed=1), TwoLayerNet(4, 3, 2, seed=1)
    np.testing.assert_array_equal(a.params["W1"], b.params["W1"])


@pytest.mark.parametrize(
    "net",
    [TwoLayerNet(5, 4, 3, weight_init_std=0.5, seed=0),
     MLP([5, 4, 4, 3], activation="sigmoid", seed=0)],
    ids=["two-layer relu", "three-layer sigmoid"],
)
def test_backprop_agrees_with_numerical_gradient_and_with_the_layer_chain(net):
    x, t = batch()
    differences = gradient_check(net, x, t)
    assert set(differences) == set(net.params)
    assert max(differences.values()) < 1e-8
    fast = net.gradient(x, t)
    chained = chained_backward(net, x, t)
    for key in net.params:
        assert fast[key].shape == net.params[key].shape
        np.testing.assert_allclose(fast[key], chained[key], rtol=1e-12, atol=1e-15)


def recorded_loss_and_gradient(network, x, t):
    """The loss and gradients by recording the network on nodes and running the engine's backward."""
    nodes = {node.name: node for layer in network.layers.values() for node in layer.parameters().values()}
    for node in nodes.values():
        node.grad = None
    loss = network(x, t)
    loss.backward()
    return float(loss.data), {key: node.grad for key, node in nodes.items()}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
@pytest.mark.parametrize("labels", ["indices", "one-hot"])
def test_a_chain_of_primitives_gives_the_engines_numbers_without_recording(monkeypatch, dtype, activation, labels):
    net = MLP([12, 7, 5, 3], activation=activation, seed=0)
    for key in net.params:
        net.params[key] = net.params[key].astype(dtype)
    x = rng.standard_normal((4, 3, 2, 2)).astype(dtype)  # images: Affine1 flattens them
    t = rng.integers(0, 3, 4)
    if labels == "one-hot":
        t = np.eye(3)[t]
    expected_loss, expected = recorded_loss_and_gradient(net, x, t)

    import autograd.engine

    def no_recording(*args, **kwargs):
        raise AssertionError("the chain of primitives ran the engine's backward")

    monkeypatch.setattr(autograd.engine, "_backward_pass", no_recording)
    loss, grads = net.loss_and_gradient(x, t)
    assert loss == expected_loss
    for key, grad in grads.items():
        np.testing.assert_array_equal(grad, expected[key])
        assert grad.dtype == dtype and grad.shape == net.params[key].shape
        assert not any(np.shares_memory(grad, other) for name, other in grads.items() if name != key)
    assert net.layers["Affine1"].dW is grads["W1"] and net.layers["Affine3"].db is grads["b3"]
    assert net.layers["Affine2"].weight.grad is grads["W2"]


def test_what_the_chain_cannot_serve_goes_through_the_recorded_graph(monkeypatch):
    import autograd
    import autograd.engine

    x, t = batch()
    calls = []
    backward_pass = autograd.engine._backward_pass
    monkeypatch.setattr(autograd.engine, "_backward_pass", lambda *args: calls.append(1) or backward_pass(*args))
    decayed = MLP([5, 4, 3], seed=0)
    decayed.weight_decay_lambda = 0.1  # weight decay adds a term the chain does not have
    decayed.gradient(x, t)
    with autograd.detect_anomaly():
        TwoLayerNet(5, 4, 3, seed=0).gradient(x, t)
    assert len(calls) == 2
    with autograd.no_grad(), pytest.raises(RuntimeError, match="does not require a gradient"):
        TwoLayerNet(5, 4, 3, seed=0).gradient(x, t)
    with pytest.raises(ValueError, match="Affine1: input of shape"):
        TwoLayerNet(4, 4, 3, seed=0).gradient(x, t)


def test_gradient_sets_dW_db_and_does_not_accumulate_across_calls():
    net = TwoLayerNet(5, 4, 3, weight_init_std=0.5, seed=0)
    x, t = batch()
    first = {k: v.copy() for k, v in net.gradient(x, t).items()}
    second = net.gradient(x, t)
    for key in first:
        np.testing.assert_array_equal(first[key], second[key])
    assert net.layers["Affine2"].dW is second["W2"]


def test_loss_and_gradient_returns_the_loss_of_the_same_batch():
    net = TwoLayerNet(5, 4, 3, weight_init_std=0.5, seed=0)
    x, t = batch()
    loss, grads = net.loss_and_gradient(x, t)
    assert loss == pytest.approx(net.loss(x, t), rel=1e-14)
    assert set(grads) == set(net.params)


def test_the_textbooks_in_place_update_trains_the_layers():
    x, t = spiral(n_per_class=30, seed=0)
    net = TwoLayerNet(2, 20, 3, weight_init_std=1.0, seed=0)
    start = net.loss(x, t)
    for _ in range(300):
        grad = net.gradient(x, t)
        for key in ("W1", "b1", "W2", "b2"):
            net.params[key] -= 1.0 * grad[key]
    assert net.loss(x, t) < 0.5 * start
    assert net.accuracy(x, t) > 0.7


def test_replacing_a_params_entry_is_followed_and_a_misfit_is_refused():
    net = TwoLayerNet(5, 4, 3, seed=0)
    x, t = batch()
    replacement = net.params["W1"] * 2.0
    net.params["W1"] = replacement
    np.testing.assert_allclose(net.predict(x), np.maximum(x @ replacement, 0) @ net.params["W2"])
    assert net.layers["Affine1"].W is replacement
    net.params["W1"] = np.zeros((4, 4))
    with pytest.raises(ValueError, match=r"params\['W1'\] was replaced by an array of shape \(4, 4\).*\(5, 4\)"):
        net.loss(x, t)
    net.params["W1"] = [[0.0] * 4] * 5
    with pytest.raises(ValueError, match=r"params\['W1'\] was replaced by a list; it must stay a float array"):
        net.gradient(x, t)


def test_accuracy_takes_one_hot_or_index_labels_and_is_refused_for_regression():
    net = TwoLayerNet(5, 4, 3, weight_init_std=1.0, seed=0)
    x, t = batch(n=50)
    expected = np.mean(np.argmax(net.predict(x), axis=1) == t)
    assert net.accuracy(x, t) == net.accuracy(x, np.eye(3)[t]) == pytest.approx(expected)
    assert 0 < expected < 1
    regression = MLP([2, 3, 1], activation="sigmoid", output="identity", weight_init=0)
    with pytest.raises(TypeError, match="accuracy is for classification.*use loss"):
        regression.accuracy(np.zeros((2, 2)), np.zeros((2, 1)))


def test_predict_in_chunks_and_evaluate_agree_with_whole_batch_methods():
    net = TwoLayerNet(5, 4, 3, weight_init_std=1.0, seed=0)
    x, t = batch(n=23)
    np.testing.assert_allclose(net.predict(x, batch_size=5), net.predict(x), rtol=1e-14)
    loss, accuracy = net.evaluate(x, t, batch_size=7)
    assert loss == pytest.approx(net.loss(x, t), rel=1e-12)
    assert accuracy == pytest.approx(net.accuracy(x, t))


def test_multi_layer_net_any_depth_with_named_layers_and_numbered_params():
    net = MLP([2, 3, 2, 1], activation="sigmoid", output="identity", weight_init="xavier", seed=0)
    assert list(net.layers) == ["Affine1", "Sigmoid1", "Affine2", "Sigmoid2", "Affine3"]
    assert isinstance(net.lastLayer, IdentityWithLoss) and not net.is_classifier
    assert [net.params[k].shape for k in net.params] == [(2, 3), (3,), (3, 2), (2,), (2, 1), (1,)]
    x = rng.random((4, 2))
    W1, b1, W2, b2, W3, b3 = net.params.values()
    sigmoid = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    np.testing.assert_allclose(net.predict(x), sigmoid(sigmoid(x @ W1 + b1) @ W2 + b2) @ W3 + b3)


@pytest.mark.parametrize("weight_init, expected_std", [("he", np.sqrt(2 / 400)), ("xavier", np.sqrt(1 / 400)), (0.3, 0.3)])
def test_weight_init_scales(weight_init, expected_std):
    net = MLP([400, 300, 2], weight_init=weight_init, seed=0)
    assert net.params["W1"].std() == pytest.approx(expected_std, rel=0.02)
    assert not MLP([4, 3, 2], weight_init=0).params["W2"].any()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(sizes=[784]), r"at least two positive integers"),
        (dict(sizes=[784, 0, 10]), r"at least two positive integers"),
        (dict(sizes=[2, 3, 1], activation="tanh"), r"activation must be one of \['relu', 'sigmoid'\]"),
        (dict(sizes=[2, 3, 1], output="sigmoid"), r"output must be one of \['softmax', 'identity'\]"),
        (dict(sizes=[2, 3, 1], weight_init="glorot"), r"weight_init must be 'he', 'xavier' or a standard deviation"),
    ],
)
def test_mlp_explains_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        MLP(**kwargs)


def test_network_from_a_list_of_layers_names_them_and_checks_they_fit():
    W1, W2 = rng.standard_normal((4, 5)), rng.standard_normal((5, 3))
    net = Network([Affine(W1, np.zeros(5)), Relu(), Affine(W2, np.zeros(3))], SoftmaxWithLoss())
    assert list(net.layers) == ["Affine1", "Relu1", "Affine2"]
    assert net.params["W2"] is W2
    x, t = batch(features=4)
    assert max(gradient_check(net, x, t).values()) < 1e-8
    with pytest.raises(ValueError, match=r"Affine2 expects 6 inputs \(W of shape \(6, 3\)\) but Affine1 produces 5"):
        Network([Affine(W1, np.zeros(5)), Relu(), Affine(np.zeros((6, 3)), np.zeros(3))], SoftmaxWithLoss())
    with pytest.raises(TypeError, match=r"layer 1 \('SoftmaxWithLoss'\) is a loss layer"):
        Network([Affine(W1, np.zeros(5)), SoftmaxWithLoss()], SoftmaxWithLoss())
    with pytest.raises(TypeError, match="last_layer must be a loss layer"):
        Network([Affine(W1, np.zeros(5))], Relu())
    by_name = Network(OrderedDict(hidden=Affine(W1, np.zeros(5)), act=Sigmoid()), IdentityWithLoss())
    assert list(by_name.layers) == ["hidden", "act"] and by_name.layers["act"].name == "act"
    with pytest.raises(ValueError, match="two layers are named 'A'"):
        Network([Relu(name="A"), Relu(name="A")], SoftmaxWithLoss())


def test_a_shape_mistake_names_the_layer_that_met_it():
    net = TwoLayerNet(784, 50, 10)
    with pytest.raises(ValueError, match=r"Affine1: input of shape \(3, 28\) has 28 features.*expects 784"):
        net.gradient(np.zeros((3, 28)), np.zeros(3, dtype=int))
    with pytest.raises(ValueError, match=r"SoftmaxWithLoss: class indices must lie in \[0, 10\)"):
        net.loss(np.zeros((3, 784)), np.array([1, 2, 10]))


def test_calling_the_network_on_nodes_records_every_layer_in_its_group():
    net = TwoLayerNet(5, 4, 3, seed=0)
    x, t = batch()
    loss = net(Tensor(x, requires_grad=False), t)
    assert loss.op == "softmax_cross_entropy" and loss.group.name == "SoftmaxWithLoss"
    groups, stack = set(), [loss]
    while stack:
        node = stack.pop()
        if node.op is not None:
            groups.add(node.group.name)
            stack.extend(node.inputs)
    assert groups == {"Affine1", "Relu1", "Affine2", "SoftmaxWithLoss"}
    loss.backward()
    np.testing.assert_allclose(net.layers["Affine1"].weight.grad, net.gradient(x, t)["W1"], rtol=1e-13)
    assert net.params["W1"] is net.layers["Affine1"].weight.data
    assert net(Tensor(x)).shape == (6, 3)


def test_save_and_load_round_trip_in_place(tmp_path):
    net = TwoLayerNet(5, 4, 3, seed=0)
    x, _ = batch()
    path = net.save(tmp_path / "net.npz")
    expected = net.predict(x)
    other = TwoLayerNet(5, 4, 3, seed=1)
    W1 = other.params["W1"]
    assert not np.allclose(other.predict(x), expected)
    other.load(path)
    assert other.params["W1"] is W1
    np.testing.assert_array_equal(other.predict(x), expected)


def test_one_sgd_step_with_the_optimizer_protocol_lowers_the_loss():
    net = TwoLayerNet(5, 8, 3, weight_init_std=0.5, seed=0)
    x, t = batch(n=40)
    before = net.loss(x, t)
    SGD(lr=0.5).update(net.params, net.gradient(x, t))
    assert net.loss(x, t) < before


@pytest.mark.parametrize(
    "labels, message",
    [
        (lambda t: t.reshape(-1, 1), r"labels of shape \(50, 1\) do not fit scores of shape \(50, 3\)"),
        (lambda t: np.eye(2)[t % 2], r"labels of shape \(50, 2\) do not fit scores of shape \(50, 3\)"),
        (lambda t: t + 1, r"class indices must lie in \[0, 3\), got values from 1 to 3"),
        (lambda t: t - 1, r"class indices must lie in \[0, 3\), got values from -1 to 1"),
    ],
    ids=["column of indices", "one-hot of too few classes", "1-based indices", "negative indices"],
)
def test_accuracy_refuses_labels_that_do_not_fit_the_scores(labels, message):
    # Each of these used to give a number (argmax of a column is always 0; an
    # index past the last class never matches) instead of saying what is wrong.
    net = TwoLayerNet(5, 4, 3, weight_init_std=1.0, seed=0)
    x, t = batch(n=50)
    with pytest.raises(ValueError, match=message):
        net.accuracy(x, labels(t))


def test_accuracy_and_evaluate_of_nothing_are_refused():
    net = TwoLayerNet(5, 4, 3, seed=0)
    x, t = batch(n=4)
    with pytest.raises(ValueError, match="empty"):
        net.accuracy(x[:0], t[:0])
    with pytest.raises(ValueError, match="empty"):
        net.evaluate(x[:0], t[:0])


@pytest.mark.parametrize("batch_size", [0, -1, 2.5, True, "7"])
def test_predict_and_evaluate_refuse_a_batch_size_that_is_not_a_positive_integer(batch_size):
    net = TwoLayerNet(5, 4, 3, seed=0)
    x, t = batch(n=4)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        net.evaluate(x, t, batch_size=batch_size)
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        net.predict(x, batch_size=batch_size)


def test_one_sample_as_a_1d_array_is_a_batch_of_one_everywhere():
    net = TwoLayerNet(5, 4, 3, weight_init_std=1.0, seed=0)
    x, t = batch(n=1)
    one_x, one_t = x[0], t[0]
    np.testing.assert_allclose(net.predict(one_x, batch_size=2), net.predict(x)[0])
    assert net.evaluate(one_x, one_t) == pytest.approx((net.loss(x, t), net.accuracy(x, t)))
    assert net.evaluate(one_x, np.eye(3)[one_t]) == pytest.approx((net.loss(x, t), net.accuracy(x, t)))
    regression = MLP([5, 3, 2], output="identity", seed=0)
    y = rng.random((1, 2))
    assert regression.evaluate(one_x, y[0]) == pytest.approx((regression.loss(x, y), None))


def test_a_layer_with_weights_listed_twice_is_refused():
    # Its W would be in params twice (W1 and W2, one array) with the summed
    # gradient under both names, so every optimizer step moved it twice.
    square = Affine(np.eye(3), np.zeros(3))
    with pytest.raises(ValueError, match=r"layer 2 is layer 0 \('Affine'\) again.*separate Affine"):
        Network([square, Relu(), square], SoftmaxWithLoss())
    assert square.name == "Affine"  # refused before any layer was renamed
    relu = Relu()  # a layer without weights may come back: it computes the same either way
    net = Network([Affine(np.eye(3), np.zeros(3)), relu, Affine(np.eye(3), np.zeros(3)), relu], SoftmaxWithLoss())
    assert list(net.params) == ["W1", "b1", "W2", "b2"]


def test_accuracy_of_labels_that_are_not_numbers_says_so():
    net = TwoLayerNet(5, 4, 3, seed=0)
    x, t = batch(n=4)
    with pytest.raises(TypeError, match="labels must be numbers"):
        net.accuracy(x, t.astype(str))
