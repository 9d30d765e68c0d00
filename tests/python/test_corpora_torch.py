"""Generated PyTorch code for every query of both corpora (tests/data/identities.nabla and
tests/data/textbook.nabla) runs and matches PyTorch's own autograd to 1e-10: each check's left
side grad/jacobian/hessian/diff(e, x) becomes a torch function returning e and the derivative;
torch.autograd differentiates the generated e and must give the generated derivative."""
import os

import numpy as np
import pytest

import nabla
from conftest import DATA, close, torch_module

SIZES = {"n": 3, "m": 2, "k": 4, "d": 3, "p": 2}


def queries(name):
    with open(os.path.join(DATA, name)) as f:
        text = f.read()
    return nabla.Scope().queries(text)


def draw(rng, v, positive):
    shape = tuple(SIZES.get(s, 4) if isinstance(s, str) else s for s in v.shape)
    if shape == ():
        return np.array(rng.uniform(0.5, 1.5) if positive else rng.uniform(-1, 1))
    a = rng.uniform(0.2, 1.2, shape) if positive else rng.uniform(-1, 1, shape)
    if len(shape) == 2 and shape[0] == shape[1] and shape[0] > 1:
        a = a + shape[0] * np.eye(shape[0])  # invertible, det > 0
    if v.is_symmetric:
        a = (a + a.T) / 2
    return a


def reference(torch, kind, fn, args, k):
    """torch.autograd's derivative of output 0 of the generated fn w.r.t. argument k."""
    def value(x):
        a = list(args)
        a[k] = x
        return fn(*a)[0]
    x = args[k]
    if kind == "grad":
        xr = x.clone().requires_grad_(True)
        a = list(args)
        a[k] = xr
        (g,) = torch.autograd.grad(fn(*a)[0], xr)
        return g
    if kind == "hessian":
        return torch.autograd.functional.hessian(value, x)
    return torch.autograd.functional.jacobian(value, x)  # jacobian, diff


def run_corpus(name):
    torch = torch_module()
    rng = np.random.default_rng(11)
    checked = skipped = 0
    failures = []
    for q in queries(name):
        if q["kind"] != "check" or "inner_kind" not in q:
            skipped += 1
            continue
        e, wrt, kind = q["inner_expr"], q["inner_wrt"], q["inner_kind"]
        try:
            fn = nabla.to_torch(e, wrt, kind=kind, name="query")
        except nabla.UnsupportedError:  # abstract functions (f : R^d -> R) have no code
            skipped += 1
            continue
        params = [v for v in e.variables]
        names = [v.name for v in params]
        for positive in (False, True):
            values = [draw(rng, v, positive) for v in params]
            args = [torch.tensor(a) for a in values]
            out = fn(*args)
            if all(torch.all(torch.isfinite(o)) for o in out):
                break
        ok = True
        for i, w in enumerate(wrt):
            got = out[1 + i]
            want = reference(torch, kind, fn, args, names.index(w.name))
            good, err = close(got.detach().numpy(), want.detach().numpy())
            if not good:
                ok = False
                failures.append(f"{q['text']}: d/d{w.name} max rel. error {err:.1e}")
        checked += ok
    return checked, skipped, failures


@pytest.mark.parametrize("corpus", ["identities.nabla", "textbook.nabla"])
def test_generated_torch_matches_autograd(corpus):
    checked, skipped, failures = run_corpus(corpus)
    assert not failures, "\n".join(failures)
    assert checked >= 30, (checked, skipped)
    print(f"{corpus}: {checked} queries match torch.autograd to 1e-10, {skipped} without code")
