// derive(): the chain of a query in the method asked for, and the default method per question.
#include <algorithm>

#include "explain/derivation.h"
#include "explain/differential_method.h"
#include "explain/index_method.h"
#include "explain/rewrite.h"
#include "explain/rule_method.h"
#include "ir/error.h"

namespace nabla {

const char* steps_method_name(StepsMethod m) {
  switch (m) {
    case StepsMethod::Auto:
      return "auto";
    case StepsMethod::Rule:
      return "rule";
    case StepsMethod::Index:
      return "index";
    case StepsMethod::Differential:
      return "differential";
    case StepsMethod::All:
      return "all";
  }
  return "auto";
}

bool parse_steps_method(const std::string& text, StepsMethod* out) {
  for (StepsMethod m : {StepsMethod::Auto, StepsMethod::Rule, StepsMethod::Index,
                        StepsMethod::Differential, StepsMethod::All}) {
    if (text == steps_method_name(m)) {
      *out = m;
      return true;
    }
  }
  return false;
}

namespace {

bool has_matrix_function(const Graph& g, Id e, int64_t var) {
  for (Id id : reachable(g, e)) {
    Op op = g[id].op;
    if ((op == Op::Det || op == Op::LogDet || op == Op::Inv || op == Op::Trace) &&
        depends_on(g, id, var))
      return true;
  }
  return false;
}

}  // namespace

StepsMethod default_method(const Graph& g, Id q) {
  const Node& n = g[q];
  if ((n.op != Op::Grad && n.op != Op::Jacobian) || n.kids.size() != 2) return StepsMethod::Rule;
  const Id e = n.kids[0];
  const int64_t var = g[n.kids[1]].a;
  if (n.op == Op::Grad && has_matrix_function(g, e, var)) return StepsMethod::Differential;
  if (explain::degree_in(g, e, var) == 1 && explain::index_method_applies(g, q))
    return StepsMethod::Index;
  return StepsMethod::Rule;
}

Derivation derive(Graph& g, Id q, Id result, StepsMethod method) {
  // A worked solution is for an expression a person wrote: past a few hundred distinct nodes
  // (a generated or hostile input) there is nothing to follow step by step.
  constexpr size_t kMaxNodes = 400;
  if (dag_size(g, q) > kMaxNodes)
    throw Error(ErrorKind::Limit,
                "no worked solution: the expression is too large to show step by step (" +
                    std::to_string(dag_size(g, q)) + " distinct sub-expressions)");
  if (method == StepsMethod::Auto) method = default_method(g, q);
  Derivation d;
  d.method = method;
  d.query = q;
  d.result = result;
  switch (method) {
    case StepsMethod::Index:
      explain::index_chain(g, d);
      break;
    case StepsMethod::Differential:
      explain::differential_chain(g, d);
      break;
    default: {
      bool all = method == StepsMethod::All;
      explain::expand_rule_chain(g, d, all);
      explain::simplify_stages(g, d, all);
    }
  }
  return d;
}

Derivation derive_or_fallback(Graph& g, Id q, Id result, StepsMethod method, std::string* note) {
  try {
    return derive(g, q, result, method);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::Unsupported || method == StepsMethod::Rule) throw;
    if (note) *note = e.what();
    return derive(g, q, result, StepsMethod::Rule);
  }
}

}  // namespace nabla
