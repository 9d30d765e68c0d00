// The rewrite engine: bottom-up passes in topological order with a memo, repeated to a fixpoint
// under iteration, node and time budgets.
#include <algorithm>
#include <array>
#include <chrono>
#include <string>
#include <vector>

#include "simplify/context.h"
#include "simplify/rules.h"
#include "simplify/simplify.h"

namespace nabla {
namespace {

using Clock = std::chrono::steady_clock;

// Rewrites applied to one node before the engine moves on (the next pass continues).
constexpr int kMaxRewritesPerNode = 32;

using simp::OutOfBudget;

// The deadline of the innermost SimplifyDeadline alive on this thread (max: none).
thread_local Clock::time_point shared_deadline = Clock::time_point::max();

// The rules of each op, in table order (built once: simplify is called many times).
using RulesByOp = std::array<std::vector<const simp::Rule*>, kOpCount>;
const RulesByOp& rules_by_op() {
  static const RulesByOp table = [] {
    RulesByOp t;
    for (const simp::Rule& r : simp::rule_table()) t[static_cast<size_t>(r.op)].push_back(&r);
    return t;
  }();
  return table;
}

class Engine {
 public:
  Engine(Graph& g, const SimplifyOptions& options, StepLog* steps)
      : ctx_(g), steps_(steps), by_op_(rules_by_op()) {
    // The tighter of this call's own time budget and the deadline shared by the calls around it.
    Clock::time_point deadline = shared_deadline;
    if (options.max_seconds < 1e9) {
      auto own = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(options.max_seconds));
      deadline = std::min(deadline, own);
    }
    ctx_.set_budget(options.max_nodes, deadline);
  }

  // Orientations of u'*v as written in the input are kept (see Ctx::note_written_orientations).
  void note_input(Id root) { ctx_.note_written_orientations(root); }

  // Throws OutOfBudget when the node or time budget is spent.
  void check_budget() { ctx_.check_budget(); }

  // One bottom-up pass: every node reachable from root is rewritten once, children first.
  Id pass(Id root) {
    Graph& g = ctx_.g;
    // order is sorted and holds every child of its nodes: memo[i] is the rewrite of order[i].
    const std::vector<Id> order = reachable(g, root);
    std::vector<Id> memo(order.size(), kNoId);
    auto rewritten = [&](Id k) {
      return memo[static_cast<size_t>(std::lower_bound(order.begin(), order.end(), k) -
                                      order.begin())];
    };
    for (size_t i = 0; i < order.size(); ++i) {
      if ((i + 1) % 64 == 0) check_budget();
      const Id id = order[i];
      bool changed = false;
      for (Id k : g[id].kids) changed = changed || rewritten(k) != k;
      Id cur = id;
      if (changed) {  // copy the node only when a child changed
        Node n = g[id];
        for (Id& k : n.kids) k = rewritten(k);
        cur = g.add(n);
      }
      memo[i] = rewrite(cur);
    }
    return memo.back();
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
  StepLog* steps_;
  const RulesByOp& by_op_;
};

}  // namespace

SimplifyDeadline::SimplifyDeadline(double seconds) : outer_(shared_deadline.time_since_epoch()) {
  auto mine = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(std::max(seconds, 0.0)));
  shared_deadline = std::min(shared_deadline, mine);
}

SimplifyDeadline::~SimplifyDeadline() {
  shared_deadline = Clock::time_point(outer_);
}

bool SimplifyDeadline::passed() {
  return Clock::now() > shared_deadline;
}

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
