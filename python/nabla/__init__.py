"""nabla: matrix calculus from Python.

Expressions in the notation of an exercise sheet, derived in textbook form::

    >>> import nabla
    >>> e = nabla.expr("x'*A*x", x="R^n", A="R^(n x n)")
    >>> print(nabla.grad(e, "x"))
    (A + A')*x

Compiled evaluation on NumPy arrays (read in place, the GIL released while a plan runs)::

    >>> f = nabla.compile(e, wrt=["x"])          # f(x, A) -> (value, grad_x)

Python functions traced as JAX does::

    >>> df = nabla.grad(lambda w, X, y: nabla.sum(nabla.softplus(-y * (X @ w))))
    >>> df(w0, X0, y0)                            # a NumPy array; df.formula shows the gradient

Code generation: :func:`to_numpy`, :func:`to_torch`, :func:`codegen`. See docs/python.md.
"""

import inspect as _inspect
import threading as _threading
from typing import NamedTuple as _NamedTuple

import numpy as _np

from . import _nabla
from ._errors import (EvaluationError, InternalError, LimitError, NablaError, ParseError,
                      ShapeError, UndefinedNameError, UnsupportedError, UsageError)

__all__ = [
    "expr", "Scope", "Expr", "Step", "CheckResult", "Function",
    "grad", "jacobian", "hessian", "diff", "simplify", "check", "compile", "value_and_grad", "jit",
    "codegen", "codegen_module", "to_numpy", "to_torch",
    "exp", "log", "sqrt", "log2", "log10", "sin", "cos", "tan", "tanh", "sinh", "cosh", "arcsin",
    "arccos", "arctan", "sigmoid", "softplus", "log1p", "expm1", "abs", "sign", "sum", "norm1", "mean", "norm2", "norm", "tr", "trace", "det", "logdet", "inv", "diag",
    "softmax", "logsumexp", "vec", "dot", "inner", "outer", "kron", "vstack", "transpose",
    "matmul", "matrix_power", "identity", "ones_like", "zeros_like",
    "NablaError", "ParseError", "UndefinedNameError", "ShapeError", "EvaluationError",
    "LimitError", "UnsupportedError", "UsageError", "InternalError",
]

__version__ = "0.1.0"


class Step(_NamedTuple):
    """One step of a worked solution: the stage ("derive" or "simplify") and the rule used."""

    stage: str
    rule: str

    def __str__(self):
        return self.rule if self.stage == "derive" else f"{self.stage}: {self.rule}"


def _step(line):
    if line.startswith("simplify: "):
        return Step("simplify", line[len("simplify: "):])
    return Step("derive", line)


