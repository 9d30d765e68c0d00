#pragma once
#include <string>
#include <vector>

#include "ir/op.h"

namespace nabla {

// A built-in function and how many arguments it takes (most: one; kron, max, min: two; norm:
// one or two). sqrt is Op::Power (x.^(1/2)).
struct Builtin {
  const char* name;
  Op op;
  int min_args = 1;
  int max_args = 1;
};

// The builtin called `name` (aliases: ln -> log, trace -> tr, σ -> sigmoid, norm -> norm2),
// or nullptr.
const Builtin* find_builtin(const std::string& name);

// Every name of a built-in function, alias, constant and query keyword (for suggestions).
std::vector<std::string> builtin_names();

// Reserved words of queries and derivative forms.
bool is_query_keyword(const std::string& name);

// Spelling rules for undeclared names: a Greek name (alpha, lambda, sigma2, α, λ) is a scalar;
// an upper-case first letter is a matrix; anything else a column vector.
bool is_greek_name(const std::string& name);
bool is_upper_name(const std::string& name);

}  // namespace nabla
