#!/usr/bin/python3
"""The `derive` problem of docs/benchmarks.md, SymPy's side (SymPy 1.11 from Debian's
python3-sympy, run with /usr/bin/python3): every query of tests/data/identities.nabla derived by
SymPy's matrix expressions, timed, and checked numerically against the identity's reference right side.

The translation is a hand-written table, one entry per `check` of the file, in file order (the
script refuses to run if the file's checks differ from the table's). Each entry gives the
left side in SymPy (MatrixSymbol with symbolic dimensions, .T, Inverse, Determinant, Trace,
HadamardProduct, ElementwiseApplyFunction, OneMatrix for sum) and the reference right side in
NumPy, written independently of SymPy. Conventions:
  grad(e, X)      e.diff(X)          (SymPy gives the gradient in X's shape)
  jacobian(e, x)  e.diff(x).T        (SymPy lays vector-by-vector derivatives out transposed)
  hessian(e, x)   e.diff(x).diff(x)
  a scalar such as <a, x> or x'*A*x is SymPy's 1x1 matrix expression; norm2(v)^2 is v.T*v
  (Frobenius: Trace(M.T*M)), norm2(v) is sqrt(v.T*v).
What SymPy cannot express at all is marked `None` (counted as a SymPy failure): none of the 32
queries; but sum(v) (OneMatrix(1, n)*v), which logreg, logsumexp, softmax and hess-logreg need,
makes SymPy 1.11's derivative recurse without end (RecursionError), and scalar functions of a
1x1 matrix expression (log(1 + exp(-w.T*x)), log(Determinant(X))) differentiate to a silent 0.

A query counts as correct for SymPy when its result, evaluated at random values (dimensions
n=4, m=3, k=5, d=4; symmetric W; well-conditioned square X), matches the reference at two points
to a relative 1e-8. A result SymPy leaves as an array expression (PermuteDims(ArrayTensorProduct(
a, b), ...) for grad(a'*X*b, X)) counts as correct when its entries match once the size-1 axes
are dropped; totals.sympy_correct_matrix_form counts only the answers given as matrices.
Otherwise the status says why: raises, unevaluated (a Derivative is left),
wrong (the numbers differ), or not evaluable.

Timing: the derivation only (building the left side is not timed), with SymPy's cache cleared
before each try; the best of --repeat tries (default 3).

Options:
  --identities FILE     the identities file (default tests/data/identities.nabla)
  --nabla BIN           also run `BIN --format json FILE` and count nabla's checks that hold
  --derive-bench BIN    also time nabla (BIN --benchmark_filter=derive/identities, the
                        per-query average) and report SymPy/nabla
Prints JSON on stdout: {"queries": [...], "totals": {...}}.
"""
import json, os, re, signal, subprocess, sys, time, warnings

import numpy as np
import sympy as sp
from sympy import Determinant, HadamardProduct, Inverse, Lambda, MatrixSymbol, OneMatrix, Trace
from sympy.core.cache import clear_cache
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction as EAF

warnings.filterwarnings("ignore")
sys.setrecursionlimit(3000)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_FILE = os.path.join(HERE, "..", "tests", "data", "identities.nabla")
DIMS = {"n": 4, "m": 3, "k": 5, "d": 4}
DSYM = {name: sp.Symbol(name, integer=True, positive=True) for name in DIMS}
U = sp.Dummy("u")


def sym_shape(spec):
    return tuple(DSYM[s] if isinstance(s, str) else s for s in spec)


# SymPy helpers for the nabla functions.
def ssum(v):  # sum(v) for a column vector v
    return OneMatrix(1, v.shape[0]) * v


def sexp(v):  # elementwise exp
    return EAF(sp.exp, v)


def ssigmoid(v):
    return EAF(Lambda(U, 1 / (1 + sp.exp(-U))), v)


def slog1pexp(v):  # elementwise log(1 + exp(v))
    return EAF(Lambda(U, sp.log(1 + sp.exp(U))), v)


