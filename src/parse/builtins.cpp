#include "parse/builtins.h"

#include <cstring>

#include "ir/build.h"

namespace nabla {
namespace {

// Sugar: functions the parser lowers to primitives (printers re-sugar what they can).
//   sqrt(x) = x.^(1/2);  norm1(x) = sum(abs(x));
//   log2(x) = log(x)/log(2), log10(x) = log(x)/log(10): derivatives, plans, code and check all
//   follow from log's row; log2(8) and log10(1000) are then within an ulp or two of 3.
constexpr Sugar kSqrt{ShapeRule::Same, [](Graph& g, Id x) {
                        return power(g, x, constant(g, Rational{1, 2}));
                      }};
constexpr Sugar kNorm1{ShapeRule::Scalar,
                       [](Graph& g, Id x) { return unary(g, Op::Sum, unary(g, Op::Abs, x)); }};
constexpr Sugar kLog2{ShapeRule::Same, [](Graph& g, Id x) {
                        return divide(g, unary(g, Op::Log, x), unary(g, Op::Log, integer(g, 2)));
                      }};
constexpr Sugar kLog10{ShapeRule::Same, [](Graph& g, Id x) {
                         return divide(g, unary(g, Op::Log, x), unary(g, Op::Log, integer(g, 10)));
                       }};

// Every built-in function: the entry-wise functions by their spelling (functions.def), then
// further spellings, sugar, and the other built-ins.
const std::vector<Builtin>& builtins() {
  static const std::vector<Builtin> table = [] {
    std::vector<Builtin> t;
#define FUNCTION(Name, api, spelling, ...) t.push_back({spelling, Op::Name});
#include "ir/functions.def"
#undef FUNCTION
    const std::vector<Builtin> rest = {
        {"ln", Op::Log},
        {"σ", Op::Sigmoid},
        {"asin", Op::Arcsin},
        {"acos", Op::Arccos},
        {"atan", Op::Arctan},
        {"sqrt", Op::Power, 1, 1, &kSqrt},
        {"log2", Op::Log, 1, 1, &kLog2},
        {"log10", Op::Log, 1, 1, &kLog10},
        {"norm1", Op::Abs, 1, 1, &kNorm1},
        {"sum", Op::Sum},
        {"norm2", Op::Norm2},
        {"norm", Op::Norm2, 1, 2},  // norm(x), norm(x, p) for a constant p >= 1, norm(x, inf)
        {"relu", Op::Relu},
        {"max", Op::Max, 2, 2},
        {"min", Op::Min, 2, 2},
        {"tr", Op::Trace},
        {"trace", Op::Trace},
        {"det", Op::Det},
        {"logdet", Op::LogDet},
        {"inv", Op::Inv},
        {"diag", Op::Diag},
        {"softmax", Op::Softmax},
        {"logsumexp", Op::LogSumExp},
        {"prod", Op::Prod},
        {"prod_others", Op::ProdOthers},
        {"vec", Op::Vec},
        {"kron", Op::Kron, 2, 2},
    };
    t.insert(t.end(), rest.begin(), rest.end());
    return t;
  }();
  return table;
}

constexpr const char* kGreek[] = {
    "alpha",   "beta",   "gamma", "delta", "epsilon", "zeta",       "eta",      "theta", "iota",
    "kappa",   "lambda", "mu",    "nu",    "xi",      "omicron",    "rho",      "sigma", "tau",
    "upsilon", "phi",    "chi",   "psi",   "omega",   "varepsilon", "vartheta", "varphi"};

}  // namespace

const Builtin* find_builtin(const std::string& name) {
  for (const Builtin& b : builtins())
    if (name == b.name) return &b;
  return nullptr;
}

std::vector<std::string> builtin_names() {
  std::vector<std::string> names;
  for (const Builtin& b : builtins()) names.push_back(b.name);
  for (const char* k : {"grad", "jacobian", "hessian", "diff", "simplify", "partial", "check",
                        "ones", "zeros", "pi"})
    names.push_back(k);
  return names;
}

bool is_query_keyword(const std::string& name) {
  return name == "grad" || name == "jacobian" || name == "hessian" || name == "diff" ||
         name == "simplify" || name == "partial" || name == "check";
}

bool is_greek_name(const std::string& name) {
  if (name.empty()) return false;
  if (static_cast<unsigned char>(name[0]) >= 0x80)
    return true;  // α, λ, ... (the lexer admits Greek only)
  // An ASCII Greek letter name, optionally followed by digits or _suffix: sigma2, lambda_1.
  for (const char* g : kGreek) {
    size_t n = std::strlen(g);
    if (name.compare(0, n, g) != 0) continue;
    if (name.size() == n) return true;
    char c = name[n];
    if ((c >= '0' && c <= '9') || c == '_') return true;
  }
  return false;
}

bool is_upper_name(const std::string& name) {
  return !name.empty() && name[0] >= 'A' && name[0] <= 'Z';
}

}  // namespace nabla
