"""Safe parsing and evaluation of arithmetic expressions typed on the command line.

``python -m viz "1/(1+exp(-x))" x=0.5`` turns user-supplied text into a
computation graph.  The text is never executed as Python code: :func:`evaluate`
parses it with ``ast.parse(text, mode="eval")``, checks the *whole* tree
against the whitelist below and only then walks the tree itself, applying
Python's arithmetic operators to the operands and calling the functions it was
given.  Names from the input are only looked up in the two mappings passed by
the caller; nothing from the input reaches ``eval``, ``exec``, ``compile``
(beyond the AST-only parse), ``getattr`` or the import system.

Allowed:

* numeric literals of type ``int`` or ``float`` (``3``, ``0.5``, ``1e-3``):
  integers of at most 50 digits, floats of magnitude at most 1e300;
* names bound in ``variables`` (any objects supporting the operators, such as
  autograd ``Value`` nodes or plain floats);
* binary ``+ - * / **`` and unary ``-`` and ``+`` (unary plus returns its
  operand unchanged);
* calls ``name(arg, ...)`` where ``name`` is a key of ``functions``, with
  positional arguments only, as many as the function takes (checked before
  anything runs when it is a Python function; builtins check when called).

``**`` is bounded: its exponent must be a numeric literal (optionally signed)
of magnitude at most ``max_exponent`` (``x**2``, ``x**-0.5``), or a variable
(optionally signed) when the base is a numeric literal (``2**x``).  So
``x**y``, ``x**(1+1)`` and ``9**9**9`` are refused before anything is
computed, and an integer ``**`` whose result would exceed 1024 bits is refused
when evaluated.

Everything else is refused with an :class:`ExpressionError` naming what was
found and its column: attribute access, subscripts and slices, lambdas,
comprehensions and generator expressions, strings, bytes and f-strings,
``True``/``False``/``None``/``...``, complex numbers, comparisons,
``and``/``or``/``not``, conditional expressions, ``:=``, tuples, lists, sets
and dicts, ``*``/``**`` unpacking, keyword arguments, ``//``, ``%``, ``@`` and
bitwise operators, ``await``/``yield``, names starting with a double
underscore, unknown names and functions, a function name used as a value, and
statements.  The input must be a single line of printable ASCII without
comments.  Its length is checked first; the number of syntax-tree nodes and
the nesting depth are checked without recursion, so pathological input cannot
exhaust the stack.  A run of ``+`` and ``-`` (or of ``*`` and ``/``) is one
level however many terms it has (``x+x+...+x`` with hundreds of terms is
fine); parentheses, calls and signs nest.  Messages spell out control and
bidirectional characters (``\\u202e``) instead of echoing them.  Errors while
evaluating (division by zero, overflow, a function rejecting its argument) are
reported as :class:`ExpressionError` too.
"""

from __future__ import annotations


import ast
import inspect
import keyword
import math
import operator
import re
import types
import warnings
from collections.abc import Callable, Collection, Mapping, Sequence

__all__ = ["ExpressionError", "evaluate", "parse_assignments", "escape_unprintable"]

#: Largest integer literal accepted, in decimal digits.
MAX_INT_DIGITS = 50
#: Largest magnitude accepted for a float literal.
MAX_FLOAT_MAGNITUDE = 1e300
#: Largest integer result of ``int ** int``, in bits.
MAX_INT_RESULT_BITS = 1024

_SNIPPET_LENGTH = 30
_LISTED_NAMES = 20

# Characters outside printable ASCII, and comments.
_UNWANTED_CHARACTER = re.compile(r"[^ -~]|#")
# A plain decimal number, as accepted on the command line.
_DECIMAL_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")

