// nabla._nabla: the compiled core of the Python package (python/nabla/). The Python layer adds
// the friendly API (nabla.expr, nabla.grad of expressions and of Python functions, results'
// display); this module exposes scopes, expressions, derivations, checks, compiled plans and
// code generation over the C++ library.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "api/context.h"
#include "check/check.h"
#include "codegen/array_code.h"
#include "codegen/codegen.h"
#include "compiled.h"
#include "diff/diff.h"
#include "ir/build.h"
#include "ir/error.h"
#include "ir/value_kind.h"
#include "parse/builtins.h"
#include "parse/diagnostics.h"
#include "parse/frontend.h"
#include "print/print.h"
#include "simplify/simplify.h"

namespace nabla::python {
namespace {

// An error of nabla with where it happened in the text given (line 0: no position).
struct LocatedError {
  ErrorKind kind;
  std::string message, hint, formatted;
  size_t line = 0, column = 0;
};

[[noreturn]] void located(const Error& e, std::string_view source, std::string_view origin) {
  LocatedError out{e.kind(), e.what(), e.hint(), {}, 0, 0};
  out.formatted = format_error(e, source, origin);
  if (e.span().valid() && e.span().begin <= source.size())
    line_and_column(source, e.span().begin, &out.line, &out.column);
  throw out;
}

// Runs f; a nabla::Error from it gets the position in `source`.
template <class F>
auto at(std::string_view source, std::string_view origin, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error& e) {
    located(e, source, origin);
  }
}

// Time for one derivation with its simplifications (as the command line allows one query).
constexpr double kQuerySeconds = 2.0;

// A graph with the scope of declarations of the language over it.
struct Scope {
  std::shared_ptr<Graph> graph = std::make_shared<Graph>();
  Frontend front{*graph};
};

struct PyExpr {
  std::shared_ptr<Scope> scope;
  Id id = kNoId;
  std::vector<std::string> steps;  // how it was derived
  std::vector<std::string> notes;
  Graph& g() const { return *scope->graph; }
  const Node& node() const { return g()[id]; }
};

PyExpr make(const std::shared_ptr<Scope>& s, Id id) {
  return PyExpr{s, id, {}, {}};
}

py::object shape_of(const Graph& g, Shape s, ValueKind k) {
  auto dim = [&](Dim d) -> py::object {
    if (d.is_fixed()) return py::int_(d.size());
    return py::str(g.dims.to_string(d));
  };
  ArgKind kind = arg_kind(s, k);
  if (kind == ArgKind::Scalar) return py::tuple();
  if (kind == ArgKind::Vector) return py::make_tuple(dim(s.rows));
  return py::make_tuple(dim(s.rows), dim(s.cols));
}

// Both operands' scope (a Python number becomes a constant in the other's graph).
std::shared_ptr<Scope> common(const PyExpr& a, const PyExpr& b) {
  if (a.scope != b.scope)
    throw Error(ErrorKind::Usage, "these expressions come from different scopes",
                "build both in one scope: scope.expr(...), or parse the second with e.expr(...)");
  return a.scope;
}

// Python operand: an expression or a number.
Id operand(const std::shared_ptr<Scope>& s, const py::handle& h) {
  if (py::isinstance<PyExpr>(h)) {
    const PyExpr& e = h.cast<const PyExpr&>();
    if (e.scope != s)
      throw Error(ErrorKind::Usage, "these expressions come from different scopes",
                  "build both in one scope: scope.expr(...), or parse the second with e.expr(...)");
    return e.id;
  }
  if (py::isinstance<py::bool_>(h)) throw py::type_error("a bool is not a nabla operand");
  if (py::isinstance<py::float_>(h) || py::isinstance<py::int_>(h) ||
      (py::hasattr(h, "__float__") && !py::hasattr(h, "shape")) ||
      (py::hasattr(h, "shape") && py::len(h.attr("shape")) == 0))
    return api::literal_node(*s->graph, py::float_(py::reinterpret_borrow<py::object>(h)));
  throw py::type_error(
      "nabla expressions combine with expressions and numbers, not " +
      std::string(py::str(py::type::handle_of(h).attr("__name__"))) +
      " (pass arrays as arguments of the traced function, not as captured constants)");
}

bool is_column(const Graph& g, Id id) {
  return arg_kind(g[id].shape) == ArgKind::Vector;
}

// NumPy's meaning of the Python operators: * / ** entry-wise (scaling when a side is scalar),
// @ the matrix product (a vector on the left is read as NumPy reads a 1-D array).
Id binary(Graph& g, const std::string& op, Id a, Id b) {
  bool sa = g[a].shape.is_scalar(), sb = g[b].shape.is_scalar();
  // A number added to an array is added to every entry (NumPy's broadcast of a scalar).
  if ((op == "+" || op == "-") && sa != sb) {
    if (sa)
      a = product(g, a, ones(g, g[b].shape));
    else
      b = product(g, b, ones(g, g[a].shape));
  }
  if (op == "+") return add(g, a, b);
  if (op == "-") return sub(g, a, b);
  if (op == "*") return sa || sb ? product(g, a, b) : hadamard(g, a, b);
  if (op == "/")
    return sb ? divide(g, a, b)
              : elementwise_divide(g, sa ? product(g, a, ones(g, g[b].shape)) : a, b);
  if (op == "**") {
    if (!sb) throw Error(ErrorKind::Shape, "**: the exponent must be a scalar");
    return power(g, a, b);
  }
  if (op == "outer") return matmul(g, a, transpose(g, b));
  if (op == "@") {
    if (is_column(g, a) && is_column(g, b)) return inner(g, a, b);     // 1-D @ 1-D: the dot product
    if (is_column(g, a) && !sb) return matmul(g, transpose(g, b), a);  // 1-D @ M: M' a
    return sa || sb ? product(g, a, b) : matmul(g, a, b);
  }
  throw Error(ErrorKind::Internal, "unknown operator " + op);
}

// The spellings of every entry-wise function and every sugar row of ir/functions.def: the
// built-ins the Python layer must offer (tests/python/test_api.py checks it does).
std::vector<std::string> function_names() {
  std::vector<std::string> names;
#define FUNCTION(Name, api, spelling, ...) names.push_back(spelling);
#define SUGAR(spelling, ...) names.push_back(spelling);
#include "ir/functions.def"
#undef SUGAR
#undef FUNCTION
  return names;
}

// A built-in of one argument, as the language reads it (parse/builtins.h): the op it names, or
// its sugar lowered.
Id apply_builtin(Graph& g, const std::string& name, Id x) {
  if (name == "diag") {
    const Shape s = g[x].shape;
    return unary(g, arg_kind(s) == ArgKind::Vector || s.is_scalar() ? Op::Diag : Op::DiagPart, x);
  }
  if (name == "transpose") return transpose(g, x);
  if (name == "ones_like") return g[x].shape.is_scalar() ? integer(g, 1) : ones(g, g[x].shape);
  if (name == "zeros_like") return g[x].shape.is_scalar() ? integer(g, 0) : zeros(g, g[x].shape);
  if (name == "identity") return identity(g, g[x].shape.rows);
  const Builtin* b = find_builtin(name);
  if (!b || b->min_args != 1) throw py::value_error("no built-in function '" + name + "'");
  if (b->sugar) return b->sugar->lower(g, x);
  return unary(g, *b->op, x);
}

// The variables of a query: names (parsed in the scope) or variable expressions.
std::vector<Id> wrt_vars(const PyExpr& e, const py::object& wrt) {
  std::vector<Id> out;
  auto one = [&](const py::handle& h) {
    if (py::isinstance<py::str>(h)) {
      std::string names = h.cast<std::string>();
      for (Id v : at(names, "wrt", [&] { return e.scope->front.parse_variables(names); }))
        out.push_back(v);
      return;
    }
    if (!py::isinstance<PyExpr>(h)) throw py::type_error("wrt: a variable's name or the variable");
    const PyExpr& v = h.cast<const PyExpr&>();
    if (v.scope != e.scope || v.node().op != Op::Var)
      throw Error(ErrorKind::Usage, "wrt: not a variable of this expression's scope");
    out.push_back(v.id);
  };
  if (py::isinstance<py::str>(wrt) || py::isinstance<PyExpr>(wrt)) {
    one(wrt);
  } else {
    for (py::handle h : wrt) one(h);
  }
  if (out.empty()) throw Error(ErrorKind::Usage, "wrt: no variable given");
  return out;
}

// The derived and simplified form of id, of id's kind (the gradient w.r.t. z in R^1 is a vector
// of length 1, as the command line answers it).
Id expanded(Graph& g, Id id, StepLog* log) {
  return with_kind(g, simplify(g, expand_queries(g, id, log), {}, nullptr, log), value_kind(g, id));
}

// grad / jacobian / hessian / diff: one result per block (grad w.r.t. several non-scalars).
std::vector<PyExpr> derive(const std::string& kind, const PyExpr& e, const py::object& wrt) {
  std::vector<Id> vars = wrt_vars(e, wrt);
  Graph& g = e.g();
  SimplifyDeadline budget(kQuerySeconds);
  std::vector<std::vector<Id>> blocks;
  if (kind == "grad") {
    bool all_scalar = true;
    for (Id v : vars) all_scalar = all_scalar && g[v].shape.is_scalar();
    if (vars.size() == 1 || all_scalar)
      blocks.push_back(vars);
    else
      for (Id v : vars) blocks.push_back({v});
  } else {
    if (vars.size() != 1) throw Error(ErrorKind::Usage, kind + " takes one variable");
    blocks.push_back(vars);
  }
  std::vector<PyExpr> out;
  for (const auto& b : blocks) {
    StepLog log;
    Id q = kind == "grad"       ? grad_query(g, e.id, b)
           : kind == "jacobian" ? query(g, Op::Jacobian, e.id, b[0])
           : kind == "hessian"  ? query(g, Op::Hessian, e.id, b[0])
                                : query(g, Op::Derivative, e.id, b[0]);
    PyExpr r = make(e.scope, expanded(g, q, &log));
    r.steps = std::move(log.lines);
    if (kind == "grad")
      for (Id v : b)
        if (g.symbol(g[v].a).symmetric)
          r.notes.push_back("gradient w.r.t. Sym(" + g.dims.to_string(g[v].shape.rows) +
                            ") matrix " + g.symbol(g[v].a).name + " is the unstructured one");
    out.push_back(std::move(r));
  }
  return out;
}

py::array to_array(const Matrix& m, Shape s) {
  if (arg_kind(s) == ArgKind::Vector) {
    py::array_t<double> a(m.rows());
    std::copy(m.data(), m.data() + m.size(), a.mutable_data());
    return a;
  }
  py::array_t<double, py::array::f_style> a({m.rows(), m.cols()});
  std::copy(m.data(), m.data() + m.size(), a.mutable_data());
  return a;
}

py::dict check_exprs(const PyExpr& lhs, const PyExpr& rhs, uint64_t seed, double tolerance) {
  auto s = common(lhs, rhs);
  Graph& g = *s->graph;
  SimplifyDeadline budget(kQuerySeconds);
  Id l = expand_queries(g, lhs.id), r = expand_queries(g, rhs.id);
  CheckOptions options;
  options.seed = seed;
  options.tolerance = tolerance;
  CheckResult c = check_equal(g, l, r, options);
  py::dict out;
  out["holds"] = c.holds;
  out["trials"] = c.trials;
  out["max_error"] = c.max_error;
  out["counterexample"] = c.counterexample;
  py::dict point, dims;
  if (!c.holds) {
    // The variables' shapes (scalar, vector or matrix) by name, from the two sides.
    std::map<std::string, Shape> shapes;
    std::map<std::string, ValueKind> kinds;  // z in R^1 shows as an array of one entry
    for (Id side : {l, r})
      for (Id k : reachable(g, side))
        if (g[k].op == Op::Var) {
          shapes.emplace(g.symbol(g[k].a).name, g.symbol(g[k].a).shape);
          kinds.emplace(g.symbol(g[k].a).name, g.symbol(g[k].a).value_kind);
        }
    for (const auto& [name, value] : c.point.values) {
      auto it = shapes.find(name);
      Shape shape = it != shapes.end() ? it->second
                                       : Shape{Dim::fixed(static_cast<int32_t>(value.rows())),
                                               Dim::fixed(static_cast<int32_t>(value.cols()))};
      ValueKind kind = kinds.count(name) ? kinds[name] : kind_of_shape(shape);
      point[py::str(name)] = arg_kind(shape, kind) == ArgKind::Scalar
                                 ? py::object(py::float_(value(0, 0)))
                                 : py::object(to_array(value, shape));
    }
    for (const auto& [name, size] : c.point.dims) dims[py::str(name)] = size;
    if (c.point.lhs.size()) out["lhs"] = to_array(c.point.lhs, g[l].shape);
    if (c.point.rhs.size()) out["rhs"] = to_array(c.point.rhs, g[r].shape);
  }
  out["point"] = point;
  out["dims"] = dims;
  return out;
}

// One query of a script: what a check compares, what a derivation asks for.
py::dict query_record(const std::shared_ptr<Scope>& s, const Query& q) {
  static const char* kinds[] = {"show", "grad", "jacobian", "hessian", "diff", "simplify", "check"};
  Graph& g = *s->graph;
  py::dict d;
  d["kind"] = kinds[static_cast<int>(q.kind)];
  d["text"] = q.text;
  d["expr"] = make(s, q.expr);
  if (q.rhs != kNoId) d["rhs"] = make(s, q.rhs);
  py::list wrt;
  for (Id v : q.wrt) wrt.append(make(s, v));
  d["wrt"] = wrt;
  d["notes"] = q.notes;
  // The derivative a check's left side asks for: grad(e, x) == ..., jacobian(e, x) == ...
  if (q.kind == QueryKind::Check) {
    const Node& n = g[q.expr];
    const char* inner = n.op == Op::Grad         ? "grad"
                        : n.op == Op::Jacobian   ? "jacobian"
                        : n.op == Op::Hessian    ? "hessian"
                        : n.op == Op::Derivative ? "diff"
                                                 : nullptr;
    if (inner) {
      d["inner_kind"] = inner;
      d["inner_expr"] = make(s, n.kids[0]);
      py::list vars;
      for (size_t i = 1; i < n.kids.size(); ++i) vars.append(make(s, n.kids[i]));
      d["inner_wrt"] = vars;
    }
  }
  return d;
}

std::vector<int64_t> params_of(const Graph& g, const std::vector<Id>& roots) {
  CodeFunction f;
  for (Id r : roots) f.outputs.push_back({"", r});
  return code_parameters(g, f);
}

}  // namespace
}  // namespace nabla::python

