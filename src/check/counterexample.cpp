#include "check/counterexample.h"

#include <cmath>
#include <cstdio>

#include "check/check.h"

namespace nabla {

namespace {

// About 6 significant digits: 1.23457, -0.3, 1e-08, nan, inf.
std::string number(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v == 0 ? 0.0 : v);  // no "-0"
  return buf;
}

}  // namespace

std::string format_value(const Matrix& m, bool scalar) {
  if (scalar && m.rows() == 1 && m.cols() == 1) return number(m(0, 0));
  std::string out = "[";
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    if (i) out += "; ";
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
      if (j) out += ", ";
      out += number(m(i, j));
    }
  }
  return out + "]";
}

std::string format_counterexample(const Graph& g, const std::vector<int32_t>& dims,
                                  const std::vector<int64_t>& variables, const Bindings& bindings,
                                  const Counterexample& c) {
  std::string out;
  for (int32_t d : dims) {
    auto it = bindings.dims.find(d);
    if (it == bindings.dims.end()) continue;
    out += g.dims.name(Dim::symbol(d)) + " = " + std::to_string(it->second) + "\n";
  }
  for (int64_t v : variables) {
    auto it = bindings.values.find(v);
    if (it == bindings.values.end()) continue;
    // z in R^1 shows as [0.5], a vector of one entry, as its values are written.
    const Symbol& sym = g.symbol(v);
    out += sym.name + " = " +
           format_value(it->second, !kind_fits(sym.value_kind, sym.shape) ||
                                        sym.value_kind == ValueKind::Scalar) +
           "\n";
  }
  for (const std::string& f : c.functions) out += f + "\n";
  std::string lhs_name = c.lhs_text.empty() ? "lhs" : "lhs " + c.lhs_text;
  std::string rhs_name = c.rhs_text.empty() ? "rhs" : "rhs " + c.rhs_text;
  out += lhs_name + " = " + format_value(c.lhs) + "\n";
  out += rhs_name + " = " + format_value(c.rhs) + "\n";
  if (c.lhs.rows() == c.rhs.rows() && c.lhs.cols() == c.rhs.cols())
    out += "lhs - rhs = " + format_value(c.lhs - c.rhs) + "\n";
  if (!c.reason.empty()) out += c.reason + "\n";
  return out;
}

CheckPoint counterexample_point(const Graph& g, const std::vector<int32_t>& dims,
                                const std::vector<int64_t>& variables, const Bindings& bindings,
                                const Counterexample& c) {
  CheckPoint p;
  for (int32_t d : dims) {
    auto it = bindings.dims.find(d);
    if (it != bindings.dims.end()) p.dims.emplace_back(g.dims.name(Dim::symbol(d)), it->second);
  }
  for (int64_t v : variables) {
    auto it = bindings.values.find(v);
    if (it != bindings.values.end()) p.values.emplace_back(g.symbol(v).name, it->second);
  }
  p.functions = c.functions;
  p.lhs = c.lhs;
  p.rhs = c.rhs;
  p.reason = c.reason;
  return p;
}

}  // namespace nabla
