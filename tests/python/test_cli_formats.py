"""`nabla ... --format torch|numpy` from the command line: the printed code runs."""
import os
import subprocess

import numpy as np
import pytest

from conftest import ROOT


def binary():
    path = os.environ.get("NABLA_BINARY") or os.path.join(ROOT, "build", "nabla")
    if not os.path.exists(path):
        pytest.skip("the nabla binary is not built")
    return path


def generate(fmt):
    out = subprocess.run([binary(), "grad", "x'*A*x", "--wrt", "x", "--let",
                          "x in R^n; A in R^(n x n)", "--format", fmt],
                         capture_output=True, text=True, check=True)
    return out.stdout


def test_cli_torch_code_runs(torch):
    src = generate("torch")
    assert src.startswith("import torch")
    ns = {}
    exec(compile(src, "<nabla --format torch>", "exec"), ns)
    A = torch.tensor(np.arange(9.0).reshape(3, 3))
    x = torch.tensor([1.0, 2.0, 3.0])
    value, g = ns["f"](x, A)
    assert value.item() == float(x @ A @ x)
    assert torch.allclose(g, (A + A.T) @ x)


def test_cli_numpy_code_runs():
    ns = {}
    exec(compile(generate("numpy"), "<nabla --format numpy>", "exec"), ns)
    A = np.arange(9.0).reshape(3, 3)
    x = np.array([1.0, 2.0, 3.0])
    value, g = ns["f"](x, A)
    assert value == x @ A @ x
    np.testing.assert_allclose(g, (A + A.T) @ x)


def test_cli_rejects_unknown_format():
    r = subprocess.run([binary(), "grad", "x'*x", "--wrt", "x", "--format", "jax"],
                       capture_output=True, text=True)
    assert r.returncode == 2