def ssoftmax(v):
    e = sexp(v)
    return e * Inverse(ssum(e))


# NumPy helpers for the reference right sides.
def sig(z):
    return 1 / (1 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


inv, det, diag = np.linalg.inv, np.linalg.det, lambda v: np.diag(v.ravel())

# (id, check as written in the file, {symbol: (rows, cols)} ('W' symmetric, square X regular),
#  kind, wrt, SymPy left side, NumPy reference right side)
TABLE = [
    ("sheet-3a", "check grad(<a, x>, x) == a", {"a": ("n", 1), "x": ("n", 1)}, "grad", "x",
     lambda s: s.a.T * s.x, lambda v: v.a),
    ("sheet-3b", "check jacobian(A*x, x) == A", {"A": ("n", "m"), "x": ("m", 1)}, "jac", "x",
     lambda s: s.A * s.x, lambda v: v.A),
    ("sheet-3c", "check grad(<x, A*x>, x) == (A + A')*x", {"x": ("n", 1), "A": ("n", "n")}, "grad",
     "x", lambda s: s.x.T * s.A * s.x, lambda v: (v.A + v.A.T) @ v.x),
    ("sheet-3d", "check grad(<x, A*x>, A) == x*x'", {"x": ("n", 1), "A": ("n", "n")}, "grad", "A",
     lambda s: s.x.T * s.A * s.x, lambda v: v.x @ v.x.T),
    ("sheet-4b", "check grad(1/2*x'*x, x) == x", {"x": ("d", 1)}, "grad", "x",
     lambda s: sp.Rational(1, 2) * s.x.T * s.x, lambda v: v.x),
    ("sheet-4c", "check grad(log(1 + exp(-w'*x)), w) == -sigmoid(-w'*x)*x",
     {"x": ("d", 1), "w": ("d", 1)}, "grad", "w",
     lambda s: sp.log(1 + sp.exp(-s.w.T * s.x)), lambda v: -sig(-(v.w.T @ v.x)) * v.x),
    ("mc-70", "check grad(a'*X*b, X) == a*b'", {"a": ("n", 1), "b": ("m", 1), "X": ("n", "m")},
     "grad", "X", lambda s: s.a.T * s.X * s.b, lambda v: v.a @ v.b.T),
    ("mc-71", "check grad(a'*X'*b, X) == b*a'", {"a": ("m", 1), "b": ("n", 1), "X": ("n", "m")},
     "grad", "X", lambda s: s.a.T * s.X.T * s.b, lambda v: v.b @ v.a.T),
    ("mc-81", "check grad(b'*X'*X*c, X) == X*(b*c' + c*b')",
     {"b": ("m", 1), "c": ("m", 1), "X": ("n", "m")}, "grad", "X",
     lambda s: s.b.T * s.X.T * s.X * s.c, lambda v: v.X @ (v.b @ v.c.T + v.c @ v.b.T)),
    ("mc-84", "check grad(x'*B*x, x) == (B + B')*x", {"x": ("n", 1), "B": ("n", "n")}, "grad", "x",
     lambda s: s.x.T * s.B * s.x, lambda v: (v.B + v.B.T) @ v.x),
    ("mc-86", "check grad((X*b + c)'*D*(X*b + c), X) == (D + D')*(X*b + c)*b'",
     {"X": ("n", "m"), "b": ("m", 1), "c": ("n", 1), "D": ("n", "n")}, "grad", "X",
     lambda s: (s.X * s.b + s.c).T * s.D * (s.X * s.b + s.c),
     lambda v: (v.D + v.D.T) @ (v.X @ v.b + v.c) @ v.b.T),
    ("mc-91", "check grad((x - A*s)'*W*(x - A*s), s) == -2*A'*W*(x - A*s)",
     {"x": ("n", 1), "A": ("n", "m"), "s": ("m", 1), "W": ("n", "n")}, "grad", "s",
     lambda s: (s.x - s.A * s.s).T * s.W * (s.x - s.A * s.s),
     lambda v: -2 * v.A.T @ v.W @ (v.x - v.A @ v.s)),
    ("mc-51", "check grad(det(X), X) == det(X)*inv(X)'", {"X": ("n", "n")}, "grad", "X",
     lambda s: Determinant(s.X), lambda v: det(v.X) * inv(v.X).T),
    ("mc-57", "check grad(logdet(X), X) == inv(X)'", {"X": ("n", "n")}, "grad", "X",
     lambda s: sp.log(Determinant(s.X)), lambda v: inv(v.X).T),
    ("mc-61", "check grad(a'*inv(X)*b, X) == -inv(X)'*a*b'*inv(X)'",
     {"a": ("n", 1), "b": ("n", 1), "X": ("n", "n")}, "grad", "X",
     lambda s: s.a.T * Inverse(s.X) * s.b, lambda v: -inv(v.X).T @ v.a @ v.b.T @ inv(v.X).T),
    ("mc-100", "check grad(tr(X*A), X) == A'", {"X": ("n", "n"), "A": ("n", "n")}, "grad", "X",
     lambda s: Trace(s.X * s.A), lambda v: v.A.T),
    ("mc-101", "check grad(tr(A*X*B), X) == A'*B'",
     {"A": ("k", "n"), "X": ("n", "m"), "B": ("m", "k")}, "grad", "X",
     lambda s: Trace(s.A * s.X * s.B), lambda v: v.A.T @ v.B.T),
    ("mc-102", "check grad(tr(A*X'*B), X) == B*A",
     {"A": ("k", "m"), "X": ("n", "m"), "B": ("n", "k")}, "grad", "X",
     lambda s: Trace(s.A * s.X.T * s.B), lambda v: v.B @ v.A),
    ("mc-106", "check grad(tr(X^2), X) == 2*X'", {"X": ("n", "n")}, "grad", "X",
     lambda s: Trace(s.X**2), lambda v: 2 * v.X.T),
    ("mc-108", "check grad(tr(X'*B*X), X) == (B + B')*X", {"X": ("n", "m"), "B": ("n", "n")},
     "grad", "X", lambda s: Trace(s.X.T * s.B * s.X), lambda v: (v.B + v.B.T) @ v.X),
    ("mc-115", "check grad(tr(X'*X), X) == 2*X", {"X": ("n", "m")}, "grad", "X",
     lambda s: Trace(s.X.T * s.X), lambda v: 2 * v.X),
    ("mc-121", "check grad(tr((A*X*B + C)*(A*X*B + C)'), X) == 2*A'*(A*X*B + C)*B'",
     {"A": ("k", "n"), "X": ("n", "m"), "B": ("m", "k"), "C": ("k", "k")}, "grad", "X",
     lambda s: Trace((s.A * s.X * s.B + s.C) * (s.A * s.X * s.B + s.C).T),
     lambda v: 2 * v.A.T @ (v.A @ v.X @ v.B + v.C) @ v.B.T),
    ("mc-128", "check grad(tr(A*inv(X)*B), X) == -(inv(X)*B*A*inv(X))'",
     {"A": ("n", "n"), "B": ("n", "n"), "X": ("n", "n")}, "grad", "X",
     lambda s: Trace(s.A * Inverse(s.X) * s.B), lambda v: -(inv(v.X) @ v.B @ v.A @ inv(v.X)).T),
    ("mc-norm", "check grad(norm2(x - a), x) == (x - a)/norm2(x - a)",
     {"x": ("n", 1), "a": ("n", 1)}, "grad", "x",
     lambda s: sp.sqrt((s.x - s.a).T * (s.x - s.a)),
     lambda v: (v.x - v.a) / np.linalg.norm(v.x - v.a)),
    ("ml-lsq", "check grad(1/2*norm2(X*w - y)^2, w) == X'*(X*w - y)",
     {"X": ("k", "n"), "w": ("n", 1), "y": ("k", 1)}, "grad", "w",
     lambda s: sp.Rational(1, 2) * (s.X * s.w - s.y).T * (s.X * s.w - s.y),
     lambda v: v.X.T @ (v.X @ v.w - v.y)),
    ("ml-logreg", "check grad(sum(log(1 + exp(-y .* (X*w)))), w) == -X'*(y .* sigmoid(-y .* (X*w)))",
     {"X": ("k", "n"), "w": ("n", 1), "y": ("k", 1)}, "grad", "w",
     lambda s: ssum(slog1pexp(-HadamardProduct(s.y, s.X * s.w))),
     lambda v: -v.X.T @ (v.y * sig(-v.y * (v.X @ v.w)))),
    ("ml-lse", "check grad(logsumexp(x), x) == softmax(x)", {"x": ("n", 1)}, "grad", "x",
     lambda s: EAF(sp.log, ssum(sexp(s.x))), lambda v: softmax(v.x)),
    ("ml-mf", "check grad(norm2(X - U*V')^2, U) == -2*(X - U*V')*V",
     {"X": ("n", "m"), "U": ("n", "k"), "V": ("m", "k")}, "grad", "U",
     lambda s: Trace((s.X - s.U * s.V.T).T * (s.X - s.U * s.V.T)),
     lambda v: -2 * (v.X - v.U @ v.V.T) @ v.V),
    ("jac-sigmoid", "check jacobian(sigmoid(W*x), x) == diag(sigmoid(W*x) .* (1 - sigmoid(W*x)))*W",
     {"W": ("n", "m"), "x": ("m", 1)}, "jac", "x", lambda s: ssigmoid(s.W * s.x),
     lambda v: diag(sig(v.W @ v.x) * (1 - sig(v.W @ v.x))) @ v.W),
    ("jac-softmax", "check jacobian(softmax(x), x) == diag(softmax(x)) - softmax(x)*softmax(x)'",
     {"x": ("n", 1)}, "jac", "x", lambda s: ssoftmax(s.x),
     lambda v: diag(softmax(v.x)) - softmax(v.x) @ softmax(v.x).T),
    ("hess-quad", "check hessian(x'*A*x, x) == A + A'", {"x": ("n", 1), "A": ("n", "n")}, "hess",
     "x", lambda s: s.x.T * s.A * s.x, lambda v: v.A + v.A.T),
    ("hess-logreg",
     "check hessian(sum(log(1 + exp(X*w))), w) == X'*diag(sigmoid(X*w) .* (1 - sigmoid(X*w)))*X",
     {"X": ("k", "n"), "w": ("n", 1)}, "hess", "w", lambda s: ssum(slog1pexp(s.X * s.w)),
     lambda v: v.X.T @ diag(sig(v.X @ v.w) * (1 - sig(v.X @ v.w))) @ v.X),
]


class Namespace(dict):
    __getattr__ = dict.__getitem__


class Timeout(Exception):
    pass


def on_alarm(signum, frame):
    raise Timeout()


def read_checks(path):
    """[(id, check text)] from the identities file: `# id: ...` comment, then the check."""
    out, ident = [], None
    with open(path) as f:
        for line in f:
            line = line.strip()
            m = re.match(r"#\s*([\w-]+):", line)
            if m:
                ident = m.group(1)
            elif line.startswith("check "):
                out.append((ident, " ".join(line.split())))
    return out


def derive(kind, lhs, var):
    if kind == "grad":
        return lhs.diff(var)
    if kind == "jac":
        return lhs.diff(var).T
    return lhs.diff(var).diff(var)


def random_values(decls, rng):
    v = Namespace()
    for name, (r, c) in decls.items():
        rows, cols = (DIMS.get(r, r), DIMS.get(c, c))
        a = rng.uniform(-1, 1, size=(rows, cols))
        if name == "W" and rows == cols:
            a = a + a.T  # Sym(n)
        if name == "X" and rows == cols:
            a = a + rows * np.eye(rows)  # regular with det > 0, for inv/det/logdet
        v[name] = a
    return v


def evaluate(expr, syms, values):
    """The SymPy result at the given values, as a float array."""
    if expr.has(sp.Derivative) or type(expr).__name__ == "ArrayDerivative":
        raise ValueError("unevaluated")
    dims = {DSYM[k]: v for k, v in DIMS.items()}
    e = expr.xreplace(dims)
    sub = {syms[n].xreplace(dims): sp.ImmutableMatrix(values[n]) for n in syms}
    e = e.xreplace(sub)
    for _ in range(3):
        e = e.doit()
    if hasattr(e, "as_explicit"):
        e = e.as_explicit()
    if isinstance(e, sp.NDimArray):  # an array expression's value: drop its size-1 axes
        return np.squeeze(np.array(e.tolist(), dtype=object).astype(float)), True
    if hasattr(e, "shape"):
        return np.array(sp.Matrix(e).evalf(), dtype=float), False
    return np.array([[float(e)]]), False


def run_sympy(path, repeat):
    file_checks = read_checks(path)
    table_checks = [(t[0], t[1]) for t in TABLE]
    if file_checks != table_checks:
        diff = [(a, b) for a, b in zip(file_checks, table_checks) if a != b]
        sys.exit(f"sympy_derive.py: the table does not match {path} "
                 f"({len(file_checks)} checks there, {len(TABLE)} here); first difference: "
                 f"{diff[:1] or 'count'}")
    signal.signal(signal.SIGALRM, on_alarm)
    # Warm-up (imports, first-call dispatch), not counted.
    w = MatrixSymbol("w", DSYM["n"], 1)
    (w.T * w).diff(w)
    rows = []
    for ident, text, decls, kind, var, lhs_fn, rhs_fn in TABLE:
        syms = Namespace({n: MatrixSymbol(n, *sym_shape(shape)) for n, shape in decls.items()})
        row = {"id": ident, "query": text}
        if lhs_fn is None:
            row.update(status="cannot express", correct=False, time_s=None)
            rows.append(row)
            continue
        lhs = lhs_fn(syms)
        row["sympy_lhs"] = str(lhs)
        best, result, error = None, None, None
        for _ in range(repeat):
            clear_cache()
            signal.alarm(60)
            t0 = time.process_time()
            try:
                result = derive(kind, lhs, syms[var])
            except Timeout:
                error = "timeout (60 s)"
            except RecursionError:
                error = "raises RecursionError"
            except Exception as e:  # noqa: BLE001 (any failure of SymPy is a result here)
                error = f"raises {type(e).__name__}: {str(e)[:80]}"
            finally:
                dt = time.process_time() - t0
                signal.alarm(0)
            best = dt if best is None else min(best, dt)
            if error:
                break
        row["time_s"] = best
        if error:
            row.update(status=error, correct=False)
            rows.append(row)
            continue
        row["sympy_result"] = str(result)
        rng = np.random.default_rng(12345)
        try:
            signal.alarm(60)
            ok = True
            for _ in range(2):
                values = random_values(decls, rng)
                got, array_form = evaluate(result, syms, values)
                ref = np.atleast_2d(rhs_fn(values))
                if array_form and got.shape == np.squeeze(ref).shape:
                    ref = np.squeeze(ref)
                if got.shape != ref.shape:
                    ok = False
                    break
                if np.max(np.abs(got - ref)) > 1e-8 * max(1.0, np.max(np.abs(ref))):
                    ok = False
                    break
            status = "correct" if ok else "wrong"
            if ok and array_form:
                status = "correct (array expression, not a matrix)"
            row.update(status=status, correct=ok, matrix_form=ok and not array_form)
        except ValueError as e:
            row.update(status="unevaluated" if "unevaluated" in str(e) else
                       f"not evaluable: {str(e)[:80]}", correct=False)
        except Exception as e:  # noqa: BLE001
            row.update(status=f"not evaluable: {type(e).__name__}: {str(e)[:80]}", correct=False)
        finally:
            signal.alarm(0)
        rows.append(row)
    return rows


def run_nabla(nabla, path):
    r = subprocess.run([nabla, "--format", "json", path], capture_output=True, text=True)
    holds = {}
    for line in r.stdout.splitlines():
        try:
            j = json.loads(line)
        except json.JSONDecodeError:
            continue
        if j.get("kind") not in (None, "query", "check"):
            continue  # declarations, definitions and errors have no query
        holds[" ".join(j["query"].split())] = bool(j.get("holds"))
    return holds


def time_nabla(derive_bench, path):
    env = dict(os.environ, NABLA_IDENTITIES=path)
    r = subprocess.run([derive_bench, "--benchmark_filter=derive/identities",
                        "--benchmark_format=json", "--benchmark_min_time=0.5",
                        "--benchmark_repetitions=3"], env=env,
                       capture_output=True, text=True, check=True)
    # The fastest of three repetitions (SymPy's time is likewise its best of three).
    runs = [b for b in json.loads(r.stdout)["benchmarks"] if b.get("run_type") != "aggregate"]
    b = min(runs, key=lambda b: b["cpu_time"])
    unit = {"ms": 1e-3, "us": 1e-6, "ns": 1e-9, "s": 1.0}[b["time_unit"]]
    n = int(b["queries"])
    # Per query (file order), from the thread CPU clock around each query: counters q0, q1, ...
    per = [b.get("q%d" % i) for i in range(n)]
    return b["cpu_time"] * unit / n, n, per


def main():
    args = sys.argv[1:]

    def opt(name, default=None):
        return args[args.index(name) + 1] if name in args else default

    path = os.path.abspath(opt("--identities", DEFAULT_FILE))
    rows = run_sympy(path, int(opt("--repeat", "3")))
    ok = [r for r in rows if r["correct"]]
    timed = [r["time_s"] for r in rows if r["time_s"] is not None]
    totals = {
        "queries": len(rows),
        "sympy_correct": len(ok),
        "sympy_correct_matrix_form": sum(1 for r in ok if r.get("matrix_form")),
        "sympy_failures": {r["id"]: r["status"] for r in rows if not r["correct"]},
        "sympy_mean_s_correct": sum(r["time_s"] for r in ok) / len(ok) if ok else None,
        "sympy_mean_s_all": sum(timed) / len(timed) if timed else None,
    }
    if opt("--nabla"):
        holds = run_nabla(opt("--nabla"), path)
        for r in rows:
            r["nabla_correct"] = holds.get(r["query"], False)
        totals["nabla_correct"] = sum(r["nabla_correct"] for r in rows)
    if opt("--derive-bench"):
        per_query, n, per = time_nabla(opt("--derive-bench"), path)
        totals["nabla_mean_s"] = per_query
        totals["nabla_queries_timed"] = n
        if totals["sympy_mean_s_correct"]:
            totals["sympy/nabla"] = totals["sympy_mean_s_correct"] / per_query
        # The same queries on both sides: those SymPy answers correctly.
        same = [per[i] for i, r in enumerate(rows) if r["correct"] and i < len(per)
                and per[i] is not None]
        if ok and len(same) == len(ok):
            totals["nabla_mean_s_sympy_correct"] = sum(same) / len(same)
            totals["sympy/nabla same queries"] = (totals["sympy_mean_s_correct"] /
                                                  totals["nabla_mean_s_sympy_correct"])
    print(json.dumps({"queries": rows, "totals": totals}, indent=2))


if __name__ == "__main__":
    main()
