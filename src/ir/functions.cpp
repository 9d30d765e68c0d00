#include "ir/functions.h"

#include <string>

#include "ir/error.h"

namespace nabla {
namespace {

#define FUNCTION(Name, api, spelling, unicode, latex, cpp, eigen, numpy, torch, domain, at_zero, \
                 positive, kernel, vector, derivative, formula)                                  \
  {spelling,                                                                                     \
   unicode,                                                                                      \
   latex,                                                                                        \
   cpp,                                                                                          \
   eigen,                                                                                        \
   numpy,                                                                                        \
   torch,                                                                                        \
   FunctionDomain::domain,                                                                       \
   FunctionAtZero::at_zero,                                                                      \
   positive},
constexpr FunctionFacts kFacts[] = {
#include "ir/functions.def"
};
#undef FUNCTION

}  // namespace

const FunctionFacts& function_facts(Op op) {
  if (!is_elementwise_function(op))
    throw Error(ErrorKind::Internal, "not an entry-wise function: " + std::string(op_name(op)));
  return kFacts[function_index(op)];
}

}  // namespace nabla
