"""Derived gradients of losses at extreme logits and margins (+-1000): the simplified result
(nabla.grad) evaluates finite and equal to torch.autograd of PyTorch's stable functions within
1e-9 relative, through the compiled plan, the command line's eval, generated NumPy, generated
PyTorch and generated C++ (compiled once for all cases)."""
import json
import os
import subprocess

import numpy as np
import pytest

import nabla

NABLA = os.environ.get("NABLA_BIN", os.path.join(os.path.dirname(nabla.__file__), "..", "..",
                                                 "nabla"))


def rel_close(a, b, tol=1e-9):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape or not np.all(np.isfinite(a)):
        return False
    return np.all(np.abs(a - b) <= tol * np.maximum(1.0, np.maximum(np.abs(a), np.abs(b))))


def ce_data():
    x = np.array([1.0, 0.5, -0.25])
    W = np.array([[1000.0, 0.0, 0.0], [-1000.0, 0.0, 0.0], [0.0, 2.0, 0.0], [400.0, 0.0, 4.0]])
    y = np.array([0.0, 1.0, 0.0, 0.5])
    return {"W": W, "x": x, "y": y}


def logistic_data():
    X = np.array([[1000.0, 0.0], [-1000.0, 1.0], [0.5, -0.5], [0.0, 1000.0]])
    y = np.array([1.0, 1.0, -1.0, -1.0])
    w = np.array([1.0, 1.0])
    return {"X": X, "y": y, "w": w}


def margin_data():
    return {"w": np.array([1000.0, -0.5]), "x": np.array([1.0, 0.0]), "y": -1.0}


def bce_data():
    return {"w": np.array([600.0, 500.0]), "x": np.array([1.0, 0.8]), "y": 0.0}


def lse_data():
    return {"z": np.array([1000.0, -1000.0, 999.0, 0.0]), "y": np.array([0.2, 0.3, 0.1, 0.4])}


# (name, expression, declarations, wrt, data, torch function of the tensors in data's order)
CASES = [
    ("cross-entropy", "-y'*log(softmax(W*x))", "W in R^(k x n); x in R^n; y in R^k", "W",
     ce_data, lambda t, W, x, y: -(y @ t.log_softmax(W @ x, 0))),
    ("logistic", "sum(softplus(-y .* (X*w)))", "X in R^(m x d); y in R^m; w in R^d", "w",
     logistic_data, lambda t, X, y, w: t.sum(t.nn.functional.softplus(-y * (X @ w)))),
    ("margin", "log(1 + exp(-y*w'*x))", "w, x in R^d; y in R", "w", margin_data,
     lambda t, w, x, y: t.nn.functional.softplus(-y * (w @ x))),
    ("bce", "-y*log(sigmoid(w'*x)) - (1 - y)*log(1 - sigmoid(w'*x))", "w, x in R^d; y in R", "w",
     bce_data, lambda t, w, x, y: -y * t.nn.functional.logsigmoid(w @ x)
     - (1 - y) * t.nn.functional.logsigmoid(-(w @ x))),
    ("logsumexp", "logsumexp(z) - y'*z", "z, y in R^n", "z", lse_data,
     lambda t, z, y: t.logsumexp(z, 0) - y @ z),
]
IDS = [c[0] for c in CASES]


def torch_gradient(torch, case):
    _, _, _, wrt, data, fn = case
    d = data()
    args = {k: torch.tensor(np.asarray(v, dtype=float)) for k, v in d.items()}
    args[wrt].requires_grad_(True)
    out = fn(torch, *args.values())
    (g,) = torch.autograd.grad(out, args[wrt])
    return g.numpy()


def gradient_expr(case):
    _, text, decls, wrt, _, _ = case
    return nabla.grad(nabla.expr(text, decls), wrt)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_plan_matches_autograd(case, torch):
    g = gradient_expr(case)
    d = case[4]()
    names = [v.name for v in g.variables]
    got = nabla.compile([g], params=names)(*[d[n] for n in names])
    assert rel_close(got, torch_gradient(torch, case)), (str(g), got)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_cli_eval_matches_autograd(case, torch):
    name, text, decls, wrt, data, _ = case
    d = {k: np.asarray(v).tolist() for k, v in data().items()}
    r = subprocess.run([NABLA, "eval", f"grad({text}, {wrt})", "--let", decls, "--values",
                        json.dumps(d), "--format", "json"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    value = out["results"][0]["value"] if "results" in out else out["value"]
    assert rel_close(np.asarray(value, dtype=float).reshape(torch_gradient(torch, case).shape),
                     torch_gradient(torch, case)), (name, value)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_generated_numpy_and_torch_match_autograd(case, torch):
    _, text, decls, wrt, data, _ = case
    e = nabla.expr(text, decls)
    d = data()
    names = [v.name for v in e.variables]
    want = torch_gradient(torch, case)
    _, g = nabla.to_numpy(e, wrt)(*[d[n] for n in names])
    assert rel_close(g, want), g
    _, gt = nabla.to_torch(e, wrt)(*[torch.tensor(np.asarray(d[n], dtype=float)) for n in names])
    assert rel_close(gt.numpy(), want), gt


def cpp_literal(v):
    v = np.asarray(v, dtype=float)
    if v.ndim == 0:
        return repr(float(v))
    rows, cols = (v.shape[0], 1) if v.ndim == 1 else v.shape
    kind = "Eigen::VectorXd" if v.ndim == 1 else "Eigen::MatrixXd"
    entries = ", ".join(repr(float(a)) for a in v.reshape(rows, cols).ravel())
    return f"[] {{ {kind} m({rows}{', ' + str(cols) if v.ndim == 2 else ''}); m << {entries}; return m; }}()"


def test_generated_cpp_matches_autograd(torch, tmp_path):
    src, main = [], []
    for i, case in enumerate(CASES):
        _, text, decls, wrt, data, _ = case
        e = nabla.expr(text, decls)
        code = nabla.codegen(e, wrt, "cpp", name=f"case{i}")
        src.append(code)
        d = data()
        args = ", ".join(cpp_literal(d[v.name]) for v in e.variables)
        main.append(f"  {{ auto r = case{i}({args}); Eigen::MatrixXd g = r.grad_{wrt};"
                    f" for (Eigen::Index j = 0; j < g.size(); ++j) std::printf(\"%.17g \", g.data()[j]);"
                    f" std::printf(\"\\n\"); }}")
    program = "\n".join(src) + "\n#include <cstdio>\nint main() {\n" + "\n".join(main) + "\n}\n"
    path = tmp_path / "stable.cpp"
    path.write_text(program)
    exe = tmp_path / "stable"
    r = subprocess.run(["c++", "-std=c++17", "-O0", "-I/usr/include/eigen3", "-o", str(exe),
                        str(path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[:2000]
    lines = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout.splitlines()
    for case, line in zip(CASES, lines):
        want = torch_gradient(torch, case)
        got = np.array([float(t) for t in line.split()]).reshape(want.shape, order="F")
        assert rel_close(got, want), (case[0], got, want)
