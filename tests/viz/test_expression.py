"""Tests for viz.expression, the command line's safe expression evaluator."""

from __future__ import annotations

import ast
import builtins
import importlib
import math
import os
import subprocess
import tempfile

import pytest

from viz.expression import ExpressionError, escape_unprintable, evaluate, parse_assignments

# A file the payloads below try to create; it must never appear.
MARKER = os.path.join(tempfile.gettempdir(), "backprop-graph-expression-pwned")
CLASSIC_MARKER = "/tmp/pwned"

FUNCTIONS = {
    "exp": math.exp,
    "log": math.log,
    "tanh": math.tanh,
    "sin": math.sin,
    "cos": math.cos,
    "sqrt": math.sqrt,
    "pow": math.pow,
}


# -- sentinels -----------------------------------------------------------------


class Tracer:
    """A variable value that records every operation applied to it."""

    def __init__(self, log: list) -> None:
        object.__setattr__(self, "_log", log)

    def __bool__(self) -> bool:
        self._log.append("__bool__")
        return True


def _recording(name):
    def method(self, *args, **kwargs):
        self._log.append(name)
        return self

    method.__name__ = name
    return method


for _name in (
    "__add__ __radd__ __sub__ __rsub__ __mul__ __rmul__ __truediv__ __rtruediv__ "
    "__floordiv__ __rfloordiv__ __mod__ __rmod__ __pow__ __rpow__ __matmul__ __rmatmul__ "
    "__and__ __rand__ __or__ __ror__ __xor__ __rxor__ __lshift__ __rlshift__ __rshift__ __rrshift__ "
    "__neg__ __pos__ __invert__ __abs__ __lt__ __le__ __gt__ __ge__ __eq__ __ne__ "
    "__call__ __getitem__ __getattr__ __iter__"
).split():
    setattr(Tracer, _name, _recording(_name))


class RecordingVariables(dict):
    """Variables whose values are fetched only once evaluation has started."""

    def __init__(self, log: list, **values) -> None:
        super().__init__(**values)
        self.log = log

    def __getitem__(self, name):
        self.log.append(f"variables[{name!r}]")
        return super().__getitem__(name)


def recording_functions(log: list) -> dict:
    def make(name):
        def function(*args, **kwargs):
            log.append(f"{name}()")
            return args[0] if args else 0.0

        return function

    return {name: make(name) for name in FUNCTIONS}


class Outcome:
    def __init__(self) -> None:
        self.result = None
        self.error: ExpressionError | None = None
        self.calls: list = []  # dangerous builtins and os functions reached
        self.trace: list = []  # variables fetched, operators applied, functions called


@pytest.fixture
def sandboxed(monkeypatch):
    """Run evaluate() with eval/exec/open/imports/os.system/... replaced by tripwires."""
    for path in (MARKER,):
        if os.path.exists(path):
            os.remove(path)
    classic_existed = os.path.exists(CLASSIC_MARKER)

    def run(text, variables=None, functions=None, **limits) -> Outcome:
        outcome = Outcome()
        armed = False
        real_import, real_compile, real_getattr = builtins.__import__, builtins.compile, builtins.getattr

        def tripwire(name, delegate=None):
            def replacement(*args, **kwargs):
                if armed:
                    outcome.calls.append((name, args[:2]))
                if delegate is not None:
                    return delegate(*args, **kwargs)
                raise AssertionError(f"{name} must not be called")

            return replacement

        def compile_guard(source, filename, mode, flags=0, *args, **kwargs):
            if armed and not flags & ast.PyCF_ONLY_AST:  # only the AST-only parse is fine
                outcome.calls.append(("compile", source))
                raise AssertionError("compile() to code must not be called")
            return real_compile(source, filename, mode, flags, *args, **kwargs)

        if variables is None:
            variables = RecordingVariables(outcome.trace, x=Tracer(outcome.trace), t=Tracer(outcome.trace))
        if functions is None:
            functions = recording_functions(outcome.trace)
        with monkeypatch.context() as patch:
            patch.setattr(builtins, "eval", tripwire("eval"))
            patch.setattr(builtins, "exec", tripwire("exec"))
            patch.setattr(builtins, "open", tripwire("open"))
            patch.setattr(builtins, "breakpoint", tripwire("breakpoint"))
            patch.setattr(builtins, "input", tripwire("input"))
            patch.setattr(builtins, "compile", compile_guard)
            patch.setattr(os, "system", tripwire("os.system"))
            patch.setattr(os, "popen", tripwire("os.popen"))
            patch.setattr(subprocess, "Popen", tripwire("subprocess.Popen"))
            patch.setattr(importlib, "import_module", tripwire("importlib.import_module"))
            patch.setattr(builtins, "__import__", tripwire("__import__", real_import))
            patch.setattr(builtins, "getattr", tripwire("getattr", real_getattr))
            armed = True
            try:
                outcome.result = evaluate(text, variables, functions, **limits)
            except ExpressionError as error:
                outcome.error = error
            finally:
                armed = False
        assert not os.path.exists(MARKER)
        if not classic_existed:
            assert not os.path.exists(CLASSIC_MARKER)
        return outcome

    return run


