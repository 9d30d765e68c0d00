#!/usr/bin/python3
"""Generated NumPy against hand-written NumPy on BENCH.md's logreg, lsq, mlp and hess-logreg.

The generated function is what `nabla bench/codegen/<id>.nabla --format numpy` prints (the
generator as it is in this checkout: --nabla names the binary); the hand-written one is the
same value and gradient(s) (value and Hessian) as a careful NumPy user writes them
(np.logaddexp for softplus, X.T @ r, X.T @ (X * d[:, None]) for X' diag(d) X). Both get the
same arrays (bench/data.py, bit for bit bench/problems.h's); their results are compared first.
Times: time.process_time(), best of --runs calls after a warm-up call. Prints JSON:
  {"<id>/generated_numpy": {"best_s", "rel_diff"}, "<id>/hand_numpy": {"best_s"}, ...}
"""
import json, os, subprocess, sys, time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import data  # noqa: E402


def expit(u):
    return 1.0 / (1.0 + np.exp(-u))


def hand_logreg(X, y, w):
    u = -y * (X @ w)
    return np.logaddexp(0.0, u).sum(), -(X.T @ (y * expit(u)))


def hand_lsq(X, y, w):
    r = X @ w - y
    return 0.5 * (r @ r), X.T @ r


def hand_mlp(X, y, W, v):
    T = np.tanh(X @ W)
    u = -y * (T @ v)
    r = -y * expit(u)
    return np.logaddexp(0.0, u).sum(), X.T @ (np.outer(r, v) * (1.0 - T * T)), T.T @ r


def hand_hess(X, w):
    z = X @ w
    s = expit(z)
    return np.logaddexp(0.0, z).sum(), X.T @ (X * (s * (1.0 - s))[:, None])


def problems():
    """id -> (arguments in the generated function's parameter order, hand-written function)."""
    v = lambda a: a[:, 0]  # noqa: E731  (n x 1 -> 1-D)
    return {
        "logreg": ((data.make(20000, 200, 1), v(data.make(20000, 1, 3)), v(data.make(200, 1, 2, 0.1))),
                   hand_logreg),
        "lsq": ((data.make(20000, 200, 4), v(data.make(20000, 1, 6)), v(data.make(200, 1, 5))),
                hand_lsq),
        "mlp": ((data.make(5000, 100, 12), v(data.make(5000, 1, 15)), data.make(100, 64, 13, 0.1),
                 v(data.make(64, 1, 14))), hand_mlp),
        "hess-logreg": (data.hess_logreg(), hand_hess),
    }


def labels(a):
    return np.where(a < 0, -1.0, 1.0)


def best(fn, runs):
    fn()
    times = []
    for _ in range(runs):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return min(times)


def rel_diff(a, b):
    worst = 0.0
    for x, y in zip(a, b):
        x, y = np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
        if x.shape != y.shape:
            return float("inf")
        worst = max(worst, float(np.max(np.abs(x - y))) / max(1.0, float(np.max(np.abs(y)))))
    return worst


def main():
    args = sys.argv[1:]
    nabla = args[args.index("--nabla") + 1]
    runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 10
    out = {}
    for pid, (arrays, hand) in problems().items():
        arrays = list(arrays)
        if pid in ("logreg", "mlp"):
            arrays[1] = labels(arrays[1])  # y in {-1, 1}, as problems.h's labels()
        code = subprocess.run([nabla, os.path.join(HERE, "codegen", pid + ".nabla"), "--format",
                               "numpy"], capture_output=True, text=True, check=True).stdout
        scope = {}
        exec(compile(code, pid + ".py", "exec"), scope)  # noqa: S102 (our own generated code)
        gen = scope["query_1"]
        diff = rel_diff(gen(*arrays), hand(*arrays))
        out[pid + "/generated_numpy"] = {"best_s": best(lambda: gen(*arrays), runs),
                                         "rel_diff": diff}
        out[pid + "/hand_numpy"] = {"best_s": best(lambda: hand(*arrays), runs)}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
