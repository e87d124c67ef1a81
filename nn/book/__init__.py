"""The textbook's ``common`` and ``dataset`` packages as re-exports of nn, so its chapter 4–8 scripts run unchanged.

This directory holds two top-level packages, ``common`` (layers, optimizer,
multi_layer_net, multi_layer_net_extend, trainer, util, functions,
gradient) and ``dataset`` (mnist). Put it first on the module path and run
the book's scripts from their chapter folders, as the book does::

    cd deep-learning-from-scratch/ch07
    PYTHONPATH=$(python -m nn.book) python train_convnet.py

(``sys.path.append(os.pardir)`` in the scripts comes after PYTHONPATH, so
these packages win over the book's own.) Or copy ``common/`` and
``dataset/`` over the book's folders of the same names. The chapter files
the scripts import from their own folder (ch07/simple_convnet.py,
ch08/deep_convnet.py) stay the book's: they build on ``common.layers``.

MNIST comes from nn's loader (``$BACKPROP_GRAPH_DATA`` or
``~/.cache/backprop-graph/mnist``, downloaded when missing); with only the
test set at hand, ``BACKPROP_GRAPH_TEST_SET_ONLY=1`` makes ``load_mnist``
train on its first 8,000 images and test on the last 2,000.
"""

from pathlib import Path

#: The directory to put on the module path (it holds ``common`` and ``dataset``).
PATH = Path(__file__).resolve().parent

__all__ = ["PATH"]
