#pragma once
// Worked solutions: a derivation is a chain of equalities, each line the whole current
// expression and the rule that justifies it, in the user's names (issue 16).
//
//   grad(<x, A*x>, x)
//     = jacobian(x, x)'*A*x + jacobian(A*x, x)'*x   # product rule: u = x, v = A*x
//     = I*A*x + A'*x                                # J(x) = I, J(A*x) = A
//     = (A + A')*x                                  # common factor
//
// Three methods, as exercise sheets use them: the rule method (product, chain, linearity,
// known gradients), the index method (sums, Kronecker deltas, contraction) and the
// differential method (df = tr(G'*dX), hence grad = G).
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace nabla {

enum class StepsMethod { Auto, Rule, Index, Differential, All };

// "rule", "index", "differential", "all" (Auto: "auto").
const char* steps_method_name(StepsMethod m);
// Parses the names above; false when the text is none of them.
bool parse_steps_method(const std::string& text, StepsMethod* out);

// A piece of a line already written in the three notations (index notation has no IR).
struct Notation {
  std::string text, unicode, latex;
};

// One fact a rule uses: `u = x` (name, value) or `J(A*x) = A` (lhs, value).
struct Fact {
  std::string name;  // used when lhs is kNoId
  Id lhs = kNoId;
  Id value = kNoId;
  Notation shown;  // used when value is kNoId (index notation)
};

namespace explain {
class IndexForm;  // index_notation.h
}

struct ChainLine {
  enum class Kind {
    Continue,  // "= expr": equal to the line above
    Start,     // "lhs = expr": a new chain (the differential, an entry in index notation)
    Hence,     // "hence lhs = expr": the conclusion read off the chain above
  };
  Kind kind = Kind::Continue;
  Id lhs = kNoId;      // Start/Hence: the left side when it is IR
  Notation lhs_shown;  // else written out
  Id expr = kNoId;     // the whole current expression when it is IR
  Notation shown;      // else written out (index notation)
  std::string rule;    // the reader's name of what justifies the line: "product rule"
  std::vector<Fact> facts;
  // For the soundness test: what this line equals numerically. For IR lines of the rule
  // method that is the derivation's result; differential lines equal `differential_target`
  // (tr(G'*dX)); index lines are evaluated entry by entry through `index`.
  std::shared_ptr<const explain::IndexForm> index;
};

struct Derivation {
  StepsMethod method = StepsMethod::Rule;
  Id query = kNoId;   // grad(e, x), jacobian(e, x), ...
  Id result = kNoId;  // the simplified answer (what the driver prints)
  // Differential method: the direction variable dX and tr(G'*dX), which every Start/Continue
  // line of the differential chain equals.
  Id direction = kNoId;
  Id differential_target = kNoId;
  // Index method: the free indices' meaning ("i", "j") for the recognition line.
  std::vector<ChainLine> lines;
};

// The method used when the user asks for none (--steps): the differential method for
// matrix functions (det, logdet, inv, tr) of the variable, the index method for expressions
// linear in the variable built from sums, products and transposes (where a "known gradient"
// would explain nothing, as in 3a, 3b, 3d), else the rule method.
StepsMethod default_method(const Graph& g, Id query);

// The derivation of a query node (Grad, Jacobian, Hessian, Derivative, Simplify) whose
// simplified answer is `result`. Throws Error(Unsupported) when the method does not apply
// (the index method on det(X)); derive_or_fallback falls back to the rule method.
Derivation derive(Graph& g, Id query, Id result, StepsMethod method);
Derivation derive_or_fallback(Graph& g, Id query, Id result, StepsMethod method,
                              std::string* note = nullptr);

// Formats. Text and Unicode: one line per step, "  = EXPR  # rule: facts" (the part before
// `#` parses back; `#` starts a comment in the language). LaTeX: an align* environment with
// the rule as \text{} beside each line. JSON: one object per line,
// {"expression", "latex", "rule", "detail"} (+ "unicode", "kind").
std::string format_chain_text(const Graph& g, const Derivation& d, bool unicode,
                              const std::string& indent = "  ");
std::string format_chain_latex(const Graph& g, const Derivation& d);
std::string format_chain_json(const Graph& g, const Derivation& d);  // a JSON array

// The pieces, for the formats above and for tests.
std::string line_expression(const Graph& g, const ChainLine& line,
                            int format);  // 0 text 1 uni 2 tex
std::string line_detail(const Graph& g, const ChainLine& line, int format);
// One fact: "u = x", "J(A*x) = A", or its written-out notation.
std::string fact_text(const Graph& g, const Fact& f, int format);

}  // namespace nabla
