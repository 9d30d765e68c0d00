#pragma once
#include <string>
#include <vector>

#include "ir/build.h"
#include "ir/graph.h"
#include "parse/frontend.h"

namespace nabla::testing {

// The op structure of a node, e.g. "MatMul(Transpose(Var(x)), Var(y))".
inline std::string dump(const Graph& g, Id id) {
  const Node& n = g[id];
  std::string s(op_name(n.op));
  if (n.op == Op::Const)
    s += "(" + (n.b != 0 ? Rational{n.a, n.b}.to_string() : std::string("double")) + ")";
  if (n.op == Op::Var) s += "(" + g.symbol(n.a).name + ")";
  if (n.op == Op::Call) s += "[" + g.symbol(n.a).name + "," + std::to_string(n.b) + "]";
  if (!n.kids.empty()) {
    s += "(";
    for (size_t i = 0; i < n.kids.size(); ++i) {
      if (i) s += ", ";
      s += dump(g, n.kids[i]);
    }
    s += ")";
  }
  return s;
}

inline std::string shape_of(const Graph& g, Id id) {
  return g.dims.to_string(g[id].shape);
}

// Runs a script and returns the structure of its last query's expression.
struct Parsed {
  Graph g;
  Frontend front{g};
  std::vector<Query> queries;
  explicit Parsed(const std::string& script) { queries = front.run_script(script); }
  const Query& last() const { return queries.back(); }
  std::string expr() const { return dump(g, queries.back().expr); }
  std::string shape() const { return shape_of(g, queries.back().expr); }
};

}  // namespace nabla::testing
