"""Generated NumPy and PyTorch code: executed and compared with the compiled plans and with
torch.autograd; dtype and stability; TorchScript; the autograd.Function wrapper."""
import re

import numpy as np
import pytest

import nabla
from conftest import close

LOGREG = ("sum(softplus(-y .* (X*w))) + 1/2*w'*w", "X in R^(m x d); y in R^m; w in R^d")


def logreg_data(rng, m=40, d=6):
    return rng.standard_normal((m, d)), np.sign(rng.standard_normal(m)), rng.standard_normal(d)


def test_numpy_code_is_one_named_function_with_only_what_it_uses():
    e = nabla.expr(*LOGREG)
    src = nabla.codegen(e, "w", "numpy", name="logreg")
    assert src.count("import numpy as np") == 1
    assert len(re.findall(r"^def logreg\(", src, re.M)) == 1
    assert "_nabla_sigmoid" in src and "_nabla_softmax" not in src and "_nabla_logdet" not in src
    assert "np.diag(" not in src
    assert ".copy()" not in src
    assert "return dtype.type(value), grad_w" in src


def test_numpy_code_matches_the_plan(rng):
    e = nabla.expr(*LOGREG)
    f = nabla.to_numpy(e, "w", name="logreg")
    plan = nabla.compile(e, wrt=["w"])
    X, y, w = logreg_data(rng)
    v1, g1 = f(X, y, w)
    v2, g2 = plan(X, y, w)
    assert close(v1, v2, 1e-12)[0] and close(g1, g2, 1e-12)[0]


def test_numpy_code_keeps_float32(rng):
    f = nabla.to_numpy(nabla.expr(*LOGREG), "w")
    X, y, w = logreg_data(rng)
    v, g = f(X.astype(np.float32), y.astype(np.float32), w.astype(np.float32))
    assert g.dtype == np.float32 and np.asarray(v).dtype == np.float32


def test_numpy_code_checks_shapes(rng):
    f = nabla.to_numpy(nabla.expr(*LOGREG), "w")
    X, y, w = logreg_data(rng)
    with pytest.raises(ValueError, match="w has 5 entries, expected d = 6"):
        f(X, y, w[:5])
    with pytest.raises(ValueError, match="X must be a matrix"):
        f(y, y, w)


def test_diag_is_never_formed():
    s = nabla.Scope("X in R^(m x d); w in R^d; y in R^m")
    h = nabla.hessian(s.expr("sum(softplus(X*w))"), "w")
    src = nabla.codegen(h, format="numpy")
    assert "np.diag(" not in src
    assert "X.T * (" in src  # X' diag(s) X: the columns of X' scaled, then one product
    src_t = nabla.codegen(h, format="torch")
    assert "torch.diag(" not in src_t


def test_stable_at_extreme_inputs(torch):
    e = nabla.expr("sum(log(1 + exp(u))) + sum(sigmoid(u)) + logsumexp(u)", u="R^n")
    u = np.array([1000.0, -1000.0, 0.0])
    want_value = 1000 + np.log(2) + 1.5 + 1000
    f = nabla.to_numpy(e, "u")
    v, g = f(u)
    assert np.isfinite(v) and abs(v - want_value) < 1e-9 and np.all(np.isfinite(g))
    t = nabla.to_torch(e, "u")
    vt, gt = t(torch.tensor(u))
    assert abs(vt.item() - want_value) < 1e-9 and torch.all(torch.isfinite(gt))
    np.testing.assert_allclose(gt.numpy(), g, atol=1e-12)


def test_torch_code_matches_autograd_and_keeps_dtype(torch, rng):
    e = nabla.expr(*LOGREG)
    t = nabla.to_torch(e, "w")
    X, y, w = (torch.tensor(a) for a in logreg_data(rng))
    wr = w.clone().requires_grad_(True)
    value, g = t(X, y, wr)
    (ref,) = torch.autograd.grad(value, wr)
    assert close(g.detach().numpy(), ref.numpy())[0]
    v32, g32 = t(X.float(), y.float(), w.float())
    assert g32.dtype == torch.float32 and v32.dtype == torch.float32
    assert "torch.float64" not in t.source and "cpu" not in t.source


def test_torch_code_scripts(torch, rng):
    e = nabla.expr(*LOGREG)
    s = nabla.to_torch(e, "w", script=True)
    assert isinstance(s, torch.jit.ScriptFunction)
    X, y, w = (torch.tensor(a) for a in logreg_data(rng))
    v, g = s(X, y, w)
    v2, g2 = nabla.compile(e, wrt=["w"])(X.numpy(), y.numpy(), w.numpy())
    assert close(g.numpy(), g2, 1e-12)[0] and close(v.item(), v2, 1e-12)[0]


def test_torch_autograd_function_uses_closed_form_backward(torch, rng):
    e = nabla.expr(*LOGREG)
    loss = nabla.to_torch(e, "w", autograd=True)
    X, y, w = (torch.tensor(a) for a in logreg_data(rng))
    w.requires_grad_(True)
    value = loss(X, y, w)
    (3 * value).backward()
    want = nabla.compile(e, wrt=["w"])(X.numpy(), y.numpy(), w.detach().numpy())[1]
    assert close(w.grad.numpy(), 3 * want, 1e-12)[0]


