"""common/util.py: smooth_curve, shuffle_dataset, and the im2col family with the book's positional signatures.

``im2col`` and ``col2im`` are autograd's primitives (differentiable, each
the other's VJP); on NumPy arrays they return NumPy arrays. Unlike the
book's, they refuse a stride that does not divide the distance the window
travels instead of dropping the last rows and columns.
"""

import numbers

import autograd
from nn import shuffle_dataset, smooth_curve

__all__ = ["smooth_curve", "shuffle_dataset", "conv_output_size", "im2col", "col2im"]


def conv_output_size(input_size, filter_size, stride=1, pad=0):
    """(input_size + 2·pad − filter_size) / stride + 1, the output width of a sliding window, as an int.

    Raises ValueError when the filter is larger than the padded input or the
    stride does not divide the distance it travels (the book returns a
    fraction there).
    """
    if isinstance(input_size, bool) or not isinstance(input_size, numbers.Integral) or input_size < 1:
        raise ValueError(f"conv_output_size: input_size must be a positive integer, got {input_size!r}")
    size = int(input_size)
    return autograd.conv_output_size((1, 1, size, size), filter_size, filter_size, stride, pad,
                                     owner="conv_output_size")[0]


def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    """Every filter_h × filter_w window of ``input_data`` (N, C, H, W) as one row: (N·OH·OW, C·filter_h·filter_w)."""
    return autograd.im2col(input_data, filter_h=filter_h, filter_w=filter_w, stride=stride, pad=pad)


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    """The rows of ``col`` added back onto their windows of an ``input_shape`` (N, C, H, W) image (im2col's adjoint)."""
    return autograd.col2im(col, input_shape=tuple(input_shape), filter_h=filter_h, filter_w=filter_w, stride=stride,
                           pad=pad)
