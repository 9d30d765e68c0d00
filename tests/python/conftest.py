"""pytest set-up for nabla's Python tests: run by ctest (python_tests) with PYTHONPATH at the
build tree's python/ folder, with Debian's /usr/bin/python3 (numpy, torch, nbconvert)."""
import os
import sys

import numpy as np
import pytest

import nabla  # noqa: F401  (fails early, with the path, when the module is not built)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "tests", "data")


@pytest.fixture
def rng():
    return np.random.default_rng(7)


_torch = None


def torch_module():
    """torch, imported once (slow), in float64 and one thread."""
    global _torch
    if _torch is None:
        import torch
        torch.set_num_threads(1)
        torch.set_default_dtype(torch.float64)
        _torch = torch
    return _torch


@pytest.fixture
def torch():
    return torch_module()


def close(a, b, tol=1e-10):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    assert a.size == b.size, (a.shape, b.shape)
    a = a.reshape(-1)
    b = b.reshape(-1)
    scale = np.maximum(1.0, np.abs(b))
    err = np.abs(a - b) / scale
    return bool(np.all(err <= tol)), float(np.max(err)) if err.size else 0.0


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
