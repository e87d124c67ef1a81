"""The reference notebook's run: regression on playground-data's RegressPlane.

Network [2, 3, 1] starting from zero weights: a sigmoid hidden layer, an
identity output and the sum-of-squares loss ½(ŷ − y)² averaged over the
batch; mini-batches of 4, 100 epochs, learning rate 0.02, the points split
50/50 into training and test data. Saves the loss curve and the prediction
map (the model's output as the background colour behind the points, drawn by
plygdata's draw_decision_boundary, which calls the model's predict).

    python demos/regression_plane.py [--epochs 100] [--out-dir regression_plane]

Needs the 'demos' extra: pip install 'backprop-graph[demos]'.
"""

import argparse
import sys
from pathlib import Path

import nn


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=4, help="1 = online, 0 = full batch (default 4)")
    parser.add_argument("--lr", type=float, default=0.02)
    parser.add_argument("--points", type=int, default=1200, help="points generated, half for training (default 1200)")
    parser.add_argument("--noise", type=float, default=0.0, help="the playground's noise level, 0 to 0.5")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out-dir", default="regression_plane", help="where the PNGs go (created if needed)")
    parser.add_argument("--no-plots", action="store_true", help="train and print only")
    return parser.parse_args(argv)


def prediction_map(network, train, test, title):
    """The model's prediction as the background colour behind the points, as a matplotlib Figure.

    plygdata draws the points and the background (calling ``network.predict``);
    training points have a white edge and test points a dark one, which the
    legend names. Close it with ``matplotlib.pyplot.close(figure)``.
    """
    import plygdata as pg
    from matplotlib.lines import Line2D

    figure, axes = pg.plot_points_with_playground_style(train[0], train[1], test[0], test[1], figsize=(6, 6.6), dpi=100)
    colorbar = pg.draw_decision_boundary(figure, axes, node_id=None, trained_model=network, discretize=False)
    axes.set_title(title, pad=22)
    axes.set_xlabel("x1")
    axes.xaxis.set_label_position("top")  # the colour bar sits right under the axis
    axes.set_ylabel("x2")
    point = dict(marker="o", linestyle="", markersize=6, markerfacecolor="#999999", markeredgewidth=1.2)
    axes.legend(handles=[Line2D([], [], markeredgecolor="#ffffff", label=f"train ({len(train[0])} points)", **point),
                         Line2D([], [], markeredgecolor="#555555", label=f"test ({len(test[0])} points)", **point)],
                loc="upper right", facecolor="#dddddd", framealpha=0.9)
    colorbar.axes.figure.axes[-1].set_xlabel("prediction ŷ (points: target y)")
    return figure


def save_prediction_map(network, train, test, path, title):
    import matplotlib.pyplot as plt

    figure = prediction_map(network, train, test, title)
    try:
        figure.savefig(path)
    finally:
        plt.close(figure)
    return path


def main(argv=None):
    args = parse_args(argv)
    try:
        train, test = nn.regress_plane(n=args.points, noise=args.noise, seed=args.seed, test_ratio=0.5)
    except ImportError as error:
        print(error, file=sys.stderr)
        return 2
    if not args.no_plots:
        import matplotlib

        matplotlib.use("Agg")  # files only; plygdata draws with pyplot
    network = nn.MLP([2, 3, 1], activation="sigmoid", output="identity", weight_init=0)
    print(f"data: RegressPlane, {len(train[0])} training and {len(test[0])} test points, target y in [-1, 1]")
    print(f"network: {network}, weights starting at 0")
    history = nn.train(network, *train, x_test=test[0], t_test=test[1], epochs=args.epochs,
                       batch_size=args.batch_size or "full", lr=args.lr, seed=args.seed,
                       progress="lines", report_every=max(1, args.epochs // 10))
    print(f"test loss: {history.test_loss[0]:.4f} before training, {history.test_loss[-1]:.4f} after "
          f"{history.step[-1]:,} updates ({history.seconds:.1f} s)")
    if not args.no_plots:
        out = Path(args.out_dir)
        out.mkdir(parents=True, exist_ok=True)
        curve = nn.plot_history(history, out / "loss.png", title="RegressPlane, network [2, 3, 1]", log_loss=True)
        print(f"loss curve: {curve}")
        title = (f"RegressPlane: network [2, 3, 1] after {args.epochs} epoch{'' if args.epochs == 1 else 's'}\n"
                 f"test loss {history.test_loss[-1]:.4f}")
        print(f"prediction map: {save_prediction_map(network, train, test, out / 'prediction.png', title)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