def assert_one_line(error: BaseException) -> None:
    message = str(error)
    assert message
    assert "\n" not in message and "\r" not in message
    assert len(message) < 300


# -- hostile input ------------------------------------------------------------------

HOSTILE = [
    # code execution and introspection payloads
    ("import-system-classic", "__import__('os').system('touch /tmp/pwned')"),
    ("import-system", f"__import__('os').system('touch {MARKER}')"),
    ("import-call", "__import__('os')"),
    ("import-name", "__import__"),
    ("subclasses", "().__class__.__bases__[0].__subclasses__()"),
    ("tuple-class", "().__class__"),
    ("function-globals", "exp.__globals__"),
    ("function-globals-builtins", "exp.__globals__['__builtins__']"),
    ("variable-class-mro", "x.__class__.__mro__"),
    ("builtins-name", "__builtins__"),
    ("dunder-name", "__name__"),
    ("dunder-loader", "__loader__"),
    ("private-name", "__x"),
    ("dunder-function", "__exp__(x)"),
    ("eval", "eval('1')"),
    ("exec", f"exec('open({MARKER!r}, \"w\")')"),
    ("compile", "compile('1', '', 'eval')"),
    ("open", "open('/etc/passwd')"),
    ("open-read", "open('/etc/passwd').read()"),
    ("getattr", "getattr(x, 'real')"),
    ("globals", "globals()"),
    ("breakpoint", "breakpoint()"),
    ("input", "input()"),
    ("print", "print(x)"),
    ("type", "type(x)"),
    ("lambda-call", "(lambda: 1)()"),
    ("lambda", "lambda: 1"),
    ("list-comprehension", "[x for x in range(10)]"),
    ("set-comprehension", "{x for x in (1,)}"),
    ("dict-comprehension", "{x: 1 for x in (1,)}"),
    ("generator", "(x for x in (1,))"),
    ("generator-argument", "exp(x for x in (1,))"),
    # unbounded computation
    ("power-tower", "9**9**9"),
    ("huge-exponent", "10**1000000"),
    ("exponent-above-limit", "x**101"),
    ("negative-exponent-above-limit", "x**-101"),
    ("variable-exponent", "x**y"),
    ("bound-variable-exponent", "x**t"),
    ("call-exponent", "x**exp(x)"),
    ("expression-exponent", "x**(1+1)"),
    ("literal-base-tower", "2**x**2"),
    ("huge-int-literal", "1" * 51),
    ("huge-hex-literal", "0x" + "f" * 60),
    ("huge-float-literal", "1e301"),
    ("infinite-float-literal", "1e999"),
    ("negative-infinite-literal", "-1e999"),
    # constants other than int and float
    ("string-repeat", "'a'*10"),
    ("string", '"abc"'),
    ("bytes", "b'a'"),
    ("string-escape", "'\\d'"),
    ("f-string", "f'{x}'"),
    ("f-string-payload", "f'{__import__(\"os\").system(\"id\")}'"),
    ("imaginary", "1j"),
    ("complex", "1+2j"),
    ("true", "True"),
    ("false", "False"),
    ("none", "None"),
    ("ellipsis", "..."),
    # other syntax
    ("conditional", "x if 1 else 2"),
    ("comparison", "x < 1"),
    ("chained-comparison", "1 < x < 2"),
    ("equality", "x == x"),
    ("identity", "x is x"),
    ("membership", "x in x"),
    ("and", "x and 1"),
    ("or", "x or 1"),
    ("not", "not x"),
    ("subscript", "x[0]"),
    ("slice", "x[1:2]"),
    ("step-slice", "x[::-1]"),
    ("attribute", "x.data"),
    ("spaced-attribute", "x . data"),
    ("parenthesized-attribute", "(x).real"),
    ("literal-attribute", "1 .real"),
    ("float-method", "1.0.hex()"),
    ("keyword-argument", "exp(x=1)"),
    ("second-keyword-argument", "exp(x, y=1)"),
    ("star-argument", "exp(*[1])"),
    ("star-variable", "exp(*x)"),
    ("double-star-argument", "exp(**{'x': 1})"),
    ("walrus", "(x:=1)"),
    ("tuple", "(x, 1)"),
    ("trailing-comma", "x,"),
    ("empty-tuple", "()"),
    ("list", "[x]"),
    ("set", "{x}"),
    ("dict", "{'a': 1}"),
    ("await", "await x"),
    ("yield", "(yield x)"),
    ("yield-from", "(yield from x)"),
    ("floor-division", "x // 2"),
    ("modulo", "x % 2"),
    ("matmul", "x @ x"),
    ("left-shift", "x << 1"),
    ("right-shift", "x >> 1"),
    ("bit-or", "x | 1"),
    ("bit-and", "x & 1"),
    ("bit-xor", "x ^ 1"),
    ("invert", "~x"),
    # names and calls
    ("unknown-function", "foo(x)"),
    ("unbound-name", "y"),
    ("unbound-in-sum", "x + y"),
    ("function-as-value", "exp"),
    ("function-as-argument", "exp(exp)"),
    ("variable-called", "x(1)"),
    ("call-result-called", "exp(1)(2)"),
    ("literal-called", "1(2)"),
    # statements and syntax errors
    ("semicolon", "x;1"),
    ("import-statement", "import os"),
    ("assignment", "x = 1"),
    ("del", "del x"),
    ("star-expression", "*x"),
    ("trailing-operator", "x +"),
    ("unclosed-paren", "(x"),
    ("unmatched-paren", "x)"),
    ("double-comma", "exp(x,,)"),
    ("juxtaposed-numbers", "1 2"),
    ("backtick", "`x`"),
    ("dollar", "$x"),
    ("line-continuation", "x \\"),
    # characters
    ("multi-line", "x\n+1"),
    ("multi-line-parenthesized", "(x\n+1)"),
    ("carriage-return", "x\r+1"),
    ("null-byte", "\x00"),
    ("trailing-null-byte", "x\x00"),
    ("tab", "\tx"),
    ("form-feed", "x\x0c"),
    ("comment", "x # __import__('os')"),
    ("fullwidth-name", "\uff45\uff58\uff50(x)"),
    ("zero-width-space", "x\u200b"),
    ("byte-order-mark", "\ufeffx"),
    ("line-separator", "x\u2028+1"),
    ("greek-name", "\u03c0"),
    # size limits
    ("empty", ""),
    ("blank", "   "),
    ("too-long-sum", "x+" * 2500 + "x"),
    ("too-long-literal", "1" * 501),
    ("too-long-blank", " " * 501),
    ("deep-parentheses", "(" * 5000 + "x" + ")" * 5000),
    ("unclosed-parentheses", "(" * 10000),
    ("deep-unary-minus", "-" * 100000 + "x"),
    ("deep-unary-within-length", "-" * 60 + "x"),
    ("nested-sum", "x+(" * 60 + "x" + ")" * 60),
    ("deep-calls", "exp(" * 60 + "x" + ")" * 60),
    ("too-many-nodes", "+".join(["-x"] * 1667)),  # 5000 characters, 5000 nodes
    # a valid part before the invalid one must not run either
    ("valid-then-unknown", "exp(x) + foo(x)"),
    ("valid-then-attribute", "exp(x) + x.data"),
    ("valid-then-unbound", "tanh(x) * y"),
    ("valid-then-payload", f"x + exp(x) + __import__('os').system('touch {MARKER}')"),
    ("valid-then-conditional", "exp(x) + 1 if x else 2"),
]


