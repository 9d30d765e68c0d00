#!/usr/bin/python3
"""PyTorch 1.13 (Debian's python3-torch, run with /usr/bin/python3) on hess-logreg: the Hessian
of f(w) = sum(log(1 + exp(X*w))), X 5000 x 200, w 200, data bit-identical to bench/problems.h
(bench/data.py reproduces its splitmix64 generator). One thread.

Two ways, both timed per call (best and median of several calls, after one warm-up call):
  vectorized  torch.autograd.functional.hessian(f, w, vectorize=True): the fastest Hessian
              PyTorch offers (vmap over the rows of the backward-of-backward).
  rowwise     g = grad(f(w), w, create_graph=True), then one grad(g[i], w) per row.
Each Hessian is written column-major to $NABLA_BENCH_OUT/hess-logreg.H.torchvec.bin and
hess-logreg.H.torchrow.bin for bench/compare's check. Prints JSON on stdout:
  {"hess-logreg/hess/vectorized": {"best_s", "median_s", "runs"}, "hess-logreg/hess/rowwise": ...}
Options: --runs N (vectorized; row by row runs max(3, N // 4)).
"""
import json, os, statistics, sys, time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import data  # noqa: E402

torch.set_num_threads(1)
torch.set_num_interop_threads(1)


def timed(fn, runs):
    fn()  # warm-up (allocator, first-call dispatch)
    times = []
    for _ in range(runs):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return {"best_s": min(times), "median_s": statistics.median(times), "runs": runs}


def main():
    runs = 10
    if "--runs" in sys.argv:
        runs = int(sys.argv[sys.argv.index("--runs") + 1])
    out = os.environ.get("NABLA_BENCH_OUT", "/tmp")
    Xn, wn = data.hess_logreg()
    X = torch.from_numpy(Xn)
    w0 = torch.from_numpy(wn)

    def f(w):
        return torch.log(1 + torch.exp(X @ w)).sum()

    def vectorized():
        return torch.autograd.functional.hessian(f, w0, vectorize=True)

    def rowwise():
        w = w0.detach().clone().requires_grad_(True)
        (g,) = torch.autograd.grad(f(w), w, create_graph=True)
        rows = [torch.autograd.grad(g[i], w, retain_graph=True)[0] for i in range(w.numel())]
        return torch.stack(rows)

    data.dump(os.path.join(out, "hess-logreg.H.torchvec.bin"), vectorized().numpy())
    data.dump(os.path.join(out, "hess-logreg.H.torchrow.bin"), rowwise().numpy())
    result = {
        "hess-logreg/hess/vectorized": timed(vectorized, runs),
        "hess-logreg/hess/rowwise": timed(rowwise, max(3, runs // 4)),
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
