// The rewrite engine: bottom-up passes in topological order with a memo, repeated to a fixpoint
// under iteration, node and time budgets.
#include <algorithm>
#include <array>
#include <chrono>
#include <string>
#include <unordered_map>
#include <vector>

#include "simplify/context.h"
#include "simplify/rules.h"
#include "simplify/simplify.h"

namespace nabla {
namespace {

using Clock = std::chrono::steady_clock;

// Rewrites applied to one node before the engine moves on (the next pass continues).
constexpr int kMaxRewritesPerNode = 32;

struct OutOfBudget {
  const char* reason;
};

class Engine {
 public:
  Engine(Graph& g, const SimplifyOptions& options, StepLog* steps)
      : ctx_(g), options_(options), steps_(steps), start_(Clock::now()), start_nodes_(g.size()) {
    for (const simp::Rule& r : simp::rule_table()) by_op_[static_cast<size_t>(r.op)].push_back(&r);
  }

  // Orientations of u'*v as written in the input are kept (see Ctx::note_written_orientations).
  void note_input(Id root) { ctx_.note_written_orientations(root); }

  // Throws OutOfBudget when the node or time budget is spent.
  void check_budget() {
    if (ctx_.g.size() - start_nodes_ > options_.max_nodes) throw OutOfBudget{"node limit"};
    if (std::chrono::duration<double>(Clock::now() - start_).count() > options_.max_seconds)
      throw OutOfBudget{"time limit"};
  }

  // One bottom-up pass: every node reachable from root is rewritten once, children first.
  Id pass(Id root) {
    Graph& g = ctx_.g;
    std::unordered_map<Id, Id> memo;
    std::vector<Id> order = reachable(g, root);
    memo.reserve(order.size());
    size_t count = 0;
    for (Id id : order) {
      if (++count % 64 == 0) check_budget();
      Node n = g[id];
      bool changed = false;
      for (Id& k : n.kids) {
        Id m = memo.at(k);
        changed |= m != k;
        k = m;
      }
      Id cur = changed ? g.add(n) : id;
      memo[id] = rewrite(cur);
    }
    return memo.at(root);
  }

  // Applies the rules of the node's op until none applies (or the per-node cap is reached).
  Id rewrite(Id cur) {
    for (int step = 0; step < kMaxRewritesPerNode; ++step) {
      Op op = ctx_.g[cur].op;
      if (is_query(op)) return cur;
      Id next = kNoId;
      for (const simp::Rule* r : by_op_[static_cast<size_t>(op)]) {
        next = r->apply(ctx_, cur);
        if (next != kNoId && next != cur) {
          log(r->name);
          break;
        }
        next = kNoId;
      }
      if (next == kNoId) return cur;
      cur = next;
    }
    return cur;
  }

  void log(std::string_view rule) {
    if (!steps_) return;
    std::string line = "simplify: " + std::string(rule);
    if (!steps_->lines.empty() && steps_->lines.back() == line) return;  // repeats are noise
    steps_->add(std::move(line));
  }

 private:
  static bool is_query(Op op) {
    return op == Op::Grad || op == Op::Jacobian || op == Op::Hessian || op == Op::Derivative ||
           op == Op::Simplify;
  }

  simp::Ctx ctx_;
  const SimplifyOptions& options_;
  StepLog* steps_;
  Clock::time_point start_;
  size_t start_nodes_;
  std::array<std::vector<const simp::Rule*>, kOpCount> by_op_;
};

}  // namespace

Id simplify(Graph& g, Id root, const SimplifyOptions& options, SimplifyReport* report,
            StepLog* steps) {
  Engine engine(g, options, steps);
  SimplifyReport local;
  SimplifyReport& r = report ? *report : local;
  r = SimplifyReport{};
  Id cur = root;
  engine.note_input(root);
  try {
    while (true) {
      if (r.iterations >= options.max_iterations) {
        r.stop_reason = "iteration limit";
        break;
      }
      engine.check_budget();
      Id next = engine.pass(cur);
      ++r.iterations;
      if (next == cur) {
        r.stop_reason = "fixpoint";
        break;
      }
      cur = next;
    }
  } catch (const OutOfBudget& stop) {
    r.stop_reason = stop.reason;  // cur is the result of the last complete pass
  }
  return cur;
}

std::vector<std::string> simplify_rule_names() {
  std::vector<std::string> names;
  for (const simp::Rule& r : simp::rule_table())
    if (std::find(names.begin(), names.end(), r.name) == names.end()) names.emplace_back(r.name);
  return names;
}

}  // namespace nabla