def test_hostile_inputs_are_many_and_distinct():
    texts = [text for _, text in HOSTILE]
    assert len(set(texts)) == len(texts) >= 60
    assert len({name for name, _ in HOSTILE}) == len(HOSTILE)


@pytest.mark.parametrize("text", [pytest.param(text, id=name) for name, text in HOSTILE])
def test_hostile_input_is_refused_without_executing_anything(sandboxed, text):
    outcome = sandboxed(text)
    assert outcome.error is not None, f"accepted, result {outcome.result!r}"
    assert_one_line(outcome.error)
    assert outcome.calls == []
    assert outcome.trace == []  # no variable fetched, no operator applied, no function called


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("-" * 100000 + "x", id="unary-minus"),
        pytest.param("not " * 30000 + "x", id="not"),
        pytest.param("x**" * 30000 + "x", id="power"),
        pytest.param("(" * 10000, id="parentheses"),
        pytest.param("exp(" * 5000 + "x" + ")" * 5000, id="calls"),
        pytest.param("x" + ".a" * 60000, id="attributes"),
        pytest.param("lambda: " * 3000 + "1", id="lambdas"),
        pytest.param("1" * 5000, id="long-integer"),
    ],
)
def test_pathological_input_fails_cleanly_even_with_lifted_limits(sandboxed, text):
    """ast.parse's own RecursionError/MemoryError/SyntaxError become ExpressionError."""
    huge = 10**7
    outcome = sandboxed(text, max_length=huge, max_nodes=huge, max_depth=huge, max_exponent=huge)
    assert outcome.error is not None
    assert_one_line(outcome.error)
    assert outcome.calls == [] and outcome.trace == []


