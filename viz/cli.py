"""``python -m viz``: draw an expression's graph, or the textbook's figures.

The expression is checked by ``viz.expression.evaluate`` against a whitelist
and never executed as code. Exit status: 0 on success, 2 for bad input
(one line on stderr), 1 when the picture cannot be written (no ``dot``
program, ``dot`` failing or crashing, an unwritable path).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import signal
import sys
from pathlib import Path
from typing import Any

import graphviz
import numpy as np

import autograd
from autograd import Node, Value

from .draw import FORMATS, DotNotFoundError, draw, render
from .expression import ExpressionError, escape_unprintable, evaluate, parse_assignments
from .figures import ANIMATIONS, FIGURES, GRAPHS, figure
from .player import ANIMATION_FORMATS, DURATION, animate
from .format import DIGITS
from .scene import reachable

PROG = "python -m viz"

#: Resolution of the animations 'demo all' writes (small enough for a README).
ANIMATION_DPI = 72


def _one_argument(name: Any, function: Any) -> Any:
    """``function`` as a Python function of one argument called ``name``, so that
    the expression checker refuses ``exp()`` or ``exp(x, y)`` before anything runs."""

    def call(x: Any) -> Any:
        return function(x)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = function.__doc__
    return call


#: What an expression may call. ``sigmoid`` is the textbook's four nodes in a
#: group named "sigmoid" (``--collapse sigmoid`` draws it as one box).
FUNCTIONS = {
    name: _one_argument(name, function)
    for name, function in {
        "exp": autograd.exp,
        "log": autograd.log,
        "sin": autograd.sin,
        "cos": autograd.cos,
        "tanh": autograd.tanh,
        "relu": autograd.relu,
        "abs": autograd.abs,
        "sqrt": autograd.sqrt,
        "sigmoid": autograd.sigmoid_composite,
    }.items()
}

DESCRIPTION = f"""\
Draw a computational graph the way the textbook does: operations in circles,
left to right, each arrow with its forward value above it and, after
backward, the gradient flowing back along it below it in red.

