"""The textbook's ``dataset`` package: ``dataset.mnist.load_mnist`` on nn's MNIST loader."""
