// libFuzzer target: the whole pipeline on a script.
//   parse -> expand_queries (differentiate) -> simplify -> to_text -> re-parse -> evaluate.
// Properties checked for each query (the first few of a script):
//   1. differentiation, simplification and printing succeed or throw a clean nabla::Error
//      (any kind but Internal); no other exception, crash or sanitizer report;
//   2. the printed text of the unsimplified and of the simplified form re-parses in the same
//      Frontend/Graph scope to an expression of the same shape;
//   3. the Unicode form of the simplified result re-parses too, to the same shape and value;
//   4. the unsimplified form, the simplified form and the re-parsed simplified form agree
//      numerically (check_equal: random dims 1..6, random values and abstract functions)
//      where all are finite. Inputs whose concrete dims exceed kMaxFixedDim, or whose constants
//      are so large that floating cancellation would decide the comparison, are not evaluated.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include "check/check.h"
#include "diff/diff.h"
#include "ir/build.h"
#include "ir/error.h"
#include "ir/graph.h"
#include "ir/substitute.h"
#include "parse/frontend.h"
#include "print/print.h"
#include "simplify/simplify.h"

namespace nabla {
// Query nodes (built as the driver does).
Id grad_query(Graph& g, Id e, const std::vector<Id>& vars);
Id query(Graph& g, Op op, Id e, Id var);
Id simplify_query(Graph& g, Id e);
}  // namespace nabla

