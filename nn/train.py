"""The training loop: online, mini-batch and full-batch learning, by epochs or iterations.

One update is the textbook's four steps: (1) take a batch, (2) compute the
gradients, (3) ``W ← W − η·∂L/∂W`` (or another optimizer), (4) repeat. The
data is shuffled once per epoch from ``seed`` and walked through in batches;
after every epoch (and before the first update) the network is evaluated
on the training and test sets. ``train`` returns a :class:`History`; Ctrl-C
stops it early and still returns the history so far.

:class:`Trainer` is the textbook's common/trainer.py interface on the same
progress display: batches drawn with ``np.random.choice``, an optimizer
named by a string, accuracy lists per epoch.
"""

import math
import numbers
import sys
import time
from dataclasses import asdict, dataclass, field

import numpy as np

from .optim import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop

__all__ = ["History", "train", "Trainer"]


@dataclass
class History:
    """What happened during ``train``.

    Per evaluation (before training, then after every epoch; a last partial
    epoch gives a fractional ``epoch``): ``epoch``, ``step`` (updates done so
    far), ``train_loss``, ``train_acc``, ``test_loss``, ``test_acc`` (the
    accuracy lists stay empty for regression, the test lists without a test
    set). Per update: ``step_loss``, the loss of that batch (update k ends
    at epoch k / ``steps_per_epoch``). ``stopped_early``
    says why training ended before its end (Ctrl-C, a non-finite loss), or is
    None. A non-finite loss is the last ``step_loss``, and its batch's update
    is not applied: the network keeps the last finite weights.
    """

    epoch: list = field(default_factory=list)
    step: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    test_loss: list = field(default_factory=list)
    test_acc: list = field(default_factory=list)
    step_loss: list = field(default_factory=list)
    stopped_early: str = None
    seconds: float = 0.0
    steps_per_epoch: int = 0

    @property
    def interrupted(self):
        """True when Ctrl-C (KeyboardInterrupt) ended the training."""
        return bool(self.stopped_early) and self.stopped_early.startswith("interrupted")

    def as_dict(self):
        return asdict(self)

    def __repr__(self):
        last = f", last train_loss={self.train_loss[-1]:.4g}" if self.train_loss else ""
        if self.test_acc:
            last += f", test_acc={self.test_acc[-1]:.4f}"
        stopped = f", stopped_early={self.stopped_early!r}" if self.stopped_early else ""
        return f"History({len(self.step_loss)} steps, {len(self.epoch)} evaluations{last}{stopped})"


