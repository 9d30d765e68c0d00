// The saturation loop: each round matches every rule on every class (on a snapshot of the
// graph), applies what matched, then rebuilds; it stops when a round learns nothing or a limit
// is reached.
#include "simplify/saturate.h"

#include <algorithm>
#include <array>

namespace nabla::eg {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<Rewrite> compile_all() {
  std::vector<Rewrite> out;
  for (auto family :
       {transpose_rules, algebra_rules, power_rules, matrix_function_rules, ml_function_rules})
    for (const RuleSpec& spec : family()) out.push_back(compile_rule(spec));
  return out;
}

}  // namespace

std::string_view stop_reason_name(StopReason r) {
  switch (r) {
    case StopReason::Saturated:
      return "saturated";
    case StopReason::IterationLimit:
      return "iteration limit";
    case StopReason::NodeLimit:
      return "node limit";
    case StopReason::TimeLimit:
      return "time limit";
  }
  return "?";
}

const std::vector<Rewrite>& all_rewrites() {
  static const std::vector<Rewrite> rules = compile_all();
  return rules;
}

SaturationReport saturate(EGraph& eg, const std::vector<Rewrite>& rules,
                          const SaturationLimits& limits, Clock::time_point deadline) {
  SaturationReport report;
  const auto own = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(limits.max_seconds));
  deadline = std::min(deadline, own);
  eg.rebuild();
  struct Pending {
    size_t rule;
    ClassId at;
    Subst subst;
  };
  std::vector<Pending> pending;
  std::vector<Subst> found;
  // Backoff scheduling (as egg's BackoffScheduler): a rule that matches more than its share in
  // a round is set aside for a few rounds (twice as many each time), so associativity and
  // commutativity do not crowd out the rules that make progress.
  std::vector<size_t> banned_until(rules.size(), 0), bans(rules.size(), 0);
  while (true) {
    if (report.iterations >= limits.max_iterations) {
      report.stop = StopReason::IterationLimit;
      break;
    }
    // Classes by the ops they hold, so a rule visits only classes with its root op.
    std::array<std::vector<ClassId>, kOpCount> by_op;
    for (ClassId c : eg.classes()) {
      std::array<bool, kOpCount> seen{};
      for (size_t i : eg.eclass(c).nodes) {
        size_t op = static_cast<size_t>(eg.enode(i).op);
        if (!seen[op]) by_op[op].push_back(c);
        seen[op] = true;
      }
    }
    pending.clear();
    bool out_of_time = false;
    for (size_t r = 0; r < rules.size() && !out_of_time; ++r) {
      if (banned_until[r] > report.iterations) continue;
      const Rewrite& rule = rules[r];
      const Op root_op = rule.lhs.items[static_cast<size_t>(rule.lhs.root)].op;
      const size_t share = limits.max_matches_per_rule << bans[r];
      const size_t start = pending.size();
      size_t matched = 0;
      for (ClassId c : by_op[static_cast<size_t>(root_op)]) {
        found.clear();
        match(eg, rule.lhs, c, rule.vars.size(), found, share + 1 - matched);
        for (Subst& s : found)
          if (guards_hold(eg, rule, s)) pending.push_back({r, c, std::move(s)});
        matched += found.size();
        if (matched > share) break;
      }
      if (matched > share) {
        pending.resize(start);
        banned_until[r] = report.iterations + 1 + (size_t{1} << bans[r]);
        ++bans[r];
      }
      if (Clock::now() > deadline) out_of_time = true;
    }
    const size_t before = eg.node_count();
    bool changed = false;
    bool full = false;
    for (const Pending& p : pending) {
      ClassId made = instantiate(eg, rules[p.rule].rhs, p.subst, static_cast<int>(p.rule));
      // Equal values have equal shapes: a right-hand side of another shape (a rule whose
      // guards let it match where it does not hold) is never merged.
      if (made != kNoClass && !(eg.eclass(made).shape == eg.eclass(p.at).shape)) made = kNoClass;
      if (made != kNoClass) changed = eg.merge(p.at, made, static_cast<int>(p.rule)) || changed;
      if (eg.node_count() >= limits.max_nodes) {
        full = true;
        break;
      }
    }
    eg.rebuild();
    ++report.iterations;
    if (full || eg.node_count() >= limits.max_nodes) {
      report.stop = StopReason::NodeLimit;
      break;
    }
    if (out_of_time || Clock::now() > deadline) {
      report.stop = StopReason::TimeLimit;
      break;
    }
    bool waiting = false;  // a set-aside rule may still have work
    for (size_t r = 0; r < rules.size(); ++r)
      waiting = waiting || banned_until[r] > report.iterations;
    if (!changed && eg.node_count() == before && !waiting) {
      report.stop = StopReason::Saturated;
      break;
    }
  }
  report.nodes = eg.node_count();
  report.classes = eg.classes().size();
  return report;
}

}  // namespace nabla::eg