@pytest.mark.parametrize(
    "text, expected",
    [
        pytest.param("-" * 5000 + "x", 1.0, id="unary-minus"),
        pytest.param("-" * 4999 + "x", -1.0, id="unary-minus-odd"),
        pytest.param("+".join(["x"] * 5000), 5000.0, id="sum"),
        pytest.param("exp(" * 150 + "x" + ")" * 150, None, id="calls"),
    ],
)
def test_deep_input_with_lifted_limits_never_overflows_the_stack(sandboxed, text, expected):
    """Whether ast.parse copes depends on the Python version; checking and evaluating never recurse."""
    huge = 10**7
    identity = {"exp": lambda value: value}
    outcome = sandboxed(text, {"x": 1.0}, identity, max_length=huge, max_nodes=huge, max_depth=huge)
    if outcome.error is not None:
        assert_one_line(outcome.error)
    else:
        assert outcome.result == (1.0 if expected is None else expected)


# -- messages --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected, column",
    [
        ("__import__('os').system('ls')", "attribute access is not allowed: '.system' at column 17", 17),
        ("x.data", "attribute access is not allowed: '.data' at column 2", 2),
        ("  x.data", "'.data' at column 4", 4),
        ("exp.__globals__", "'.__globals__' at column 4", 4),
        ("__import__('os')", "names starting with '__' are not allowed: '__import__' at column 1", 1),
        ("x // 2", "operator '//' is not allowed at column 3", 3),
        ("x ^ 1", "bitwise operator '^' is not allowed at column 3", 3),
        ("x + y", "unknown name 'y' at column 5; available variables: t, x", 5),
        ("foo(x)", "unknown function 'foo' at column 1; available functions: cos, exp", 1),
        ("eval('1')", "unknown function 'eval' at column 1", 1),
        ("exp(exp)", "function 'exp' cannot be used as a value at column 5", 5),
        ("exp(x=1)", "keyword argument is not allowed: 'x=1' at column 5", 5),
        ("exp(*[1])", "'*' unpacking is not allowed: '*[1]' at column 5", 5),
        ("x < 1", "comparison '<' is not allowed: 'x < 1' at column 1", 1),
        ("(lambda: 1)()", "lambda is not allowed", 2),
        ("'a'*10", "string literal is not allowed: \"'a'\" at column 1", 1),
        ("True", "boolean literal is not allowed: 'True' at column 1", 1),
        ("9**9**9", "exponent of '**' must be a number", 4),
        ("10**1000000", "exponent larger than 100 in magnitude is not allowed: '1000000' at column 5", 5),
        ("x;1", "syntax error at column 2", 2),
        ("x\n+1", "line break", 2),
        ("\x00", "null character is not allowed at column 1", 1),
        ("x # c", "comment ('#') is not allowed at column 3", 3),
        ("\u03c0", "non-ASCII character U+03C0 is not allowed at column 1", 1),
        ("-" * 60 + "x", "nested too deeply: more than 50 levels", 51),
        ("1" * 51, "integer literal with more than 50 digits", 1),
        ("1e301", "number larger than 1e300 in magnitude", 1),
    ],
)
def test_messages_name_what_was_found_and_where(text, expected, column):
    variables = {"x": 0.5, "t": 1.0}
    with pytest.raises(ExpressionError) as info:
        evaluate(text, variables, FUNCTIONS)
    assert expected in str(info.value)
    assert info.value.column == column
    assert_one_line(info.value)


