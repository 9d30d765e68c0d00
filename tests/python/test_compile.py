"""Compiled evaluation on NumPy arrays: values, gradients, zero-copy, layouts, dtypes, threads."""
import threading

import numpy as np
import pytest

import nabla


def logreg():
    return nabla.expr("sum(softplus(-y .* (X*w))) + 1/2*w'*w", "X in R^(m x d); y in R^m; w in R^d")


def reference(w, X, y):
    u = -y * (X @ w)
    value = np.sum(np.logaddexp(0, u)) + 0.5 * w @ w
    s = 1 / (1 + np.exp(-u))
    grad = -X.T @ (y * s) + w
    return value, grad


def data(rng, m=50, d=7, order="C"):
    X = np.asarray(rng.standard_normal((m, d)), order=order)
    y = np.sign(rng.standard_normal(m))
    w = rng.standard_normal(d)
    return w, X, y


def test_value_and_gradient(rng):
    f = nabla.compile(logreg(), wrt=["w"])
    assert f.parameters == ["X", "y", "w"]
    w, X, y = data(rng)
    value, g = f(X, y, w)
    rv, rg = reference(w, X, y)
    assert isinstance(value, float)
    assert g.shape == (7,)
    np.testing.assert_allclose(value, rv, rtol=1e-12)
    np.testing.assert_allclose(g, rg, rtol=1e-10, atol=1e-12)
    v2, g2 = f(w=w, X=X, y=y)
    assert v2 == value and np.array_equal(g2, g)


def test_value_and_grad_in_jax_spelling(rng):
    vg = nabla.value_and_grad(logreg(), "w")
    w, X, y = data(rng)
    value, g = vg(X, y, w)
    rv, rg = reference(w, X, y)
    np.testing.assert_allclose(value, rv, rtol=1e-12)
    np.testing.assert_allclose(g, rg, rtol=1e-10, atol=1e-12)
    both = nabla.value_and_grad(logreg(), ["w", "X"])
    value, (gw, gX) = both(X, y, w)
    assert gw.shape == (7,) and gX.shape == (50, 7)


@pytest.mark.parametrize("order", ["C", "F"])
def test_inputs_are_read_in_place(rng, order):
    f = nabla.compile(logreg(), wrt=["w"])
    w, X, y = data(rng, order=order)
    f(X, y, w)
    assert f._f._input_address("X") == X.ctypes.data
    assert f._f._input_address("y") == y.ctypes.data
    assert f._f._input_address("w") == w.ctypes.data
    # a change of the buffer is seen by the next call (nothing cached from the last one)
    X *= 2
    np.testing.assert_allclose(f(X, y, w)[0], reference(w, X, y)[0], rtol=1e-12)


def test_both_layouts_give_one_answer(rng):
    f = nabla.compile(logreg(), wrt=["w", "X"])
    w, X, y = data(rng, order="C")
    a = f(X, y, w)
    b = f(np.asfortranarray(X), y, w)
    np.testing.assert_allclose(a[0], b[0], rtol=1e-13)
    np.testing.assert_allclose(a[1], b[1], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(a[2], b[2], rtol=1e-12, atol=1e-14)
    assert f._f._plan_count() == 2


def test_strided_and_integer_inputs_are_converted(rng):
    f = nabla.compile(nabla.expr("x'*A*x", x="R^n", A="R^(n x n)"), wrt=["x"])
    A = rng.standard_normal((8, 8))
    x = rng.standard_normal(8)
    v, g = f(x[::2], A[::2, ::2])
    xs, As = x[::2], A[::2, ::2]
    np.testing.assert_allclose(v, xs @ As @ xs, rtol=1e-12)
    np.testing.assert_allclose(g, (As + As.T) @ xs, rtol=1e-12)
    v, g = f(np.arange(3), np.eye(3, dtype=int))
    assert v == 5.0


def test_float32_in_float32_out(rng):
    f = nabla.compile(logreg(), wrt=["w"])
    w, X, y = data(rng)
    value, g = f(X.astype(np.float32), y.astype(np.float32), w.astype(np.float32))
    assert g.dtype == np.float32 and isinstance(value, np.float32)
    np.testing.assert_allclose(g, reference(w, X, y)[1], rtol=1e-5, atol=1e-6)


def test_shape_errors_are_clear(rng):
    f = nabla.compile(logreg(), wrt=["w"])
    w, X, y = data(rng)
    with pytest.raises(ValueError, match="w has 6 entries, expected d = 7"):
        f(X, y, w[:6])
    with pytest.raises(ValueError, match="X must be a matrix"):
        f(w, y, w)
    with pytest.raises(TypeError, match="missing argument 'w'"):
        f(X, y)


def test_several_outputs_and_hessian(rng):
    s = nabla.Scope("x in R^n; A in R^(n x n)")
    e = s.expr("x'*A*x")
    f = nabla.compile([e, nabla.grad(e, "x"), nabla.hessian(e, "x")])
    A = rng.standard_normal((4, 4))
    x = rng.standard_normal(4)
    v, g, H = f(x, A)
    np.testing.assert_allclose(H, A + A.T, rtol=1e-12)
    np.testing.assert_allclose(g, (A + A.T) @ x, rtol=1e-12)


def test_threads_run_with_the_gil_released(rng):
    f = nabla.compile(logreg(), wrt=["w"])
    w, X, y = data(rng, m=2000, d=20)
    want = f(X, y, w)
    results = []

    def work():
        g = nabla.compile(logreg(), wrt=["w"])
        for _ in range(20):
            results.append(g(X, y, w)[0])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 80 and all(r == want[0] for r in results)


def test_stable_at_extreme_inputs():
    f = nabla.compile(nabla.expr("sum(log(1 + exp(u)))", u="R^n"), wrt=["u"])
    v, g = f(np.array([1000.0, -1000.0, 0.0]))
    assert np.isfinite(v) and abs(v - (1000 + np.log(2))) < 1e-9
    np.testing.assert_allclose(g, [1.0, 0.0, 0.5], atol=1e-15)