def _html_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Expr:
    """An expression of the nabla language (immutable).

    Python's operators have NumPy's meaning: ``*``, ``/`` and ``**`` are entry-wise (scaling when
    a side is a scalar), ``@`` is the matrix product (a vector on its left reads as a 1-D
    array: ``v @ v`` is the dot product, ``v @ M`` is ``M' v``), ``.T`` transposes.
    ``.text`` is the nabla language (parses back), ``.unicode`` and ``.latex`` are for people,
    ``.shape`` is ``()``, ``(n,)`` or ``(rows, cols)`` (symbolic sizes as strings),
    ``.steps`` the worked solution of a derived result (a list of :class:`Step`).
    """

    __slots__ = ("_e", "_title")
    __array_ufunc__ = None  # numpy scalars on the left defer to Expr's operators

    def __init__(self, core, title=None):
        self._e = core
        self._title = title

    # ---- reading ----
    @property
    def text(self):
        """The expression in the nabla language (ASCII; parses back to the same value)."""
        return self._e.text

    @property
    def unicode(self):
        """The expression for people: xᵀ, ⊙, ‖x‖, A⁻¹ ..."""
        return self._e.unicode

    @property
    def latex(self):
        """LaTeX math (no $ delimiters)."""
        return self._e.latex

    @property
    def shape(self):
        """() for a scalar, (n,) for a vector, (rows, cols) otherwise; symbolic sizes are str."""
        return self._e.shape

    @property
    def ndim(self):
        return len(self._e.shape)

    @property
    def steps(self):
        """How a derived result was obtained: a list of Step(stage, rule)."""
        return [_step(s) for s in self._e.steps]

    @property
    def notes(self):
        """Remarks on the result (e.g. the gradient w.r.t. a Sym(n) matrix is the unstructured one)."""
        return list(self._e.notes)

    @property
    def name(self):
        """The variable's name (None unless the expression is a variable)."""
        return self._e.name

    @property
    def is_symmetric(self):
        """True for a variable declared Sym(n)."""
        return self._e.is_symmetric

    @property
    def variables(self):
        """The variables the expression uses, in declaration order."""
        return [Expr(v) for v in self._e.variables()]

    @property
    def scope(self):
        return Scope._of(self._e.scope)

    def expr(self, text):
        """Parses text in this expression's scope (its declarations)."""
        return Expr(self._e.expr(text))

    def __str__(self):
        return self.text

    def __repr__(self):
        return f"nabla.Expr({self.text!r}, shape={self.shape!r})"

    def _repr_latex_(self):
        return "$" + self.latex + "$"

    def _repr_html_(self):
        head = (_html_escape(self._title.latex) + " = ") if self._title is not None else ""
        out = f"<div class=\"nabla-expr\">\\({head}{_html_escape(self.latex)}\\)"
        steps = self.steps
        if steps:
            out += "<ol class=\"nabla-steps\">" + "".join(
                f"<li>{_html_escape(str(s))}</li>" for s in steps) + "</ol>"
        for n in self.notes:
            out += f"<p>note: {_html_escape(n)}</p>"
        return out + "</div>"

    def __hash__(self):
        return hash((id(self._e.scope), self._e.node_id))

    def __eq__(self, other):
        return isinstance(other, Expr) and self._e.same(other._e)

    def __bool__(self):
        raise TypeError("a nabla expression has no truth value while tracing "
                        "(control flow may depend on shapes, not on values)")

    # ---- operators (NumPy's meaning) ----
    def __add__(self, o): return Expr(self._e.binary("+", _core(o), False))
    def __radd__(self, o): return Expr(self._e.binary("+", _core(o), True))
    def __sub__(self, o): return Expr(self._e.binary("-", _core(o), False))
    def __rsub__(self, o): return Expr(self._e.binary("-", _core(o), True))
    def __mul__(self, o): return Expr(self._e.binary("*", _core(o), False))
    def __rmul__(self, o): return Expr(self._e.binary("*", _core(o), True))
    def __truediv__(self, o): return Expr(self._e.binary("/", _core(o), False))
    def __rtruediv__(self, o): return Expr(self._e.binary("/", _core(o), True))
    def __pow__(self, o): return Expr(self._e.binary("**", _core(o), False))
    def __matmul__(self, o): return Expr(self._e.binary("@", _core(o), False))
    def __rmatmul__(self, o): return Expr(self._e.binary("@", _core(o), True))
    def __neg__(self): return Expr(self._e.neg())
    def __pos__(self): return self

    @property
    def T(self):
        """The transpose."""
        return Expr(self._e.T())

    def t(self):
        return self.T

    def sum(self):
        return sum(self)

    def dot(self, other):
        return dot(self, other)


def _core(o):
    return o._e if isinstance(o, Expr) else o


def _declarations(decls, shapes):
    parts = [decls] if decls else []
    for name, shape in shapes.items():
        parts.append(f"{name} in {shape}")
    return "; ".join(parts)


class Scope:
    """Declarations of the nabla language, and the expressions parsed in them.

    ``Scope("x in R^n; A in R^(n x n)")`` or ``Scope(x="R^n", A="R^(n x n)")``.
    """

    def __init__(self, decls="", **shapes):
        self._s = _nabla.Scope(_declarations(decls, shapes))

    @classmethod
    def _of(cls, core):
        s = cls.__new__(cls)
        s._s = core
        return s

    def declare(self, decls="", **shapes):
        """Adds declarations (and definitions such as ``f(x) = x'*x``)."""
        self._s.declare(_declarations(decls, shapes))

    def expr(self, text):
        """Parses an expression in this scope."""
        return Expr(self._s.expr(text))

    def __getitem__(self, name):
        return self.expr(name)

    def run(self, script):
        """Runs a script: returns one result per query (derivations and checks answered)."""
        out = []
        for q in self._s.run(script):
            out.append(_answer(q))
        return out

    def queries(self, script):
        """The queries of a script as records (kind, text, expr, wrt, rhs, inner_* for checks)
        without answering them."""
        recs = []
        for q in self._s.run(script):
            r = dict(q)
            for k in ("expr", "rhs", "inner_expr"):
                if k in r:
                    r[k] = Expr(r[k])
            for k in ("wrt", "inner_wrt"):
                if k in r:
                    r[k] = [Expr(v) for v in r[k]]
            recs.append(r)
        return recs