def test_size_messages():
    with pytest.raises(ExpressionError, match=r"too long: 5001 characters \(maximum is 5000\)"):
        evaluate("x" * 5001, {}, {})
    with pytest.raises(ExpressionError, match="empty expression"):
        evaluate("  ", {}, {})
    with pytest.raises(ExpressionError, match="more than 200 syntax-tree nodes"):
        evaluate("f(" + ",".join(["x"] * 200) + ")", {"x": 1.0}, {"f": lambda *a: 0}, max_nodes=200)
    with pytest.raises(ExpressionError, match="no variables are defined"):
        evaluate("x", {}, {})


def test_expression_error_is_a_value_error_with_one_line():
    error = ExpressionError("first line\nsecond line", column=3)
    assert isinstance(error, ValueError)
    assert str(error) == "first line second line"
    assert error.column == 3


def test_non_string_expression_is_a_type_error():
    with pytest.raises(TypeError):
        evaluate(b"x", {"x": 1.0}, {})


# -- valid expressions ---------------------------------------------------------------


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


@pytest.mark.parametrize(
    "text, variables, expected",
    [
        ("1/(1+exp(-x))", {"x": 0.5}, sigmoid(0.5)),
        ("1 / (1 + exp(-x))", {"x": -3.0}, sigmoid(-3.0)),
        ("tanh(x)", {"x": 0.3}, math.tanh(0.3)),
        ("1 + 2 * 3", {}, 7),
        ("(1 + 2) * 3", {}, 9),
        ("2 * 3 ** 2", {}, 18),
        ("-2 ** 2", {}, -4),
        ("(-2) ** 2", {}, 4),
        ("2 ** -1", {}, 0.5),
        ("1 - 2 - 3", {}, -4),
        ("8 / 4 / 2", {}, 1.0),
        ("-x", {"x": 0.5}, -0.5),
        ("--x", {"x": 0.5}, 0.5),
        ("+-+x", {"x": 0.5}, -0.5),
        ("x - -x", {"x": 0.5}, 1.0),
        ("-x ** 2", {"x": 3.0}, -9.0),
        ("2**x", {"x": 3.0}, 8.0),
        ("2**-x", {"x": 3.0}, 0.125),
        ("0.5**x", {"x": 2.0}, 0.25),
        ("x**3", {"x": 3.0}, 27.0),
        ("x**-0.5", {"x": 4.0}, 0.5),
        ("x**+2", {"x": 3.0}, 9.0),
        ("x**100", {"x": 1.0}, 1.0),
        ("x**-100", {"x": 1.0}, 1.0),
        ("exp(log(x))", {"x": 2.5}, 2.5),
        ("pow(x, 2) + sqrt(x)", {"x": 4.0}, 18.0),
        ("sin(x)**2 + cos(x)**2", {"x": 0.7}, 1.0),
        ("x*y + x/y", {"x": 3.0, "y": 2.0}, 7.5),
        ("(((x)))", {"x": 2.0}, 2.0),
        ("  x  ", {"x": 2.0}, 2.0),
        ("0x10 + 1_000 + 1e-3", {}, 1016.001),
        ("1e300", {}, 1e300),
        ("-" * 49 + "x", {"x": 1.0}, -1.0),
        ("x" + " " * 499, {"x": 1.0}, 1.0),
    ],
)
def test_valid_expressions(sandboxed, text, variables, expected):
    outcome = sandboxed(text, variables, FUNCTIONS)
    assert outcome.error is None, str(outcome.error)
    assert outcome.result == pytest.approx(expected)
    assert outcome.calls == []


