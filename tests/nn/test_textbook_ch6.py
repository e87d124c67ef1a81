"""Chapter 6: Dropout, BatchNormalization, the optimizers, and the textbook's networks."""

import numpy as np
import pytest

from autograd.testing import assert_grads_match_numeric
from nn import (
    SGD, AdaGrad, Adam, BatchNormalization, DeepConvNet, Dropout, Momentum, MultiLayerNet, MultiLayerNetExtend,
    Nesterov, RMSprop, SimpleConvNet,
)

rng = np.random.default_rng(5)


# -- Dropout -------------------------------------------------------------------


def test_dropout_trains_with_a_fresh_mask_and_infers_with_the_expected_value():
    x = rng.standard_normal((200, 50))
    layer = Dropout(0.3)
    np.random.seed(0)
    y = layer.forward(x)
    np.random.seed(0)
    mask = np.random.rand(*x.shape) > 0.3  # the textbook's mask, same draws
    np.testing.assert_array_equal(layer.mask, mask)
    np.testing.assert_array_equal(y, x * mask)
    assert 0.25 < 1 - mask.mean() < 0.35
    dout = rng.standard_normal(x.shape)
    np.testing.assert_array_equal(layer.backward(dout), dout * mask)
    np.testing.assert_allclose(layer.forward(x, train_flg=False), x * 0.7)
    np.testing.assert_allclose(layer.backward(dout), dout * 0.7)
    assert not np.array_equal(Dropout(0.3).forward(x), y)  # a new mask each call


@pytest.mark.parametrize("ratio", [-0.1, 1.0, 1.5, True, "0.5"])
def test_dropout_ratio_outside_zero_one_is_refused(ratio):
    with pytest.raises(ValueError, match=r"Dropout: dropout_ratio .* must lie in \[0, 1\)"):
        Dropout(ratio)


def test_dropout_refuses_a_train_flg_that_is_not_a_bool():
    with pytest.raises(TypeError, match="train_flg must be True"):
        Dropout().forward(np.ones(3), train_flg="no")


# -- BatchNormalization --------------------------------------------------------


def textbook_batch_norm(x, gamma, beta, dout, eps=1e-6):
    """The textbook's forward and its hand-derived backward, written out."""
    mu = x.mean(axis=0)
    xc = x - mu
    var = np.mean(xc ** 2, axis=0)
    std = np.sqrt(var + eps)
    xn = xc / std
    out = gamma * xn + beta
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(xn * dout, axis=0)
    dxn = gamma * dout
    dxc = dxn / std
    dstd = -np.sum((dxn * xc) / (std * std), axis=0)
    dvar = 0.5 * dstd / std
    dxc += (2.0 / len(x)) * xc * dvar
    dmu = np.sum(dxc, axis=0)
    dx = dxc - dmu / len(x)
    return out, dx, dgamma, dbeta, mu, var


