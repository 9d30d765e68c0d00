"""Every derivative kind of the expression API (grad, jacobian, hessian, diff), evaluated by a
compiled plan, against torch.autograd of the same function written in PyTorch."""
import numpy as np
import pytest

import nabla
from conftest import close

SIZES = {"n": 4, "m": 3}


def draw(rng, e):
    out = {}
    for v in e.variables:
        shape = tuple(SIZES[s] if isinstance(s, str) else s for s in v.shape)
        a = rng.uniform(-1, 1, shape) if shape else float(rng.uniform(0.2, 1))
        if len(shape) == 2 and shape[0] == shape[1]:
            a = a @ a.T + shape[0] * np.eye(shape[0])
        out[v.name] = a
    return out


CASES = [
    ("grad", "x'*A*x", "x in R^n; A in R^(n x n)", "x", lambda t, x, A: x @ (A @ x)),
    ("grad", "x'*A*x", "x in R^n; A in R^(n x n)", "A", lambda t, x, A: x @ (A @ x)),
    ("grad", "logdet(A) - tr(B*A)", "A, B in R^(n x n)", "A",
     lambda t, A, B: t.logdet(A) - t.trace(B @ A)),
    ("grad", "sum(softplus(-y .* (X*w)))", "X in R^(m x n); y in R^m; w in R^n", "w",
     lambda t, X, y, w: t.sum(t.nn.functional.softplus(-y * (X @ w)))),
    ("grad", "logsumexp(W*x) - a'*W*x", "W in R^(m x n); x in R^n; a in R^m", "W",
     lambda t, W, x, a: t.logsumexp(W @ x, 0) - a @ (W @ x)),
    ("grad", "norm2(A*x - b)", "A in R^(m x n); x in R^n; b in R^m", "x",
     lambda t, A, x, b: t.linalg.norm(A @ x - b)),
    ("grad", "det(A)", "A in R^(n x n)", "A", lambda t, A: t.linalg.det(A)),
    ("grad", "x'*inv(A)*x", "x in R^n; A in R^(n x n)", "A", lambda t, x, A: x @ t.linalg.inv(A) @ x),
    ("jacobian", "tanh(W*x)", "W in R^(m x n); x in R^n", "x", lambda t, W, x: t.tanh(W @ x)),
    ("jacobian", "softmax(x)", "x in R^n", "x", lambda t, x: t.softmax(x, 0)),
    ("jacobian", "exp(x) .* sin(x)", "x in R^n", "x", lambda t, x: t.exp(x) * t.sin(x)),
    ("hessian", "sum(softplus(X*w))", "X in R^(m x n); w in R^n", "w",
     lambda t, X, w: t.sum(t.nn.functional.softplus(X @ w))),
    ("hessian", "log(1 + x'*x)", "x in R^n", "x", lambda t, x: t.log(1 + x @ x)),
    ("diff", "exp(s*a) .* x", "s in R; a in R; x in R^n", "s", lambda t, s, a, x: t.exp(s * a) * x),
    ("diff", "inv(A + s*B)", "s in R; A, B in R^(n x n)", "s",
     lambda t, s, A, B: t.linalg.inv(A + s * B)),
]


@pytest.mark.parametrize("kind,text,decls,wrt,torch_fn", CASES,
                         ids=[f"{c[0]}-{c[1]}-{c[3]}" for c in CASES])
def test_derivative_matches_autograd(kind, text, decls, wrt, torch_fn, torch, rng):
    e = nabla.expr(text, decls)
    d = {"grad": nabla.grad, "jacobian": nabla.jacobian, "hessian": nabla.hessian,
         "diff": nabla.diff}[kind](e, wrt)
    values = draw(rng, e)
    names = [v.name for v in e.variables]
    f = nabla.compile([d], params=names)
    got = f(*[values[n] for n in names])
    args = [torch.tensor(values[n]) for n in names]
    k = names.index(wrt)

    def fn(x):
        a = list(args)
        a[k] = x
        return torch_fn(torch, *a)

    if kind == "grad":
        x = args[k].clone().requires_grad_(True)
        (want,) = torch.autograd.grad(fn(x), x)
    elif kind == "hessian":
        want = torch.autograd.functional.hessian(fn, args[k])
    else:
        want = torch.autograd.functional.jacobian(fn, args[k])
    ok, err = close(got, want.numpy())
    assert ok, f"{kind} {text} w.r.t. {wrt}: max rel. error {err}, result {d.text}"
