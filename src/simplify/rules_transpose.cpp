// Rewrite rules of transposes and symmetry, as data (see pattern.h for the notation).
#include "simplify/saturate.h"

namespace nabla::eg {

std::vector<RuleSpec> transpose_rules() {
  return {
      // (A')' = A
      {"(A')' = A", "(' (' ?a))", "?a"},
      // A' = A for symmetric A (declared Sym, X'*X, A + A', inv(S), diag(v), I, scalars)
      {"S' = S for symmetric S", "(' ?a)", "?a", "sym ?a"},
      // (A*B)' = B'*A'
      {"(A*B)' = B'*A'", "(' (* ?a ?b))", "(* (' ?b) (' ?a))"},
      // B'*A' = (A*B)'
      {"B'*A' = (A*B)'", "(* (' ?b) (' ?a))", "(' (* ?a ?b))"},
      // (A + B)' = A' + B'
      {"(A + B)' = A' + B'", "(' (+ ?a ?b))", "(+ (' ?a) (' ?b))"},
      // A' + B' = (A + B)'
      {"A' + B' = (A + B)'", "(+ (' ?a) (' ?b))", "(' (+ ?a ?b))"},
      // (s*A)' = s*A'
      {"(s*A)' = s*A'", "(' (Scale ?s ?a))", "(Scale ?s (' ?a))"},
      // s*A' = (s*A)'
      {"s*A' = (s*A)'", "(Scale ?s (' ?a))", "(' (Scale ?s ?a))"},
      // (A .* B)' = A' .* B'
      {"(A .* B)' = A' .* B'", "(' (.* ?a ?b))", "(.* (' ?a) (' ?b))"},
      // inv(A)' = inv(A')
      {"inv(A)' = inv(A')", "(' (Inv ?a))", "(Inv (' ?a))"},
      // inv(A') = inv(A)'
      {"inv(A') = inv(A)'", "(Inv (' ?a))", "(' (Inv ?a))"},
      // tr(A') = tr(A)
      {"tr(A') = tr(A)", "(Trace (' ?a))", "(Trace ?a)"},
      // det(A') = det(A)
      {"det(A') = det(A)", "(Det (' ?a))", "(Det ?a)"},
      // logdet(A') = logdet(A)
      {"logdet(A') = logdet(A)", "(LogDet (' ?a))", "(LogDet ?a)"},
      // sum(A') = sum(A)
      {"sum(A') = sum(A)", "(Sum (' ?a))", "(Sum ?a)"},
      // norm2(x') = norm2(x)
      {"norm2(x') = norm2(x)", "(Norm2 (' ?a))", "(Norm2 ?a)"},
      // u'*v = v'*u for vectors (a scalar equals its transpose)
      {"u'*v = v'*u", "(* (' ?u) ?v)", "(* (' ?v) ?u)", "column ?u, column ?v"},
      // x'*A*y = y'*A'*x for vectors x, y (a scalar equals its transpose)
      {"x'*A*y = y'*A'*x", "(* (* (' ?x) ?a) ?y)", "(* (* (' ?y) (' ?a)) ?x)",
       "column ?x, column ?y"},
  };
}

}  // namespace nabla::eg
