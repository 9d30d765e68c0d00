#include "diff/budget.h"

#include <algorithm>
#include <string>

#include "ir/error.h"
#include "simplify/simplify.h"

namespace nabla::diffbudget {

namespace {
std::string seconds_text(double s) {
  std::string t = std::to_string(s);
  t.erase(t.find_last_not_of('0') + 1);
  if (t.back() == '.') t.pop_back();
  return t + " s";
}
}  // namespace

Id simplify_derived(Graph& g, Id e, StepLog* steps) {
  SimplifyOptions options;
  SimplifyReport report;
  Id out = simplify(g, e, options, &report, steps);
  if (report.stop_reason == "time limit")
    throw Error(ErrorKind::Limit,
                "simplification stopped at its time limit (" +
                    seconds_text(std::min(options.max_seconds, kMaxSeconds)) + ")",
                "the expression is too large to simplify: simplify or differentiate a smaller "
                "expression, or take fewer nested derivatives");
  if (report.stop_reason == "node limit")
    throw Error(ErrorKind::Limit,
                "simplification stopped at its node limit (more than " +
                    std::to_string(options.max_nodes) + " new expression nodes)",
                "the expression is too large to simplify: simplify or differentiate a smaller "
                "expression, or take fewer nested derivatives");
  return out;
}

void check(const Graph& g, size_t start_size) {
  if (g.size() - start_size > kMaxNewNodes)
    throw Error(ErrorKind::Limit,
                "derivation stopped: it built more than " + std::to_string(kMaxNewNodes) +
                    " expression nodes",
                "differentiate a smaller expression, or fewer nested derivatives");
  if (SimplifyDeadline::passed())
    throw Error(ErrorKind::Limit,
                "derivation stopped at its time limit (" + seconds_text(kMaxSeconds) + ")",
                "differentiate a smaller expression, or fewer nested derivatives");
}

}  // namespace nabla::diffbudget