namespace {

using nabla::Error;
using nabla::ErrorKind;
using nabla::Graph;
using nabla::Id;

constexpr int32_t kMaxFixedDim = 12;
constexpr double kMaxConstant = 1e6;
constexpr double kMaxPower = 64;
constexpr size_t kMaxQueries = 4;

[[noreturn]] void fail(const std::string& what, std::string_view source) {
  std::fprintf(stderr, "property failure: %s\n--- input ---\n%.*s\n", what.c_str(),
               static_cast<int>(source.size()), source.data());
  std::abort();
}

// True when every concrete dimension is small and every constant is moderate, so that
// numeric comparison is meaningful and cheap.
bool evaluable(const Graph& g, const std::vector<Id>& roots) {
  for (Id root : roots) {
    for (Id id : nabla::reachable(g, root)) {
      const nabla::Node& n = g[id];
      for (nabla::Dim d : {n.shape.rows, n.shape.cols})
        if (d.is_fixed() && d.size() > kMaxFixedDim) return false;
      if (n.op == nabla::Op::Const) {
        double v = nabla::const_value(g, id);
        if (!std::isfinite(v) || std::fabs(v) > kMaxConstant) return false;
      }
      // A division by an exact zero (0^-1, x/zeros of size 1) has no finite value, and the
      // grouping of the products around it decides between inf and NaN (x*U/0*s).
      if (n.op == nabla::Op::Power && g[n.kids[1]].op == nabla::Op::Const &&
          nabla::const_value(g, n.kids[1]) < 0) {
        const nabla::Node& base = g[n.kids[0]];
        if (base.op == nabla::Op::Zeros ||
            (base.op == nabla::Op::Const && nabla::const_value(g, n.kids[0]) == 0))
          return false;
      }
      // A constant power above 64 (5^551555) over- or underflows for most bases, and then
      // the order of the overflowing operations decides the comparison.
      if (n.op == nabla::Op::Power && g[n.kids[1]].op == nabla::Op::Const &&
          std::fabs(nabla::const_value(g, n.kids[1])) > kMaxPower)
        return false;
    }
  }
  return true;
}

// The symbols below id: its variables and its abstract functions. A name read again at the end
// of the script may be another symbol: an undeclared name is inferred anew, and a later
// declaration (`f, g : R^d -> R^n` a second time) makes new functions, which check_equal draws
// other random stand-ins for. Values compare only where both sides name the same symbols.
std::set<int64_t> free_symbols(const Graph& g, Id id) {
  std::set<int64_t> symbols;
  for (Id k : nabla::reachable(g, id))
    if (g[k].op == nabla::Op::Var || g[k].op == nabla::Op::Call) symbols.insert(g[k].a);
  return symbols;
}

Id raw_root(Graph& g, const nabla::Query& q) {
  switch (q.kind) {
    case nabla::QueryKind::Grad:
      return nabla::grad_query(g, q.expr, q.wrt);
    case nabla::QueryKind::Jacobian:
      return nabla::query(g, nabla::Op::Jacobian, q.expr, q.wrt.at(0));
    case nabla::QueryKind::Hessian:
      return nabla::query(g, nabla::Op::Hessian, q.expr, q.wrt.at(0));
    case nabla::QueryKind::Diff:
      return nabla::query(g, nabla::Op::Derivative, q.expr, q.wrt.at(0));
    default:
      return q.expr;
  }
}

void clean(const Error& e, std::string_view source, const char* stage) {
  if (e.kind() == ErrorKind::Internal)
    fail(std::string(stage) + ": internal error: " + e.what(), source);
}

// The set of a declaration: R, R^(n), R^((n*m) x (k)) (every dimension in parentheses: in a set
// `*` would separate rows from columns).
std::string set_text(const Graph& g, nabla::Shape sh, nabla::ValueKind kind) {
  auto dim = [&](nabla::Dim d) { return "(" + g.dims.to_string(d) + ")"; };
  if (!nabla::kind_fits(kind, sh)) kind = nabla::kind_of_shape(sh);
  if (kind == nabla::ValueKind::Scalar) return "R";
  if (kind == nabla::ValueKind::Vector) return "R^(" + dim(sh.rows) + ")";
  return "R^(" + dim(sh.rows) + " x " + dim(sh.cols) + ")";
}

// "x in R^(n); S in Sym(n); f : R^(d) -> R^(n); ..." for every variable and abstract function
// below id, as they were declared (a later declaration may have given the name another shape).
std::string declarations(const Graph& g, Id id) {
  std::string s;
  std::set<int64_t> done;
  for (Id k : nabla::reachable(g, id)) {
    if (g[k].op != nabla::Op::Var && g[k].op != nabla::Op::Call) continue;
    if (!done.insert(g[k].a).second) continue;
    const nabla::Symbol& sym = g.symbol(g[k].a);
    nabla::Shape sh = sym.shape;
    if (sym.kind == nabla::SymbolKind::Function) {
      s += sym.name + " : ";
      for (size_t i = 0; i < sym.params.size(); ++i)
        s += (i ? ", " : "") + set_text(g, sym.params[i], nabla::kind_of_shape(sym.params[i]));
      s += " -> " + set_text(g, sh, nabla::kind_of_shape(sh)) + "\n";
      continue;
    }
    s += sym.name + " in ";
    if (sym.symmetric)
      s += "Sym(" + g.dims.to_string(sh.rows) + ")";
    else
      s += set_text(g, sh, sym.value_kind);
    s += "\n";
  }
  return s;
}

// Prints `id`, re-parses the text and checks the shape; returns the re-parsed id (or kNoId when
// printing stopped at a clean limit).
Id round_trip(nabla::Frontend& frontend, Graph& g, Id id, std::string_view source) {
  std::string text;
  try {
    text = nabla::to_text(g, id);
  } catch (const Error& e) {
    clean(e, source, "print");
    return nabla::kNoId;
  }
  // The scope at the end of the script may differ from the one the query was read in (a
  // later declaration replaces an earlier one; an undeclared name takes its shape from how it
  // is used), so a failure there is retried with every variable declared as it was.
  Id back = nabla::kNoId;
  try {
    back = frontend.parse_expression(text);
    if (g[back].shape == g[id].shape) return back;
  } catch (const Error& e) {
    clean(e, source, "re-parse");
  }
  try {
    frontend.run_script(declarations(g, id));
  } catch (const Error& e) {
    clean(e, source, "declarations");
    return nabla::kNoId;  // a name that cannot be declared again (it is a dimension, say)
  }
  try {
    back = frontend.parse_expression(text);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Limit) return nabla::kNoId;
    // No exemption for a division by zero: 0^-1 prints as the infinity it is (1e999), never
    // as `1/0`, which the parser refuses.
    fail("printed text does not re-parse: '" + text + "': " + e.what(), source);
  }
  if (g[back].shape == g[id].shape) return nabla::kNoId;  // new symbols: compare shapes only
  // Sized constants (ones(n), I(n), zeros(n, m)) say their size wherever the context does
  // not determine it, so every printed result reads back with its shape.
  fail("re-parsed '" + text + "' has shape " + g.dims.to_string(g[back].shape) + ", printed " +
           g.dims.to_string(g[id].shape),
       source);
}

bool ill_conditioned(Graph& g, Id a, const nabla::CheckOptions& options);