def test_integers_stay_exact():
    assert evaluate("2**10", {}, {}) == 1024
    assert type(evaluate("3", {}, {})) is int
    assert evaluate("1" * 50, {}, {}) == int("1" * 50)


def test_node_and_exponent_limits_are_inclusive_and_configurable():
    functions = {"f": lambda *args: len(args)}
    assert evaluate("f(" + ",".join(["x"] * 198) + ")", {"x": 1.0}, functions, max_nodes=200) == 198
    with pytest.raises(ExpressionError):
        evaluate("f(" + ",".join(["x"] * 199) + ")", {"x": 1.0}, functions, max_nodes=200)
    with pytest.raises(ExpressionError, match="exponent larger than 2"):
        evaluate("x**3", {"x": 2.0}, {}, max_exponent=2)
    with pytest.raises(ExpressionError, match="exponent"):
        evaluate("x**100.5", {"x": 1.0}, {})
    with pytest.raises(ExpressionError, match="too long"):
        evaluate("x + 1", {"x": 1.0}, {}, max_length=4)
    with pytest.raises(ExpressionError, match="nested too deeply"):
        evaluate("x + (1 + 1)", {"x": 1.0}, {}, max_depth=2)
    assert evaluate("x + 1 + 1 - 1", {"x": 1.0}, {}, max_depth=2) == 2.0


class Sym:
    """A stand-in for an autograd node: records the expression it was built from."""

    def __init__(self, text):
        self.text = text

    def _binary(symbol, reflected=False):
        def method(self, other):
            left, right = (other, self) if reflected else (self, other)
            return Sym(f"({_text(left)} {symbol} {_text(right)})")

        return method

    __add__, __radd__ = _binary("+"), _binary("+", True)
    __sub__, __rsub__ = _binary("-"), _binary("-", True)
    __mul__, __rmul__ = _binary("*"), _binary("*", True)
    __truediv__, __rtruediv__ = _binary("/"), _binary("/", True)
    __pow__, __rpow__ = _binary("**"), _binary("**", True)

    def __neg__(self):
        return Sym(f"(-{self.text})")


def _text(value):
    return value.text if isinstance(value, Sym) else repr(value)