@pytest.mark.parametrize("text,decls,wrt,kind", [
    ("x'*A*x", "x in R^n; A in R^(n x n)", "A", "grad"),
    ("logdet(S) - tr(C*S)", "S, C in R^(n x n)", "S", "grad"),
    ("tanh(W*x)", "W in R^(m x n); x in R^n", "x", "jacobian"),
    ("sum(softplus(X*w))", "X in R^(m x n); w in R^n", "w", "hessian"),
    ("exp(t)*x + t^2*x", "t in R; x in R^n", "t", "diff"),
    ("softmax(W*x)'*a", "W in R^(m x n); x in R^n; a in R^m", "x", "grad"),
    ("norm2(A*x - b)^2 + sqrt(x'*x)", "A in R^(m x n); x in R^n; b in R^m", "x", "grad"),
])
def test_numpy_and_torch_agree_with_the_plan(text, decls, wrt, kind, torch, rng):
    e = nabla.expr(text, decls)
    sizes = {"n": 4, "m": 3}
    args = []
    for v in e.variables:
        shape = tuple(sizes[s] if isinstance(s, str) else s for s in v.shape)
        a = rng.standard_normal(shape) if shape else float(rng.standard_normal())
        if len(shape) == 2 and shape[0] == shape[1]:
            a = a @ a.T + shape[0] * np.eye(shape[0])
        args.append(a)
    d = {"grad": nabla.grad, "jacobian": nabla.jacobian, "hessian": nabla.hessian,
         "diff": nabla.diff}[kind](e, wrt)
    want = nabla.compile([e, d])(*args)
    got_np = nabla.to_numpy(e, wrt, kind=kind)(*args)
    got_t = nabla.to_torch(e, wrt, kind=kind)(*[torch.tensor(a) for a in args])
    for w, a, b in zip(want, got_np, got_t):
        assert close(a, w, 1e-11)[0], (text, a, w)
        assert close(b.numpy(), w, 1e-11)[0], (text, b, w)


def test_module_of_several_functions_imports_once(torch, rng):
    s = nabla.Scope("X in R^(m x d); y in R^m; w in R^d; A in R^(d x d)")
    loss = s.expr("sum(softplus(-y .* (X*w)))")
    quad = s.expr("w'*A*w")
    hess = nabla.hessian(loss, "w")
    for fmt in ("numpy", "torch"):
        src = nabla.codegen_module([("loss", loss, "w"), ("quad", quad, ["w", "A"]),
                                    ("hess", [hess])], fmt)
        assert src.count("import ") == (1 if fmt == "numpy" else 2)  # torch: + typing.Tuple
        assert src.count("def _nabla_sigmoid") == (1 if fmt == "numpy" else 0)
        ns = {}
        exec(compile(src, "<module>", "exec"), ns)
        X, y, w, A = (rng.standard_normal((9, 3)), np.sign(rng.standard_normal(9)),
                      rng.standard_normal(3), rng.standard_normal((3, 3)))
        args = (X, y, w) if fmt == "numpy" else tuple(torch.tensor(a) for a in (X, y, w))
        v, g = ns["loss"](*args)
        want = nabla.compile(loss, wrt=["w"])(X, y, w)
        assert close(float(v), want[0], 1e-12)[0] and close(np.asarray(g), want[1], 1e-12)[0]
        qa = (w, A) if fmt == "numpy" else (torch.tensor(w), torch.tensor(A))
        assert len(ns["quad"](*qa)) == 3


BATCH_CASES = [
    ("x'*A*x", "x in R^n; A in R^(n x n)", ["x", "A"]),
    ("sum(softplus(-y .* (X*w)))", "X in R^(m x n); y in R^m; w in R^n", ["w"]),
    ("logsumexp(W*x) - a'*W*x", "W in R^(m x n); x in R^n; a in R^m", ["x", "W"]),
    ("norm2(A*x - b)^2 + sqrt(x'*x)", "A in R^(m x n); x in R^n; b in R^m", ["x"]),
    ("x'*inv(A)*x + tr(A)*sum(exp(x))", "x in R^n; A in R^(n x n)", ["x"]),
]


@pytest.mark.parametrize("text,decls,wrt", BATCH_CASES, ids=[c[0] for c in BATCH_CASES])
def test_numpy_batch_dimension_on_vectors(text, decls, wrt, rng):
    e = nabla.expr(text, decls)
    batched = nabla.to_numpy(e, wrt, batch=True)
    single = nabla.to_numpy(e, wrt)
    sizes = {"n": 4, "m": 3}
    names = [v.name for v in e.variables]
    values = {}
    for v in e.variables:
        shape = tuple(sizes[s] if isinstance(s, str) else s for s in v.shape)
        if len(shape) == 1:
            shape = (5,) + shape  # a batch of 5 vectors
        a = rng.uniform(-1, 1, shape)
        if len(shape) == 2 and shape[0] == shape[1]:
            a = a @ a.T + shape[0] * np.eye(shape[0])
        values[v.name] = a
    got = batched(*[values[n] for n in names])
    for i in range(5):
        row = [values[n][i] if values[n].ndim == 2 and e.variables[k].ndim == 1 else values[n]
               for k, n in enumerate(names)]
        want = single(*row)
        for out_b, out_1 in zip(got, want):
            assert close(np.asarray(out_b)[i], out_1, 1e-12)[0], (text, i)
    # unbatched arguments give the single results
    one = batched(*[values[n][0] if e.variables[k].ndim == 1 else values[n]
                    for k, n in enumerate(names)])
    for a, b in zip(one, single(*[values[n][0] if e.variables[k].ndim == 1 else values[n]
                                  for k, n in enumerate(names)])):
        assert close(a, b, 1e-12)[0]
