// The rewrite engine: bottom-up passes in topological order with a memo, repeated to a fixpoint
// under iteration, node and time budgets.
#include <algorithm>
#include <array>
#include <chrono>
#include <string>
#include <vector>

#include "ir/error.h"
#include "simplify/context.h"
#include "simplify/rules.h"
#include "simplify/saturate.h"
#include "simplify/simplify.h"

namespace nabla {
namespace {

using Clock = std::chrono::steady_clock;

// Rewrites applied to one node before the engine moves on (the next pass continues).
constexpr int kMaxRewritesPerNode = 32;

using simp::OutOfBudget;

// The deadline of the innermost SimplifyDeadline alive on this thread (max: none).
thread_local Clock::time_point shared_deadline = Clock::time_point::max();
// Set by WithoutSaturation.
thread_local bool saturation_off = false;

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
  // Rewrites depend only on the node and that set, so the graph's memo of rewrites serves
  // while the set is the same. With a step log every call starts afresh, so each rule applied
  // is named.
  void note_input(const std::vector<Id>& dag) {
    ctx_.note_written_orientations(dag);
    simp::Memo& m = ctx_.memo;
    if (steps_) {
      rewrites_ = &own_rewrites_;
    } else {
      if (m.rewrites_written != ctx_.written_set()) {
        m.rewrites.clear();
        m.results.clear();
        m.rewrites_written = ctx_.written_set();
      }
      rewrites_ = &m.rewrites;
    }
  }

  // Throws OutOfBudget when the node or time budget is spent.
  void check_budget() { ctx_.check_budget(); }

  // One bottom-up pass: every node of order (reachable(g, root)) is rewritten once, children
  // first. order is sorted and holds every child of its nodes, so when a node is reached its
  // children's entries in now_ were written by this pass.
  Id pass(Id root, const std::vector<Id>& order) {
    Graph& g = ctx_.g;
    if (now_.size() < g.size()) now_.resize(g.size(), kNoId);
    for (size_t i = 0; i < order.size(); ++i) {
      if ((i + 1) % 64 == 0) check_budget();
      const Id id = order[i];
      bool changed = false;
      for (Id k : g[id].kids) changed = changed || now_[static_cast<size_t>(k)] != k;
      Id cur = id;
      if (changed) {  // copy the node only when a child changed
        Node n = g[id];
        for (Id& k : n.kids) k = now_[static_cast<size_t>(k)];
        cur = g.add(std::move(n));
      }
      now_[static_cast<size_t>(id)] = rewrite(cur);
    }
    return now_[static_cast<size_t>(root)];
  }

  // Applies the rules of the node's op until none applies (or the per-node cap is reached).
  Id rewrite(Id start) {
    std::vector<Id>& memo = *rewrites_;
    if (static_cast<size_t>(start) < memo.size() && memo[static_cast<size_t>(start)] != kNoId)
      return memo[static_cast<size_t>(start)];
    Id cur = start;
    bool fixed = false;  // no rule applies to cur
    for (int step = 0; step < kMaxRewritesPerNode && !fixed; ++step) {
      Op op = ctx_.g[cur].op;
      if (is_query(op)) break;
      Id next = kNoId;
      for (const simp::Rule* r : by_op_[static_cast<size_t>(op)]) {
        next = r->apply(ctx_, cur);
        if (next != kNoId && next != cur) {
#ifdef NABLA_CHECK_INVARIANTS
          if (!(ctx_.g[next].shape == ctx_.g[cur].shape))
            throw Error(ErrorKind::Internal, "simplifier rule '" + std::string(r->name) +
                                                 "' changed the shape " +
                                                 ctx_.g.dims.to_string(ctx_.g[cur].shape) + " to " +
                                                 ctx_.g.dims.to_string(ctx_.g[next].shape));
#endif
          log(r->name);
          break;
        }
        next = kNoId;
      }
      if (next == kNoId)
        fixed = true;
      else
        cur = next;
    }
    if (memo.size() < ctx_.g.size()) memo.resize(std::max(ctx_.g.size(), 2 * memo.size()), kNoId);
    memo[static_cast<size_t>(start)] = cur;
    if (fixed) memo[static_cast<size_t>(cur)] = cur;
    return cur;
  }

