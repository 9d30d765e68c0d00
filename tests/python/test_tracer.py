"""Tracing Python functions (nabla.grad(f) as JAX does) on 20+ functions: losses, layers, loops
unrolled; every gradient against PyTorch's autograd of the same function."""
import numpy as np
import pytest

import nabla
from conftest import close, torch_module


class TorchOps:
    """nabla's built-ins in torch, so that one definition serves both."""

    def __init__(self, torch):
        t = torch
        self.sum = t.sum
        self.exp = t.exp
        self.log = t.log
        self.tanh = t.tanh
        self.sigmoid = t.sigmoid
        self.sqrt = t.sqrt
        self.softplus = lambda u: t.logaddexp(u, t.zeros_like(u))
        self.logsumexp = lambda x: t.logsumexp(x.reshape(-1), 0)
        self.norm2 = t.linalg.norm
        self.dot = lambda a, b: t.sum(a * b)
        self.tr = t.trace
        self.logdet = t.logdet
        self.inv = t.linalg.inv
        self.mean = t.mean
        self.transpose = lambda a: a.T


def R(rng, *shape):
    return rng.standard_normal(shape)


def spd(rng, n):
    B = rng.standard_normal((n, n))
    return B @ B.T + n * np.eye(n)


m, d, h = 12, 5, 4

# (name, function of (ops, *args), argument maker, argnums)
CASES = [
    ("logreg", lambda o, w, X, y: o.sum(o.softplus(-y * (X @ w))),
     lambda r: (R(r, d), R(r, m, d), np.sign(R(r, m))), 0),
    ("least squares", lambda o, w, X, y: o.sum((X @ w - y) ** 2) / 2,
     lambda r: (R(r, d), R(r, m, d), R(r, m)), 0),
    ("ridge", lambda o, w, X, y: o.sum((X @ w - y) ** 2) / m + 0.1 * (w @ w),
     lambda r: (R(r, d), R(r, m, d), R(r, m)), 0),
    ("mlp", lambda o, W1, w2, X, y: o.sum((o.tanh(X @ W1) @ w2 - y) ** 2),
     lambda r: (R(r, d, h), R(r, h), R(r, m, d), R(r, m)), (0, 1)),
    ("softmax cross-entropy", lambda o, W, x, t: o.logsumexp(W @ x) - (W @ x) @ t,
     lambda r: (R(r, h, d), R(r, d), np.eye(h)[1]), 0),
    ("quadratic form", lambda o, x, A: x @ (A @ x),
     lambda r: (R(r, d), R(r, d, d)), (0, 1)),
    ("rayleigh quotient", lambda o, x, A: (x @ (A @ x)) / (x @ x),
     lambda r: (R(r, d), R(r, d, d)), 0),
    ("logdet and trace", lambda o, S, C: o.logdet(S) - o.tr(C @ S),
     lambda r: (spd(r, d), R(r, d, d)), 0),
    ("smooth l1", lambda o, w, X, y: o.sum(o.sqrt(1 + (X @ w - y) ** 2)),
     lambda r: (R(r, d), R(r, m, d), R(r, m)), 0),
    ("rnn unrolled", lambda o, W, x, h0: rnn(o, W, x, h0),
     lambda r: (0.5 * R(r, d, d), R(r, d), R(r, d)), 0),
    ("polynomial", lambda o, w: o.sum(w ** 3) + o.sum(o.exp(w)) / 3,
     lambda r: (R(r, d),), 0),
    ("binary cross-entropy",
     lambda o, w, X, y: -o.sum(y * o.log(o.sigmoid(X @ w)) + (1 - y) * o.log(1 - o.sigmoid(X @ w))),
     lambda r: (0.3 * R(r, d), R(r, m, d), (R(r, m) > 0) * 1.0), 0),
    ("residual norm", lambda o, w, X, y: o.norm2(X @ w - y),
     lambda r: (R(r, d), R(r, m, d), R(r, m)), 0),
    ("matrix factorization", lambda o, U, V, Y: o.sum((U @ V.T - Y) ** 2),
     lambda r: (R(r, m, 3), R(r, d, 3), R(r, m, d)), (0, 1)),
    ("gaussian mean", lambda o, mu, x, S: 0.5 * ((x - mu) @ (o.inv(S) @ (x - mu))),
     lambda r: (R(r, d), R(r, d), spd(r, d)), 0),
    ("log cosh", lambda o, w: o.sum(o.log(o.exp(w) + o.exp(-w))),
     lambda r: (R(r, d),), 0),
    ("sigmoid layer", lambda o, W1, w2, X: o.sum(o.sigmoid(X @ W1) @ w2),
     lambda r: (R(r, d, h), R(r, h), R(r, m, d)), (0, 1)),
    ("poisson", lambda o, w, X, y: o.sum(o.exp(X @ w)) - y @ (X @ w),
     lambda r: (0.2 * R(r, d), R(r, m, d), np.abs(R(r, m))), 0),
    ("log-sum-exp of scores", lambda o, w, X: o.logsumexp(X @ w),
     lambda r: (R(r, d), R(r, m, d)), (0, 1)),
    ("weighted least squares", lambda o, w, X, y, c: o.sum(c * (X @ w - y) ** 2),
     lambda r: (R(r, d), R(r, m, d), R(r, m), np.abs(R(r, m))), 0),
    ("power series loop", lambda o, w: power_series(o, w),
     lambda r: (R(r, d),), 0),
    ("scalar argument", lambda o, w, lam, X: lam * (w @ w) + o.sum(o.tanh(X @ w)),
     lambda r: (R(r, d), 0.7, R(r, m, d)), (0, 1)),
    ("mean of softplus", lambda o, w, X: o.mean(o.softplus(X @ w)),
     lambda r: (R(r, d), R(r, m, d)), 0),
    ("transposed product", lambda o, w, X, y: o.sum((X.T @ (X @ w) - w) * w) + (X.T @ y) @ w,
     lambda r: (R(r, d), R(r, m, d), R(r, m)), 0),
]


