#pragma once
// Normal forms of sums, scalar monomials, entry-wise products and matrix-product chains.
// Internal to src/simplify.
#include <vector>

#include "simplify/context.h"

namespace nabla::simp {

// ---- Sums: c1*t1 + c2*t2 + ... with exact coefficients.
struct Term {
  Num coeff;
  Id term = kNoId;  // never an Add, never Scale(Const, .); a scalar constant term is Const 1
};
// Flattens nested Add and constant scalings (distributing constants over inner sums), drops
// zeros, and combines like terms: x + x = 2*x, A*x - A*x = nothing.
std::vector<Term> flatten_sum(Ctx& c, Id root);
void combine_like_terms(std::vector<Term>& terms);
// Canonical order: by structural key, then the first term with a positive coefficient moved to
// the front (so `x - 1`, `1 - s`). Left-associated Add chain; an empty sum is the zero.
Id build_sum(Ctx& c, std::vector<Term> terms, Shape shape);
// The common constant content g of the coefficients (sign of the first term in canonical order,
// gcd of numerators over lcm of denominators); 1 when there is none or coefficients are inexact.
Num sum_content(Ctx& c, const std::vector<Term>& terms);

// ---- Products of scalar factors with exponents: c * f1^e1 * f2^e2 * ... [* core].
struct Factor {
  Id base = kNoId;
  Num exp;
};
struct Monomial {
  Num coeff = Num::integer(1);
  std::vector<Factor> factors;  // scalar factors (or entry-wise factors for Hadamard products)
  Id core = kNoId;              // the one non-scalar factor of a Scale chain, if any
  bool zero = false;
};
// Multiplies m by node^e, flattening scalar products and constant powers where valid.
void multiply_scalar(Ctx& c, Monomial& m, Id node, Num e);
// Flattens Scale(s, Scale(t, x)) into a monomial.
Monomial flatten_scale(Ctx& c, Id root);
// Flattens an entry-wise product a .* b .* a into factors with exponents (a.^2 .* b).
Monomial flatten_hadamard(Ctx& c, Id root);
// Sums the exponents of equal bases and drops exponent 0.
void combine_factors(Ctx& c, std::vector<Factor>& factors);
// exp(u)^k * (1 + exp(u))^-k = sigmoid(u)^k;  (1 + exp(v))^-k = sigmoid(-v)^k;
// exp(u) * sigmoid(-u) = sigmoid(u) (so exp(-u) * sigmoid(u) = sigmoid(-u)). Returns true if used.
bool recognize_sigmoid(Ctx& c, std::vector<Factor>& factors);
// c * f1^e1 * ... * core as nested Scale nodes, factors in canonical order: variables and their
// powers first (declaration order), then compound factors largest first.
Id build_monomial(Ctx& c, Monomial m, Shape shape);
// f1^e1 .* f2^e2 .* ... as a left-associated Hadamard chain.
Id build_hadamard(Ctx& c, Monomial m, Shape shape);

// ---- Matrix-product chains.
// (A B) C = A (B C): the factors of a MatMul tree, left to right.
std::vector<Id> flatten_chain(Ctx& c, Id root);
Id build_chain(Graph& g, const std::vector<Id>& factors);

}  // namespace nabla::simp
