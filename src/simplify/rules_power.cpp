// Rewrite rules of scalar and entry-wise powers, exp and log, as data (see pattern.h). A power
// rule holds wherever its left-hand side is defined: x^p*x^q is defined for x < 0 only when p
// and q are integers, and then it is x^(p + q).
#include "simplify/saturate.h"

namespace nabla::eg {

std::vector<RuleSpec> power_rules() {
  return {
      // x^1 = x
      {"x^1 = x", "(^ ?x 1)", "?x"},
      // x*x = x^2 (scalars)
      {"x*x = x^2", "(Scale ?x ?x)", "(^ ?x 2)"},
      // x .* x = x.^2
      {"x .* x = x.^2", "(.* ?x ?x)", "(^ ?x 2)"},
      // x^p*x^q = x^(p + q)
      {"x^p*x^q = x^(p + q)", "(Scale (^ ?x ?p) (^ ?x ?q))", "(^ ?x (+ ?p ?q))"},
      // x*x^q = x^(q + 1)
      {"x*x^q = x^(q + 1)", "(Scale ?x (^ ?x ?q))", "(^ ?x (+ ?q 1))"},
      // x^p*(x^q*y) = x^(p + q)*y
      {"x^p*(x^q*y) = x^(p + q)*y", "(Scale (^ ?x ?p) (Scale (^ ?x ?q) ?y))",
       "(Scale (^ ?x (+ ?p ?q)) ?y)"},
      // x*(x^q*y) = x^(q + 1)*y
      {"x*(x^q*y) = x^(q + 1)*y", "(Scale ?x (Scale (^ ?x ?q) ?y))", "(Scale (^ ?x (+ ?q 1)) ?y)"},
      // x^p .* x^q = x.^(p + q)
      {"x.^p .* x.^q = x.^(p + q)", "(.* (^ ?x ?p) (^ ?x ?q))", "(^ ?x (+ ?p ?q))"},
      // x .* x.^q = x.^(q + 1)
      {"x .* x.^q = x.^(q + 1)", "(.* ?x (^ ?x ?q))", "(^ ?x (+ ?q 1))"},
      // (x^p)^q = x^(p*q) for x >= 0
      {"(x^p)^q = x^(p*q) for x >= 0", "(^ (^ ?x ?p) ?q)", "(^ ?x (Scale ?p ?q))", "positive ?x"},
      // (x^p)^q = x^(p*q) for an integer q
      {"(x^p)^q = x^(p*q) for integer q", "(^ (^ ?x ?p) ?q)", "(^ ?x (Scale ?p ?q))", "integer ?q"},
      // x^-k = 1/x^k (k > 0): a negative power printed as a division
      {"x^-k = 1/x^k", "(^ ?x ?k)", "(^ (^ ?x (Scale -1 ?k)) -1)", "negative ?k"},
      // s^-1*t^-1 = (s*t)^-1
      {"1/s*1/t = 1/(s*t)", "(Scale (^ ?s -1) (^ ?t -1))", "(^ (Scale ?s ?t) -1)"},
      // s^-1*(t^-1*x) = (s*t)^-1*x
      {"x/s/t = x/(s*t)", "(Scale (^ ?s -1) (Scale (^ ?t -1) ?x))",
       "(Scale (^ (Scale ?s ?t) -1) ?x)"},
      // (s*t)^-1 = s^-1*t^-1
      {"1/(s*t) = 1/s*1/t", "(^ (Scale ?s ?t) -1)", "(Scale (^ ?s -1) (^ ?t -1))"},
      // (x^2)^(1/2) = |x|
      {"sqrt(x^2) = |x|", "(^ (^ ?x 2) 1/2)", "(Abs ?x)"},
      // a .* a.^-1 = ones (where defined)
      {"a ./ a = ones", "(.* ?a (^ ?a -1))", "(Ones ?a)"},
      // (a .* b.^-1) .* b = a
      {"(a ./ b) .* b = a", "(.* (.* ?a (^ ?b -1)) ?b)", "?a"},
      // exp(a)*exp(b) = exp(a + b)
      {"exp(a)*exp(b) = exp(a + b)", "(Scale (Exp ?a) (Exp ?b))", "(Exp (+ ?a ?b))"},
      // exp(a) .* exp(b) = exp(a + b)
      {"exp(a) .* exp(b) = exp(a + b)", "(.* (Exp ?a) (Exp ?b))", "(Exp (+ ?a ?b))"},
      // log(exp(u)) = u
      {"log(exp(u)) = u", "(Log (Exp ?u))", "?u"},
      // exp(log(u)) = u (where log(u) is defined)
      {"exp(log(u)) = u", "(Exp (Log ?u))", "?u"},
      // log(x^p) = p*log(x) for x >= 0
      {"log(x^p) = p*log(x)", "(Log (^ ?x ?p))", "(Scale ?p (Log ?x))", "positive ?x, scalar ?p"},
      // log(1 + x) = log1p(x)... kept as written; log1p(x) = log(1 + x) is not shorter
  };
}

}  // namespace nabla::eg