def rnn(o, W, x, h):
    for _ in range(3):
        h = o.tanh(W @ h + x)
    return o.sum(h)


def power_series(o, w):
    s = 0
    for k in range(1, 5):
        s = s + o.sum(w ** k) / k
    return s


def torch_grads(fn, args, argnums):
    torch = torch_module()
    ts = [torch.tensor(a, requires_grad=True) if isinstance(a, np.ndarray)
          else torch.tensor(float(a), requires_grad=True) for a in args]
    value = fn(TorchOps(torch), *ts)
    nums = argnums if isinstance(argnums, tuple) else (argnums,)
    grads = torch.autograd.grad(value, [ts[k] for k in nums])
    return value.item(), [g.numpy() for g in grads]


@pytest.mark.parametrize("name,fn,make,argnums", CASES, ids=[c[0] for c in CASES])
def test_traced_gradient_matches_torch(name, fn, make, argnums, rng):
    args = make(rng)
    f = lambda *a: fn(nabla, *a)  # noqa: E731
    import inspect
    f.__signature__ = inspect.Signature(list(inspect.signature(fn).parameters.values())[1:])
    vg = nabla.value_and_grad(f, argnums=argnums)
    value, grads = vg(*args)
    grads = grads if isinstance(argnums, tuple) else (grads,)
    want_value, want = torch_grads(fn, args, argnums)
    assert close(value, want_value)[0]
    for got, ref in zip(grads, want):
        assert np.shape(got) == ref.shape
        ok, err = close(got, ref)
        assert ok, f"{name}: max rel. error {err}"
    g = nabla.grad(f, argnums=argnums)
    again = g(*args)
    again = again if isinstance(argnums, tuple) else (again,)
    for a, b in zip(again, grads):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)  # another plan: rounding
    assert g.formula  # the derived expression, printed


def test_traced_function_is_cached_per_shapes(rng):
    calls = []

    def loss(w, X, y):
        calls.append(1)
        return nabla.sum(nabla.softplus(-y * (X @ w)))

    df = nabla.grad(loss)
    w, X, y = R(rng, 3), R(rng, 10, 3), np.sign(R(rng, 10))
    df(w, X, y)
    df(w + 1, X, y)
    assert len(calls) == 1
    df(R(rng, 4), R(rng, 10, 4), y)
    assert len(calls) == 2
    assert df.formula == "-X'*(y .* sigmoid(-y .* (X*w)))"


def test_jacobian_and_hessian_of_functions(rng):
    torch = torch_module()
    W = R(rng, 3, 4)
    x = R(rng, 4)
    J = nabla.jacobian(lambda x, W: nabla.tanh(W @ x))(x, W)
    Jt = torch.autograd.functional.jacobian(lambda t: torch.tanh(torch.tensor(W) @ t), torch.tensor(x))
    assert close(J, Jt.numpy())[0]
    X, y = R(rng, 9, 4), np.sign(R(rng, 9))
    H = nabla.hessian(lambda w, X, y: nabla.sum(nabla.softplus(-y * (X @ w))))(x, X, y)
    Ht = torch.autograd.functional.hessian(
        lambda t: torch.sum(torch.nn.functional.softplus(-torch.tensor(y) * (torch.tensor(X) @ t))),
        torch.tensor(x))
    assert close(H, Ht.numpy())[0]


def test_numpy_style_names():
    import nabla.numpy as nnp
    rng = np.random.default_rng(1)
    w, X, y = R(rng, 3), R(rng, 8, 3), np.sign(R(rng, 8))
    g1 = nabla.grad(lambda w, X, y: nnp.sum(nnp.logaddexp(0, -y * (X @ w))))(w, X, y)
    g2 = nabla.grad(lambda w, X, y: nabla.sum(nabla.softplus(-y * (X @ w))))(w, X, y)
    np.testing.assert_allclose(g1, g2, rtol=1e-13)
    # the same built-ins compute on arrays outside a trace
    assert nnp.logaddexp(0, 1000.0) == 1000.0


def test_tracing_errors_are_clear(rng):
    with pytest.raises(nabla.ShapeError, match="must be a scalar"):
        nabla.grad(lambda x: nabla.tanh(x))(R(rng, 3))
    with pytest.raises(TypeError, match="captured constants"):
        M = R(rng, 3, 3)
        nabla.grad(lambda x: x @ (M @ x))(R(rng, 3))
    with pytest.raises(TypeError, match="truth value"):
        nabla.grad(lambda x: nabla.sum(x) if nabla.sum(x) else x)(R(rng, 3))
