"""The textbook's first computational graphs: buying apples (and oranges).

Forward: multiply prices, counts and tax. Backward from d(price) = 1: how much
more do we pay when an input grows by one? Run: python demos/apple.py
"""

from autograd import Value


def apples():
    """100 yen × 2 apples × tax 1.1 = 220."""
    apple = Value(100.0, name="apple")
    apple_num = Value(2.0, name="apple_num")
    tax = Value(1.1, name="tax")
    apple_price = apple * apple_num
    apple_price.name = "apple_price"
    price = apple_price * tax
    price.name = "price"
    price.backward()
    return price, [apple, apple_num, apple_price, tax]


def apples_and_oranges():
    """(100 × 2 + 150 × 3) × 1.1 = 715."""
    apple = Value(100.0, name="apple")
    apple_num = Value(2.0, name="apple_num")
    orange = Value(150.0, name="orange")
    orange_num = Value(3.0, name="orange_num")
    tax = Value(1.1, name="tax")
    apple_price = apple * apple_num
    apple_price.name = "apple_price"
    orange_price = orange * orange_num
    orange_price.name = "orange_price"
    all_price = apple_price + orange_price
    all_price.name = "all_price"
    price = all_price * tax
    price.name = "price"
    price.backward()
    return price, [apple, apple_num, orange, orange_num, apple_price, orange_price, all_price, tax]


def report(title, price, nodes):
    print(title)
    print(f"  forward:  price = {price.data!r}")
    print("  backward: d(price)/d(...)")
    for node in nodes:
        print(f"    {node.name:<13} {node.grad!r}")
    print()


def main():
    report("Apples: 100 yen x 2 x tax 1.1", *apples())
    report("Apples and oranges: (100 x 2 + 150 x 3) x 1.1", *apples_and_oranges())
    print("Draw them:  python -m viz demo apple -o apple.svg")


if __name__ == "__main__":
    main()