def train(network, x_train, t_train, *, x_test=None, t_test=None, epochs=None, iterations=None,
          batch_size=100, lr=None, optimizer=None, shuffle=True, seed=0, progress=True, report_every=1,
          callback=None, eval_batch_size=10000):
    """Train ``network`` on ``(x_train, t_train)`` and return a :class:`History`.

    - Length: ``epochs`` (passes over the data) or ``iterations`` (updates), one of them.
    - ``batch_size``: 1 is online learning, ``"full"`` is full-batch learning
      (the whole set per update), anything between is mini-batch learning.
    - ``optimizer``: anything with ``update(params, grads)`` (default plain
      SGD with ``lr``, itself 0.1 by default).
    - ``shuffle``: a new order every epoch from ``seed`` (the same seed gives
      the same run); without it the batches are taken in order.
    - ``progress``: True shows a tqdm bar with the running loss and the last
      accuracy, plus a line per epoch (every ``report_every`` epochs, and the
      last); without tqdm installed, or with ``"lines"``, only the lines;
      False prints nothing.
    - ``callback(history)`` runs after every evaluation.

    The network needs ``params`` and ``gradient(x, t)`` and ``loss(x, t)``
    (``loss_and_gradient`` and ``evaluate`` are used when present, as on nn's
    networks); ``accuracy(x, t)`` is reported when it exists.
    """
    x_train, t_train = _check_pair(x_train, t_train, "x_train", "t_train")
    if (x_test is None) != (t_test is None):
        raise ValueError("train: give both x_test and t_test, or neither")
    if x_test is not None:
        x_test, t_test = _check_pair(x_test, t_test, "x_test", "t_test")
    size = len(x_train)
    batch = _check_batch_size(batch_size, size)
    steps_per_epoch = math.ceil(size / batch)
    total_steps = _total_steps(epochs, iterations, steps_per_epoch)
    optimizer = _optimizer(optimizer, lr)
    if isinstance(report_every, bool) or not isinstance(report_every, numbers.Integral) or report_every < 1:
        raise ValueError(f"train: report_every must be a positive integer (epochs between lines), got {report_every!r}")
    if isinstance(eval_batch_size, bool) or not isinstance(eval_batch_size, numbers.Integral) or eval_batch_size < 1:
        raise ValueError(
            f"train: eval_batch_size must be a positive integer (rows evaluated at a time), got {eval_batch_size!r}"
        )
    if callback is not None and not callable(callback):
        raise TypeError(f"train: callback must be callable, got {type(callback).__name__}")
    step_fn = _step_function(network)
    evaluate = _evaluator(network, eval_batch_size)
    rng = np.random.default_rng(seed)

    history = History(steps_per_epoch=steps_per_epoch)
    report = _Progress(total_steps, progress)
    started = time.perf_counter()
    step = 0

    def record():
        history.epoch.append(step / steps_per_epoch)
        history.step.append(step)
        for split, x, t in (("train", x_train, t_train), ("test", x_test, t_test)):
            if x is None:
                continue
            loss, acc = evaluate(x, t)
            getattr(history, f"{split}_loss").append(loss)
            if acc is not None:
                getattr(history, f"{split}_acc").append(acc)
        report.epoch_line(history, show=(len(history.epoch) - 1) % report_every == 0 or step >= total_steps)
        if callback is not None:
            callback(history)

    try:
        record()
        while step < total_steps:
            order = rng.permutation(size) if shuffle else None
            for start in range(0, size, batch):
                rows = order[start:start + batch] if shuffle else slice(start, start + batch)
                loss, grads = step_fn(x_train[rows], t_train[rows])
                step += 1
                history.step_loss.append(loss)
                if not math.isfinite(loss):
                    # Stop before the update: its gradients would spread the NaN or inf
                    # into every weight, and the last finite ones are worth keeping.
                    history.stopped_early = (
                        f"the loss became {loss} at step {step}; try a smaller learning rate"
                    )
                    report.write(f"stopped: {history.stopped_early}")
                    return history
                optimizer.update(network.params, grads)
                report.step(loss)
                if step >= total_steps:
                    break
            record()
    except KeyboardInterrupt:
        history.stopped_early = f"interrupted at step {step} (epoch {step / steps_per_epoch:.2f})"
        report.write(f"{history.stopped_early}: returning the history so far")
    finally:
        history.seconds = time.perf_counter() - started
        report.close()
    return history


def _check_pair(x, t, x_name, t_name):
    x, t = np.asarray(x), np.asarray(t)
    if x.ndim == 0 or t.ndim == 0:
        raise ValueError(f"train: {x_name} and {t_name} must be arrays with one row per sample")
    if len(x) != len(t):
        raise ValueError(f"train: {x_name} has {len(x)} rows but {t_name} has {len(t)}; they must match")
    if len(x) == 0:
        raise ValueError(f"train: {x_name} is empty")
    return x, t


def _check_batch_size(batch_size, size):
    if batch_size == "full":
        return size
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size < 1:
        raise ValueError(
            f"train: batch_size must be a positive integer (1 = online learning) or 'full' (full batch), "
            f"got {batch_size!r}"
        )
    return min(int(batch_size), size)


def _total_steps(epochs, iterations, steps_per_epoch):
    if (epochs is None) == (iterations is None):
        raise TypeError("train: say how long to train with exactly one of epochs=... or iterations=...")
    value, name = (epochs, "epochs") if epochs is not None else (iterations, "iterations")
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"train: {name} must be a positive integer, got {value!r}")
    return int(value) * steps_per_epoch if name == "epochs" else int(value)


def _optimizer(optimizer, lr):
    if optimizer is None:
        return SGD(lr=0.1 if lr is None else lr)
    if lr is not None:
        raise TypeError("train: give lr (for plain SGD) or an optimizer with its own lr, not both")
    if isinstance(optimizer, type):
        raise TypeError(
            f"train: optimizer is the class {optimizer.__name__}; pass an optimizer such as "
            f"{optimizer.__name__}() or {optimizer.__name__}(lr=0.01)"
        )
    if not callable(getattr(optimizer, "update", None)):
        raise TypeError(
            f"train: optimizer must have an update(params, grads) method (nn.SGD, nn.Adam, …), "
            f"got {type(optimizer).__name__}"
        )
    return optimizer


