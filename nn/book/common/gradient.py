"""common/gradient.py: numerical differentiation by central differences, nn's ``numerical_gradient``.

``numerical_gradient(f, x)`` nudges the float array ``x`` in place, one
element at a time, and calls ``f(x)``; it takes arrays of any shape, so the
book's ``numerical_gradient_2d`` is the same function.
"""

from nn import numerical_gradient

numerical_gradient_2d = numerical_gradient

__all__ = ["numerical_gradient", "numerical_gradient_2d"]
