"""Layers, networks, training and data from "Deep Learning from Scratch", on the autograd engine.

Every derivative comes from autograd; the textbook's interface is kept, so
its code runs unchanged::

    import nn
    (x_train, t_train), (x_test, t_test) = nn.load_mnist()
    network = nn.TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
    history = nn.train(network, x_train, t_train, x_test=x_test, t_test=t_test,
                       iterations=10_000, batch_size=100, lr=0.1)

Weight layout: Y = X·W + b, with X (N, inputs) and W (inputs, outputs).
"""

from . import _guard  # noqa: F401  (first: refuses a clash over the name nn or autograd)

from .checkpoint import CheckpointMismatch, load_params, save_params
from .datasets import (
    DatasetUnavailable,
    IDXError,
    download_mnist,
    load_mnist,
    load_mnist_test,
    mnist_cache_dir,
    one_hot,
    read_idx,
    regress_plane,
    shuffle_dataset,
    spiral,
)
from .layers import (
    AddLayer, Affine, BatchNormalization, Convolution, Dropout, IdentityWithLoss, Layer, MulLayer, Pooling, Relu, Sigmoid,
    SoftmaxWithLoss,
)
from .networks import MLP, DeepConvNet, MultiLayerNet, MultiLayerNetExtend, Network, SimpleConvNet, TwoLayerNet
from .numerical import gradient_check, numerical_gradient
from .optim import SGD, AdaGrad, Adam, Momentum, Nesterov, Optimizer, RMSprop
from .plot import plot_history, smooth_curve
from .train import History, Trainer, train

__all__ = [
    # layers
    "Layer", "Affine", "Relu", "Sigmoid", "SoftmaxWithLoss", "IdentityWithLoss", "MulLayer", "AddLayer",
    "Dropout", "BatchNormalization", "Convolution", "Pooling",
    # networks and gradient checking
    "Network", "MLP", "TwoLayerNet", "MultiLayerNet", "MultiLayerNetExtend", "SimpleConvNet", "DeepConvNet",
    "numerical_gradient", "gradient_check",
    # optimizers
    "Optimizer", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam",
    # training
    "train", "History", "Trainer", "plot_history", "smooth_curve",
    # data
    "load_mnist", "load_mnist_test", "download_mnist", "mnist_cache_dir", "read_idx", "one_hot",
    "spiral", "regress_plane", "shuffle_dataset", "DatasetUnavailable", "IDXError",
    # checkpoints
    "save_params", "load_params", "CheckpointMismatch",
]
