"""common/layers.py: nn's layers, which keep the book's forward/backward(dout) protocol and attribute names.

Every derivative comes from autograd. As in the book, ``from common.layers
import *`` also brings the functions of common/functions.py and
``im2col``/``col2im``.
"""

from nn import Affine, BatchNormalization, Convolution, Dropout, Pooling, Relu, Sigmoid, SoftmaxWithLoss

from .functions import *  # noqa: F401,F403 (the book's layers module re-exports its functions)
from .functions import __all__ as _functions
from .util import col2im, im2col

__all__ = ["Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "Dropout", "BatchNormalization", "Convolution",
           "Pooling", "im2col", "col2im", *_functions]
