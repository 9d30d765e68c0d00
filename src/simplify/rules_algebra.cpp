// Rewrite rules of sums, scalings, products and signs, as data (see pattern.h for the
// notation). Constants fold as the e-graph is rebuilt, so (+ ?s ?t) over numbers is a number.
#include "simplify/saturate.h"

namespace nabla::eg {

std::vector<RuleSpec> algebra_rules() {
  return {
      // a + b = b + a
      {"a + b = b + a", "(+ ?a ?b)", "(+ ?b ?a)"},
      // (a + b) + c = a + (b + c)
      {"(a + b) + c = a + (b + c)", "(+ (+ ?a ?b) ?c)", "(+ ?a (+ ?b ?c))"},
      // a + (b + c) = (a + b) + c
      {"a + (b + c) = (a + b) + c", "(+ ?a (+ ?b ?c))", "(+ (+ ?a ?b) ?c)"},
      // a + a = 2*a
      {"like terms: a + a = 2*a", "(+ ?a ?a)", "(Scale 2 ?a)"},
      // s*a + t*a = (s + t)*a
      {"like terms: s*a + t*a = (s + t)*a", "(+ (Scale ?s ?a) (Scale ?t ?a))",
       "(Scale (+ ?s ?t) ?a)"},
      // s*a + a = (s + 1)*a
      {"like terms: s*a + a = (s + 1)*a", "(+ (Scale ?s ?a) ?a)", "(Scale (+ ?s 1) ?a)"},
      // s*a + s*b = s*(a + b)
      {"common factor: s*a + s*b = s*(a + b)", "(+ (Scale ?s ?a) (Scale ?s ?b))",
       "(Scale ?s (+ ?a ?b))"},
      // s*(a + b) = s*a + s*b
      {"distribute: s*(a + b) = s*a + s*b", "(Scale ?s (+ ?a ?b))",
       "(+ (Scale ?s ?a) (Scale ?s ?b))"},
      // c*a + d*b = c*(a + (d/c)*b) for constants c != 0, d: 2*x - 2*b = 2*(x - b)
      {"common constant factor", "(+ (Scale ?c ?a) (Scale ?d ?b))",
       "(Scale ?c (+ ?a (Scale (Scale (^ ?c -1) ?d) ?b)))", "nonzero ?c, const ?d"},
      // c*a + b = c*(a + b/c) for a constant c != 0: 2*x - 2 = 2*(x - 1)
      {"common constant factor of a term", "(+ (Scale ?c ?a) ?b)",
       "(Scale ?c (+ ?a (Scale (^ ?c -1) ?b)))", "nonzero ?c"},
      // A*x + A*y = A*(x + y)
      {"common left factor: A*x + A*y = A*(x + y)", "(+ (* ?a ?x) (* ?a ?y))", "(* ?a (+ ?x ?y))"},
      // A*(x + y) = A*x + A*y
      {"distribute: A*(x + y) = A*x + A*y", "(* ?a (+ ?x ?y))", "(+ (* ?a ?x) (* ?a ?y))"},
      // x*A + y*A = (x + y)*A
      {"common right factor: x*A + y*A = (x + y)*A", "(+ (* ?x ?a) (* ?y ?a))", "(* (+ ?x ?y) ?a)"},
      // (x + y)*A = x*A + y*A
      {"distribute: (x + y)*A = x*A + y*A", "(* (+ ?x ?y) ?a)", "(+ (* ?x ?a) (* ?y ?a))"},
      // s*t = t*s for scalars
      {"s*t = t*s", "(Scale ?s ?t)", "(Scale ?t ?s)", "scalar ?t"},
      // s*(t*x) = (s*t)*x
      {"s*(t*x) = (s*t)*x", "(Scale ?s (Scale ?t ?x))", "(Scale (Scale ?s ?t) ?x)"},
      // (s*t)*x = s*(t*x)
      {"(s*t)*x = s*(t*x)", "(Scale (Scale ?s ?t) ?x)", "(Scale ?s (Scale ?t ?x))"},
      // 1*x = x
      {"1*x = x", "(Scale 1 ?x)", "?x"},
      // 0*x = 0
      {"0*x = 0", "(Scale 0 ?x)", "(Zeros ?x)"},
      // x + 0 = x
      {"x + 0 = x", "(+ ?x 0)", "?x"},
      // x + zeros = x
      {"x + zeros = x", "(+ ?x (Zeros))", "?x"},
      // (s*A)*B = s*(A*B)
      {"(s*A)*B = s*(A*B)", "(* (Scale ?s ?a) ?b)", "(Scale ?s (* ?a ?b))"},
      // A*(s*B) = s*(A*B)
      {"A*(s*B) = s*(A*B)", "(* ?a (Scale ?s ?b))", "(Scale ?s (* ?a ?b))"},
      // s*(A*B) = (s*A)*B
      {"s*(A*B) = (s*A)*B", "(Scale ?s (* ?a ?b))", "(* (Scale ?s ?a) ?b)"},
      // (A*B)*C = A*(B*C)
      {"(A*B)*C = A*(B*C)", "(* (* ?a ?b) ?c)", "(* ?a (* ?b ?c))"},
      // A*(B*C) = (A*B)*C
      {"A*(B*C) = (A*B)*C", "(* ?a (* ?b ?c))", "(* (* ?a ?b) ?c)"},
      // I*A = A
      {"I*A = A", "(* (Identity) ?a)", "?a"},
      // A*I = A
      {"A*I = A", "(* ?a (Identity))", "?a"},
      // a .* b = b .* a
      {"a .* b = b .* a", "(.* ?a ?b)", "(.* ?b ?a)"},
      // (a .* b) .* c = a .* (b .* c)
      {"(a .* b) .* c = a .* (b .* c)", "(.* (.* ?a ?b) ?c)", "(.* ?a (.* ?b ?c))"},
      // a .* (b .* c) = (a .* b) .* c
      {"a .* (b .* c) = (a .* b) .* c", "(.* ?a (.* ?b ?c))", "(.* (.* ?a ?b) ?c)"},
      // (s*a) .* b = s*(a .* b)
      {"(s*a) .* b = s*(a .* b)", "(.* (Scale ?s ?a) ?b)", "(Scale ?s (.* ?a ?b))"},
      // a .* (s*b) = s*(a .* b)
      {"a .* (s*b) = s*(a .* b)", "(.* ?a (Scale ?s ?b))", "(Scale ?s (.* ?a ?b))"},
      // a .* (b + c) = a .* b + a .* c
      {"distribute: a .* (b + c) = a .* b + a .* c", "(.* ?a (+ ?b ?c))",
       "(+ (.* ?a ?b) (.* ?a ?c))"},
      // a .* b + a .* c = a .* (b + c)
      {"common factor: a .* b + a .* c = a .* (b + c)", "(+ (.* ?a ?b) (.* ?a ?c))",
       "(.* ?a (+ ?b ?c))"},
      // ones .* a = a
      {"ones .* a = a", "(.* (Ones) ?a)", "?a"},
      // a .* b = a*b for scalars
      {"a .* b = a*b for scalars", "(.* ?a ?b)", "(Scale ?a ?b)", "scalar ?a"},
  };
}

}  // namespace nabla::eg
