// Rewrite rules of inv, det, logdet, tr, diag, kron, sum and ones, as data (see pattern.h).
#include "simplify/saturate.h"

namespace nabla::eg {

std::vector<RuleSpec> matrix_function_rules() {
  return {
      // inv(inv(A)) = A
      {"inv(inv(A)) = A", "(Inv (Inv ?a))", "?a"},
      // inv(A*B) = inv(B)*inv(A) for square A, B
      {"inv(A*B) = inv(B)*inv(A)", "(Inv (* ?a ?b))", "(* (Inv ?b) (Inv ?a))",
       "square ?a, square ?b"},
      // inv(B)*inv(A) = inv(A*B) for square A, B
      {"inv(B)*inv(A) = inv(A*B)", "(* (Inv ?b) (Inv ?a))", "(Inv (* ?a ?b))",
       "square ?a, square ?b"},
      // inv(s*A) = s^-1*inv(A)
      {"inv(s*A) = inv(A)/s", "(Inv (Scale ?s ?a))", "(Scale (^ ?s -1) (Inv ?a))"},
      // inv(A)*A = I
      {"inv(A)*A = I", "(* (Inv ?a) ?a)", "(Identity ?a)"},
      // A*inv(A) = I
      {"A*inv(A) = I", "(* ?a (Inv ?a))", "(Identity ?a)"},
      // inv(I) = I
      {"inv(I) = I", "(Inv ?i)", "?i", "identity ?i"},
      // det(A*B) = det(A)*det(B) for square A, B
      {"det(A*B) = det(A)*det(B)", "(Det (* ?a ?b))", "(Scale (Det ?a) (Det ?b))",
       "square ?a, square ?b"},
      // det(A)*det(B) = det(A*B) for square A, B
      {"det(A)*det(B) = det(A*B)", "(Scale (Det ?a) (Det ?b))", "(Det (* ?a ?b))",
       "square ?a, square ?b"},
      // det(inv(A)) = det(A)^-1
      {"det(inv(A)) = 1/det(A)", "(Det (Inv ?a))", "(^ (Det ?a) -1)"},
      // logdet(inv(A)) = -logdet(A)
      {"logdet(inv(A)) = -logdet(A)", "(LogDet (Inv ?a))", "(Scale -1 (LogDet ?a))"},
      // tr(A*B) = tr(B*A)
      {"tr(A*B) = tr(B*A)", "(Trace (* ?a ?b))", "(Trace (* ?b ?a))"},
      // tr(s*A) = s*tr(A)
      {"tr(s*A) = s*tr(A)", "(Trace (Scale ?s ?a))", "(Scale ?s (Trace ?a))"},
      // tr(A + B) = tr(A) + tr(B)
      {"tr(A + B) = tr(A) + tr(B)", "(Trace (+ ?a ?b))", "(+ (Trace ?a) (Trace ?b))"},
      // tr(a) = a for a scalar
      {"tr(s) = s", "(Trace ?a)", "?a", "scalar ?a"},
      // tr(diag(v)) = sum(v)
      {"tr(diag(v)) = sum(v)", "(Trace (Diag ?v))", "(Sum ?v)"},
      // diag(u)*diag(v) = diag(u .* v)
      {"diag(u)*diag(v) = diag(u .* v)", "(* (Diag ?u) (Diag ?v))", "(Diag (.* ?u ?v))"},
      // diag(u)*x = u .* x for a vector x
      {"diag(u)*x = u .* x", "(* (Diag ?u) ?x)", "(.* ?u ?x)", "column ?x"},
      // diag(s*u) = s*diag(u)
      {"diag(s*u) = s*diag(u)", "(Diag (Scale ?s ?u))", "(Scale ?s (Diag ?u))"},
      // s*diag(u) = diag(s*u)
      {"s*diag(u) = diag(s*u)", "(Scale ?s (Diag ?u))", "(Diag (Scale ?s ?u))"},
      // diag(u) + diag(v) = diag(u + v)
      {"diag(u) + diag(v) = diag(u + v)", "(+ (Diag ?u) (Diag ?v))", "(Diag (+ ?u ?v))"},
      // diag(diag(u)) = u (the diagonal of diag(u))
      {"diagonal of diag(u) = u", "(DiagPart (Diag ?u))", "?u"},
      // inv(diag(u)) = diag(u.^-1)
      {"inv(diag(u)) = diag(1 ./ u)", "(Inv (Diag ?u))", "(Diag (^ ?u -1))"},
      // kron(A, B)' = kron(A', B')
      {"kron(A, B)' = kron(A', B')", "(' (Kron ?a ?b))", "(Kron (' ?a) (' ?b))"},
      // kron(s*A, B) = s*kron(A, B)
      {"kron(s*A, B) = s*kron(A, B)", "(Kron (Scale ?s ?a) ?b)", "(Scale ?s (Kron ?a ?b))"},
      // kron(A, s*B) = s*kron(A, B)
      {"kron(A, s*B) = s*kron(A, B)", "(Kron ?a (Scale ?s ?b))", "(Scale ?s (Kron ?a ?b))"},
      // kron(A, B)*kron(C, D) = kron(A*C, B*D) (when the products fit)
      {"kron(A, B)*kron(C, D) = kron(A*C, B*D)", "(* (Kron ?a ?b) (Kron ?c ?d))",
       "(Kron (* ?a ?c) (* ?b ?d))"},
      // inv(kron(A, B)) = kron(inv(A), inv(B)) for square A, B
      {"inv(kron(A, B)) = kron(inv(A), inv(B))", "(Inv (Kron ?a ?b))", "(Kron (Inv ?a) (Inv ?b))",
       "square ?a, square ?b"},
      // ones'*x = sum(x)
      {"ones'*x = sum(x)", "(* (' ?o) ?x)", "(Sum ?x)", "ones ?o, column ?o, column ?x"},
      // x'*ones = sum(x)
      {"x'*ones = sum(x)", "(* (' ?x) ?o)", "(Sum ?x)", "ones ?o, column ?o, column ?x"},
      // u'*v = sum(u .* v) for vectors
      {"u'*v = sum(u .* v)", "(* (' ?u) ?v)", "(Sum (.* ?u ?v))", "column ?u, column ?v"},
      // sum(u .* v) = u'*v for vectors
      {"sum(u .* v) = u'*v", "(Sum (.* ?u ?v))", "(* (' ?u) ?v)", "column ?u"},
      // sum(s*x) = s*sum(x)
      {"sum(s*x) = s*sum(x)", "(Sum (Scale ?s ?x))", "(Scale ?s (Sum ?x))"},
      // sum(x + y) = sum(x) + sum(y)
      {"sum(x + y) = sum(x) + sum(y)", "(Sum (+ ?x ?y))", "(+ (Sum ?x) (Sum ?y))"},
      // sum(x) + sum(y) = sum(x + y)
      {"sum(x) + sum(y) = sum(x + y)", "(+ (Sum ?x) (Sum ?y))", "(Sum (+ ?x ?y))"},
      // sum(s) = s for a scalar
      {"sum(s) = s", "(Sum ?a)", "?a", "scalar ?a"},
      // s*ones .* x = s*x
      {"(s*ones) .* x = s*x", "(.* (Scale ?s (Ones)) ?x)", "(Scale ?s ?x)"},
  };
}

}  // namespace nabla::eg
