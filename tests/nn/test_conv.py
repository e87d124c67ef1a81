"""Convolution and pooling: the im2col primitives, conv2d, max_pool2d and the Convolution/Pooling layers."""

import numpy as np
import pytest

import autograd
from autograd import Tensor
from autograd.testing import assert_grads_match_numeric
import nn
from nn import Convolution, Pooling

rng = np.random.default_rng(11)


# -- reference math, written out loop by loop ---------------------------------


def padded(x, pad):
    return np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))


def out_size(size, window, stride, pad):
    return (size + 2 * pad - window) // stride + 1


def reference_conv(x, W, b, stride, pad):
    """out[n, f, i, j] = Σ_{c,p,q} x_pad[n, c, i·s + p, j·s + q] · W[f, c, p, q] + b[f]."""
    n, _, h, w = x.shape
    filters, _, fh, fw = W.shape
    xp = padded(x, pad)
    oh, ow = out_size(h, fh, stride, pad), out_size(w, fw, stride, pad)
    out = np.zeros((n, filters, oh, ow))
    for i in range(oh):
        for j in range(ow):
            window = xp[:, :, i * stride:i * stride + fh, j * stride:j * stride + fw]
            out[:, :, i, j] = np.tensordot(window, W, axes=([1, 2, 3], [1, 2, 3])) + b
    return out


def reference_conv_grads(x, W, dout, stride, pad):
    """dW[f,c,p,q] = Σ dout[n,f,i,j]·x_pad[n,c,i·s+p,j·s+q]; dx_pad gets dout[n,f,i,j]·W[f] on each window; db = Σ dout."""
    fh, fw = W.shape[2:]
    xp = padded(x, pad)
    dxp = np.zeros_like(xp)
    dW = np.zeros_like(W)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows, cols = slice(i * stride, i * stride + fh), slice(j * stride, j * stride + fw)
            dW += np.tensordot(dout[:, :, i, j], xp[:, :, rows, cols], axes=([0], [0]))
            dxp[:, :, rows, cols] += np.tensordot(dout[:, :, i, j], W, axes=([1], [0]))
    dx = dxp[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]] if pad else dxp
    return dx, dW, dout.sum(axis=(0, 2, 3))


def reference_pool(x, ph, pw, stride, pad):
    """The maximum of each window, and dx routing dout to the first maximum of each window."""
    xp = padded(x, pad)
    n, c = x.shape[:2]
    oh, ow = out_size(x.shape[2], ph, stride, pad), out_size(x.shape[3], pw, stride, pad)
    out = np.zeros((n, c, oh, ow))
    where = {}
    for a in range(n):
        for ch in range(c):
            for i in range(oh):
                for j in range(ow):
                    window = xp[a, ch, i * stride:i * stride + ph, j * stride:j * stride + pw]
                    out[a, ch, i, j] = window.max()
                    p, q = np.unravel_index(np.argmax(window), window.shape)
                    where[a, ch, i, j] = (i * stride + p, j * stride + q)
    return out, where


def reference_pool_grad(x, where, dout, pad):
    dxp = np.zeros_like(padded(x, pad))
    for (a, ch, i, j), (r, s) in where.items():
        dxp[a, ch, r, s] += dout[a, ch, i, j]
    return dxp[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]] if pad else dxp


# -- the primitives -------------------------------------------------------------

CASES = [  # x shape, filter (h, w), stride, pad
    ((2, 3, 5, 5), (3, 3), 1, 0),
    ((2, 2, 7, 5), (3, 1), 2, 1),
    ((1, 1, 4, 4), (4, 4), 1, 0),
    ((3, 2, 6, 6), (2, 2), 2, 0),
]


@pytest.mark.parametrize("shape, window, stride, pad", CASES)
def test_im2col_rows_are_the_windows_and_col2im_is_its_adjoint(shape, window, stride, pad):
    x = rng.standard_normal(shape)
    col = autograd.im2col(x, filter_h=window[0], filter_w=window[1], stride=stride, pad=pad)
    n, c = shape[:2]
    oh, ow = out_size(shape[2], window[0], stride, pad), out_size(shape[3], window[1], stride, pad)
    assert col.shape == (n * oh * ow, c * window[0] * window[1])
    xp = padded(x, pad)
    for row, (a, i, j) in enumerate(np.ndindex(n, oh, ow)):
        expected = xp[a, :, i * stride:i * stride + window[0], j * stride:j * stride + window[1]].reshape(-1)
        np.testing.assert_array_equal(col[row], expected)
    c_probe = rng.standard_normal(col.shape)
    back = autograd.col2im(c_probe, input_shape=shape, filter_h=window[0], filter_w=window[1], stride=stride, pad=pad)
    assert back.shape == shape
    np.testing.assert_allclose(np.sum(col * c_probe), np.sum(x * back), rtol=1e-12)


