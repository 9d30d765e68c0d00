#!/usr/bin/python3
"""Generated NumPy (nabla.to_numpy) against hand-written NumPy on logreg, lsq, mlp and
hess-logreg (the BENCH data, bench/data.py): value and gradient (hess-logreg: the Hessian).

    PYTHONPATH=build/python taskset -c 1 /usr/bin/python3 bench/python/numpy_codegen.py

CPU time of this thread, least of several rounds; numpy's BLAS limited to one thread.
"""
import os
import sys
import time

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import numpy as np  # noqa: E402

import data  # noqa: E402
import nabla  # noqa: E402


def labels(n, seed):
    return np.where(data.make(n, 1, seed)[:, 0] < 0, -1.0, 1.0)


def vec(n, seed, scale=1.0):
    return data.make(n, 1, seed, scale)[:, 0]


def hand_logreg(X, w, y):
    u = -y * (X @ w)
    e = np.exp(-np.abs(u))
    s = np.where(u >= 0, 1.0, e) / (1.0 + e)
    return np.sum(np.logaddexp(0.0, u)), -(X.T @ (y * s))


def hand_lsq(X, w, y):
    r = X @ w - y
    return 0.5 * (r @ r), X.T @ r


def hand_mlp(X, W, v, y):
    a = np.tanh(X @ W)
    u = -y * (a @ v)
    e = np.exp(-np.abs(u))
    s = np.where(u >= 0, 1.0, e) / (1.0 + e)
    t = -y * s
    return np.sum(np.logaddexp(0.0, u)), X.T @ (np.outer(t, v) * (1.0 - a * a)), a.T @ t


def hand_hess(X, w):
    u = X @ w
    e = np.exp(-np.abs(u))
    s = np.where(u >= 0, 1.0, e) / (1.0 + e)
    return (X.T * (s * (1.0 - s))) @ X


def best(fn, rounds=3):
    fn()
    times = []
    for _ in range(rounds):
        t0 = time.thread_time()
        fn()
        times.append(time.thread_time() - t0)
    return min(times)


def main():
    cases = []
    X, w, y = data.make(20000, 200, 1), vec(200, 2, 0.1), labels(20000, 3)
    e = nabla.expr("sum(log(1 + exp(-y .* (X*w))))", "X in R^(n x d); w in R^d; y in R^n")
    cases.append(("logreg", nabla.to_numpy(e, "w"), hand_logreg, (X, w, y)))
    X, w, y = data.make(20000, 200, 4), vec(200, 5), vec(20000, 6)
    e = nabla.expr("1/2*norm2(X*w - y)^2", "X in R^(n x d); w in R^d; y in R^n")
    cases.append(("lsq", nabla.to_numpy(e, "w"), hand_lsq, (X, w, y)))
    X, W, v, y = data.make(5000, 100, 12), data.make(100, 64, 13, 0.1), vec(64, 14), labels(5000, 15)
    e = nabla.expr("sum(softplus(-y .* (tanh(X*W)*v)))", "X in R^(n x d); W in R^(d x h); v in R^h; y in R^n")
    cases.append(("mlp", nabla.to_numpy(e, ["W", "v"]), hand_mlp, (X, W, v, y)))
    X, w = data.hess_logreg()
    e = nabla.expr("sum(log(1 + exp(X*w)))", "X in R^(n x d); w in R^d")
    cases.append(("hess-logreg", nabla.to_numpy([nabla.hessian(e, "w")]), hand_hess, (X, w)))
    print("| problem | generated NumPy | hand-written NumPy | generated/hand | max rel. diff |")
    print("|---|---|---|---|---|")
    for name, gen, hand, args in cases:
        a = gen(*args)
        b = hand(*args)
        a = a if isinstance(a, tuple) else (a,)
        b = b if isinstance(b, tuple) else (b,)
        diff = max(float(np.max(np.abs(np.asarray(p) - q) / np.maximum(1, np.abs(q)))) for p, q in zip(a, b))
        tg, th = best(lambda: gen(*args)), best(lambda: hand(*args))
        print(f"| {name} | {tg * 1e3:.2f} ms | {th * 1e3:.2f} ms | {tg / th:.2f} | {diff:.1e} |", flush=True)


if __name__ == "__main__":
    main()