using namespace nabla;
using namespace nabla::python;

PYBIND11_MODULE(_nabla, m) {
  m.doc() = "nabla's compiled core; use the nabla package (import nabla).";

  // Errors become the exceptions of nabla._errors (ParseError, ShapeError, ...).
  py::register_exception_translator([](std::exception_ptr p) {
    auto raise = [](const LocatedError& e) {
      py::object make_error = py::module_::import("nabla._errors").attr("_make");
      py::object err =
          make_error(error_kind_name(e.kind), e.message, e.hint, e.formatted, e.line, e.column);
      PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(err.ptr())), err.ptr());
    };
    try {
      if (p) std::rethrow_exception(p);
    } catch (const LocatedError& e) {
      raise(e);
    } catch (const Error& e) {
      LocatedError l{e.kind(), e.what(), e.hint(), {}, 0, 0};
      l.formatted = std::string("error: ") + e.what() + "\n" +
                    (e.hint().empty() ? "" : "hint: " + e.hint() + "\n");
      raise(l);
    }
  });

  py::class_<Scope, std::shared_ptr<Scope>>(m, "Scope",
                                            "Declarations of the nabla language and a graph.")
      .def(py::init([](const std::string& decls) {
             auto s = std::make_shared<Scope>();
             if (!decls.empty()) {
               std::vector<Query> q =
                   at(decls, "declarations", [&] { return s->front.run_script(decls); });
               if (!q.empty())
                 throw Error(ErrorKind::Usage, "declarations: '" + q.front().text +
                                                   "' is a query, not a declaration");
             }
             return s;
           }),
           py::arg("decls") = "")
      .def("declare",
           [](const std::shared_ptr<Scope>& s, const std::string& decls) {
             std::vector<Query> q =
                 at(decls, "declarations", [&] { return s->front.run_script(decls); });
             if (!q.empty())
               throw Error(ErrorKind::Usage,
                           "declarations: '" + q.front().text + "' is a query, not a declaration");
           })
      .def("expr",
           [](const std::shared_ptr<Scope>& s, const std::string& text) {
             Id id = at(text, "expression", [&] { return s->front.parse_expression(text); });
             return make(s, id);
           })
      .def("run",
           [](const std::shared_ptr<Scope>& s, const std::string& text) {
             std::vector<Query> qs = at(text, "script", [&] { return s->front.run_script(text); });
             py::list out;
             for (const Query& q : qs) out.append(query_record(s, q));
             return out;
           })
      .def(
          "variable",
          [](const std::shared_ptr<Scope>& s, const std::string& name, int rows, int cols) {
            if (rows <= 0 || cols <= 0)
              throw py::value_error(name + " is empty (" + std::to_string(rows) + "x" +
                                    std::to_string(cols) + ")");
            int32_t sym =
                s->graph->declare_variable(name, Shape::matrix(Dim::fixed(rows), Dim::fixed(cols)));
            return make(s, variable(*s->graph, sym));
          },
          "A new variable of fixed shape (for tracing).")
      .def("constant", [](const std::shared_ptr<Scope>& s, double v) {
        return make(s, api::literal_node(*s->graph, v));
      });

  py::class_<PyExpr>(m, "Expr")
      .def_property_readonly("text", [](const PyExpr& e) { return to_text(e.g(), e.id); })
      .def_property_readonly("unicode", [](const PyExpr& e) { return to_unicode(e.g(), e.id); })
      .def_property_readonly("latex", [](const PyExpr& e) { return to_latex(e.g(), e.id); })
      .def_property_readonly(
          "shape",
          [](const PyExpr& e) { return shape_of(e.g(), e.node().shape, value_kind(e.g(), e.id)); })
      .def_property_readonly("shape_text",
                             [](const PyExpr& e) { return e.g().dims.to_string(e.node().shape); })
      .def_property_readonly("steps", [](const PyExpr& e) { return e.steps; })
      .def_property_readonly("notes", [](const PyExpr& e) { return e.notes; })
      .def_property_readonly("scope", [](const PyExpr& e) { return e.scope; })
      .def_property_readonly("is_variable", [](const PyExpr& e) { return e.node().op == Op::Var; })
      .def_property_readonly("name",
                             [](const PyExpr& e) -> py::object {
                               if (e.node().op != Op::Var) return py::none();
                               return py::str(e.g().symbol(e.node().a).name);
                             })
      .def_property_readonly("node_id", [](const PyExpr& e) { return e.id; })
      .def_property_readonly("is_symmetric",
                             [](const PyExpr& e) {
                               return e.node().op == Op::Var && e.g().symbol(e.node().a).symmetric;
                             })
      .def(
          "variables",
          [](const PyExpr& e) {
            std::vector<PyExpr> out;
            for (int64_t sym : params_of(e.g(), {e.id}))
              out.push_back(make(e.scope, variable(e.g(), static_cast<int32_t>(sym))));
            return out;
          },
          "The variables the expression uses, in declaration order.")
      .def("binary",
           [](const PyExpr& e, const std::string& op, const py::object& other, bool reflected) {
             Id b = operand(e.scope, other);
             Id a = e.id;
             if (reflected) std::swap(a, b);
             return make(e.scope, binary(e.g(), op, a, b));
           })
      .def("apply",
           [](const PyExpr& e, const std::string& name) {
             return make(e.scope, apply_builtin(e.g(), name, e.id));
           })
      .def("neg", [](const PyExpr& e) { return make(e.scope, neg(e.g(), e.id)); })
      .def("T", [](const PyExpr& e) { return make(e.scope, transpose(e.g(), e.id)); })
      .def("hadamard",
           [](const PyExpr& e, const py::object& o) {
             return make(e.scope, hadamard(e.g(), e.id, operand(e.scope, o)));
           })
      .def("inner",
           [](const PyExpr& e, const py::object& o) {
             return make(e.scope, inner(e.g(), e.id, operand(e.scope, o)));
           })
      .def("kron",
           [](const PyExpr& e, const py::object& o) {
             return make(e.scope, kron(e.g(), e.id, operand(e.scope, o)));
           })
      .def("matrix_power",
           [](const PyExpr& e, int k) { return make(e.scope, matrix_power(e.g(), e.id, k)); })
      .def("same",
           [](const PyExpr& a, const PyExpr& b) { return a.scope == b.scope && a.id == b.id; })
      .def(
          "expr",
          [](const PyExpr& e, const std::string& text) {
            Id id = at(text, "expression", [&] { return e.scope->front.parse_expression(text); });
            return make(e.scope, id);
          },
          "Parses text in this expression's scope.");

  m.def("function_names", &function_names);
  m.def("vstack", [](const std::vector<py::object>& parts) {
    if (parts.empty()) throw py::value_error("vstack: no parts");
    std::shared_ptr<Scope> s;
    for (const auto& p : parts)
      if (py::isinstance<PyExpr>(p)) s = p.cast<const PyExpr&>().scope;
    if (!s) throw py::type_error("vstack: no nabla expression among the parts");
    std::vector<Id> ids;
    for (const auto& p : parts) ids.push_back(operand(s, p));
    return make(s, stack(*s->graph, ids));
  });

  m.def("derive", &derive, py::arg("kind"), py::arg("e"), py::arg("wrt"));
  m.def("simplify", [](const PyExpr& e) {
    SimplifyDeadline budget(kQuerySeconds);
    StepLog log;
    PyExpr r = make(e.scope, expanded(e.g(), e.id, &log));
    r.steps = std::move(log.lines);
    return r;
  });
  m.def("check", &check_exprs, py::arg("lhs"), py::arg("rhs"), py::arg("seed"),
        py::arg("tolerance"));

  py::class_<Compiled, std::shared_ptr<Compiled>>(m, "Compiled")
      .def("__call__", &Compiled::call)
      .def_property_readonly("parameters", &Compiled::parameter_names)
      .def("describe", &Compiled::describe)
      .def("_input_address", &Compiled::input_address)
      .def("_plan_count", &Compiled::plan_count)
      .def("_time_runs",
           [](Compiled& c, int repeat, const py::args& args) { return c.time_runs(args, repeat); });

  m.def(
      "compile",
      [](const std::vector<PyExpr>& outputs, const std::vector<PyExpr>& params) {
        if (outputs.empty()) throw py::value_error("compile: no outputs");
        auto s = outputs[0].scope;
        Graph& g = *s->graph;
        std::vector<Id> roots;
        {
          SimplifyDeadline budget(kQuerySeconds);
          for (const PyExpr& o : outputs) {
            common(outputs[0], o);
            roots.push_back(expanded(g, o.id, nullptr));
          }
        }
        std::vector<int64_t> syms;
        if (params.empty()) {
          syms = params_of(g, roots);
        } else {
          for (const PyExpr& p : params) {
            common(outputs[0], p);
            if (p.node().op != Op::Var) throw py::value_error("compile: params must be variables");
            syms.push_back(p.node().a);
          }
        }
        return std::make_shared<Compiled>(g, roots, syms);
      },
      py::arg("outputs"), py::arg("params"));

  m.def(
      "generate",
      [](const std::string& format, const std::string& name,
         const std::vector<std::pair<std::string, PyExpr>>& outputs, bool batch) {
        if (outputs.empty()) throw py::value_error("generate: no outputs");
        auto s = outputs[0].second.scope;
        CodeFunction f;
        f.name = name;
        {
          SimplifyDeadline budget(kQuerySeconds);
          for (const auto& [n, e] : outputs)
            f.outputs.push_back({n, expanded(*common(outputs[0].second, e)->graph, e.id, nullptr)});
        }
        if (batch && format != "numpy")
          throw py::value_error("generate: batch=True is for format numpy");
        if (format == "numpy") return emit_array_code(*s->graph, f, ArrayLibrary::Numpy, batch);
        if (format == "torch") return emit_torch(*s->graph, f);
        if (format == "cpp") return emit_cpp(*s->graph, f);
        throw py::value_error("generate: format is numpy, torch or cpp, not " + format);
      },
      py::arg("format"), py::arg("name"), py::arg("outputs"), py::arg("batch") = false);

  m.def(
      "generate_module",
      [](const std::string& format,
         const std::vector<std::pair<std::string, std::vector<std::pair<std::string, PyExpr>>>>&
             functions) {
        if (functions.empty() || functions[0].second.empty())
          throw py::value_error("generate_module: no functions");
        auto s = functions[0].second[0].second.scope;
        std::vector<CodeFunction> fs;
        {
          SimplifyDeadline budget(kQuerySeconds);
          for (const auto& [name, outputs] : functions) {
            CodeFunction f;
            f.name = name;
            for (const auto& [n, e] : outputs) {
              common(functions[0].second[0].second, e);
              f.outputs.push_back({n, expanded(*s->graph, e.id, nullptr)});
            }
            fs.push_back(std::move(f));
          }
        }
        if (format == "numpy") return emit_numpy_module(*s->graph, fs);
        if (format == "torch") return emit_torch_module(*s->graph, fs);
        throw py::value_error("generate_module: format is numpy or torch, not " + format);
      },
      py::arg("format"), py::arg("functions"));
}