@pytest.mark.parametrize("shape, window, stride, pad", CASES[:2])
def test_im2col_and_col2im_pass_gradcheck_to_second_order(shape, window, stride, pad):
    x = rng.standard_normal(shape)
    options = dict(filter_h=window[0], filter_w=window[1], stride=stride, pad=pad)
    weights = rng.standard_normal(autograd.im2col(x, **options).shape)
    # squared so the second derivative is not zero
    assert_grads_match_numeric(lambda x: ((autograd.im2col(x, **options) * weights) ** 2).sum(), x, order=2)
    col = rng.standard_normal(weights.shape)
    image_weights = rng.standard_normal(shape)
    assert_grads_match_numeric(
        lambda c: ((autograd.col2im(c, input_shape=shape, **options) * image_weights) ** 2).sum(), col, order=2)


@pytest.mark.parametrize("stride, pad", [(1, 0), (2, 1)])
def test_conv2d_matches_the_definition_and_passes_gradcheck_to_second_order(stride, pad):
    x = rng.standard_normal((2, 2, 5, 5))
    W = rng.standard_normal((3, 2, 3, 3))
    b = rng.standard_normal(3)
    np.testing.assert_allclose(autograd.conv2d(x, W, b, stride=stride, pad=pad), reference_conv(x, W, b, stride, pad),
                               rtol=1e-12, atol=1e-12)
    weights = rng.standard_normal(reference_conv(x, W, b, stride, pad).shape)
    assert_grads_match_numeric(lambda x, W, b: ((autograd.conv2d(x, W, b, stride=stride, pad=pad) * weights) ** 2).sum(),
                               x, W, b, order=2)


@pytest.mark.parametrize("window, stride, pad", [((2, 2), 2, 0), ((3, 3), 1, 1), ((2, 3), 1, 0)])
def test_max_pool2d_matches_the_definition_and_passes_gradcheck_to_second_order(window, stride, pad):
    x = rng.standard_normal((2, 2, 5, 5)) if stride == 1 else rng.standard_normal((2, 2, 6, 4))
    expected, _ = reference_pool(x, *window, stride, pad)
    np.testing.assert_array_equal(autograd.max_pool2d(x, *window, stride=stride, pad=pad), expected)
    weights = rng.standard_normal(expected.shape)
    assert_grads_match_numeric(lambda x: ((autograd.max_pool2d(x, *window, stride=stride, pad=pad) * weights) ** 2).sum(),
                               x, order=2)


def test_conv2d_gradients_on_nodes_can_be_differentiated_again():
    x = Tensor(rng.standard_normal((1, 1, 4, 4)))
    W = Tensor(rng.standard_normal((2, 1, 2, 2)))
    b = Tensor(np.zeros(2))
    (autograd.conv2d(x, W, b) ** 2).sum().backward(create_graph=True)
    assert isinstance(x.grad, Tensor) and x.grad.requires_grad
    assert x.grad.op is not None


# -- the layers -------------------------------------------------------------------