def _answer(q):
    e = Expr(q["expr"])
    kind = q["kind"]
    if kind == "check":
        return check(e, Expr(q["rhs"]))
    if kind in ("show", "simplify"):
        return simplify(e)
    wrt = [Expr(v) for v in q["wrt"]]
    return {"grad": grad, "jacobian": jacobian, "hessian": hessian, "diff": diff}[kind](e, wrt)


def expr(text, decls="", **shapes):
    """An expression of the nabla language in a new scope.

    ``nabla.expr("x'*A*x", x="R^n", A="R^(n x n)")`` or
    ``nabla.expr("x'*A*x", "x in R^n; A in R^(n x n)")``. Undeclared names get shapes by
    inference, as in a script. Raises ParseError, UndefinedNameError or ShapeError with the
    position (``.line``, ``.column``) and the caret message.
    """
    return Scope(decls, **shapes).expr(text)


# ---- derivations of expressions -----------------------------------------------------------------

def _wrt_core(e, wrt):
    if wrt is None:
        raise UsageError("wrt is required: the variable(s) to differentiate by, e.g. 'x'")
    if isinstance(wrt, (str, Expr)):
        return _core(wrt)
    return [_core(w) for w in wrt]


def _derive(kind, e, wrt):
    blocks = _nabla.derive(kind, e._e, _wrt_core(e, wrt))
    title = None
    out = [Expr(b) for b in blocks]
    for b in out:
        b._title = title
    return out[0] if len(out) == 1 else tuple(out)


def grad(f, wrt=None, *, argnums=0):
    """Gradient.

    ``grad(e, "x")`` for an expression: the simplified gradient w.r.t. x (same shape as x);
    ``grad(e, ["x", "y"])`` gives one block per non-scalar variable (a tuple), or the stacked
    gradient w.r.t. several scalars.

    ``grad(f)`` for a Python function: a function computing the gradient of scalar-valued
    f w.r.t. argument ``argnums`` (an int, or a tuple for several) on NumPy arrays, traced,
    derived, simplified and compiled once per argument shapes (see :func:`value_and_grad`).
    """
    if isinstance(f, Expr):
        return _derive("grad", f, wrt)
    return _Transformed(f, "grad", argnums)


def jacobian(f, wrt=None, *, argnums=0):
    """Jacobian: rows index the value, columns the variable (a scalar or vector).
    Also of a Python function (see :func:`grad`)."""
    if isinstance(f, Expr):
        return _derive("jacobian", f, wrt)
    return _Transformed(f, "jacobian", argnums)


def hessian(f, wrt=None, *, argnums=0):
    """Hessian of a scalar w.r.t. a vector, in matrix form. Also of a Python function."""
    if isinstance(f, Expr):
        return _derive("hessian", f, wrt)
    return _Transformed(f, "hessian", argnums)


def diff(e, wrt):
    """Derivative w.r.t. a scalar variable (same shape as e)."""
    return _derive("diff", e, wrt)


def simplify(e):
    """The canonical, compact form of e (queries inside it answered)."""
    return Expr(_nabla.simplify(e._e))


# ---- checks ---------------------------------------------------------------------------------------

class CheckResult:
    """Outcome of :func:`check`: ``holds`` (also its truth value), ``trials``, ``max_error``;
    when it fails: ``counterexample`` (text), ``point`` (variable name -> NumPy array or float),
    ``dims`` (dimension -> size), ``lhs`` and ``rhs`` (both sides' values there)."""

    def __init__(self, d, text):
        self.holds = d["holds"]
        self.trials = d["trials"]
        self.max_error = d["max_error"]
        self.counterexample = d["counterexample"]
        self.point = dict(d["point"])
        self.dims = dict(d["dims"])
        self.lhs = d.get("lhs")
        self.rhs = d.get("rhs")
        self.text = text

    def __bool__(self):
        return bool(self.holds)

    def __repr__(self):
        if self.holds:
            return f"holds ({self.trials} trials, max rel. error {self.max_error:.1e})"
        return "FAILS\n" + self.counterexample

    def _repr_html_(self):
        return f"<pre>{_html_escape(self.text)}: {_html_escape(repr(self))}</pre>"


