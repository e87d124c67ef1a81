"""The textbook's SimpleConvNet on MNIST (chapter 7, train_convnet.py).

Conv(30 filters 5×5) → ReLU → Pool(2×2) → Affine(100) → ReLU → Affine(10),
Adam lr 0.001, batch 100, 20 epochs, accuracy on 1,000 images per epoch;
the textbook reaches about 0.99 on the full set. Saves the parameters
(``--save``, an .npz whatever its name; the textbook's "params.pkl"), the
accuracy curves (``--plot``), the learned first-layer filters
(``--filters``) and a diagram of the network's graph with every layer drawn
as one box (``--graph``, .svg/.png/.pdf/.dot; needs Graphviz except .dot).

    python demos/train_convnet.py --data-dir DIR [--test-set-only] [--epochs 20] [--graph convnet.svg]
"""

import argparse
import sys

import numpy as np

import nn
from train_mnist import add_data_arguments, load_or_explain, pyplot


def draw_graph(network, x, t, path):
    import viz

    loss = network(x, t)  # recorded on nodes, each layer in its group
    loss.backward()
    return viz.render(loss, path, collapse=True, title="SimpleConvNet")


def plot_filters(W, path):
    plt = pyplot()

    count = len(W)
    columns = int(np.ceil(count / 3))
    fig, axes = plt.subplots(3, columns, figsize=(columns, 3))
    for k, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if k < count:
            ax.imshow(W[k, 0], cmap="gray_r", interpolation="nearest")
    fig.savefig(path)
    return path


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_arguments(parser)
    parser.add_argument("--epochs", type=float, default=20)
    parser.add_argument("--train-size", type=int, help="use only this many training images")
    parser.add_argument("--filters", type=int, default=30, help="convolution filters (default 30)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--save", metavar="FILE", help="save the parameters here (npz)")
    parser.add_argument("--plot", metavar="PNG", help="save the accuracy curves here")
    parser.add_argument("--filter-plot", metavar="PNG", help="save the first layer's filters here")
    parser.add_argument("--graph", metavar="FILE", help="save a diagram of the graph on two images here")
    args = parser.parse_args(argv)
    data = load_or_explain(args)
    if data is None:
        return 1
    what, (x_train, t_train), (x_test, t_test) = data
    x_train, x_test = x_train.reshape(-1, 1, 28, 28), x_test.reshape(-1, 1, 28, 28)
    if args.train_size:
        x_train, t_train = x_train[:args.train_size], t_train[:args.train_size]
    print(f"data: {what}; training on {len(x_train):,} images")
    np.random.seed(args.seed)
    network = nn.SimpleConvNet(input_dim=(1, 28, 28),
                               conv_param={"filter_num": args.filters, "filter_size": 5, "pad": 0, "stride": 1},
                               hidden_size=100, output_size=10, weight_init_std=0.01)
    print(f"network: {network}")
    if args.graph:
        print(f"graph saved to {draw_graph(network, x_train[:2], t_train[:2], args.graph)}")
    trainer = nn.Trainer(network, x_train, t_train, x_test, t_test, epochs=args.epochs, mini_batch_size=100,
                         optimizer="Adam", optimizer_param={"lr": 0.001}, evaluate_sample_num_per_epoch=1000,
                         verbose=not args.no_progress)
    test_acc = trainer.train()
    print(f"final: test accuracy {test_acc:.4f} on {len(x_test):,} images after {trainer.max_iter:,} updates")
    if args.save:
        print(f"parameters saved to {network.save_params(args.save)}")
    if args.plot:
        plt = pyplot()

        fig, ax = plt.subplots(figsize=(4, 3))
        ax.plot(trainer.train_acc_list, "o-", label="train", markersize=3)
        ax.plot(trainer.test_acc_list, "s-", label="test", markersize=3)
        ax.set_xlabel("epochs")
        ax.set_ylabel("accuracy")
        ax.set_ylim(0, 1)
        ax.legend()
        fig.tight_layout()
        fig.savefig(args.plot)
        print(f"curves saved to {args.plot}")
    if args.filter_plot:
        print(f"filters saved to {plot_filters(network.params['W1'], args.filter_plot)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
