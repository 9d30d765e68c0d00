#pragma once
// Patterns over the e-graph and rewrite rules as data. Internal to src/simplify.
//
// A pattern is an s-expression over op names (ops.def), pattern variables and numbers:
//   (Transpose (Transpose ?a))      (Scale ?s (Add ?x ?y))      (Power ?x -1/2)
// `+ * ' .* ^` abbreviate Add, MatMul, Transpose, Hadamard and Power. A number matches a class
// whose value is that constant; on a right-hand side it is a scalar constant, and ops over
// constants fold (so `(Add ?p -1)` is p - 1 when p is a number).
//
// A guard is a comma-separated list of `predicate ?var`: scalar, matrix (not a scalar),
// column, sym, diag, square, positive (>= 0 everywhere), const, nonconst, ones (a ones matrix or
// the number 1), nonzero, integer, negative (constants), identity. A rule fires
// only where every predicate holds.
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "simplify/egraph.h"

namespace nabla::eg {

struct Pattern {
  enum class Kind { Var, Num, Op };
  struct Item {
    Kind kind = Kind::Var;
    int var = -1;
    simp::Num num;
    Op op = Op::Const;
    std::vector<int> kids;  // indices into items
  };
  std::vector<Item> items;
  int root = -1;
};

enum class Predicate {
  Scalar,
  Matrix,
  Column,
  Symmetric,
  Diagonal,
  Square,
  Positive,
  Const,
  NonConst,
  Ones,
  NonZero,   // a nonzero constant
  Integer,   // an integer constant
  Negative,  // a negative constant
  Identity,  // holds I
};
struct Guard {
  Predicate is;
  int var;
};

// A rule as written in a table (rules_*.cpp).
struct RuleSpec {
  std::string_view name;  // short human name, cited by explanations: "(A')' = A"
  std::string_view lhs;
  std::string_view rhs;
  std::string_view guard = {};
};

// A rule compiled for matching.
struct Rewrite {
  std::string name;
  std::string lhs_text, rhs_text, guard_text;
  Pattern lhs, rhs;
  std::vector<Guard> guards;
  std::vector<std::string> vars;  // names of the pattern variables, by index
};

// Parses a rule (throws Error(ErrorKind::Internal) naming the rule on a malformed one).
Rewrite compile_rule(const RuleSpec& spec);

// A substitution: the class of each pattern variable (kNoClass: unbound). Fixed size, so
// recording a match allocates nothing; a rule has at most kMaxPatternVars variables.
inline constexpr size_t kMaxPatternVars = 8;
using Subst = std::array<ClassId, kMaxPatternVars>;

// Every substitution under which `p` matches class c (at most `limit`).
void match(const EGraph& eg, const Pattern& p, ClassId c, size_t nvars, std::vector<Subst>& out,
           size_t limit);
bool guards_hold(const EGraph& eg, const Rewrite& r, const Subst& s);
// Adds the right-hand side under s; kNoClass when its shapes do not fit.
ClassId instantiate(EGraph& eg, const Pattern& p, const Subst& s, int origin);
// The shape an op gives these child shapes, false when they do not fit.
bool shape_of(const Graph& g, Op op, const std::vector<Shape>& kids, Shape* out);

}  // namespace nabla::eg