def test_operands_are_combined_with_python_operators():
    functions = {"exp": lambda a: Sym(f"exp({_text(a)})")}
    x = Sym("x")
    assert evaluate("1/(1+exp(-x))", {"x": x}, functions).text == "(1 / (1 + exp((-x))))"
    assert evaluate("2**x", {"x": x}, functions).text == "(2 ** x)"
    assert evaluate("x**2 * 3", {"x": x}, functions).text == "((x ** 2) * 3)"
    assert evaluate("+x", {"x": x}, functions) is x  # unary plus is the identity


def test_operands_and_calls_run_left_to_right():
    order = []

    def make(name):
        def function(*args):
            order.append(name)
            return 1.0

        return function

    functions = {name: make(name) for name in ("a", "b", "c", "f")}
    assert evaluate("f(a(), b()) + c()", {}, functions) == 2.0
    assert order == ["a", "b", "f", "c"]


# -- evaluation errors -------------------------------------------------------------


@pytest.mark.parametrize(
    "text, variables, expected",
    [
        ("1/0", {}, "cannot evaluate '/' at column 2: division by zero"),
        ("x/(x-x)", {"x": 1.0}, "cannot evaluate '/' at column 2"),
        ("log(-1)", {}, "cannot evaluate 'log()' at column 1: math domain error"),
        ("exp(1000)", {}, "cannot evaluate 'exp()' at column 1: result out of range"),
        ("1e300**100", {}, "cannot evaluate '**' at column 6: result out of range"),
        ("(10**49)**100", {}, "result of '**' at column 9 is too large"),
        ("2**x", {"x": 10**6}, "result of '**' at column 2 is too large"),
        ("x**100", {"x": 10**40}, "is too large"),
    ],
)
def test_evaluation_errors_are_expression_errors(sandboxed, text, variables, expected):
    outcome = sandboxed(text, variables, FUNCTIONS)
    assert outcome.error is not None
    assert expected in str(outcome.error)
    assert_one_line(outcome.error)
    assert outcome.calls == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("one()", "one() takes 1 argument, got 0 at column 1"),
        ("1 + one(x, x)", "one() takes 1 argument, got 2 at column 5"),
        ("two(x)", "two() takes 2 arguments, got 1 at column 1"),
        ("two(x, x, x)", "two() takes 2 arguments, got 3 at column 1"),
        ("mix(x)", "mix() takes 2 to 3 arguments, got 1 at column 1"),
        ("many()", "many() takes at least 1 argument, got 0 at column 1"),
        ("one(x) + two(one(x), x) + mix(x, x, two())", "two() takes 2 arguments, got 0 at column 37"),
    ],
)
def test_calls_with_the_wrong_number_of_arguments_are_refused_before_anything_runs(sandboxed, text, expected):
    called = []

    def one(a):
        called.append("one")
        return a

    def two(a, b):
        called.append("two")
        return a + b

    def mix(a, b, c=0.0):
        called.append("mix")
        return a + b + c

    def many(first, *rest):
        called.append("many")
        return first

    functions = {"one": one, "two": two, "mix": mix, "many": many}
    outcome = sandboxed(text, {"x": 1.0}, functions)
    assert outcome.error is not None and str(outcome.error) == expected
    assert outcome.error.column == int(expected.rpartition(" ")[2])
    assert called == [] and outcome.calls == []
    assert sandboxed("mix(x, x) + mix(x, x, x) + many(x) + many(x, x, x)", {"x": 1.0}, functions).error is None


def test_builtin_functions_are_checked_when_called(sandboxed):
    outcome = sandboxed("exp(x, x)", {"x": 1.0}, FUNCTIONS)  # math.exp
    assert str(outcome.error).startswith("cannot evaluate 'exp()' at column 1: ")


# -- parse_assignments -----------------------------------------------------------------


