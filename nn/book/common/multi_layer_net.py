"""common/multi_layer_net.py: nn's MultiLayerNet(input_size, hidden_size_list, output_size, ...)."""

from nn import MultiLayerNet

__all__ = ["MultiLayerNet"]
