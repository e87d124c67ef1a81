"""``python -m nn.book`` prints the directory to put on PYTHONPATH for the textbook's scripts."""

from . import PATH

print(PATH)
