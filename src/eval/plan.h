#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "eval/evaluate.h"
#include "ir/graph.h"

namespace nabla {

// A compiled evaluation plan (class Plan below): the nodes reachable from a set of outputs,
// turned once into a flat list of instructions and then run at many points.
//  - Common subexpressions are computed once (the graph is hash-consed; the plan visits each
//    reachable node once, across all outputs).
//  - Chains of entry-wise operations (+, scale, .*, .^, exp, log, sigmoid, ...) become one
//    fused loop over blocks of entries with no full-size temporaries; a sum() of such a chain
//    is accumulated in the same loop. The stable spellings evaluate() recognizes
//    (log(1 + e^u) = softplus(u), e^u (1 + e^u)^-1 = sigmoid(u), ...) are recognized here too.
//  - Matrix products go to Eigen's GEMM/GEMV on mapped buffers; A' as a factor is never formed
//    (transposed product), diag(v) as a factor is a row or column scaling, and (A + B) x with
//    x a vector is A x + B x without forming A + B.
//  - Intermediate buffers are reused once their last reader has run (liveness); after the
//    first run, a run at same-sized bindings allocates nothing.
//  - det, logdet and inv of one matrix share one factorization per run (Cholesky, else LU).
// Ops without a dedicated instruction (kron, stack, softmax, calls, ...) run through
// evaluate()'s rule table, so every expression evaluate() accepts runs here, with the same
// results up to rounding. The passes that compile a plan: eval/plan_compile.cpp.

// A caller's array read in place as the value of a variable: column-major and contiguous
// (rows * cols doubles at data). It must stay valid while the plan runs.
struct ArgumentView {
  int64_t symbol = -1;  // the variable's symbol (Node::a of its Var node)
  const double* data = nullptr;
  int64_t rows = 0, cols = 0;
};
// A caller's storage for one output, written in place: column-major and contiguous, of the
// output's size. data == nullptr: the output goes to the plan's own result matrix.
struct OutputView {
  double* data = nullptr;
  int64_t rows = 0, cols = 0;
};

class Plan {
 public:
  // Compiles the outputs (expanded: no query nodes). The graph must outlive the plan and
  // must not lose nodes (adding nodes is fine).
  Plan(const Graph& g, std::vector<Id> outputs);
  ~Plan();
  Plan(Plan&&) noexcept;
  Plan& operator=(Plan&&) noexcept;

  // Evaluates every output at these bindings; the result i is output i. The returned
  // vector stays valid until the next run (the caller may swap its matrices out: their storage
  // is then reused by the next run). Throws like evaluate().
  std::vector<Matrix>& run(const Bindings& bindings);
  // The same, with the values of these variables read in place from the caller's arrays (they
  // take precedence over bindings.values, which then need not hold them), and output i written
  // into outputs[i] when i < outputs.size() and outputs[i].data is set (it must have the
  // output's size, else Error(Value); the plan's result i is then left as it was). Nothing is
  // copied in, and after a first run at these sizes nothing is allocated by the plan itself.
  std::vector<Matrix>& run(const Bindings& bindings, std::span<const ArgumentView> arguments,
                           std::span<const OutputView> outputs);

  // The storage the last run read the variable with this symbol from (nullptr: none), for tests
  // that arguments are bound in place.
  const double* bound_data(int64_t symbol) const;
  // Number of instructions and of distinct intermediate buffers (for tests and --explain).
  size_t instruction_count() const;
  size_t buffer_count() const;
  // One line per instruction (what it computes and how), for tests and performance work.
  std::string describe() const;
  // Steps computed in the pass over the rows of a tall matrix (0: no such pass).
  size_t row_loop_steps() const;

  // The compiled plan's insides (eval/plan_impl.h), shared by plan*.cpp; its compile passes
  // (plan_compile.cpp) run one by one in tests/eval/plan_passes_test.cpp.
  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Value and gradients of a scalar f, in one plan sharing intermediates between the value and
// every gradient.
struct ValueAndGradResult {
  double value = 0;
  std::vector<Matrix> grads;  // grads[i] has the shape of vars[i]
};

class ValueAndGrad {
 public:
  ValueAndGrad(const Graph& g, Id f, std::vector<Id> grads);
  // Value and every gradient at these bindings; valid until the next run.
  const ValueAndGradResult& run(const Bindings& bindings);
  const Plan& plan() const { return plan_; }

 private:
  std::vector<Id> grad_ids_;
  Plan plan_;
  ValueAndGradResult result_;
};

// compile_value_and_grad(g, f, vars), which derives the gradients first, is in
// eval/value_and_grad.h (header-only, so that nabla_eval does not depend on nabla_diff).

}  // namespace nabla