_BINARY_OPERATORS: dict[type, tuple[str, Callable[[object, object], object]]] = {
    ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub),
    ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv),
    ast.Pow: ("**", operator.pow),
}
_REFUSED_BINARY_OPERATORS: dict[type, tuple[str, str]] = {
    ast.FloorDiv: ("operator", "//"),
    ast.Mod: ("operator", "%"),
    ast.MatMult: ("operator", "@"),
    ast.LShift: ("bitwise operator", "<<"),
    ast.RShift: ("bitwise operator", ">>"),
    ast.BitOr: ("bitwise operator", "|"),
    ast.BitXor: ("bitwise operator", "^"),
    ast.BitAnd: ("bitwise operator", "&"),
}
_REFUSED_UNARY_OPERATORS: dict[type, str] = {
    ast.Not: "boolean operator 'not'",
    ast.Invert: "bitwise operator '~'",
}
_COMPARISONS: dict[type, str] = {
    ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
    ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in",
}
_REFUSED_NODES: dict[type, str] = {
    ast.Subscript: "subscript",
    ast.Slice: "slice",
    ast.Starred: "'*' unpacking",
    ast.Lambda: "lambda",
    ast.ListComp: "list comprehension",
    ast.SetComp: "set comprehension",
    ast.DictComp: "dict comprehension",
    ast.GeneratorExp: "generator expression",
    ast.JoinedStr: "f-string",
    ast.FormattedValue: "f-string",
    ast.NamedExpr: "assignment expression ':='",
    ast.IfExp: "conditional expression",
    ast.Tuple: "tuple",
    ast.List: "list",
    ast.Set: "set",
    ast.Dict: "dict",
    ast.Await: "'await'",
    ast.Yield: "'yield'",
    ast.YieldFrom: "'yield from'",
}


class ExpressionError(ValueError):
    """An invalid or unsafe expression or assignment; the message is one line.

    ``column`` is the 1-based column the message refers to, when there is one.
    """

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(escape_unprintable(" ".join(str(message).splitlines())))
        self.column = column


def escape_unprintable(text: str) -> str:
    """``text`` with every character that is not printable spelled out as ``\\x1b``, ``\\u202e``.

    Control characters and invisible format characters, the bidirectional
    marks and overrides among them (U+200E/F, U+202A–U+202E, U+2066–U+2069),
    could otherwise recolour a terminal or reorder the message around them.
    """
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else char.encode("unicode_escape").decode("ascii") for char in text)


def evaluate(
    text: str,
    variables: Mapping[str, object],
    functions: Mapping[str, Callable],
    *,
    max_length: int = 5000,
    max_exponent: float = 100,
    max_nodes: int = 4000,
    max_depth: int = 50,
) -> object:
    """Evaluate the arithmetic expression ``text`` without executing it as code.

    ``variables`` maps the names the expression may use to their values and
    ``functions`` maps the names it may call to callables.  The whole
    expression is validated before any operator is applied or any function is
    called; see the module docstring for what is allowed.  Raises
    :class:`ExpressionError` for anything refused and for evaluation errors.
    """
    if not isinstance(text, str):
        raise TypeError(f"expression must be a str, not {type(text).__name__}")
    if len(text) > max_length:
        raise ExpressionError(f"expression is too long: {len(text)} characters (maximum is {max_length})")
    found = _UNWANTED_CHARACTER.search(text)
    if found:
        raise _character_error(found.group(), found.start() + 1)
    source = text.lstrip(" ")
    if not source.strip(" "):
        raise ExpressionError("empty expression")
    expression = _Expression(source, len(text) - len(source), variables, functions)
    tree = expression.parse()
    expression.validate(tree, max_exponent=max_exponent, max_nodes=max_nodes, max_depth=max_depth)
    return expression.run(tree)


