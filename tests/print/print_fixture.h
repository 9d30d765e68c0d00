#pragma once
#include <gtest/gtest.h>

#include <string>
#include <unordered_map>

#include "ir/build.h"
#include "ir/graph.h"
#include "print/print.h"

namespace nabla {

// A graph with a few declared names: scalars a, b, c, t, alpha; vectors x, y, w, v in R^n;
// matrices A, B, C, X in R^(n x n), W in R^(n x m); functions f, g: R^n -> R^n,
// h1, h2: R -> R, s: R^n -> R, L: R x R x R -> R, F: R^n -> R^m, r: R -> R^n.
class PrintTest : public ::testing::Test {
 protected:
  PrintTest() {
    n = g.dims.intern("n");
    m = g.dims.intern("m");
    for (const char* name : {"a", "b", "c", "t", "alpha", "sigma2", "lambda"})
      declare(name, Shape::scalar());
    for (const char* name : {"x", "y", "w", "v", "w0", "h1v"}) declare(name, Shape::vector(n));
    for (const char* name : {"A", "B", "C", "X"}) declare(name, Shape::matrix(n, n));
    declare("W", Shape::matrix(n, m));
    declare("loss", Shape::scalar());
    Shape R = Shape::scalar(), Rn = Shape::vector(n), Rm = Shape::vector(m);
    fn["f"] = g.declare_function("f", {Rn}, Rn);
    fn["g"] = g.declare_function("g", {Rn}, Rn);
    fn["h1"] = g.declare_function("h1", {R}, R);
    fn["h2"] = g.declare_function("h2", {R}, R);
    fn["s"] = g.declare_function("s", {Rn}, R);
    fn["L"] = g.declare_function("L", {R, R, R}, R);
    fn["F"] = g.declare_function("F", {Rn}, Rm);
    fn["r"] = g.declare_function("r", {R}, Rn);
  }

  void declare(const std::string& name, Shape shape) {
    vars[name] = variable(g, g.declare_variable(name, shape));
  }
  Id V(const std::string& name) { return vars.at(name); }
  Id num(int64_t p, int64_t q = 1) { return constant(g, *Rational::make(p, q)); }
  Id call1(const std::string& f, int64_t deriv, Id arg) { return call(g, fn.at(f), deriv, {arg}); }
  Id fun(Op op, Id arg) { return unary(g, op, arg); }

  std::string text(Id id) { return to_text(g, id); }
  std::string uni(Id id) { return to_unicode(g, id); }
  std::string tex(Id id) { return to_latex(g, id); }

  Graph g;
  Dim n, m;
  std::unordered_map<std::string, Id> vars;
  std::unordered_map<std::string, int32_t> fn;
};

}  // namespace nabla