@pytest.mark.parametrize("shape", [(8, 5), (4, 2, 3, 3)])
def test_batch_norm_forward_dx_dgamma_dbeta_match_the_textbook(shape):
    x = rng.standard_normal(shape) * 3 + 1
    features = int(np.prod(shape[1:]))
    gamma, beta = rng.standard_normal(features), rng.standard_normal(features)
    layer = BatchNormalization(gamma, beta, momentum=0.8)
    out = layer.forward(x)
    dout = rng.standard_normal(shape)
    dx = layer.backward(dout)
    flat = x.reshape(shape[0], -1)
    ref_out, ref_dx, ref_dgamma, ref_dbeta, mu, var = textbook_batch_norm(flat, gamma, beta, dout.reshape(flat.shape))
    np.testing.assert_allclose(out, ref_out.reshape(shape), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, ref_dx.reshape(shape), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(layer.dgamma, ref_dgamma, rtol=1e-12)
    np.testing.assert_allclose(layer.dbeta, ref_dbeta, rtol=1e-12)
    np.testing.assert_allclose(layer.running_mean, 0.2 * mu)
    np.testing.assert_allclose(layer.running_var, 0.2 * var)
    # inference uses the running statistics, and does not move them
    test_out = layer.forward(x, train_flg=False)
    np.testing.assert_allclose(test_out.reshape(flat.shape),
                               gamma * (flat - 0.2 * mu) / np.sqrt(0.2 * var + 1e-6) + beta, rtol=1e-12)
    np.testing.assert_allclose(layer.running_mean, 0.2 * mu)


def test_batch_norm_second_derivatives_match_central_differences():
    x = rng.standard_normal((5, 3))
    gamma, beta = rng.standard_normal(3), rng.standard_normal(3)
    weights = rng.standard_normal((5, 3))

    def f(x, gamma, beta):  # gamma and beta as inputs too, through the layer's parameter nodes
        layer = BatchNormalization(np.ones(3), np.zeros(3))
        layer.gamma_node, layer.beta_node = gamma, beta
        return (layer.build(x) * weights).sum() ** 2

    assert_grads_match_numeric(f, x, gamma, beta, order=2, atol=1e-4)


def test_batch_norm_explains_bad_shapes():
    layer = BatchNormalization(np.ones(4), np.zeros(4))
    with pytest.raises(ValueError, match=r"BatchNormalization: input of shape \(2, 5\) does not fit gamma of shape \(4,\)"):
        layer.forward(np.ones((2, 5)))
    with pytest.raises(ValueError, match="gamma and beta must be 1-D"):
        BatchNormalization(np.ones(4), np.zeros(3))


# -- optimizers: the textbook's formulas -----------------------------------------


def two_steps(optimizer):
    params = {"W": np.array([[1.0, -2.0], [0.5, 3.0]]), "b": np.array([0.1, -0.1])}
    g1 = {"W": np.array([[0.5, -1.0], [2.0, 0.0]]), "b": np.array([1.0, -3.0])}
    g2 = {"W": np.array([[1.0, 0.5], [-1.0, 0.25]]), "b": np.array([-0.5, 2.0])}
    start = {k: v.copy() for k, v in params.items()}
    optimizer.update(params, g1)
    optimizer.update(params, g2)
    return start, params, g1, g2


def test_nesterov_follows_the_textbook():
    lr, mu = 0.1, 0.9
    start, end, g1, g2 = two_steps(Nesterov(lr=lr, momentum=mu))
    for k in start:
        v1 = -lr * g1[k]
        p1 = start[k] + mu * mu * v1 - (1 + mu) * lr * g1[k]
        v2 = mu * v1 - lr * g2[k]
        np.testing.assert_allclose(end[k], p1 + mu * mu * v2 - (1 + mu) * lr * g2[k], rtol=1e-13)


def test_rmsprop_follows_the_textbook():
    lr, rho = 0.01, 0.99
    start, end, g1, g2 = two_steps(RMSprop(lr=lr, decay_rate=rho))
    for k in start:
        h1 = (1 - rho) * g1[k] ** 2
        p1 = start[k] - lr * g1[k] / (np.sqrt(h1) + 1e-7)
        h2 = rho * h1 + (1 - rho) * g2[k] ** 2
        np.testing.assert_allclose(end[k], p1 - lr * g2[k] / (np.sqrt(h2) + 1e-7), rtol=1e-13)


def test_adam_defaults_to_the_textbook_and_offers_the_pytorch_form():
    lr, b1, b2 = 0.01, 0.9, 0.999
    start, end, g1, g2 = two_steps(Adam(lr=lr))
    for k in start:
        m, v, p = np.zeros_like(start[k]), np.zeros_like(start[k]), start[k].copy()
        for t, g in ((1, g1[k]), (2, g2[k])):
            lr_t = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
            m += (1 - b1) * (g - m)
            v += (1 - b2) * (g ** 2 - v)
            p -= lr_t * m / (np.sqrt(v) + 1e-7)
        np.testing.assert_allclose(end[k], p, rtol=1e-13)
    assert Adam().eps == 1e-7 and Adam(style="pytorch").eps == 1e-8
    # where sqrt(v) is near eps the two forms differ: a zero gradient entry, then a tiny one
    tiny = {"w": np.array(1e-9)}
    a, b = {"w": np.array(0.0)}, {"w": np.array(0.0)}
    Adam(lr=1.0).update(a, tiny)
    Adam(lr=1.0, style="pytorch").update(b, tiny)
    assert abs(a["w"] - b["w"]) > 1e-3
    with pytest.raises(ValueError, match=r"Adam: style must be one of \['textbook', 'pytorch'\]"):
        Adam(style="keras")


@pytest.mark.parametrize("factory", [SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam])
def test_float_parameters_are_replaced_not_aliased(factory):
    """The textbook's optimizer_compare_naive: params['x'] is a float, and the history keeps every value."""
    optimizer = factory(lr=0.1)
    params, history = {"x": -7.0, "y": np.float64(2.0)}, []
    for _ in range(3):
        history.append(params["x"])
        optimizer.update(params, {"x": params["x"] / 10.0, "y": 2.0 * params["y"]})
    assert type(params["x"]) is float and type(params["y"]) is np.float64
    assert len(set(history)) == 3 and history[0] == -7.0
    # the same steps on arrays give the same numbers
    arrays = {"x": np.array([-7.0]), "y": np.array([2.0])}
    twin = factory(lr=0.1)
    for _ in range(3):
        twin.update(arrays, {"x": arrays["x"] / 10.0, "y": 2.0 * arrays["y"]})
    np.testing.assert_allclose([params["x"], params["y"]], [arrays["x"][0], arrays["y"][0]], rtol=1e-14)


# -- the textbook's networks ---------------------------------------------------------


def test_multi_layer_net_has_the_textbook_names_and_weight_decay():
    np.random.seed(1)
    net = MultiLayerNet(input_size=6, hidden_size_list=[5, 4], output_size=3, activation="sigmoid",
                        weight_init_std="sigmoid", weight_decay_lambda=0.1)
    assert list(net.layers) == ["Affine1", "Activation_function1", "Affine2", "Activation_function2", "Affine3"]
    assert sorted(net.params) == ["W1", "W2", "W3", "b1", "b2", "b3"]
    assert net.hidden_layer_num == 2 and net.last_layer is net.lastLayer
    assert 0.2 < net.params["W1"].std() * np.sqrt(6) < 2  # sigma = sqrt(1/6)
    x, t = rng.standard_normal((4, 6)), np.array([0, 2, 1, 1])
    data_loss = float(net.last_layer.forward(net.predict(x), t))
    decay = 0.05 * sum(np.sum(net.params[f"W{i}"] ** 2) for i in (1, 2, 3))
    assert net.loss(x, t) == pytest.approx(data_loss + decay, rel=1e-12)
    grads = net.gradient(x, t)
    numeric = net.numerical_gradient(x, t)
    for key in net.params:
        np.testing.assert_allclose(grads[key], numeric[key], rtol=1e-5, atol=1e-7)


def test_multi_layer_net_extend_puts_batch_norm_and_dropout_where_the_textbook_does():
    np.random.seed(2)
    net = MultiLayerNetExtend(input_size=6, hidden_size_list=[5, 4], output_size=3, use_batchnorm=True,
                              use_dropout=True, dropout_ration=0.2)
    assert list(net.layers) == ["Affine1", "BatchNorm1", "Activation_function1", "Dropout1",
                                "Affine2", "BatchNorm2", "Activation_function2", "Dropout2", "Affine3"]
    assert sorted(net.params) == sorted(["W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3"])
    assert net.layers["BatchNorm1"].gamma is net.params["gamma1"]
    x, t = rng.standard_normal((6, 6)), np.array([0, 2, 1, 1, 0, 2])
    plain = MultiLayerNetExtend(6, [5, 4], 3, use_batchnorm=True)  # no dropout: deterministic
    grads, numeric = plain.gradient(x, t), plain.numerical_gradient(x, t)
    for key in plain.params:
        np.testing.assert_allclose(grads[key], numeric[key], rtol=1e-4, atol=1e-6)
    # inference is deterministic, training is not
    np.testing.assert_array_equal(net.predict(x), net.predict(x))
    assert net.accuracy(x, t) == np.mean(np.argmax(net.predict(x), axis=1) == t)
    assert not np.array_equal(net.predict(x, train_flg=True), net.predict(x, train_flg=True))


def small_conv_net():
    np.random.seed(3)
    return SimpleConvNet(input_dim=(1, 8, 8), conv_param={"filter_num": 3, "filter_size": 3, "pad": 0, "stride": 1},
                         hidden_size=6, output_size=4, weight_init_std=0.3)


def test_simple_conv_net_gradient_matches_the_numerical_gradient():
    net = small_conv_net()
    assert list(net.layers) == ["Conv1", "Relu1", "Pool1", "Affine1", "Relu2", "Affine2"]
    assert net.params["W1"].shape == (3, 1, 3, 3) and net.params["W2"].shape == (3 * 3 * 3, 6)
    x, t = rng.standard_normal((3, 1, 8, 8)), np.array([0, 3, 1])
    grads, numeric = net.gradient(x, t), net.numerical_gradient(x, t)
    for key in net.params:
        np.testing.assert_allclose(grads[key], numeric[key], rtol=1e-4, atol=1e-7, err_msg=key)


def test_simple_conv_net_save_and_load_params_by_file_name(tmp_path):
    net = small_conv_net()
    x = rng.standard_normal((2, 1, 8, 8))
    path = tmp_path / "params.pkl"
    net.save_params(str(path))
    assert path.read_bytes()[:2] == b"PK"  # an npz archive, not a pickle
    expected = net.predict(x)
    other = small_conv_net()
    for value in other.params.values():
        value += 1.0
    other.load_params(str(path))
    np.testing.assert_allclose(other.predict(x), expected)


def test_assigning_a_layer_weight_reaches_params_and_the_computation():
    net = small_conv_net()
    W = np.zeros_like(net.params["W3"])
    net.layers["Affine2"].W = W  # the textbook's load_params does this
    x = rng.standard_normal((2, 1, 8, 8))
    np.testing.assert_allclose(net.predict(x), np.broadcast_to(net.params["b3"], (2, 4)))
    assert net.params["W3"] is W


def test_deep_conv_net_has_the_textbook_layout():
    np.random.seed(4)
    net = DeepConvNet()
    assert isinstance(net.layers, list) and len(net.layers) == 20
    assert [net.params[f"W{i}"].shape[0] for i in range(1, 7)] == [16, 16, 32, 32, 64, 64]
    assert net.params["W7"].shape == (64 * 4 * 4, 50) and net.params["W8"].shape == (50, 10)
    x = rng.standard_normal((2, 1, 28, 28))
    assert net.predict(x).shape == (2, 10)
    grads = net.gradient(x, np.array([1, 7]))
    assert sorted(grads) == sorted(net.params) and all(grads[k].shape == net.params[k].shape for k in grads)


def test_convnet_arguments_are_checked():
    with pytest.raises(ValueError, match=r"SimpleConvNet: unknown conv_param key\(s\) \['filters'\]"):
        SimpleConvNet(conv_param={"filters": 3})
    with pytest.raises(ValueError, match=r"SimpleConvNet Pool1: stride 2 does not divide"):
        SimpleConvNet(input_dim=(1, 9, 9), conv_param={"filter_num": 2, "filter_size": 3})
    with pytest.raises(ValueError, match=r"MultiLayerNet: weight_init_std must be 'relu', 'he'"):
        MultiLayerNet(4, [3], 2, weight_init_std="glorot")


# -- the textbook's Trainer ------------------------------------------------------------


def spiral_split():
    from nn import spiral
    x, t = spiral(n_per_class=60, n_classes=3, seed=0)  # shuffled
    return x[:150], t[:150], x[150:], t[150:]


@pytest.mark.parametrize("name", ["SGD", "momentum", "Nesterov", "AdaGrad", "RMSprop", "rmsprpo", "ADAM"])
def test_trainer_runs_the_textbook_protocol_with_every_named_optimizer(name, capsys):
    from nn import Trainer
    x_train, t_train, x_test, t_test = spiral_split()
    np.random.seed(0)
    net = MultiLayerNet(2, [30], 3)
    lr = {"sgd": 0.5, "momentum": 0.1, "nesterov": 0.1, "adagrad": 0.3, "rmsprop": 0.01, "rmsprpo": 0.01,
          "adam": 0.03}[name.lower()]
    trainer = Trainer(net, x_train, t_train, x_test, t_test, epochs=40, mini_batch_size=30, optimizer=name,
                      optimizer_param={"lr": lr}, evaluate_sample_num_per_epoch=100, verbose=False)
    assert trainer.iter_per_epoch == 5 and trainer.max_iter == 200
    final = trainer.train()
    assert len(trainer.train_loss_list) == 200 and len(trainer.train_acc_list) == len(trainer.test_acc_list) == 40
    assert np.mean(trainer.train_loss_list[-20:]) < 0.6 * np.mean(trainer.train_loss_list[:5])
    assert final == net.accuracy(x_test, t_test) and final > 0.6
    assert capsys.readouterr().out == ""


def test_trainer_prints_the_epoch_lines_and_explains_bad_names(capsys):
    from nn import Trainer
    x_train, t_train, x_test, t_test = spiral_split()
    net = MultiLayerNet(2, [10], 3)
    Trainer(net, x_train, t_train, x_test, t_test, epochs=2, mini_batch_size=50, verbose=True).train()
    out = capsys.readouterr().out
    assert out.count("=== epoch:") == 2 and "Final Test Accuracy" in out and "test acc:" in out
    with pytest.raises(ValueError, match=r"Trainer: unknown optimizer 'adamw'; choose one of \['SGD', 'Momentum'"):
        Trainer(net, x_train, t_train, x_test, t_test, optimizer="adamw")
    with pytest.raises(TypeError, match="optimizer_param .* does not fit Momentum"):
        Trainer(net, x_train, t_train, x_test, t_test, optimizer="momentum", optimizer_param={"rate": 1})


def test_the_textbooks_ch07_gradient_check_runs_with_labels_as_a_column():
    """ch07/gradient_check.py: a 10×10 image, T = [[1]], numerical against backprop."""
    np.random.seed(0)
    net = SimpleConvNet(input_dim=(1, 10, 10), conv_param={"filter_num": 10, "filter_size": 3, "pad": 0, "stride": 1},
                        hidden_size=10, output_size=10, weight_init_std=0.01)
    X = np.random.rand(100).reshape((1, 1, 10, 10))
    T = np.array([1]).reshape((1, 1))
    numeric, grads = net.numerical_gradient(X, T), net.gradient(X, T)
    assert net.loss(X, T) == pytest.approx(net.loss(X, np.array([1])))
    for key in net.params:  # central differences step across a ReLU or pooling kink at a few elements
        difference = np.abs(grads[key] - numeric[key])
        assert np.median(difference) < 1e-9 and difference.mean() < 1e-5, key


def test_a_convolution_with_a_number_bias_adds_it_to_every_filter():
    """ch07/apply_filter.py builds Convolution(w, 0) from one learned filter."""
    from nn import Convolution
    w = rng.standard_normal((1, 1, 3, 3))
    image = rng.standard_normal((1, 1, 6, 6))
    out = Convolution(w, 0.5).forward(image)
    expected = np.array([[np.sum(image[0, 0, i:i + 3, j:j + 3] * w[0, 0]) + 0.5 for j in range(4)] for i in range(4)])
    np.testing.assert_allclose(out[0, 0], expected, rtol=1e-12)


def test_the_fast_textbook_protocol_agrees_with_the_recorded_graph():
    """Affine, Relu and SoftmaxWithLoss skip the graph in forward/backward; the engine gives the same numbers."""
    from autograd import Tensor
    from nn import Affine, Relu, SoftmaxWithLoss
    x, t = rng.standard_normal((4, 2, 3)), np.array([0, 2, 1, 2])
    affine, relu, loss = Affine(rng.standard_normal((6, 3)), rng.standard_normal(3)), Relu(), SoftmaxWithLoss()
    value = loss.forward(relu.forward(affine.forward(x)), t)
    dx = affine.backward(relu.backward(loss.backward(1)))
    assert affine._fast is not None and loss._fast is not None  # the fast path ran
    leaf = Tensor(x)
    recorded = loss(relu(affine(leaf)), t)
    recorded.backward()
    assert value == pytest.approx(float(recorded.data), rel=1e-14)
    np.testing.assert_allclose(dx, leaf.grad, rtol=1e-13)
    np.testing.assert_allclose(affine.dW, affine.weight.grad, rtol=1e-13)
    assert dx.shape == x.shape


def test_dropout_and_batch_norm_take_train_flg_by_position_as_the_textbooks_networks_pass_it():
    """MultiLayerNetExtend.predict and DeepConvNet.predict in the textbook call layer.forward(x, train_flg)."""
    x = rng.standard_normal((6, 4))
    dropout = Dropout(0.25)
    np.testing.assert_allclose(dropout.forward(x, False), 0.75 * x)
    np.random.seed(1)
    trained = dropout.forward(x, True)
    np.testing.assert_array_equal(trained, x * dropout.mask)
    np.testing.assert_array_equal(dropout.backward(np.ones_like(x)), dropout.mask.astype(float))
    norm = BatchNormalization(np.ones(4), np.zeros(4))
    np.testing.assert_allclose(norm.forward(x, True), (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-6), rtol=1e-12)
    running_mean, running_var = 0.1 * x.mean(0), 0.1 * x.var(0)  # one step of momentum 0.9 from zero
    np.testing.assert_allclose(norm.forward(x, False), (x - running_mean) / np.sqrt(running_var + 1e-6), rtol=1e-12)
    with pytest.raises(TypeError, match="Dropout: train_flg must be True"):
        dropout.forward(x, "train")


def test_trainer_names_itself_in_errors_about_the_optimizer():
    from nn import Trainer
    x_train, t_train, x_test, t_test = spiral_split()
    net = MultiLayerNet(2, [5], 3)
    with pytest.raises(ValueError, match=r"Trainer: optimizer_param \{'lr': -1\} does not fit SGD: lr must be in"):
        Trainer(net, x_train, t_train, x_test, t_test, optimizer="sgd", optimizer_param={"lr": -1})
    with pytest.raises(TypeError, match=r"Trainer: optimizer must have an update\(params, grads\) method .*; or a name"):
        Trainer(net, x_train, t_train, x_test, t_test, optimizer=3)


# -- the textbook's common/util.py helpers ------------------------------------------------


def test_shuffle_dataset_permutes_rows_together_from_the_global_generator():
    from nn import shuffle_dataset
    x, t = np.arange(40.0).reshape(10, 1, 2, 2), np.arange(10)
    np.random.seed(3)
    xs, ts = shuffle_dataset(x, t)
    np.random.seed(3)
    order = np.random.permutation(10)
    np.testing.assert_array_equal(ts, order)
    np.testing.assert_array_equal(xs, x[order])
    assert sorted(ts) == list(range(10)) and not np.array_equal(ts, t)
    with pytest.raises(ValueError, match=r"shuffle_dataset: x of shape \(10, 1, 2, 2\) and t of shape \(9,\)"):
        shuffle_dataset(x, t[:9])


def test_smooth_curve_is_a_normalized_kaiser_window_with_mirrored_ends():
    from nn import smooth_curve
    values = rng.standard_normal(50)
    smooth = smooth_curve(values)
    w = np.kaiser(11, 2.0)
    w /= w.sum()
    assert smooth.shape == (50,)
    for i in (0, 3, 20, 49):  # written out: the window centred on i, indices past the ends mirrored
        around = [values[abs(j) if j < 50 else 98 - j] for j in range(i - 5, i + 6)]
        assert smooth[i] == pytest.approx(np.dot(w, around), rel=1e-12)
    np.testing.assert_allclose(smooth_curve(np.full(7, 2.5)), 2.5)
    ramp = np.arange(30.0)
    np.testing.assert_allclose(smooth_curve(ramp)[5:-5], ramp[5:-5])
    assert smooth.std() < 0.6 * values.std()
    assert smooth_curve([4.0]).tolist() == [4.0]
    with pytest.raises(ValueError, match="smooth_curve: expects a 1-D sequence"):
        smooth_curve(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="window must be an odd positive integer"):
        smooth_curve(values, window=10)


# -- DeepConvNet: backprop against central differences ------------------------------------


def seeded(function, seed):
    """``function`` run with NumPy's global generator reset first, so every call draws the same dropout masks."""
    def run(*args):
        np.random.seed(seed)
        return function(*args)
    return run


def test_deep_conv_net_gradient_matches_central_differences_for_every_parameter():
    """A narrow DeepConvNet (2, 2, 3, 3, 4, 4 filters) on 4×4 images: all 502 entries, dropout masks held fixed."""
    from nn import numerical_gradient
    np.random.seed(6)
    narrow = {f"conv_param_{k}": {"filter_num": n} for k, n in enumerate((2, 2, 3, 3, 4, 4), start=1)}
    net = DeepConvNet(input_dim=(1, 4, 4), hidden_size=5, output_size=3, **narrow)
    assert net.params["W7"].shape == (4, 5)  # 4×4 → 4 → pool 2 → 2 + 2·2 − 2 = 4 → pool 2 → 2 → pool 1
    x, t = np.random.default_rng(20).standard_normal((3, 1, 4, 4)), np.array([2, 0, 1])
    grads = seeded(net.gradient, 7)(x, t)
    loss = seeded(lambda _: net.loss(x, t), 7)
    assert sum(value.size for value in net.params.values()) == 502
    for key, value in net.params.items():
        np.testing.assert_allclose(grads[key], numerical_gradient(loss, value), rtol=1e-5, atol=1e-8, err_msg=key)
    # the masks do matter: a fresh draw gives another gradient
    assert not np.allclose(seeded(net.gradient, 8)(x, t)["W8"], grads["W8"])


def test_default_deep_conv_net_gradient_matches_central_differences_on_sampled_entries():
    """The textbook's full-size DeepConvNet on two 28×28 images, two entries of each layer's weights and biases."""
    np.random.seed(9)
    net = DeepConvNet()
    local = np.random.default_rng(21)
    x, t = local.random((2, 1, 28, 28)), np.array([3, 8])
    grads = seeded(net.gradient, 10)(x, t)
    loss = seeded(lambda: net.loss(x, t), 10)
    h = 1e-7  # small: a nudge moves every position a filter touches (784 for b1), and none may cross a kink
    pooled = x
    for layer in net.layers[:15]:  # the convolutions and pools, up to the first Affine (no dropout yet)
        pooled = layer.forward(pooled)
    hidden = pooled.reshape(2, -1) @ net.params["W7"] + net.params["b7"]
    assert np.abs(hidden).min() > 1e-4  # no hidden unit within a nudge of ReLU's kink, so W7, W8 agree closely
    for key in ("W1", "b1", "W3", "W6", "b6", "W7", "W8", "b8"):
        flat = net.params[key].reshape(-1)  # a view: nudging it nudges the network
        for index in local.choice(flat.size, 2, replace=False):
            original = flat[index]
            flat[index] = original + h
            up = loss()
            flat[index] = original - h
            down = loss()
            flat[index] = original
            assert grads[key].reshape(-1)[index] == pytest.approx((up - down) / (2 * h), rel=1e-4, abs=1e-8), (key, index)
