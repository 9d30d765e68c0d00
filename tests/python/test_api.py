"""The language from Python: expressions, derivations, printing, steps, checks, errors."""
import numpy as np
import pytest

import nabla


def test_grad_in_textbook_form():
    e = nabla.expr("x'*A*x", x="R^n", A="R^(n x n)")
    g = nabla.grad(e, "x")
    assert str(g) == "(A + A')*x"
    assert g.text == "(A + A')*x"
    assert g.shape == ("n",)
    assert "ᵀ" in g.unicode
    assert "\\top" in g.latex
    assert nabla.grad(e, "A").text == "x*x'"
    assert nabla.grad(e, "A").shape == ("n", "n")


def test_declarations_string_and_scope():
    e = nabla.expr("log(1 + exp(-w'*x))", "x, w in R^d")
    assert nabla.grad(e, "w").text == "-sigmoid(-w'*x)*x"
    s = nabla.Scope(x="R^n", A="R^(n x n)")
    q = s.expr("x'*A*x")
    assert nabla.grad(q, s["x"]).text == "(A + A')*x"
    assert [v.name for v in q.variables] == ["x", "A"]
    # expressions of one scope combine with Python's operators (NumPy's meaning)
    x = s["x"]
    A = s["A"]
    assert (x @ (A @ x)).shape == ()
    assert nabla.grad(x @ (A @ x), "x").text == "(A + A')*x"


def test_every_derivative_kind_and_simplify():
    s = nabla.Scope("x in R^n; A in R^(m x n); t in R")
    j = nabla.jacobian(s.expr("A*x"), "x")
    assert j.text == "A" and j.shape == ("m", "n")
    h = nabla.hessian(s.expr("1/2*x'*x"), "x")
    assert h.shape == ("n", "n")
    assert nabla.diff(s.expr("exp(t)*x"), "t").shape == ("n",)
    assert nabla.simplify(s.expr("x + x")).text == "2*x"
    blocks = nabla.grad(s.expr("x'*A'*A*x + t"), ["x", "A"])
    assert isinstance(blocks, tuple) and len(blocks) == 2


def test_steps_are_records():
    e = nabla.expr("log(1 + exp(-w'*x))", "x, w in R^d")
    g = nabla.grad(e, "w")
    assert g.steps, "a derivation lists its steps"
    assert all(isinstance(st, nabla.Step) for st in g.steps)
    assert {st.stage for st in g.steps} <= {"derive", "simplify"}
    assert any(st.stage == "simplify" for st in g.steps)


def test_display_hooks():
    g = nabla.grad(nabla.expr("x'*A*x", x="R^n", A="R^(n x n)"), "x")
    assert g._repr_latex_().startswith("$") and g._repr_latex_().endswith("$")
    html = g._repr_html_()
    assert "\\(" in html and "<ol" in html


def test_check_holds_and_fails_with_arrays():
    r = nabla.check("grad(x'*A*x, x) == (A + A')*x", x="R^n", A="R^(n x n)")
    assert r and r.holds and r.trials > 0
    bad = nabla.check("grad(x'*A*x, x) == 2*A*x", x="R^n", A="R^(n x n)")
    assert not bad
    assert set(bad.point) == {"x", "A"}
    n = bad.dims["n"]
    assert bad.point["x"].shape == (n,) and bad.point["A"].shape == (n, n)
    A, x = bad.point["A"], bad.point["x"]
    np.testing.assert_allclose(bad.lhs, (A + A.T) @ x, rtol=1e-12)
    np.testing.assert_allclose(bad.rhs, 2 * A @ x, rtol=1e-12)
    assert "FAILS" in repr(bad)
    s = nabla.Scope(x="R^n")
    assert nabla.check(nabla.grad(s.expr("x'*x"), "x"), s.expr("2*x"))


def test_parse_error_has_position_and_caret():
    with pytest.raises(nabla.ParseError) as info:
        nabla.expr("x'*A*", x="R^n", A="R^(n x n)")
    e = info.value
    assert e.line == 1 and e.column == 6
    assert "^" in e.caret and "x'*A*" in e.caret
    assert isinstance(e, nabla.NablaError)


def test_shape_error_names_both_shapes():
    with pytest.raises(nabla.ShapeError) as info:
        nabla.expr("A*x", x="R^m", A="R^(n x n)")
    e = info.value
    assert e.line == 1 and e.column >= 1
    assert "^" in e.caret
    with pytest.raises(nabla.ShapeError):
        s = nabla.Scope(x="R^n", y="R^m")
        s["x"] + s["y"]


def test_name_and_declaration_errors():
    with pytest.raises(nabla.ParseError) as info:
        nabla.expr("x", x="R^(n x")
    assert info.value.caret.startswith("declarations:1:")
    s = nabla.Scope(x="R^n")
    with pytest.raises(nabla.NablaError):
        nabla.grad(s.expr("x'*x"), "y")
    with pytest.raises(nabla.UsageError):
        nabla.grad(s.expr("x'*x"))


def test_expressions_of_two_scopes_do_not_mix():
    a = nabla.expr("x", x="R^n")
    b = nabla.expr("x", x="R^n")
    with pytest.raises(nabla.UsageError):
        a + b


def test_help_has_docstrings():
    assert "Gradient" in nabla.grad.__doc__
    assert nabla.compile.__doc__ and nabla.check.__doc__ and nabla.to_torch.__doc__


def test_sizes_of_one_keep_their_kind():
    # R^1 is a vector of length 1, R^(1 x 1) a matrix, R a scalar (docs/language.md).
    s = nabla.Scope("z in R^1; E in R^(1 x 1); a in R")
    assert s["z"].shape == (1,)
    assert s["E"].shape == (1, 1)
    assert s["a"].shape == ()
    g = nabla.grad(s.expr("sum(z)"), "z")
    assert g.shape == (1,)
    assert nabla.grad(s.expr("tr(E)"), "E").shape == (1, 1)
    assert s.expr("z'*z").shape == ()
    plan = nabla.compile(s.expr("z'*z"), wrt=["z"])
    value, grad = plan(np.array([3.0]))
    assert float(value) == 9.0
    assert np.asarray(grad).shape == (1,) and float(np.asarray(grad)[0]) == 6.0


def test_every_function_of_the_record_is_a_python_builtin():
    """Each entry-wise function and sugar row of src/ir/functions.def is a function of nabla: in
    __all__, in the type stub, with a NumPy fallback that agrees with nabla's own evaluation."""
    import pathlib
    stub = pathlib.Path(nabla.__file__).with_name("__init__.pyi").read_text()
    names = nabla._nabla.function_names()
    assert {"exp", "sinh", "arctan", "sqrt", "log2", "norm1"} <= set(names)
    s = nabla.Scope(x="R^3")
    x = np.array([0.25, 0.5, 0.75])
    for name in names:
        assert name in nabla.__all__, name
        assert f"\ndef {name}(x: Any)" in stub, name
        f = getattr(nabla, name)
        np.testing.assert_allclose(nabla.compile(f(s["x"]))(x), f(x), rtol=1e-12, err_msg=name)
