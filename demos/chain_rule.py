"""The chain rule, on the reference material's small examples (SEEDS §2, §3).

Run: python demos/chain_rule.py
"""

from autograd import Value


def square_of_sum(x=1.0, y=2.0):
    """z = t², t = x + y, so dz/dx = dz/dt · dt/dx = 2t · 1 = 2(x + y)."""
    vx, vy = Value(x, name="x"), Value(y, name="y")
    t = vx + vy
    z = t**2
    z.backward()
    return z, t, vx, vy


def slide_example(x1=1.0, x2=1.0):
    """f(x1, x2) = (2·x1 + 3·x2) × 4, so ∂f/∂x1 = 8 and ∂f/∂x2 = 12."""
    v1, v2 = Value(x1, name="x1"), Value(x2, name="x2")
    f = (2 * v1 + 3 * v2) * 4
    f.backward()
    return f, v1, v2


def local_derivatives(upstream=1.3):
    """Each node multiplies the upstream derivative by its local derivative."""
    a, b = Value(10.0), Value(5.0)
    product = a * b
    product.backward(upstream)
    x = Value(3.0)
    square = x**2
    square.backward(upstream)
    return (a, b, product), (x, square)


def main():
    z, t, x, y = square_of_sum()
    print(f"z = (x + y)^2 at x = {x.data}, y = {y.data}: z = {z.data}")
    print(f"  dz/dt = 2t = {t.grad},  dz/dx = {x.grad},  dz/dy = {y.grad}  (2(x + y) = {2 * (x.data + y.data)})")

    f, x1, x2 = slide_example()
    print(f"f = (2 x1 + 3 x2) x 4 = {f.data}:  df/dx1 = {x1.grad},  df/dx2 = {x2.grad}")

    (a, b, product), (x, square) = local_derivatives()
    print(f"multiply node: {a.data} x {b.data} = {product.data}; upstream 1.3 sends back "
          f"{a.grad:.4g} to the {a.data:g}-side and {b.grad:.4g} to the {b.data:g}-side (inputs swapped)")
    print(f"square node y = x^2 at x = {x.data}: upstream 1.3 sends back 1.3 * 2x = {x.grad:.4g}")


if __name__ == "__main__":
    main()