@pytest.mark.parametrize("stride, pad", [(1, 0), (1, 2), (2, 1)])
def test_convolution_layer_forward_dx_dw_db_match_the_textbook_formulas(stride, pad):
    x = rng.standard_normal((3, 2, 7, 7))
    W = rng.standard_normal((4, 2, 3, 3))
    b = rng.standard_normal(4)
    layer = Convolution(W, b, stride=stride, pad=pad)
    out = layer.forward(x)
    np.testing.assert_allclose(out, reference_conv(x, W, b, stride, pad), rtol=1e-12, atol=1e-12)
    dout = rng.standard_normal(out.shape)
    dx = layer.backward(dout)
    ref_dx, ref_dW, ref_db = reference_conv_grads(x, W, dout, stride, pad)
    np.testing.assert_allclose(dx, ref_dx, rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(layer.dW, ref_dW, rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(layer.db, ref_db, rtol=1e-12)
    with autograd.group("outer"):
        recorded = layer(Tensor(x))
    assert recorded.group.path == ("outer", "Convolution")  # the layer is one box in the diagram


@pytest.mark.parametrize("window, stride, pad", [((2, 2), 2, 0), ((3, 3), 1, 1)])
def test_pooling_layer_forward_and_dx_match_the_textbook(window, stride, pad):
    x = rng.standard_normal((2, 3, 6, 6))
    layer = Pooling(*window, stride=stride, pad=pad)
    out = layer.forward(x)
    expected, where = reference_pool(x, *window, stride, pad)
    np.testing.assert_array_equal(out, expected)
    dout = rng.standard_normal(out.shape)
    np.testing.assert_allclose(layer.backward(dout), reference_pool_grad(x, where, dout, pad), rtol=1e-12)


def test_convolution_weights_are_shared_and_assignable():
    W, b = rng.standard_normal((2, 1, 3, 3)), np.zeros(2)
    layer = Convolution(W, b)
    assert layer.W is W and layer.b is b
    W2 = rng.standard_normal((2, 1, 3, 3))
    layer.W = W2
    assert layer.W is W2
    x = rng.standard_normal((1, 1, 4, 4))
    np.testing.assert_allclose(layer.forward(x), reference_conv(x, W2, b, 1, 0), rtol=1e-12)
    with pytest.raises(ValueError, match=r"Convolution.W: the new array has shape \(3, 1, 3, 3\).*\(2, 1, 3, 3\)"):
        layer.W = np.zeros((3, 1, 3, 3))


@pytest.mark.parametrize(
    "build, x_shape, message",
    [
        (lambda: Convolution(np.zeros((2, 1, 3, 3)), np.zeros(2)), (4, 784),
         r"Convolution: expects NCHW input of shape \(N, channels, height, width\), got shape \(4, 784\)"),
        (lambda: Convolution(np.zeros((2, 3, 3, 3)), np.zeros(2)), (4, 1, 28, 28),
         r"Convolution: input of shape \(4, 1, 28, 28\) has 1 channels but W of shape \(2, 3, 3, 3\) expects 3"),
        (lambda: Convolution(np.zeros((2, 1, 7, 7)), np.zeros(2), pad=1), (1, 1, 4, 4),
         r"Convolution: the filter height 7 is larger than the padded input height 6 .*pad by at least 2"),
        (lambda: Convolution(np.zeros((2, 1, 3, 3)), np.zeros(2), stride=2), (1, 1, 6, 6),
         r"Convolution: stride 2 does not divide the height the filter travels: .* = 3; strides that fit: \[1, 3\] "
         r"\(input shape \(1, 1, 6, 6\)\)"),
        (lambda: Pooling(2, 2, stride=2), (1, 1, 5, 4),
         r"Pooling: stride 2 does not divide the height the pool travels: input height 5"),
        (lambda: Pooling(3, 3), (1, 1, 2, 2), r"Pooling: the pool height 3 is larger than the padded input height 2"),
    ],
)
def test_bad_shapes_get_errors_naming_the_layer_the_shapes_and_what_fits(build, x_shape, message):
    layer = build()
    with pytest.raises(ValueError, match=message):
        layer.forward(np.zeros(x_shape))


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: Convolution(np.zeros((2, 3, 3)), np.zeros(2)), r"Convolution: W must have shape \(filters, channels"),
        (lambda: Convolution(np.zeros((2, 1, 3, 3)), np.zeros(3)), r"Convolution: b must have shape \(2,\)"),
        (lambda: Convolution(np.zeros((2, 1, 3, 3)), np.zeros(2), stride=0), r"Convolution: stride must be a positive"),
        (lambda: Pooling(2, 2, pad=-1), r"Pooling: pad must be an integer ≥ 0"),
        (lambda: Pooling(0, 2), r"Pooling: pool_h must be a positive integer"),
    ],
)
def test_bad_layer_arguments_are_refused(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def _small_simple_convnet():
    return nn.SimpleConvNet(input_dim=(1, 12, 12), hidden_size=4,
                            conv_param={"filter_num": 2, "filter_size": 3, "pad": 0, "stride": 1})


@pytest.mark.parametrize("make", [_small_simple_convnet, lambda: nn.DeepConvNet(input_dim=(1, 28, 28))])
def test_a_conv_network_names_its_input_dim_when_the_images_do_not_fit(make):
    network = make()
    c, h, w = network._sample_shape
    wrong = np.zeros((2, c, h - 4, w - 4))
    for call in (lambda: network.predict(wrong), lambda: network.loss(wrong, np.array([0, 1])),
                 lambda: network.gradient(wrong, np.array([0, 1])), lambda: network.accuracy(wrong, np.array([0, 1]))):
        expected = rf"{type(network).__name__}\.\w+: images of shape \({c}, {h - 4}, {w - 4}\).*input_dim \({c}, {h}, {w}\)"
        with pytest.raises(ValueError, match=expected):
            call()
    assert network.predict(np.zeros((2, c, h, w))).shape == (2, 10)


def test_editing_a_convolutions_input_after_recording_leaves_its_gradients_right():
    # im2col's gradient needs the input's shape only, and the windows it made are its own
    # array: an edit of the input after recording changes no gradient, so it passes.
    rng = np.random.default_rng(8)
    images = rng.standard_normal((2, 1, 12, 12))  # 2.3 kB: kept byte for byte, were it read
    W, b = Tensor(rng.standard_normal((3, 1, 3, 3))), Tensor(np.zeros(3))
    x = Tensor(images.copy())
    loss = (autograd.conv2d(x, W, b) ** 2).sum()
    x.data[0, 0, 5, 5] += 1.0  # after recording
    loss.backward()
    W_reference, b_reference = Tensor(W.data.copy()), Tensor(np.zeros(3))
    (autograd.conv2d(Tensor(images), W_reference, b_reference) ** 2).sum().backward()
    np.testing.assert_array_equal(W.grad, W_reference.grad)
    assert x.grad.shape == images.shape