// The Unicode form reads back too, to the same shape and value as the text form.
void unicode_round_trip(nabla::Frontend& frontend, Graph& g, Id id, Id text_back,
                        std::string_view source) {
  std::string text;
  try {
    text = nabla::to_unicode(g, id);
  } catch (const Error& e) {
    clean(e, source, "print unicode");
    return;
  }
  Id back = nabla::kNoId;
  try {
    back = frontend.parse_expression(text);
  } catch (const Error& e) {
    if (e.kind() == ErrorKind::Limit) return;
    fail("printed Unicode does not re-parse: '" + text + "': " + e.what(), source);
  }
  if (!(g[back].shape == g[id].shape))
    fail("re-parsed Unicode '" + text + "' has shape " + g.dims.to_string(g[back].shape) +
             ", printed " + g.dims.to_string(g[id].shape),
         source);
  // The text form read back to the same node and the Unicode form to another: compare values.
  if (text_back != nabla::kNoId && back != text_back) {
    nabla::CheckOptions options;
    options.dimension_draws = 1;
    options.points_per_draw = 1;
    options.tolerance = 1e-6;
    try {
      if (!nabla::check_equal(g, text_back, back, options).holds &&
          !ill_conditioned(g, text_back, options))
        fail("the text and Unicode forms read back to different values: " + text, source);
    } catch (const Error& e) {
      clean(e, source, "evaluate unicode");
    }
  }
}

// True when a relative change of 1e-13 in every variable changes `a` by more than the
// tolerance at the points check_equal draws: there, two groupings of the same expression (the
// parser's and the builders') give different values through rounding alone (sin of a 1e18
// argument, say), so their disagreement is no finding.
bool ill_conditioned(Graph& g, Id a, const nabla::CheckOptions& options) {
  std::unordered_map<Id, Id> nudged;
  for (Id k : nabla::reachable(g, a))
    if (g[k].op == nabla::Op::Var) nudged[k] = nabla::scale(g, nabla::constant(g, 1 + 1e-13), k);
  try {
    return !nabla::check_equal(g, a, nabla::substitute(g, a, nudged), options).holds;
  } catch (const Error&) {
    return true;
  }
}

void compare(Graph& g, Id a, Id b, const char* what, std::string_view source) {
  nabla::CheckOptions options;
  options.dimension_draws = 1;
  options.points_per_draw = 1;
  options.tolerance = 1e-6;
  nabla::CheckResult r;
  try {
    r = nabla::check_equal(g, a, b, options);
  } catch (const Error& e) {
    clean(e, source, "evaluate");
    return;  // no point could be evaluated (a singular matrix, a domain error): nothing to compare
  }
  if (!r.holds && !ill_conditioned(g, a, options))
    fail(std::string(what) + " disagree: " + nabla::to_text(g, a) + "  vs  " +
             nabla::to_text(g, b) + "\n" + r.counterexample,
         source);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view source(reinterpret_cast<const char*>(data), size);
  Graph g;
  nabla::Frontend frontend(g);
  std::vector<nabla::Query> queries;
  try {
    queries = frontend.run_script(source);
  } catch (const Error& e) {
    clean(e, source, "parse");
    return 0;
  }
  if (queries.size() > kMaxQueries) queries.resize(kMaxQueries);
  for (const nabla::Query& q : queries) {
    std::vector<Id> raws;
    try {
      raws.push_back(raw_root(g, q));
      if (q.kind == nabla::QueryKind::Check) raws.push_back(q.rhs);
    } catch (const Error& e) {
      clean(e, source, "query");
      continue;
    }
    for (Id raw : raws) {
      Id expanded, simplified;
      try {
        expanded = nabla::expand_queries(g, raw);
      } catch (const Error& e) {
        clean(e, source, "differentiate");
        continue;
      }
      try {
        nabla::SimplifyOptions options;
        options.max_seconds = 1.0;
        simplified = nabla::simplify(g, expanded, options);
      } catch (const Error& e) {
        clean(e, source, "simplify");
        continue;
      }
      if (!(g[simplified].shape == g[expanded].shape)) fail("simplify changed the shape", source);
      round_trip(frontend, g, expanded, source);
      Id back = round_trip(frontend, g, simplified, source);
      if (back != nabla::kNoId && free_symbols(g, back) == free_symbols(g, simplified) &&
          evaluable(g, {simplified}))
        unicode_round_trip(frontend, g, simplified, back, source);
      if (!evaluable(g, {expanded, simplified})) continue;
      compare(g, expanded, simplified, "unsimplified and simplified forms", source);
      if (back != nabla::kNoId && back != simplified && evaluable(g, {back}) &&
          free_symbols(g, back) == free_symbols(g, simplified))
        compare(g, simplified, back, "simplified form and its re-parsed text", source);
    }
  }
  return 0;
}
