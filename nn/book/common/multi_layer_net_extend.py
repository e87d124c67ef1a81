"""common/multi_layer_net_extend.py: nn's MultiLayerNetExtend (weight decay, dropout, batch normalization)."""

from nn import MultiLayerNetExtend

__all__ = ["MultiLayerNetExtend"]