def check(lhs, rhs=None, decls="", *, seed=0x6e61626c61, tolerance=1e-7, **shapes):
    """Numeric test of an identity at random dimensions and points.

    ``check(e1, e2)`` with expressions of one scope, or ``check("grad(x'*x, x) == 2*x",
    x="R^n")``. Returns a :class:`CheckResult`.
    """
    if isinstance(lhs, str):
        if rhs is not None and not isinstance(rhs, str):
            raise UsageError("check: give 'LHS == RHS' as one string, or two expressions")
        scope = Scope(decls, **shapes)
        text = lhs if rhs is None else f"{lhs} == {rhs}"
        qs = scope._s.run("check " + text)
        if len(qs) != 1 or qs[0]["kind"] != "check":
            raise UsageError("check: expected one 'LHS == RHS'")
        lhs, rhs = Expr(qs[0]["expr"]), Expr(qs[0]["rhs"])
    elif rhs is None:
        raise UsageError("check: needs both sides")
    text = f"{lhs.text} == {rhs.text}"
    return CheckResult(_nabla.check(lhs._e, rhs._e, seed, tolerance), text)


# ---- compiled evaluation --------------------------------------------------------------------------

class Function:
    """A compiled function of NumPy arrays (see :func:`compile`).

    Arguments are positional in ``parameters`` order or by name. float64 arrays that are C- or
    F-contiguous are read in place (no copy); a C-ordered matrix gets its own plan that reads it
    as the transpose of the column-major matrix it is in memory. Other dtypes and strided views
    are copied once to float64; when any argument is float32 the results are float32. The GIL
    is released while the plan runs (one run at a time per function).
    """

    def __init__(self, core, outputs, packer=None):
        self._f = core
        self.outputs = outputs
        self._pack = packer

    @property
    def parameters(self):
        return list(self._f.parameters)

    def __call__(self, *args, **kwargs):
        r = self._f(*args, **kwargs)
        return r if self._pack is None else self._pack(r)

    def describe(self):
        """The compiled plan's instructions."""
        return self._f.describe()

    def __repr__(self):
        return f"nabla.Function({', '.join(self.parameters)}) -> ({', '.join(self.outputs)})"


def _outputs(e, wrt, kind="grad"):
    """The named outputs of a query: value, then one derivative per variable."""
    outs = [("value", e)]
    if wrt is None:
        return outs
    ws = [wrt] if isinstance(wrt, (str, Expr)) else list(wrt)
    for w in ws:
        d = _derive(kind, e, w)
        name = w if isinstance(w, str) else w.name
        outs.append((f"{kind}_{name}", d))
    return outs


def compile(e, wrt=None, params=None):
    """Compiles expressions into one plan evaluated on NumPy arrays.

    ``compile(e)``: f(*args) returns e's value. ``compile(e, wrt=["w"])``: f returns
    ``(value, grad_w)``; several variables: ``(value, grad_w, grad_b, ...)``. A list of
    expressions compiles them together: f returns one value each. ``params``: the parameters'
    order (names or variables; default: every variable used, in declaration order).
    Scalars come back as floats, vectors as 1-D arrays, matrices as 2-D arrays.
    """
    if isinstance(e, (list, tuple)):
        outs = [(f"out{i}", x) for i, x in enumerate(e)]
    else:
        outs = _outputs(e, wrt)
    first = outs[0][1]
    ps = []
    if params is not None:
        ps = [first.expr(p)._e if isinstance(p, str) else p._e for p in params]
    core = _nabla.compile([x._e for _, x in outs], ps)
    return Function(core, [n for n, _ in outs])


