"""The textbook's overfitting experiments (chapter 6): dropout and weight decay.

A deep MultiLayerNet (784, six hidden layers of 100, 10) on only 300
training images overfits: train accuracy reaches 1 while test accuracy
stays far below. Weight decay (λ = 0.1, overfit_weight_decay.py) and
dropout (ratio 0.2, overfit_dropout.py) narrow the gap. SGD lr 0.01,
batch 100, the textbook's Trainer.

    python demos/dropout.py --data-dir DIR [--test-set-only] [--epochs 201] [--plot PNG]
"""

import argparse
import sys

import numpy as np

import nn
from train_mnist import add_data_arguments, load_or_explain, pyplot

SETTINGS = {
    "plain": dict(),
    "weight decay 0.1": dict(weight_decay_lambda=0.1),
    "dropout 0.2": dict(use_dropout=True, dropout_ration=0.2),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_arguments(parser)
    parser.add_argument("--epochs", type=int, default=201)
    parser.add_argument("--train-size", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--plot", metavar="PNG")
    args = parser.parse_args(argv)
    data = load_or_explain(args)
    if data is None:
        return 1
    what, (x_train, t_train), (x_test, t_test) = data
    x, t = x_train[:args.train_size], t_train[:args.train_size]
    print(f"data: {what}; training on the first {len(x):,} images")
    curves = {}
    for label, options in SETTINGS.items():
        np.random.seed(args.seed)
        network = nn.MultiLayerNetExtend(784, [100] * 6, 10, **options)
        trainer = nn.Trainer(network, x, t, x_test, t_test, epochs=args.epochs, mini_batch_size=100,
                             optimizer="SGD", optimizer_param={"lr": 0.01}, verbose=not args.no_progress)
        trainer.train()
        curves[label] = trainer.train_acc_list, trainer.test_acc_list
        train_acc, test_acc = trainer.train_acc_list[-1], trainer.test_acc_list[-1]
        print(f"{label}: train accuracy {train_acc:.4f}, test accuracy {test_acc:.4f}, gap {train_acc - test_acc:.4f}")
    if args.plot:
        plt = pyplot()

        fig, axes = plt.subplots(1, len(curves), figsize=(3.5 * len(curves), 3.2), squeeze=False)
        for ax, (label, (train, test)) in zip(axes[0], curves.items()):
            ax.plot(train, label="train")
            ax.plot(test, label="test")
            ax.set_title(label)
            ax.set_ylim(0, 1)
            ax.set_xlabel("epochs")
        axes[0][0].set_ylabel("accuracy")
        axes[0][0].legend()
        fig.tight_layout()
        fig.savefig(args.plot)
        print(f"plot saved to {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
