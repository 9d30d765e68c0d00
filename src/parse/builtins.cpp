#include "parse/builtins.h"

#include <iterator>

#include "ir/build.h"
#include "ir/greek.h"

namespace nabla {
namespace {

// The sugar rows of functions.def.
#define FUNCTION(...)
#define SUGAR(spelling, shape, lowering) \
  Sugar{ShapeRule::shape, [](Graph& g, Id x) { return lowering; }},
const Sugar kSugar[] = {
#include "ir/functions.def"
};
#undef SUGAR
constexpr const char* kSugarSpellings[] = {
#define SUGAR(spelling, ...) spelling,
#include "ir/functions.def"
#undef SUGAR
};
#undef FUNCTION

// Every built-in function: the entry-wise functions by their spelling (functions.def), further
// spellings, the sugar rows of functions.def, then the other built-ins.
const std::vector<Builtin>& builtins() {
  static const std::vector<Builtin> table = [] {
    std::vector<Builtin> t;
#define FUNCTION(Name, api, spelling, ...) t.push_back({spelling, Op::Name});
#include "ir/functions.def"
#undef FUNCTION
    for (Builtin b :
         {Builtin{"ln", Op::Log}, Builtin{"σ", Op::Sigmoid}, Builtin{"asin", Op::Arcsin},
          Builtin{"acos", Op::Arccos}, Builtin{"atan", Op::Arctan}})
      t.push_back(b);
    for (size_t i = 0; i < std::size(kSugar); ++i)
      t.push_back({kSugarSpellings[i], std::nullopt, 1, 1, &kSugar[i]});
    const std::vector<Builtin> rest = {
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
  for (const GreekLetter& g : kGreekLetters) {
    if (!is_scalar_greek(g)) continue;
    size_t n = g.name.size();
    if (name.compare(0, n, g.name) != 0) continue;
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