def parse_assignments(args: Sequence[str], reserved: Collection[str] = ()) -> dict[str, float]:
    """Parse ``["x=0.5", "y=-2e3"]`` into ``{"x": 0.5, "y": -2000.0}``.

    Names must be ASCII identifiers that are not keywords, do not start with a
    double underscore and are not in ``reserved`` (e.g. the function names).
    Values must be finite decimal numbers (no ``nan``/``inf``, hexadecimal or
    underscores).  Duplicate names are refused.  Raises :class:`ExpressionError`.
    """
    if isinstance(args, (str, bytes)):
        raise TypeError("parse_assignments() expects a sequence of 'name=number' strings, not a single string")
    values: dict[str, float] = {}
    for item in args:
        if not isinstance(item, str):
            raise TypeError(f"assignment must be a str, not {type(item).__name__}")
        name, equals, number = (part.strip(" ") for part in item.partition("="))
        if not equals or not name or not number:
            raise ExpressionError(f"expected name=number, got {_shown(item)}")
        if not (name.isascii() and name.isidentifier()) or keyword.iskeyword(name):
            raise ExpressionError(f"invalid variable name {_shown(name)} in {_shown(item)}")
        if name.startswith("__"):
            raise ExpressionError(f"variable names may not start with '__': {_shown(name)}")
        if name in reserved:
            raise ExpressionError(f"cannot assign to {_shown(name)}: the name is reserved (e.g. a function name)")
        if name in values:
            raise ExpressionError(f"variable {_shown(name)} is assigned more than once")
        if not _DECIMAL_NUMBER.fullmatch(number):
            raise ExpressionError(
                f"invalid number for {_shown(name)}: {_shown(number)} (expected a decimal number such as 0.5 or -2e3)"
            )
        value = float(number)
        if not math.isfinite(value):
            raise ExpressionError(f"number for {_shown(name)} is out of range: {_shown(number)}")
        values[name] = value
    return values


def _shown(text: str) -> str:
    """Quote user text for a message: escaped to ASCII, and truncated."""
    if len(text) > _SNIPPET_LENGTH:
        text = text[: _SNIPPET_LENGTH - 3] + "..."
    return ascii(text)


def _character_error(char: str, column: int) -> ExpressionError:
    if char == "#":
        what = "comment ('#')"
    elif char == "\x00":
        what = "null character"
    elif char in "\r\n":
        what = "line break (the expression must be a single line)"
    elif char.isascii():
        what = f"control character U+{ord(char):04X}"
    else:
        what = f"non-ASCII character U+{ord(char):04X}"
    return ExpressionError(f"{what} is not allowed at column {column}", column)


def _listing(kind: str, names: Mapping[str, object]) -> str:
    shown = sorted(name for name in names if isinstance(name, str))
    if not shown:
        return f"no {kind} are defined"
    more = ", ..." if len(shown) > _LISTED_NAMES else ""
    return f"available {kind}: {', '.join(shown[:_LISTED_NAMES])}{more}"


def _arity_mismatch(function: Callable, count: int) -> str | None:
    """How many positional arguments ``function`` takes ("1 argument", "2 to 3 arguments")
    when that rules out ``count``; None when it does not, or when ``function`` is not a
    plain Python function whose code tells (builtins are checked when called)."""
    if not isinstance(function, types.FunctionType):
        return None
    code = function.__code__  # attribute syntax: no getattr(), no inspect
    takes = code.co_argcount
    required = takes - len(function.__defaults__ or ())
    variadic = bool(code.co_flags & inspect.CO_VARARGS)
    if required <= count and (variadic or count <= takes):
        return None

    def plural(n: int) -> str:
        return f"{n} argument" if n == 1 else f"{n} arguments"

    if variadic:
        return f"at least {plural(required)}"
    if required == takes:
        return plural(required)
    return f"{required} to {plural(takes)}"


_CHAINS = ((ast.Add, ast.Sub), (ast.Mult, ast.Div))


def _same_chain(node: ast.BinOp, left: ast.AST) -> bool:
    """Whether ``left`` continues ``node``'s run of + and − (or of × and /) without parentheses."""
    if not isinstance(left, ast.BinOp):
        return False
    return any(isinstance(node.op, chain) and isinstance(left.op, chain) for chain in _CHAINS)