The expression may use:
  numbers, and the variables given as NAME=VALUE (each one used)
  + - * /, unary minus, and ** with a number as exponent (or 2**x)
  the functions {", ".join(FUNCTIONS)}
    (sigmoid is the textbook's four nodes, in a group named 'sigmoid')
It is parsed and checked against this whitelist, then evaluated step by
step; it is never run as Python code.

Without -o the DOT text goes to stdout. The suffix of -o picks the format:
{", ".join(FORMATS)}. All but .dot/.gv need Graphviz's 'dot' program
(apt-get install graphviz, or brew install graphviz).

With --steps the forward and backward passes are drawn step by step: -o
FILE.html writes a player page (Previous, Next, Play, a slider, the arrow
keys), -o FILE.gif an animated GIF, and -o DIR (no suffix) one PNG per frame;
.gif and PNG frames need Pillow (pip install pillow).
"""

EPILOG = f"""\
examples:
  {PROG} "1/(1+exp(-x))" x=0.5 -o sigmoid.svg
  {PROG} "sigmoid(x) * w" x=0.5 w=2 --collapse sigmoid -o collapsed.png
  {PROG} "(x+y)**2" x=1 y=2 | dot -Tpng -o chain.png
  {PROG} -- "-x*y" x=3 y=2          (an expression starting with '-')
  {PROG} "sigmoid(x)" x=0.5 --steps -o steps.html   (backprop step by step)
  {PROG} demo apple -o apple.svg    (the textbook's figures; see demo --help)
  {PROG} demo sigmoid --steps -o sigmoid.gif
  {PROG} demo all -o docs/          (every figure, as docs/NAME.svg, and docs/sigmoid-steps.gif)

exit status: 0 success, 2 bad input, 1 the picture could not be written.
"""

DEMO_DESCRIPTION = f"""\
Render one of the textbook's figures:
  {", ".join(FIGURES)}
or 'all' of them into the directory given by -o, as NAME.FORMAT for each
of --format, with the step-by-step animation {", ".join(ANIMATIONS)}.
With --steps, one figure's forward and backward passes step by step
(-o FILE.html, FILE.gif, or a directory for PNG frames).
"""


class UsageError(Exception):
    """Bad input on the command line; the message is shown on one line."""


class DotFailedError(Exception):
    """Graphviz's dot program failed or crashed on the graph; the message is one line."""


class _Exit(Exception):
    def __init__(self, status: Any) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that reports errors as UsageError and never calls sys.exit."""

    def error(self, message: Any) -> Any:
        raise UsageError(message)

    def exit(self, status: Any = 0, message: Any | None = None) -> Any:
        if message:
            sys.stderr.write(message)
        raise _Exit(status)


def _expression_parser() -> Any:
    parser = _Parser(
        prog=PROG,
        usage=f"{PROG} [options] EXPRESSION [NAME=VALUE ...]\n       {PROG} demo NAME [-o PATH]",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("words", nargs="*", metavar="EXPRESSION [NAME=VALUE ...]",
                        help="the expression, then a value for each variable, e.g. x=0.5")
    _add_output_option(parser, "the picture to write (.svg, .png, .pdf, .dot); DOT on stdout without it")
    parser.add_argument("--digits", type=_digits, default=DIGITS, metavar="N",
                        help=f"significant digits of the numbers shown (default {DIGITS})")
    parser.add_argument("--constants", choices=("fold", "nodes"), default="fold",
                        help="write constants into their operation's circle ('+ 1', '1/x'; the default) "
                        "or draw them as nodes")
    parser.add_argument("--collapse", action="append", metavar="GROUP",
                        help="draw a group (e.g. sigmoid) as a single box; repeatable; 'all' for every group")
    parser.add_argument("--label", metavar="TEXT", help="text at the end of the output arrow, e.g. y")
    parser.add_argument("--forward-only", action="store_true", help="do not run backward; no gradients shown")
    _add_steps_options(parser)
    return parser


def _add_steps_options(parser: Any) -> None:
    parser.add_argument("--steps", action="store_true",
                        help="draw the forward and backward passes step by step (-o FILE.html, FILE.gif or DIR)")
    parser.add_argument("--duration", type=_duration, metavar="MS",
                        help=f"with --steps: milliseconds per frame when playing (default {DURATION})")
    parser.add_argument("--dpi", type=_dpi, metavar="N", help="resolution of .png output, GIF and PNG frames")


def _demo_parser() -> Any:
    parser = _Parser(
        prog=f"{PROG} demo",
        description=DEMO_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("name", choices=[*FIGURES, "all"], metavar="NAME",
                        help=f"one of {', '.join(FIGURES)}, or all")
    _add_output_option(parser, "the file to write (DOT on stdout without it); with 'all', a directory")
    parser.add_argument("--format", metavar="FORMATS", type=_formats,
                        help="with 'all': comma-separated formats to write, e.g. svg,png (default svg); "
                        "for one figure the suffix of -o picks the format")
    _add_steps_options(parser)
    return parser


def _add_output_option(parser: Any, help_text: Any) -> None:
    parser.add_argument("-o", "--output", metavar="PATH", help=help_text)


def _digits(text: Any) -> Any:
    try:
        digits = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= digits <= 17:
        raise argparse.ArgumentTypeError(f"must be from 1 to 17, got {digits}")
    return digits


def _number_from(low: Any, high: Any, what: Any) -> Any:
    def parse(text: Any) -> Any:
        try:
            number = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number of {what}, got {text!r}") from None
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}, got {number}")
        return number

    return parse


_duration = _number_from(10, 60_000, "milliseconds")
_dpi = _number_from(10, 1200, "dots per inch")


def _formats(text: Any) -> Any:
    formats = list(dict.fromkeys(part.strip().lower().lstrip(".") for part in text.split(",")))
    unknown = [part for part in formats if "." + part not in FORMATS]
    if unknown or not formats:
        raise argparse.ArgumentTypeError(
            f"unknown format {', '.join(map(repr, unknown))}; use {', '.join(f[1:] for f in FORMATS)}"
        )
    return formats


def _check_suffix(path: Any) -> Any:
    if Path(path).suffix.lower() not in FORMATS:
        raise UsageError(f"cannot tell the format of {path!r} from its suffix; use one of {', '.join(FORMATS)}")


def _is_option(parser: Any, word: Any) -> Any:
    """Whether ``word`` names one of the parser's options (so it is not an expression like -x*2)."""
    options = parser._option_string_actions
    return word in options or word.partition("=")[0] in options or (word[:2] in options and word[:2] != "--")


def main(argv: Any | None = None) -> Any:
    """Run the command line; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        if argv[:1] == ["demo"]:
            return _run_demo(argv[1:])
        return _run_expression(argv)
    except _Exit as done:
        return done.status
    except (UsageError, ExpressionError) as error:
        _fail(error)
        return 2
    except (DotNotFoundError, DotFailedError, OSError) as error:
        _fail(error)
        return 1


def _fail(error: Any) -> None:
    message = escape_unprintable(" ".join(str(error).splitlines()))
    print(f"{PROG}: error: {message}", file=sys.stderr)


def _run_expression(argv: Any) -> int:
    parser = _expression_parser()
    expression = None
    if argv and argv[0].startswith("-") and argv[0] != "--" and not _is_option(parser, argv[0]):
        expression, argv = argv[0], argv[1:]  # e.g. "-x*2": an expression, not an option
    args = parser.parse_args(argv)
    words = args.words
    if expression is None:
        if not words:
            raise UsageError(f"no expression given; try {PROG} \"1/(1+exp(-x))\" x=0.5, or --help")
        expression, words = words[0], words[1:]
    _check_output(args)
    values = parse_assignments(words, reserved=FUNCTIONS)
    variables = {name: Value(value, name=name) for name, value in values.items()}
    with np.errstate(all="ignore"):  # inf and nan are drawn as such; NumPy need not warn about them
        result = evaluate(expression, variables, FUNCTIONS)
        if not isinstance(result, Node):
            raise UsageError("the expression uses no variable, so there is no graph to draw; give one, e.g. x=0.5")
        _check_all_used(variables, result)
        collapse = None
        if args.collapse:
            collapse = True if "all" in args.collapse else args.collapse
        options = dict(digits=args.digits, constants=args.constants, collapse=collapse, output_label=args.label)
        if args.steps:
            _animate(result, args, gradients=not args.forward_only, **options)
            return 0
        if not args.forward_only:
            result.backward()
        try:
            graph = draw(result, gradients=not args.forward_only, **options)
        except ValueError as error:  # e.g. --collapse names no group of this graph
            raise UsageError(str(error).removeprefix("draw: ")) from None
    _write(graph, args.output, args.dpi)
    return 0


def _check_output(args: Any) -> Any:
    """Refuse, before anything is computed, an output the options cannot make."""
    if args.steps:
        if args.output is None:
            raise UsageError("--steps needs a file or folder to write: -o FILE.html, -o FILE.gif, or -o DIR for PNG frames")
        suffix = Path(args.output).suffix.lower()
        if suffix and suffix not in ANIMATION_FORMATS:
            raise UsageError(
                f"cannot tell what to write with --steps from the suffix of {args.output!r}; "
                "use .html, .gif, or a directory path without a suffix for PNG frames"
            )
        if args.dpi is not None and suffix in (".html", ".htm"):
            raise UsageError("--dpi applies to .gif and PNG frames; a page is drawn as SVG")
        return
    if args.duration is not None:
        raise UsageError("--duration applies to --steps")
    if args.output is not None:
        _check_suffix(args.output)
        if args.dpi is not None and Path(args.output).suffix.lower() != ".png":
            raise UsageError("--dpi applies to .png output (and with --steps to .gif and PNG frames)")
    elif args.dpi is not None:
        raise UsageError("--dpi applies to .png output: give -o FILE.png")


def _animate(output: Any, args: Any, **options: Any) -> Any:
    """``viz.animate``, with its errors as one line; returns the path written."""
    try:
        path = animate(output, args.output, duration=args.duration or DURATION, dpi=args.dpi, **options)
    except (ValueError, TypeError) as error:  # e.g. --collapse names no group of this graph
        raise UsageError(str(error).removeprefix("draw: ").removeprefix("animate: ")) from None
    except ImportError as error:  # no Pillow for a GIF
        raise UsageError(str(error).removeprefix("animate: ")) from None
    except graphviz.CalledProcessError as error:
        raise DotFailedError(_dot_failure(error.returncode, "")) from None
    return path


def _check_all_used(variables: Any, result: Any) -> Any:
    """A variable given but not used is most likely a typo in the expression or the name."""
    used = set(reachable(result))
    unused = [name for name, node in variables.items() if node not in used]
    if unused:
        names = ", ".join(repr(name) for name in unused)
        what = "variable" if len(unused) == 1 else "variables"
        verb = "is" if len(unused) == 1 else "are"
        raise UsageError(f"{what} {names} {verb} not used in the expression; give only the variables it uses")


def _run_demo(argv: Any) -> int:
    args = _demo_parser().parse_args(argv)
    if args.name != "all":
        if args.format is not None:
            raise UsageError("--format applies to 'demo all'; for one figure the suffix of -o picks the format")
        _check_output(args)
        if args.steps:
            make, options = GRAPHS[args.name]
            _animate(make(), args, **options)
            return 0
        _write(figure(args.name), args.output, args.dpi)
        return 0
    if args.output is None:
        raise UsageError("'demo all' needs a directory to write to: -o DIR")
    if args.steps or args.duration is not None:
        raise UsageError("--steps applies to one figure; 'demo all' writes " + ", ".join(ANIMATIONS) + " anyway")
    formats = args.format or ["svg"]
    if args.dpi is not None and "png" not in formats:
        raise UsageError("--dpi applies to png: add --format png")
    directory = Path(args.output)
    directory.mkdir(parents=True, exist_ok=True)
    for name in FIGURES:
        graph = figure(name)
        for fmt in formats:
            path = _render(graph, directory / f"{name}.{fmt}", args.dpi if fmt == "png" else None)
            print(path)
    args.dpi = args.dpi or ANIMATION_DPI
    for file_name, name in ANIMATIONS.items():
        make, options = GRAPHS[name]
        args.output = str(directory / file_name)
        print(_animate(make(), args, **options))
    return 0


def _write(graph: Any, output: Any, dpi: Any | None = None) -> None:
    if output is None:
        sys.stdout.write(graph.source)
    else:
        _render(graph, output, dpi)


def _render(graph: Any, path: Any, dpi: Any | None = None) -> Any:
    """``render``, with what dot says on stderr passed on when it works, and made one error line when it fails."""
    said = io.StringIO()
    try:
        with contextlib.redirect_stderr(said):
            path = render(graph, path, dpi=dpi)
    except graphviz.CalledProcessError as error:
        raise DotFailedError(_dot_failure(error.returncode, said.getvalue())) from None
    sys.stderr.write(said.getvalue())
    return path


def _dot_failure(status: Any, stderr: Any) -> Any:
    if status < 0:
        try:
            name = signal.Signals(-status).name
        except ValueError:
            name = f"signal {-status}"
        return (
            f"Graphviz's dot crashed ({name}), as it can on very large graphs; "
            "-o FILE.dot writes the DOT text without it"
        )
    said = " ".join(stderr.split())
    return f"Graphviz's dot failed (exit status {status})" + (f": {said}" if said else "")
