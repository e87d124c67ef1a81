"""common/optimizer.py: nn's optimizers, with the book's formulas (Adam's 1e-7 after the bias-corrected rate).

Parameters may be arrays (updated in place) or Python floats (replaced in
``params``), as in the book's optimizer_compare_naive.
"""

from nn import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop

__all__ = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"]