def _signed(node: ast.AST, kind: type) -> ast.AST | None:
    """The ``kind`` node under a chain of unary ``+``/``-``, or None."""
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
        node = node.operand
    return node if isinstance(node, kind) else None


def _signed_number(node: ast.AST) -> int | float | None:
    """The value of a (possibly signed) int or float literal, or None."""
    sign = 1
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
        if isinstance(node.op, ast.USub):
            sign = -sign
        node = node.operand
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return sign * node.value  # type: ignore[operator, return-value]  # an int or a float, checked above
    return None


class _Expression:
    """One expression being checked and evaluated; ``source`` is single-line ASCII."""

    def __init__(self, source: str, lead: int, variables: Mapping[str, object],
                 functions: Mapping[str, Callable]) -> None:
        self.source = source
        self.lead = lead  # leading spaces removed from the user's text
        self.variables = variables
        self.functions = functions

    # -- positions and messages ---------------------------------------------

    def column(self, offset: int) -> int:
        """1-based column in the user's text of a 0-based offset in ``source``."""
        return offset + self.lead + 1

    def snippet(self, node: ast.AST) -> str:
        return _shown(self.source[node.col_offset : node.end_col_offset])

    def refuse(self, what: str, node: ast.AST, offset: int | None = None, shown: str | None = None) -> ExpressionError:
        column = self.column(node.col_offset if offset is None else offset)
        shown = self.snippet(node) if shown is None else shown
        return ExpressionError(f"{what} is not allowed: {shown} at column {column}", column)

    def operator_offset(self, node: ast.BinOp, symbol: str) -> int:
        """Offset of a binary operator: it is the only symbol between the operands."""
        found = self.source.find(symbol, node.left.end_col_offset, node.right.col_offset)
        return found if found >= 0 else node.col_offset

    # -- parsing ----------------------------------------------------------------

    def parse(self) -> ast.Expression:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. invalid escapes in a (refused) string
            try:
                return ast.parse(self.source, mode="eval")
            except SyntaxError as error:
                message = error.msg
                if error.offset is not None and error.offset >= 1:
                    column = self.column(min(error.offset, len(self.source) + 1) - 1)
                else:
                    column = self.column(len(self.source))
                raise ExpressionError(f"syntax error at column {column}: {message}", column) from None
            except (RecursionError, MemoryError):
                raise ExpressionError("expression is nested too deeply to parse") from None
            except (ValueError, OverflowError) as error:
                raise ExpressionError(f"cannot parse expression: {error}") from None

    # -- validation -------------------------------------------------------------

    def validate(self, tree: ast.Expression, *, max_exponent: float, max_nodes: int, max_depth: int) -> None:
        """Check the whole tree against the whitelist, iteratively; raise on the first refusal."""
        pending: list[tuple[ast.expr, int]] = [(tree.body, 1)]
        count = 0
        while pending:
            node, depth = pending.pop()
            count += 1
            if count > max_nodes:
                raise ExpressionError(f"expression is too large: more than {max_nodes} syntax-tree nodes")
            if depth > max_depth:
                column = self.column(node.col_offset)
                raise ExpressionError(
                    f"expression is nested too deeply: more than {max_depth} levels at column {column}", column
                )
            if isinstance(node, ast.Constant):
                self.check_constant(node)
            elif isinstance(node, ast.Name):
                self.check_variable(node)
            elif isinstance(node, ast.UnaryOp):
                if not isinstance(node.op, (ast.UAdd, ast.USub)):
                    raise self.refuse(_REFUSED_UNARY_OPERATORS.get(type(node.op), "unary operator"), node)
                pending.append((node.operand, depth + 1))
            elif isinstance(node, ast.BinOp):
                self.check_binary(node, max_exponent)
                pending.append((node.right, depth + 1))
                # x + y + z is one flat sum (Python nests it to the left): only parentheses,
                # calls and unary signs nest, so a sum or product of many terms is fine.
                pending.append((node.left, depth if _same_chain(node, node.left) else depth + 1))
            elif isinstance(node, ast.Call):
                count += 1  # the function name
                self.check_call(node)
                pending.extend((argument, depth + 1) for argument in reversed(node.args))
            else:
                raise self.refuse_node(node)

    def refuse_node(self, node: ast.AST) -> ExpressionError:
        if isinstance(node, ast.Attribute):
            dot = self.source.rfind(".", node.value.end_col_offset, node.end_col_offset)
            dot = node.col_offset if dot < 0 else dot
            return self.refuse("attribute access", node, dot, _shown(self.source[dot : node.end_col_offset]))
        if isinstance(node, ast.Compare):
            return self.refuse(f"comparison '{_COMPARISONS.get(type(node.ops[0]), '?')}'", node)
        if isinstance(node, ast.BoolOp):
            return self.refuse(f"boolean operator '{'and' if isinstance(node.op, ast.And) else 'or'}'", node)
        if isinstance(node, ast.Constant):
            return self.refuse(self.constant_kind(node.value), node)
        what = _REFUSED_NODES.get(type(node), f"{type(node).__name__} syntax")
        return self.refuse(what, node)

    @staticmethod
    def constant_kind(value: object) -> str:
        if isinstance(value, bool):
            return "boolean literal"
        if value is None:
            return "None"
        if value is Ellipsis:
            return "Ellipsis"
        if isinstance(value, str):
            return "string literal"
        if isinstance(value, bytes):
            return "bytes literal"
        if isinstance(value, complex):
            return "complex number"
        return f"{type(value).__name__} literal"

    def check_constant(self, node: ast.Constant) -> None:
        value = node.value
        if type(value) not in (int, float):  # bool is a subclass of int: refused here
            raise self.refuse_node(node)
        if type(value) is int and abs(value) >= 10**MAX_INT_DIGITS:
            raise self.refuse(f"integer literal with more than {MAX_INT_DIGITS} digits", node)
        if type(value) is float and not abs(value) <= MAX_FLOAT_MAGNITUDE:
            limit = f"{MAX_FLOAT_MAGNITUDE:g}".replace("e+", "e")
            raise self.refuse(f"number larger than {limit} in magnitude", node)

    @staticmethod
    def check_not_private(name: str, column: int) -> None:
        """Refuse dunder names (``__import__``, ``__builtins__``) and any other ``__name``."""
        if name.startswith("__"):
            raise ExpressionError(f"names starting with '__' are not allowed: {_shown(name)} at column {column}", column)

    def check_variable(self, node: ast.Name) -> None:
        name, column = node.id, self.column(node.col_offset)
        self.check_not_private(name, column)
        if name in self.variables:
            return
        if name in self.functions:
            raise ExpressionError(
                f"function {_shown(name)} cannot be used as a value at column {column}; call it as {name}(...)", column
            )
        raise ExpressionError(
            f"unknown name {_shown(name)} at column {column}; {_listing('variables', self.variables)}", column
        )

    def check_binary(self, node: ast.BinOp, max_exponent: float) -> None:
        op = type(node.op)
        if op not in _BINARY_OPERATORS:
            what, symbol = _REFUSED_BINARY_OPERATORS.get(op, ("operator", "?"))
            offset = self.operator_offset(node, symbol)
            column = self.column(offset)
            raise ExpressionError(
                f"{what} '{symbol}' is not allowed at column {column} (allowed: + - * / **)", column
            )
        if op is not ast.Pow:
            return
        exponent = _signed_number(node.right)
        if exponent is not None:
            if not abs(exponent) <= max_exponent:
                raise self.refuse(f"exponent larger than {max_exponent:g} in magnitude", node.right)
            return
        if _signed_number(node.left) is not None and _signed(node.right, ast.Name) is not None:
            return  # 2**x: a literal base, a variable exponent
        column = self.column(node.right.col_offset)
        raise ExpressionError(
            f"exponent of '**' must be a number (at most {max_exponent:g} in magnitude), "
            f"or a variable when the base is a number: found {self.snippet(node.right)} at column {column}",
            column,
        )

    def check_call(self, node: ast.Call) -> None:
        callee = node.func
        if not isinstance(callee, ast.Name):
            if isinstance(callee, ast.Attribute) or type(callee) in _REFUSED_NODES:
                raise self.refuse_node(callee)
            raise self.refuse("calling anything but a function name", callee)
        name, column = callee.id, self.column(callee.col_offset)
        self.check_not_private(name, column)
        if name not in self.functions:
            if name in self.variables:
                raise ExpressionError(f"variable {_shown(name)} is not a function (column {column})", column)
            raise ExpressionError(
                f"unknown function {_shown(name)} at column {column}; {_listing('functions', self.functions)}", column
            )
        if node.keywords:
            argument = node.keywords[0]
            if argument.arg is None:
                raise self.refuse("'**' unpacking", argument)
            raise self.refuse("keyword argument", argument)
        expected = _arity_mismatch(self.functions[name], len(node.args))
        if expected is not None:
            raise ExpressionError(f"{name}() takes {expected}, got {len(node.args)} at column {column}", column)

    # -- evaluation ---------------------------------------------------------------

    def run(self, tree: ast.Expression) -> object:
        """Evaluate a validated tree, iteratively, operands left to right."""
        results: list[object] = []
        pending: list[tuple[ast.expr, bool]] = [(tree.body, False)]
        while pending:
            node, operands_ready = pending.pop()
            if isinstance(node, ast.Constant):
                results.append(node.value)
            elif isinstance(node, ast.Name):
                results.append(self.variables[node.id])
            elif not operands_ready:
                pending.append((node, True))
                if isinstance(node, ast.UnaryOp):
                    operands = [node.operand]
                elif isinstance(node, ast.BinOp):
                    operands = [node.left, node.right]
                else:
                    operands = node.args
                pending.extend((operand, False) for operand in reversed(operands))
            elif isinstance(node, ast.UnaryOp):
                if isinstance(node.op, ast.USub):
                    results.append(self.apply("-", node.col_offset, operator.neg, results.pop()))
            elif isinstance(node, ast.BinOp):
                right, left = results.pop(), results.pop()
                symbol, function = _BINARY_OPERATORS[type(node.op)]
                offset = self.operator_offset(node, symbol)
                if symbol == "**":
                    self.check_power(left, right, offset)
                results.append(self.apply(symbol, offset, function, left, right))
            else:
                count = len(node.args)
                arguments = results[len(results) - count :]
                del results[len(results) - count :]
                name = node.func.id
                results.append(self.apply(f"{name}()", node.col_offset, self.functions[name], *arguments))
        (result,) = results
        return result

    def check_power(self, base: object, exponent: object, offset: int) -> None:
        if isinstance(base, int) and isinstance(exponent, int) and exponent > 0:
            if base.bit_length() * exponent > MAX_INT_RESULT_BITS:
                column = self.column(offset)
                raise ExpressionError(
                    f"result of '**' at column {column} is too large (more than {MAX_INT_RESULT_BITS} bits)", column
                )

    def apply(self, what: str, offset: int, function: Callable, *operands: object) -> object:
        try:
            return function(*operands)
        except ExpressionError:
            raise
        except (ArithmeticError, ValueError, TypeError) as error:
            column = self.column(offset)
            if isinstance(error, OverflowError):
                detail = "result out of range"
            else:
                detail = str(error) or type(error).__name__
            message = f"cannot evaluate '{what}' at column {column}: {_shown_detail(detail)}"
            raise ExpressionError(message, column) from error


def _shown_detail(text: str, limit: int = 120) -> str:
    text = " ".join(text.splitlines())
    return text if len(text) <= limit else text[: limit - 3] + "..."