def value_and_grad(f, wrt=None, *, argnums=0):
    """JAX's value_and_grad.

    For an expression: a compiled function returning ``(value, grad)`` (grad a tuple when wrt
    lists several variables). For a Python function: traced like :func:`grad`, returning
    ``(value, grad)`` with grad a tuple when argnums is a tuple.
    """
    if isinstance(f, Expr):
        several = not isinstance(wrt, (str, Expr))
        outs = _outputs(f, wrt)
        core = _nabla.compile([x._e for _, x in outs], [])
        if several:
            pack = lambda r: (r[0], tuple(r[1:]))  # noqa: E731
        else:
            pack = lambda r: (r[0], r[1])  # noqa: E731
        return Function(core, [n for n, _ in outs], pack)
    return _Transformed(f, "value_and_grad", argnums)


def jit(f):
    """A Python function traced and compiled once per argument shapes (its value only)."""
    return _Transformed(f, "jit", ())


# ---- tracing ----------------------------------------------------------------------------------------

def _shape_key(a):
    if isinstance(a, (float, int)) and not isinstance(a, bool):
        return ()
    shape = getattr(a, "shape", None)
    if shape is None:
        a = _np.asarray(a)
        shape = a.shape
    return tuple(shape)


class _Traced:
    __slots__ = ("fn", "formulas", "shapes", "value")

    def __init__(self, fn, formulas, shapes, value):
        self.fn = fn
        self.formulas = formulas
        self.shapes = shapes
        self.value = value