  // Equality saturation from cur: returns the extracted form when it prints shorter, else cur.
  Id saturate(Id cur, const SimplifyOptions& options, SimplifyReport& r) {
    Graph& g = ctx_.g;
    const std::vector<Id> dag = reachable(g, cur);
    if (dag.size() > options.max_egraph_input) return cur;
    for (Id id : dag)
      if (is_query(g[id].op)) return cur;
    eg::EGraph e(g);
    eg::ClassId root = e.add_term(cur);
    if (root == eg::kNoClass) return cur;
    eg::SaturationLimits limits;
    limits.max_nodes = options.max_egraph_nodes;
    limits.max_iterations = options.max_egraph_iterations;
    limits.max_seconds = options.max_egraph_seconds;
    const auto& rules = eg::all_rewrites();
    eg::SaturationReport sr = eg::saturate(e, rules, limits, shared_deadline);
    r.saturation_stop = std::string(eg::stop_reason_name(sr.stop));
    r.egraph_nodes = sr.nodes;
    eg::Extraction x = eg::extract(e, root, rules);
    if (x.term == kNoId || !(g[x.term].shape == g[cur].shape)) return cur;
    if (ctx_.tokens(x.term) >= ctx_.tokens(cur)) return cur;
    r.rewrites = x.rules;
    return x.term;
  }

  uint64_t tokens(Id id) {
    return ctx_.tokens(id);
  }
  const std::set<std::pair<int64_t, int64_t>>& written_set() const {
    return ctx_.written_set();
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
  std::vector<Id> now_;           // per node id: its rewrite in the current pass
  std::vector<Id> own_rewrites_;  // the rewrite memo of a call with a step log
  std::vector<Id>* rewrites_ = nullptr;
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

WithoutSaturation::WithoutSaturation() : outer_(saturation_off) {
  saturation_off = true;
}

WithoutSaturation::~WithoutSaturation() {
  saturation_off = outer_;
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
  std::vector<Id> order = reachable(g, root);
  engine.note_input(order);
  // The rule passes to a fixpoint (or a limit), from start.
  auto passes = [&](Id start, SimplifyReport& rep) {
    Id cur = start;
    std::vector<Id> dag = order;
    if (start != root) dag = reachable(g, start);
    try {
      while (true) {
        if (rep.iterations >= options.max_iterations) {
          rep.stop_reason = "iteration limit";
          break;
        }
        engine.check_budget();
        if (rep.iterations > 0) dag = reachable(g, cur);
        Id next = engine.pass(cur, dag);
        ++rep.iterations;
        if (next == cur) {
          rep.stop_reason = "fixpoint";
          break;
        }
        cur = next;
      }
    } catch (const OutOfBudget& stop) {
      rep.stop_reason = stop.reason;  // cur is the result of the last complete pass
    }
    return cur;
  };
  simp::Memo& memo = simp::memo_of(g);
  const bool remember = !steps && memo.rewrites_written == engine.written_set();
  if (remember && memo.results.count(root)) {
    r.stop_reason = "fixpoint";  // a result of an earlier call: simplifying it changes nothing
    return root;
  }
  Id cur = passes(root, r);
  // Saturation; the extracted form is kept when it prints shorter than the passes' result, and
  // the passes run once more over it (its sums and products in normal form) where that is no
  // longer.
  if (options.saturate && !saturation_off && r.stop_reason == "fixpoint") {
    SimplifyReport sat = r;
    Id found = engine.saturate(cur, options, sat);
    r.saturation_stop = sat.saturation_stop;
    r.egraph_nodes = sat.egraph_nodes;
    if (found != cur) {
      SimplifyReport again;
      Id tidy = passes(found, again);
      if (again.stop_reason == "fixpoint" && engine.tokens(tidy) <= engine.tokens(found))
        found = tidy;
      if (engine.tokens(found) < engine.tokens(cur)) {
        for (const std::string& name : sat.rewrites) engine.log(name);
        r.rewrites = sat.rewrites;
        cur = found;
      }
    }
  }
  if (remember && r.stop_reason == "fixpoint") memo.results.insert(cur);
  return cur;
}

std::vector<std::string> simplify_rule_names() {
  std::vector<std::string> names;
  for (const simp::Rule& r : simp::rule_table())
    if (std::find(names.begin(), names.end(), r.name) == names.end()) names.emplace_back(r.name);
  for (const eg::Rewrite& r : eg::all_rewrites())
    if (std::find(names.begin(), names.end(), r.name) == names.end()) names.push_back(r.name);
  return names;
}

}  // namespace nabla
