"""Convolution and pooling on NCHW arrays, through im2col (the textbook's chapter 7).

Two primitives go into the op table:

* ``im2col(x, filter_h, filter_w, stride, pad)`` unfolds every filter-sized
  window of ``x`` (N, C, H, W) into one row: the result has shape
  (N·OH·OW, C·filter_h·filter_w), rows ordered by (n, oh, ow) and columns by
  (c, fh, fw), with OH = (H + 2·pad − filter_h) / stride + 1 (OW alike).
* ``col2im(col, input_shape, filter_h, filter_w, stride, pad)`` is its
  adjoint: it adds every row back onto the window it came from.

Each is linear and the other's VJP, so both differentiate any number of
times. ``conv2d`` and ``max_pool2d`` are compositions of them with the
existing primitives (``affine``, ``reshape``, ``transpose``, ``max``), so
every derivative still comes from the op table.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from .node import Node
from .ops import affine, max as max_, primitive, reshape, transpose

if TYPE_CHECKING:
    from .node import Tensor
    from .ops import Primitive
    from .typing import Array, Operand, PlainData

__all__ = ["im2col", "col2im", "conv2d", "max_pool2d", "conv_output_size"]


def _shape(x: Any) -> tuple[int, ...]:
    return np.shape(x.data if isinstance(x, Node) else x)


def _positive_int(value: Any, name: str, owner: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        least = "a positive integer" if minimum == 1 else f"an integer ≥ {minimum}"
        raise ValueError(f"{owner}: {name} must be {least}, got {value!r}")
    return int(value)


def conv_output_size(input_shape: Sequence[int], filter_h: int, filter_w: int, stride: int = 1, pad: int = 0,
                     owner: str = "im2col", what: str = "filter") -> tuple[int, ...]:
    """(OH, OW) of a ``filter_h`` × ``filter_w`` window sliding over ``input_shape`` (N, C, H, W).

    Raises ``ValueError`` naming ``owner`` when the input is not 4-D, the
    window is larger than the padded input, or the stride does not divide
    the distance it has to travel.
    """
    filter_h = _positive_int(filter_h, f"{what} height", owner)
    filter_w = _positive_int(filter_w, f"{what} width", owner)
    stride = _positive_int(stride, "stride", owner)
    pad = _positive_int(pad, "pad", owner, minimum=0)
    if len(input_shape) != 4:
        raise ValueError(
            f"{owner}: expects NCHW input of shape (N, channels, height, width), got shape {tuple(input_shape)}; "
            f"reshape single images to (1, C, H, W) and flat MNIST rows to (N, 1, 28, 28)"
        )
    _, _, height, width = input_shape
    sizes = []
    for axis, size, window in (("height", height, filter_h), ("width", width, filter_w)):
        padded = size + 2 * pad
        if window > padded:
            raise ValueError(
                f"{owner}: the {what} {axis} {window} is larger than the padded input {axis} {padded} "
                f"({size} + 2·pad {pad}) of input shape {tuple(input_shape)}; use a {what} of at most {padded} "
                f"or pad by at least {-(-(window - size) // 2)}"
            )
        travel = padded - window
        if travel % stride:
            fits = [s for s in range(1, travel + 1) if travel % s == 0] if travel else [1]
            raise ValueError(
                f"{owner}: stride {stride} does not divide the {axis} the {what} travels: input {axis} {size} "
                f"+ 2·pad {pad} − {what} {window} = {travel}; strides that fit: {fits} (input shape {tuple(input_shape)})"
            )
        sizes.append(travel // stride + 1)
    return tuple(sizes)


def _im2col_forward(x: Any, filter_h: int, filter_w: int, stride: int = 1, pad: int = 0) -> Any:
    out_h, out_w = conv_output_size(x.shape, filter_h, filter_w, stride, pad)
    n, c = x.shape[:2]
    if pad:
        x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    s0, s1, s2, s3 = x.strides
    windows = np.lib.stride_tricks.as_strided(
        x, shape=(n, out_h, out_w, c, filter_h, filter_w),
        strides=(s0, s2 * stride, s3 * stride, s1, s2, s3), writeable=False)
    return windows.reshape(n * out_h * out_w, c * filter_h * filter_w)  # one copy, in row order


def _col2im_forward(col: Any, input_shape: Sequence[int], filter_h: int, filter_w: int, stride: int = 1,
                    pad: int = 0) -> Any:
    input_shape = tuple(int(d) for d in input_shape)
    out_h, out_w = conv_output_size(input_shape, filter_h, filter_w, stride, pad, owner="col2im")
    n, c, height, width = input_shape
    expected = (n * out_h * out_w, c * filter_h * filter_w)
    if np.shape(col) != expected:
        raise ValueError(
            f"col2im: col has shape {np.shape(col)} but input shape {input_shape} with a {filter_h}×{filter_w} "
            f"window, stride {stride} and pad {pad} needs {expected}"
        )
    windows = np.asarray(col).reshape(n, out_h, out_w, c, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)
    image = np.zeros((n, c, height + 2 * pad, width + 2 * pad), dtype=windows.dtype)
    for i in range(filter_h):
        rows = slice(i, i + stride * out_h, stride)
        for j in range(filter_w):
            image[:, :, rows, j:j + stride * out_w:stride] += windows[:, :, i, j]
    return image[:, :, pad:pad + height, pad:pad + width] if pad else image


im2col = primitive(
    "im2col", _im2col_forward,
    (lambda g, out, x, filter_h, filter_w, stride=1, pad=0:
        col2im(g, input_shape=_shape(x), filter_h=filter_h, filter_w=filter_w, stride=stride, pad=pad),),
    symbol="im2col", tensor_only=True,
    doc="every filter window of x (N, C, H, W) as a row of (N·OH·OW, C·FH·FW); dx = col2im(g)",
    reads=((),))  # dx needs x's shape only, which no in-place edit changes

col2im: Primitive = primitive(
    "col2im", _col2im_forward,
    (lambda g, out, col, input_shape, filter_h, filter_w, stride=1, pad=0:
        im2col(g, filter_h=filter_h, filter_w=filter_w, stride=stride, pad=pad),),
    symbol="col2im", tensor_only=True,
    doc="rows of col added back onto their windows of an (N, C, H, W) image (im2col's adjoint); dcol = im2col(g)",
    reads=((),))


@overload
def conv2d(x: Node, W: Operand, b: Operand, stride: int = ..., pad: int = ...) -> Tensor: ...

@overload
def conv2d(x: Operand, W: Node, b: Operand, stride: int = ..., pad: int = ...) -> Tensor: ...

@overload
def conv2d(x: Operand, W: Operand, b: Node, stride: int = ..., pad: int = ...) -> Tensor: ...

@overload
def conv2d(x: PlainData, W: PlainData, b: PlainData, stride: int = ..., pad: int = ...) -> Array: ...


def conv2d(x: Operand, W: Operand, b: Operand, stride: int = 1, pad: int = 0) -> Tensor | Array:
    """Cross-correlation of x (N, C, H, W) with filters W (FN, C, FH, FW), plus b (FN,).

    out[n, f, i, j] = Σ_{c, p, q} x_padded[n, c, i·stride + p, j·stride + q] · W[f, c, p, q] + b[f],
    computed as im2col(x) · W.reshape(FN, −1)ᵀ + b (one matrix product).
    """
    x_shape, w_shape, b_shape = _shape(x), _shape(W), _shape(b)
    if len(w_shape) != 4:
        raise ValueError(f"conv2d: W must have shape (filters, channels, height, width), got shape {w_shape}")
    filters, channels, filter_h, filter_w = w_shape
    out_h, out_w = conv_output_size(x_shape, filter_h, filter_w, stride, pad, owner="conv2d")
    if x_shape[1] != channels:
        raise ValueError(
            f"conv2d: input of shape {x_shape} has {x_shape[1]} channels but W of shape {w_shape} expects "
            f"{channels}; give input (N, {channels}, H, W) or filters ({filters}, {x_shape[1]}, {filter_h}, {filter_w})"
        )
    if b_shape != (filters,):
        raise ValueError(f"conv2d: b must have shape ({filters},), one bias per filter of W {w_shape}, got {b_shape}")
    col = im2col(x, filter_h=filter_h, filter_w=filter_w, stride=stride, pad=pad)
    col_W = transpose(reshape(W, shape=(filters, -1)))
    out = affine(col, col_W, b)  # (N·OH·OW, FN)
    return transpose(reshape(out, shape=(x_shape[0], out_h, out_w, filters)), axes=(0, 3, 1, 2))


@overload
def max_pool2d(x: Node, pool_h: int, pool_w: int, stride: int = ..., pad: int = ...) -> Tensor: ...

@overload
def max_pool2d(x: PlainData, pool_h: int, pool_w: int, stride: int = ..., pad: int = ...) -> Array: ...


def max_pool2d(x: Operand, pool_h: int, pool_w: int, stride: int = 1, pad: int = 0) -> Tensor | Array:
    """The largest value of every pool_h × pool_w window of each channel of x (N, C, H, W).

    Padding adds zeros (as the textbook's im2col does). The gradient goes to
    the largest element of each window; tied largest elements share it
    equally, as in ``autograd.max`` (the textbook's argmax gives it all to
    the first; the two agree wherever a window has one largest element).
    """
    x_shape = _shape(x)
    out_h, out_w = conv_output_size(x_shape, pool_h, pool_w, stride, pad, owner="max_pool2d", what="pool")
    n, c = x_shape[:2]
    col = im2col(x, filter_h=pool_h, filter_w=pool_w, stride=stride, pad=pad)
    windows = reshape(col, shape=(-1, pool_h * pool_w))  # one row per (n, oh, ow, c)
    out = max_(windows, axis=1)
    return transpose(reshape(out, shape=(n, out_h, out_w, c)), axes=(0, 3, 1, 2))
