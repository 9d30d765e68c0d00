#include "parse/builtins.h"

#include <cstring>

namespace nabla {
namespace {

constexpr Builtin kBuiltins[] = {
    {"exp", Op::Exp},
    {"log", Op::Log},
    {"ln", Op::Log},
    {"sqrt", Op::Power},
    {"sin", Op::Sin},
    {"cos", Op::Cos},
    {"tan", Op::Tan},
    {"tanh", Op::Tanh},
    {"sigmoid", Op::Sigmoid},
    {"σ", Op::Sigmoid},
    {"softplus", Op::Softplus},
    {"log1p", Op::Log1p},
    {"expm1", Op::Expm1},
    {"abs", Op::Abs},
    {"sign", Op::Sign},
    {"sum", Op::Sum},
    {"norm2", Op::Norm2},
    {"norm", Op::Norm2, 1, 2},  // norm(x), norm(x, p) for a constant p >= 1, norm(x, inf)
    {"norm1", Op::Abs},         // sugar: sum(abs(x))
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
    {"vec", Op::Vec},
    {"kron", Op::Kron, 2, 2},
};

constexpr const char* kGreek[] = {
    "alpha",   "beta",   "gamma", "delta", "epsilon", "zeta",       "eta",      "theta", "iota",
    "kappa",   "lambda", "mu",    "nu",    "xi",      "omicron",    "rho",      "sigma", "tau",
    "upsilon", "phi",    "chi",   "psi",   "omega",   "varepsilon", "vartheta", "varphi"};

}  // namespace

const Builtin* find_builtin(const std::string& name) {
  for (const Builtin& b : kBuiltins)
    if (name == b.name) return &b;
  return nullptr;
}

std::vector<std::string> builtin_names() {
  std::vector<std::string> names;
  for (const Builtin& b : kBuiltins) names.push_back(b.name);
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
