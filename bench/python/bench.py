#!/usr/bin/python3
"""nabla from Python against PyTorch from Python on the BENCH problems (bench/problems.h, the
same data bit for bit through bench/data.py): value and gradient, one thread for both; the
same compiled plan timed from C++ (Compiled._time_runs: the plan run in a C++ loop, no Python
between runs); and the per-call overhead of a compiled function at n = 10.

    PYTHONPATH=build/python taskset -c 1 /usr/bin/python3 bench/python/bench.py [--quick]

Every figure is CPU time of this thread (time.thread_time), the least of several rounds.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import numpy as np  # noqa: E402

import data  # noqa: E402  (bench/data.py)
import nabla  # noqa: E402

os.environ.setdefault("OMP_NUM_THREADS", "1")
import torch  # noqa: E402

torch.set_num_threads(1)
torch.set_num_interop_threads(1)

QUICK = "--quick" in sys.argv


def labels(n, seed):
    return np.where(data.make(n, 1, seed)[:, 0] < 0, -1.0, 1.0)


def vec(n, seed, scale=1.0):
    return data.make(n, 1, seed, scale)[:, 0]


def spd(n, seed):
    R = data.make(n, n, seed)
    return R @ R.T / n + np.eye(n)


# id: (declarations, expression, wrt, arrays in declaration order, torch function)
def problems():
    t = torch
    yield ("logreg", "X in R^(n x d); w in R^d; y in R^n", "sum(log(1 + exp(-y .* (X*w))))", ["w"],
           lambda: dict(X=data.make(20000, 200, 1), w=vec(200, 2, 0.1), y=labels(20000, 3)),
           lambda v: t.log(1 + t.exp(-v["y"] * (v["X"] @ v["w"]))).sum())
    yield ("lsq", "X in R^(n x d); w in R^d; y in R^n", "1/2*norm2(X*w - y)^2", ["w"],
           lambda: dict(X=data.make(20000, 200, 4), w=vec(200, 5), y=vec(20000, 6)),
           lambda v: 0.5 * t.linalg.norm(v["X"] @ v["w"] - v["y"]) ** 2)
    yield ("quad", "A in R^(n x n); x in R^n", "x'*A*x", ["x"],
           lambda: dict(A=data.make(2000, 2000, 7), x=vec(2000, 8)),
           lambda v: v["x"] @ (v["A"] @ v["x"]))
    yield ("mf", "X in R^(n x m); U in R^(n x k); V in R^(m x k)", "norm2(X - U*V')^2", ["U", "V"],
           lambda: dict(X=data.make(1000, 800, 9), U=data.make(1000, 32, 10), V=data.make(800, 32, 11)),
           lambda v: t.linalg.norm(v["X"] - v["U"] @ v["V"].T) ** 2)
    yield ("mlp", "X in R^(n x d); W in R^(d x h); v in R^h; y in R^n",
           "sum(softplus(-y .* (tanh(X*W)*v)))", ["W", "v"],
           lambda: dict(X=data.make(5000, 100, 12), W=data.make(100, 64, 13, 0.1), v=vec(64, 14),
                        y=labels(5000, 15)),
           lambda v: t.nn.functional.softplus(-v["y"] * (t.tanh(v["X"] @ v["W"]) @ v["v"])).sum())
    yield ("ggm", "S in Sym(n); C in R^(n x n)", "-logdet(S) + tr(C*S)", ["S"],
           lambda: dict(S=spd(300, 16), C=data.make(300, 300, 17)),
           lambda v: -t.logdet(v["S"]) + t.trace(v["C"] @ v["S"]))
    yield ("sheet4a", "x, y, z in R^n", "sum(1/2*x.^2 + y.*z - log(1 + exp(x.^2 .* y.^3 .* z)))",
           ["x", "y", "z"],
           lambda: dict(x=vec(1000000, 18), y=vec(1000000, 19), z=vec(1000000, 20)),
           lambda v: (0.5 * v["x"] ** 2 + v["y"] * v["z"]
                      - t.log(1 + t.exp(v["x"] ** 2 * v["y"] ** 3 * v["z"]))).sum())


def best(fn, rounds, calls):
    times = []
    for _ in range(rounds):
        t0 = time.thread_time()
        for _ in range(calls):
            fn()
        times.append((time.thread_time() - t0) / calls)
    return min(times)


def calls_for(seconds_per_call):
    return max(1, int(0.2 / max(seconds_per_call, 1e-7)))


def bench_problem(pid, decls, text, wrt, make, torch_fn, order):
    arrays = make()
    e = nabla.expr(text, decls)
    f = nabla.compile(e, wrt=wrt)
    params = f.parameters
    if order == "F":
        arrays = {k: np.asfortranarray(a) for k, a in arrays.items()}
    args = [arrays[p] for p in params]
    t0 = time.thread_time()
    f(*args)
    once = time.thread_time() - t0
    rounds = 2 if QUICK else 3
    k = calls_for(once)
    py = best(lambda: f(*args), rounds, k)
    cpp = min(f._f._time_runs(k, *args) for _ in range(rounds))
    tv = {n: torch.from_numpy(a) for n, a in arrays.items()}
    for n in wrt:
        tv[n] = tv[n].clone().requires_grad_(True)

    def torch_call():
        value = torch_fn(tv)
        return value.item(), torch.autograd.grad(value, [tv[n] for n in wrt])

    ref_value, ref_grads = torch_call()
    value, *grads = f(*args)
    err = max(float(np.max(np.abs(g - r.numpy()) / np.maximum(1, np.abs(r.numpy()))))
              for g, r in zip(grads, ref_grads))
    tt = best(torch_call, rounds, calls_for(py))
    return py, cpp, tt, err


def hess_logreg():
    X, w = data.hess_logreg()
    e = nabla.expr("sum(log(1 + exp(X*w)))", "X in R^(n x d); w in R^d")
    f = nabla.compile([nabla.hessian(e, "w")])
    Xf = np.asfortranarray(X)
    rounds = 2 if QUICK else 3
    t0 = time.thread_time()
    H = f(Xf, w)
    k = calls_for(time.thread_time() - t0)
    py = best(lambda: f(Xf, w), rounds, k)
    cpp = min(f._f._time_runs(k, Xf, w) for _ in range(rounds))
    Xt = torch.from_numpy(X)
    fn = lambda t: torch.log(1 + torch.exp(Xt @ t)).sum()  # noqa: E731
    Ht = torch.autograd.functional.hessian(fn, torch.from_numpy(w))
    err = float(np.max(np.abs(H - Ht.numpy()) / np.maximum(1, np.abs(Ht.numpy()))))
    tt = best(lambda: torch.autograd.functional.hessian(fn, torch.from_numpy(w)), rounds, 1)
    return py, cpp, tt, err


def overhead(n=10):
    rng = np.random.default_rng(0)
    X = np.asfortranarray(rng.standard_normal((n, n)))
    w = rng.standard_normal(n)
    y = np.sign(rng.standard_normal(n))
    e = nabla.expr("sum(log(1 + exp(-y .* (X*w))))", "X in R^(n x d); w in R^d; y in R^n")
    f = nabla.compile(e, wrt=["w"])
    args = [dict(X=X, w=w, y=y)[p] for p in f.parameters]
    k = 20000 if not QUICK else 5000
    py = best(lambda: f(*args), 5, k)
    cpp = min(f._f._time_runs(k, *args) for _ in range(5))
    traced = nabla.value_and_grad(lambda w, X, y: nabla.sum(nabla.softplus(-y * (X @ w))))
    traced(w, X, y)
    tr = best(lambda: traced(w, X, y), 5, k)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    wt = torch.from_numpy(w).clone().requires_grad_(True)

    def torch_call():
        v = torch.log(1 + torch.exp(-yt * (Xt @ wt))).sum()
        return v.item(), torch.autograd.grad(v, [wt])

    tt = best(torch_call, 5, k // 10)
    return py, cpp, tr, tt


def main():
    print(f"nabla {nabla.__version__}, torch {torch.__version__}, numpy {np.__version__}; "
          f"one thread; CPU {os.sched_getaffinity(0)}")
    print("| problem | nabla from Python | same plan from C++ | Python/C++ | PyTorch (Python) | "
          "PyTorch/nabla | max rel. diff vs torch |")
    print("|---|---|---|---|---|---|---|")
    for p in problems():
        pid = p[0]
        py, cpp, tt, err = bench_problem(*p, order="F")
        print(f"| {pid} | {py * 1e3:.3f} ms | {cpp * 1e3:.3f} ms | {py / cpp:.3f} | "
              f"{tt * 1e3:.3f} ms | {tt / py:.2f} | {err:.1e} |", flush=True)
    py, cpp, tt, err = hess_logreg()
    print(f"| hess-logreg (Hessian) | {py * 1e3:.3f} ms | {cpp * 1e3:.3f} ms | {py / cpp:.3f} | "
          f"{tt * 1e3:.3f} ms | {tt / py:.2f} | {err:.1e} |", flush=True)
    print()
    print("C-ordered inputs (NumPy's default layout; the plan reads each matrix as the transpose "
          "of the column-major matrix it is in memory):")
    print("| problem | nabla from Python | same plan from C++ | Python/C++ |")
    print("|---|---|---|---|")
    for p in problems():
        if p[0] in ("sheet4a",):
            continue
        py, cpp, tt, err = bench_problem(*p, order="C")
        print(f"| {p[0]} | {py * 1e3:.3f} ms | {cpp * 1e3:.3f} ms | {py / cpp:.3f} |", flush=True)
    print()
    py, cpp, tr, tt = overhead()
    print("Per call at n = 10 (logreg, value and gradient):")
    print(f"  nabla.compile'd function: {py * 1e6:.2f} us per call; the plan alone from C++: "
          f"{cpp * 1e6:.2f} us; overhead {(py - cpp) * 1e6:.2f} us")
    print(f"  nabla.value_and_grad of a traced Python function: {tr * 1e6:.2f} us per call")
    print(f"  PyTorch eager autograd: {tt * 1e6:.2f} us per call")


if __name__ == "__main__":
    main()