def _step_function(network):
    if not hasattr(network, "params"):
        raise TypeError(f"train: the network needs a params dict; {type(network).__name__} has none")
    fused = getattr(network, "loss_and_gradient", None)
    if fused is not None:
        return fused
    if not (hasattr(network, "gradient") and hasattr(network, "loss")):
        raise TypeError(
            f"train: the network needs gradient(x, t) and loss(x, t) methods; {type(network).__name__} lacks them"
        )

    def step(x, t):
        grads = network.gradient(x, t)
        return float(network.loss(x, t)), grads

    return step


def _evaluator(network, batch_size):
    evaluate = getattr(network, "evaluate", None)
    if evaluate is not None:
        return lambda x, t: evaluate(x, t, batch_size=batch_size)
    has_accuracy = hasattr(network, "accuracy")
    return lambda x, t: (float(network.loss(x, t)), float(network.accuracy(x, t)) if has_accuracy else None)


class _Progress:
    """A tqdm bar when tqdm is installed, plain lines otherwise, nothing when disabled."""

    def __init__(self, total, enabled):
        if enabled not in (True, False, "lines"):
            raise ValueError(f"train: progress must be True, False or 'lines', got {enabled!r}")
        self.enabled = bool(enabled)
        self.bar = None
        self.running = []  # batch losses of the current epoch
        self.epoch_ended = False
        self.accuracy = None
        if enabled != True:  # noqa: E712 ("lines" is truthy too)
            return
        try:
            from tqdm.auto import tqdm
        except ImportError:  # the optional 'train' extra is not installed
            return
        self.bar = tqdm(total=total, desc="training", unit="step", dynamic_ncols=True, mininterval=0.25)

    def step(self, loss):
        if self.epoch_ended:
            self.running, self.epoch_ended = [], False
        self.running.append(loss)
        if self.bar is not None:
            self._postfix(refresh=False)
            self.bar.update(1)

    def _postfix(self, refresh):
        shown = f"loss {sum(self.running) / len(self.running):.4f}" if self.running else ""
        if self.accuracy is not None:
            shown += f"{', ' if shown else ''}{self.accuracy_name} {self.accuracy:.4f}"
        self.bar.set_postfix_str(shown, refresh=refresh)

    def epoch_line(self, history, show=True):
        self.epoch_ended = True  # the bar keeps showing this epoch's mean loss until the next step
        self.accuracy_name = "test acc" if history.test_acc else "train acc"
        accuracies = history.test_acc or history.train_acc
        self.accuracy = accuracies[-1] if accuracies else None
        if self.bar is not None:
            self._postfix(refresh=True)
        if not show:
            return
        parts = [f"epoch {history.epoch[-1]:6.2f}", f"step {history.step[-1]:6d}"]
        if history.train_loss:
            parts.append(f"train loss {history.train_loss[-1]:.4f}")
        if history.train_acc:
            parts.append(f"train acc {history.train_acc[-1]:.4f}")
        if history.test_loss:
            parts.append(f"test loss {history.test_loss[-1]:.4f}")
        if history.test_acc:
            parts.append(f"test acc {history.test_acc[-1]:.4f}")
        self.write("  ".join(parts))

    def write(self, line):
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.write(line, file=sys.stdout)
        else:
            print(line, flush=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()


class Trainer:
    """The textbook's trainer (common/trainer.py): ``Trainer(network, x_train, t_train, x_test, t_test, ...).train()``.

    - ``optimizer``: 'SGD', 'Momentum', 'Nesterov', 'AdaGrad', 'RMSprop' or
      'Adam' (any case; the textbook's misspelling 'rmsprpo' too), built with
      ``optimizer_param``; or an optimizer object.
    - Each step draws ``mini_batch_size`` rows with replacement
      (``np.random.choice``, so ``np.random.seed`` repeats a run), computes
      the loss and the gradients in one pass, and updates
      ``network.params``. ``train_loss_list`` holds each batch's loss
      (before its update).
    - Every ``iter_per_epoch`` = max(train size / batch size, 1) steps, the
      accuracy on the first ``evaluate_sample_num_per_epoch`` rows (all
      when None) of both sets goes to ``train_acc_list`` and
      ``test_acc_list``; ``train`` runs ``max_iter`` = int(epochs ·
      iter_per_epoch) steps and ends with the accuracy on the whole test set.
    - ``verbose``: a progress bar with the running loss (plain lines without
      tqdm) and a line per epoch; False prints nothing.
    """

    OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "adagrad": AdaGrad,
                  "rmsprop": RMSprop, "rmsprpo": RMSprop, "adam": Adam}

    def __init__(self, network, x_train, t_train, x_test, t_test, epochs=20, mini_batch_size=100,
                 optimizer="SGD", optimizer_param=None, evaluate_sample_num_per_epoch=None, verbose=True):
        self.network = network
        self.x_train, self.t_train = _check_pair(x_train, t_train, "x_train", "t_train")
        self.x_test, self.t_test = _check_pair(x_test, t_test, "x_test", "t_test")
        self.step_fn = _step_function(network)
        if isinstance(epochs, bool) or not isinstance(epochs, numbers.Real) or not 0 < epochs < math.inf:
            raise ValueError(f"Trainer: epochs must be a positive number, got {epochs!r}")
        self.epochs = epochs
        if isinstance(mini_batch_size, bool) or not isinstance(mini_batch_size, numbers.Integral) or mini_batch_size < 1:
            raise ValueError(f"Trainer: mini_batch_size must be a positive integer, got {mini_batch_size!r}")
        self.batch_size = int(mini_batch_size)  # drawn with replacement: may exceed the training set
        if evaluate_sample_num_per_epoch is not None and (
                isinstance(evaluate_sample_num_per_epoch, bool)
                or not isinstance(evaluate_sample_num_per_epoch, numbers.Integral) or evaluate_sample_num_per_epoch < 1):
            raise ValueError(
                f"Trainer: evaluate_sample_num_per_epoch must be a positive integer or None, "
                f"got {evaluate_sample_num_per_epoch!r}"
            )
        self.evaluate_sample_num_per_epoch = evaluate_sample_num_per_epoch
        self.optimizer = self._optimizer(optimizer, optimizer_param)
        self.verbose = bool(verbose)
        self.train_size = len(self.x_train)
        self.iter_per_epoch = max(self.train_size / self.batch_size, 1)
        self.max_iter = int(epochs * self.iter_per_epoch)
        self.current_iter = 0
        self.current_epoch = 0
        self.train_loss_list = []
        self.train_acc_list = []
        self.test_acc_list = []
        self._progress = None

    def _optimizer(self, optimizer, optimizer_param):
        names = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"]
        if not isinstance(optimizer, str):
            if optimizer_param:
                raise TypeError("Trainer: optimizer_param is for an optimizer given by name; this one is built already")
            try:
                return _optimizer(optimizer, None)
            except TypeError as error:
                raise TypeError(f"Trainer: {str(error).removeprefix('train: ')}; or a name, one of {names}") from None
        factory = self.OPTIMIZERS.get(optimizer.lower())
        if factory is None:
            raise ValueError(f"Trainer: unknown optimizer {optimizer!r}; choose one of {names} (any case)")
        param = {"lr": 0.01} if optimizer_param is None else dict(optimizer_param)
        try:
            return factory(**param)
        except (TypeError, ValueError) as error:
            raise type(error)(f"Trainer: optimizer_param {param} does not fit {factory.__name__}: {error}") from None

    def train_step(self):
        """One update on a random batch; at the start of each epoch, the accuracies."""
        rows = np.random.choice(self.train_size, self.batch_size)
        loss, grads = self.step_fn(self.x_train[rows], self.t_train[rows])
        if not math.isfinite(loss):
            raise FloatingPointError(
                f"Trainer: the loss became {loss} at step {self.current_iter}; try a smaller learning rate"
            )
        self.optimizer.update(self.network.params, grads)
        self.train_loss_list.append(loss)
        if self._progress is not None:
            self._progress.step(loss)
        if self.current_iter % self.iter_per_epoch == 0:
            self.current_epoch += 1
            count = self.evaluate_sample_num_per_epoch
            train_acc = self.network.accuracy(self.x_train[:count], self.t_train[:count])
            test_acc = self.network.accuracy(self.x_test[:count], self.t_test[:count])
            self.train_acc_list.append(train_acc)
            self.test_acc_list.append(test_acc)
            self._say(f"=== epoch:{self.current_epoch}, train acc:{train_acc:.4f}, test acc:{test_acc:.4f} ===")
        self.current_iter += 1

    def train(self):
        """Run ``max_iter`` steps, then measure the whole test set (returned, and printed when verbose)."""
        self._progress = _Progress(self.max_iter, True if self.verbose else False)
        try:
            for _ in range(self.max_iter):
                self.train_step()
            test_acc = self.network.accuracy(self.x_test, self.t_test)
            self._say("=============== Final Test Accuracy ===============")
            self._say(f"test acc:{test_acc}")
        finally:
            self._progress.close()
            self._progress = None
        return test_acc

    def _say(self, line):
        if self._progress is not None:
            self._progress.write(line)
        elif self.verbose:
            print(line, flush=True)
