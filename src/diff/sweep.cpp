#include "diff/rules.h"

#include "diff/algebra.h"
#include "ir/build.h"
#include "ir/error.h"
#include "print/print.h"

namespace nabla {

DiffSweep::DiffSweep(Graph& graph, Id root, int64_t var_symbol, StepLog* log)
    : g(graph), var(var_symbol), dep(static_cast<size_t>(root) + 1, 0), steps(log) {
  // Only nodes reachable from root take part: one descending pass marks them (children
  // precede parents), then one ascending pass propagates the dependency.
  std::vector<char> live(dep.size(), 0);
  live[static_cast<size_t>(root)] = 1;
  for (Id id = root; id >= 0; --id)
    if (live[id])
      for (Id k : g[id].kids) live[k] = 1;
  for (Id id = 0; id <= root; ++id) {
    if (!live[id]) continue;
    const Node& n = g[id];
    if (n.op == Op::Var) {
      dep[id] = n.a == var;
      continue;
    }
    for (Id k : n.kids)
      if (dep[k]) {
        dep[id] = 1;
        break;
      }
  }
}

bool DiffSweep::wants_step() {
  if (!steps) return false;
  if (shown < kMaxRuleLines) return true;
  ++hidden;
  return false;
}

void DiffSweep::step(const std::string& line) {
  if (!steps || logged.count(line)) return;
  if (!wants_step()) return;
  logged.insert(line);
  ++shown;
  steps->add(line);
}

void DiffSweep::site(const std::string& rule, Id y, const std::string& detail) {
  if (!steps || !wants_step()) return;
  step(rule + " on " + text(y) + (detail.empty() ? "" : ": " + detail));
}

std::string DiffSweep::text(Id id) const {
  constexpr size_t kMaxChars = 80;
  std::string s = to_text(g, id);
  if (s.size() > kMaxChars) s = s.substr(0, kMaxChars - 3) + "...";
  return s;
}

void DiffSweep::finish() {
  if (steps && hidden > 0) steps->add("... " + std::to_string(hidden) + " more rule applications");
  hidden = 0;
}

void VjpContext::accum(Id kid, Id contribution) {
  if (!depends(kid)) return;
  auto& slot = cot[static_cast<size_t>(kid)];
  slot = diffalg::plus(g, slot, contribution);
}

int64_t variable_symbol(const Graph& g, Id var, const char* what) {
  if (var < 0 || static_cast<size_t>(var) >= g.size() || g[var].op != Op::Var)
    throw Error(ErrorKind::Usage, std::string(what) + " needs a variable to differentiate by");
  return g[var].a;
}

}  // namespace nabla