class _Transformed:
    """A transformed Python function: traced per argument shapes, derived, compiled, cached."""

    def __init__(self, f, kind, argnums):
        if not callable(f):
            raise UsageError(f"{kind}: expected an expression or a function, got {type(f).__name__}")
        self._f = f
        self._kind = kind
        self._argnums = argnums
        self._several = isinstance(argnums, (tuple, list))
        self._wrt = tuple(argnums) if self._several else (argnums,)
        self._cache = {}
        self._last = None
        self._lock = _threading.Lock()
        try:
            self._names = [p.name for p in _inspect.signature(f).parameters.values()
                           if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        except (TypeError, ValueError):
            self._names = []
        self.__doc__ = getattr(f, "__doc__", None)
        self.__name__ = getattr(f, "__name__", kind)

    def _trace(self, args, key):
        scope = _nabla.Scope("")
        names = list(self._names)
        stand_ins = []
        for i, shape in enumerate(key):
            name = names[i] if i < len(names) else f"x{i}"
            if len(shape) == 0:
                r, c = 1, 1
            elif len(shape) == 1:
                r, c = shape[0], 1
            elif len(shape) == 2:
                r, c = shape
            else:
                raise UsageError(f"argument {name} has {len(shape)} dimensions; nabla traces "
                                 "scalars, vectors (1-D) and matrices (2-D)")
            stand_ins.append(Expr(scope.variable(name, int(r), int(c))))
        out = self._f(*stand_ins)
        if not isinstance(out, Expr):
            try:
                out = Expr(scope.constant(float(out)))
            except TypeError:
                raise UsageError(f"{self._kind}: the function returned {type(out).__name__}, "
                                 "not a nabla expression") from None
        for k in self._wrt:
            if not isinstance(k, int) or not 0 <= k < len(stand_ins):
                raise UsageError(f"{self._kind}: argnums {k} out of range for "
                                 f"{len(stand_ins)} arguments")
        if self._kind in ("grad", "value_and_grad", "hessian") and out.shape != ():
            raise ShapeError(f"{self._kind}: the function's value must be a scalar, not "
                             f"{out._e.shape_text}",
                             hint="use nabla.jacobian for vector-valued functions")
        outs = []
        if self._kind in ("value_and_grad", "jit"):
            outs.append(simplify(out))
        if self._kind != "jit":
            d = "grad" if self._kind == "value_and_grad" else self._kind
            for k in self._wrt:
                outs.append(_derive(d, out, stand_ins[k]))
        core = _nabla.compile([o._e for o in outs], [s._e for s in stand_ins])
        return _Traced(core, outs, key, out)

    def _entry(self, args):
        key = tuple(_shape_key(a) for a in args)
        entry = self._cache.get(key)
        if entry is None:
            with self._lock:
                entry = self._cache.get(key)
                if entry is None:
                    entry = self._trace(args, key)
                    self._cache[key] = entry
        self._last = entry
        return entry

    def __call__(self, *args):
        entry = self._entry(args)
        r = entry.fn(*args)
        kind = self._kind
        if kind == "jit":
            return r
        n = len(self._wrt)
        parts = list(r) if (n > 1 or kind == "value_and_grad") else [r]
        if kind == "value_and_grad":
            value, grads = parts[0], parts[1:]
        else:
            value, grads = None, parts
        # A gradient has its argument's shape ((n, 1) in, (n, 1) out).
        if kind in ("grad", "value_and_grad"):
            for i, k in enumerate(self._wrt):
                s = entry.shapes[k]
                g = grads[i]
                if isinstance(g, _np.ndarray) and g.shape != s and len(s) > 0:
                    grads[i] = g.reshape(s)
        g = tuple(grads) if self._several else grads[0]
        return (value, g) if kind == "value_and_grad" else g

    def trace(self, *args):
        """Traces (or finds in the cache) for these arguments; returns the derived expressions."""
        e = self._entry(args)
        return e.formulas[0] if len(e.formulas) == 1 else tuple(e.formulas)

    @property
    def formula(self):
        """The derived expression(s) of the last traced shapes (nabla language text)."""
        if self._last is None:
            raise UsageError(f"{self._kind}: call the function (or .trace(...)) first; the "
                             "formula depends on the arguments' shapes")
        fs = [f.text for f in self._last.formulas]
        return fs[0] if len(fs) == 1 else tuple(fs)

    @property
    def expression(self):
        """The traced value of the last call, as an expression."""
        return None if self._last is None else self._last.value

    def compiled(self):
        """The compiled :class:`Function` of the last traced shapes."""
        return Function(self._last.fn, [f.text for f in self._last.formulas])

    def __repr__(self):
        return f"nabla.{self._kind}({getattr(self._f, '__name__', 'f')})"


# ---- built-in functions (on expressions; on arrays they compute with NumPy) ---------------------

def _np_sigmoid(u):
    e = _np.exp(-_np.abs(u))
    return _np.where(u >= 0, 1.0, e) / (1.0 + e)


def _np_logsumexp(x):
    m = _np.max(x)
    return m if not _np.isfinite(m) else m + _np.log(_np.sum(_np.exp(x - m)))


def _np_softmax(x):
    e = _np.exp(x - _np.max(x))
    return e / _np.sum(e)


def _np_logdet(a):
    s, l = _np.linalg.slogdet(a)
    return l if s > 0 else _np.nan


_NUMPY = {
    "exp": _np.exp, "log": _np.log, "sin": _np.sin, "cos": _np.cos, "tan": _np.tan,
    "tanh": _np.tanh, "sigmoid": _np_sigmoid, "softplus": lambda u: _np.logaddexp(0.0, u),
    "log1p": _np.log1p, "expm1": _np.expm1, "abs": _np.abs, "sign": _np.sign, "sum": _np.sum,
    "norm2": _np.linalg.norm, "tr": _np.trace, "det": _np.linalg.det, "logdet": _np_logdet,
    "inv": _np.linalg.inv, "diag": _np.diag, "softmax": _np_softmax,
    "logsumexp": _np_logsumexp, "vec": lambda a: _np.asarray(a).reshape(-1, order="F"),
    "sqrt": _np.sqrt, "log2": _np.log2, "log10": _np.log10, "sinh": _np.sinh, "cosh": _np.cosh,
    "arcsin": _np.arcsin, "arccos": _np.arccos, "arctan": _np.arctan,
    "norm1": lambda a: _np.sum(_np.abs(a)), "transpose": _np.transpose,
    "ones_like": _np.ones_like, "zeros_like": _np.zeros_like,
    "identity": lambda a: _np.eye(_np.shape(a)[0]),
}


def _builtin(name, doc):
    def f(x):
        if isinstance(x, Expr):
            return Expr(x._e.apply(name))
        return _NUMPY[name](x)
    f.__name__ = name
    f.__qualname__ = name
    f.__doc__ = doc + " (an expression; on NumPy arrays, computed with NumPy)"
    return f


exp = _builtin("exp", "Entry-wise e^x")
log = _builtin("log", "Entry-wise natural logarithm")
sqrt = _builtin("sqrt", "Entry-wise square root")
sin = _builtin("sin", "Entry-wise sine")
cos = _builtin("cos", "Entry-wise cosine")
tan = _builtin("tan", "Entry-wise tangent")
tanh = _builtin("tanh", "Entry-wise hyperbolic tangent")
sinh = _builtin("sinh", "Entry-wise hyperbolic sine")
cosh = _builtin("cosh", "Entry-wise hyperbolic cosine")
arcsin = _builtin("arcsin", "Entry-wise inverse sine (on [-1, 1])")
arccos = _builtin("arccos", "Entry-wise inverse cosine (on [-1, 1])")
arctan = _builtin("arctan", "Entry-wise inverse tangent")
log2 = _builtin("log2", "Entry-wise base-2 logarithm")
log10 = _builtin("log10", "Entry-wise base-10 logarithm")
sigmoid = _builtin("sigmoid", "Entry-wise 1/(1 + e^-x), stable at both ends")
softplus = _builtin("softplus", "Entry-wise log(1 + e^x), stable at both ends")
log1p = _builtin("log1p", "Entry-wise log(1 + x)")
expm1 = _builtin("expm1", "Entry-wise e^x - 1")
abs = _builtin("abs", "Entry-wise absolute value")  # noqa: A001
sign = _builtin("sign", "Entry-wise sign")
sum = _builtin("sum", "Sum of all entries")  # noqa: A001
norm2 = _builtin("norm2", "Euclidean norm (Frobenius for matrices)")
norm1 = _builtin("norm1", "Sum of the absolute values of the entries")
norm = norm2
tr = _builtin("tr", "Trace of a square matrix")
trace = tr
det = _builtin("det", "Determinant")
logdet = _builtin("logdet", "log det (NaN when det <= 0)")
inv = _builtin("inv", "Matrix inverse")
diag = _builtin("diag", "Vector -> diagonal matrix; square matrix -> its diagonal")
softmax = _builtin("softmax", "exp(x)/sum(exp(x)), stable")
logsumexp = _builtin("logsumexp", "log(sum(exp(x))), stable")
vec = _builtin("vec", "The columns stacked into one vector")
transpose = _builtin("transpose", "The transpose")
ones_like = _builtin("ones_like", "Ones of the same shape")
zeros_like = _builtin("zeros_like", "Zeros of the same shape")
identity = _builtin("identity", "The identity matrix of a square matrix's size")


def mean(x):
    """Mean of all entries (of an expression of fixed shape, or an array)."""
    if isinstance(x, Expr):
        size = 1
        for d in x.shape:
            if not isinstance(d, int):
                raise UsageError("mean: the size is symbolic; write sum(x)/n")
            size *= d
        return Expr(x._e.apply("sum")) / size
    return _np.mean(x)


def dot(a, b):
    """<a, b>: a'*b for vectors, the Frobenius inner product for matrices."""
    if isinstance(a, Expr):
        return Expr(a._e.inner(_core(b)))
    if isinstance(b, Expr):
        return Expr(b._e.inner(_core(a)))
    return _np.vdot(a, b)


inner = dot


def matmul(a, b):
    """a @ b."""
    return a @ b


def outer(a, b):
    """a*b' for vectors."""
    if isinstance(a, Expr):
        return Expr(a._e.binary("outer", _core(b), False))
    if isinstance(b, Expr):
        return Expr(b._e.binary("outer", _core(a), True))
    return _np.outer(a, b)


def kron(a, b):
    """Kronecker product."""
    if isinstance(a, Expr):
        return Expr(a._e.kron(_core(b)))
    return _np.kron(a, b)


def vstack(parts):
    """[a; b; c]: vertical concatenation."""
    parts = list(parts)
    if builtins_any(isinstance(p, Expr) for p in parts):
        return Expr(_nabla.vstack([_core(p) for p in parts]))
    return _np.vstack(parts)


def matrix_power(a, k):
    """A^k for a square A (k < 0 uses inv(A))."""
    if isinstance(a, Expr):
        return Expr(a._e.matrix_power(int(k)))
    return _np.linalg.matrix_power(a, k)


import builtins as _builtins  # noqa: E402

builtins_any = _builtins.any

# ---- code generation ------------------------------------------------------------------------------

from ._codegen import codegen, codegen_module, to_numpy, to_torch  # noqa: E402
from . import numpy  # noqa: E402,F401