def test_parse_assignments_valid():
    assert parse_assignments(["x=0.5", "y=-2e3"]) == {"x": 0.5, "y": -2000.0}
    values = parse_assignments(["a=3", "b=.5", "c=+1.", "d=1E-3", " e = 7 ", "_f=0", "g2=-0"])
    assert values == {"a": 3.0, "b": 0.5, "c": 1.0, "d": 0.001, "e": 7.0, "_f": 0.0, "g2": 0.0}
    assert all(type(value) is float for value in values.values())
    assert parse_assignments([]) == {}
    assert parse_assignments(("x=1",)) == {"x": 1.0}


@pytest.mark.parametrize(
    "item",
    [
        "x", "=1", "x=", "x= ", "x==1", "x=1=2", "1x=1", "x-y=1", "x.y=1", "x y=1", "__x=1",
        "__class__=1", "__builtins__=1", "if=1", "None=1", "True=1", "lambda=1", "\u00e9=1", "x\u200b=1",
        "x=abc", "x=nan", "x=NaN", "x=-nan", "x=inf", "x=-inf", "x=+inf", "x=Infinity", "x=1e999",
        "x=-1e999", "x=0x10", "x=1_0", "x=1j", "x=1,5", "x=1 2", "x=\u0661", "x=\x00", "x=1\n", "x=.",
        "x=e3", "x=1e", "x=--1", "x=(1)", "x=__import__('os')",
    ],
)
def test_parse_assignments_invalid(item):
    with pytest.raises(ExpressionError) as info:
        parse_assignments([item])
    assert_one_line(info.value)


def test_parse_assignments_refuses_duplicates():
    with pytest.raises(ExpressionError, match="more than once"):
        parse_assignments(["x=1", "x=2"])
    with pytest.raises(ExpressionError, match="more than once"):
        parse_assignments(["x=1", " x = 1"])


def test_parse_assignments_refuses_reserved_names():
    with pytest.raises(ExpressionError, match="reserved"):
        parse_assignments(["exp=1"], reserved=FUNCTIONS)
    with pytest.raises(ExpressionError, match="reserved"):
        parse_assignments(["x=1", "tanh=2"], reserved={"tanh"})
    assert parse_assignments(["exp=1"]) == {"exp": 1.0}


def test_parse_assignments_wants_a_sequence_of_strings():
    with pytest.raises(TypeError):
        parse_assignments("x=1")
    with pytest.raises(TypeError):
        parse_assignments([("x", 1)])


def test_assignments_feed_evaluate():
    values = parse_assignments(["x=0.5"], reserved=FUNCTIONS)
    assert evaluate("1/(1+exp(-x))", values, FUNCTIONS) == pytest.approx(sigmoid(0.5))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("+".join(["x"] * 300), 300.0),
        ("*".join(["x"] * 300), 1.0),
        ("-".join(["x"] * 300), -298.0),
        ("/".join(["x"] * 300), 1.0),
        (" + ".join(["2*x"] * 300), 600.0),  # products inside a sum: two levels
    ],
    ids=["sum", "product", "difference", "quotient", "sum-of-products"],
)
def test_a_flat_sum_or_product_of_hundreds_of_terms_is_accepted(text, expected):
    """Python nests x + x + x to the left, but it is one flat sum: only real nesting counts as depth."""
    assert evaluate(text, {"x": 1.0}, {}) == expected


def test_real_nesting_is_still_limited():
    with pytest.raises(ExpressionError, match="nested too deeply: more than 50 levels"):
        evaluate("x+(" * 60 + "x" + ")" * 60, {"x": 1.0}, {})
    with pytest.raises(ExpressionError, match="nested too deeply"):
        evaluate("x*(x+" * 30 + "x" + ")" * 30, {"x": 1.0}, {})  # alternating * and + nest


@pytest.mark.parametrize(
    "mark", ["\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\x1b", "\x07", "\x9b"]
)
def test_control_and_bidirectional_characters_are_escaped_in_messages(mark):
    message = str(ExpressionError(f"unknown name 'ab{mark}cd'"))
    assert mark not in message and mark.encode("unicode_escape").decode() in message
    assert escape_unprintable("× −1 ok") == "× −1 ok"
