// Rewrite rules of sigmoid, softplus, softmax and logsumexp, as data (see pattern.h).
#include "simplify/saturate.h"

namespace nabla::eg {

std::vector<RuleSpec> ml_function_rules() {
  return {
      // 1 - sigmoid(u) = sigmoid(-u)
      {"1 - sigmoid(u) = sigmoid(-u)", "(+ ?one (Scale -1 (Sigmoid ?u)))",
       "(Sigmoid (Scale -1 ?u))", "ones ?one"},
      // sigmoid(-u) = 1 - sigmoid(u)
      {"sigmoid(-u) = 1 - sigmoid(u)", "(Sigmoid (Scale -1 ?u))",
       "(+ (Ones ?u) (Scale -1 (Sigmoid ?u)))"},
      // sigmoid(u)*(1 - y) - y*sigmoid(-u) = sigmoid(u) - y
      {"sigmoid(u)*(1 - y) - y*sigmoid(-u) = sigmoid(u) - y",
       "(+ (Scale (+ 1 (Scale -1 ?y)) (Sigmoid ?u)) (Scale -1 (Scale ?y (Sigmoid (Scale -1 ?u)))))",
       "(+ (Sigmoid ?u) (Scale -1 ?y))"},
      // log(sigmoid(u)) = -softplus(-u)
      {"log(sigmoid(u)) = -softplus(-u)", "(Log (Sigmoid ?u))",
       "(Scale -1 (Softplus (Scale -1 ?u)))"},
      // log(1 - sigmoid(u)) = -softplus(u)
      {"log(1 - sigmoid(u)) = -softplus(u)", "(Log (Sigmoid (Scale -1 ?u)))",
       "(Scale -1 (Softplus ?u))"},
      // log(1 + exp(u)) = softplus(u)
      {"log(1 + exp(u)) = softplus(u)", "(Log (+ ?one (Exp ?u)))", "(Softplus ?u)", "ones ?one"},
      // log1p(exp(u)) = softplus(u)
      {"log1p(exp(u)) = softplus(u)", "(Log1p (Exp ?u))", "(Softplus ?u)"},
      // softplus(u) - softplus(-u) = u
      {"softplus(u) - softplus(-u) = u", "(+ (Softplus ?u) (Scale -1 (Softplus (Scale -1 ?u))))",
       "?u"},
      // exp(u)/(1 + exp(u)) = sigmoid(u)
      {"exp(u)/(1 + exp(u)) = sigmoid(u)", "(Scale (^ (+ 1 (Exp ?u)) -1) (Exp ?u))",
       "(Sigmoid ?u)"},
      // 1/(1 + exp(-u)) = sigmoid(u)
      {"1/(1 + exp(-u)) = sigmoid(u)", "(^ (+ 1 (Exp (Scale -1 ?u))) -1)", "(Sigmoid ?u)"},
      // sum(softmax(z)) = 1
      {"sum(softmax(z)) = 1", "(Sum (Softmax ?z))", "1"},
      // softmax(z)'*ones = 1
      {"softmax(z)'*ones = 1", "(* (' (Softmax ?z)) ?o)", "1", "ones ?o, column ?o"},
  };
}

}  // namespace nabla::eg
