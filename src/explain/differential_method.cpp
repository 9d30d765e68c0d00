#include "explain/differential_method.h"

#include <algorithm>
#include <map>

#include "diff/diff.h"
#include "explain/rewrite.h"
#include "ir/build.h"
#include "ir/error.h"
#include "ir/substitute.h"
#include "print/print.h"

namespace nabla::explain {

namespace {

// The differential identity of each op, in letters of their own (U, V are matrices, u a scalar).
const char* differential_identity(Op op) {
  switch (op) {
    case Op::Det:
      return "d det(U) = det(U)*tr(inv(U)*dU)";
    case Op::LogDet:
      return "d logdet(U) = tr(inv(U)*dU)";
    case Op::Inv:
      return "d inv(U) = -inv(U)*dU*inv(U)";
    case Op::Trace:
      return "d tr(U) = tr(dU)";
    case Op::MatMul:
      return "d(U*V) = dU*V + U*dV";
    case Op::Hadamard:
      return "d(U.*V) = dU.*V + U.*dV";
    case Op::Transpose:
      return "d(U') = dU'";
    case Op::Exp:
      return "d exp(u) = exp(u)*du";
    case Op::Log:
      return "d log(u) = du/u";
    case Op::Power:
      return "d u^p = p*u^(p - 1)*du";
    case Op::Norm2:
      return "d norm2(u) = u'*du/norm2(u)";
#include "ir/leaf_cases.inc"
#include "ir/piecewise_cases.inc"
#include "ir/structure_cases.inc"
    case Op::Add:
    case Op::Scale:
    case Op::Sin:
    case Op::Cos:
    case Op::Tan:
    case Op::Tanh:
    case Op::Sinh:
    case Op::Cosh:
    case Op::Arcsin:
    case Op::Arccos:
    case Op::Arctan:
    case Op::Sigmoid:
    case Op::Softplus:
    case Op::Log1p:
    case Op::Expm1:
    case Op::Abs:
    case Op::Sign:
    case Op::Sum:
    case Op::NormInf:
    case Op::Softmax:
    case Op::LogSumExp:
    case Op::Prod:
    case Op::ProdOthers:
    case Op::Call:
#include "ir/query_cases.inc"
      return nullptr;
  }
  throw Error(ErrorKind::Internal, "not an op");
}

std::string unused_name(const Graph& g, Id root, std::string name) {
  std::vector<std::string> used = names_used(g, root);
  while (std::find(used.begin(), used.end(), name) != used.end()) name += "_";
  return name;
}

}  // namespace

void differential_chain(Graph& g, Derivation& d) {
  const Node q = g[d.query];
  if (q.op != Op::Grad || q.kids.size() != 2)
    throw Error(ErrorKind::Unsupported,
                "the differential method derives gradients w.r.t. one variable");
  const Id e = q.kids[0], x = q.kids[1];
  const Shape xs = g[x].shape;
  const std::string xname = g.symbol(g[x].a).name;
  Id dx = variable(g, g.declare_variable(unused_name(g, d.query, "d" + xname), xs));
  Id t = variable(g, g.declare_variable(unused_name(g, d.query, "t"), Shape::scalar()));
  // df = d/dt e(X + t*dX) at t = 0
  Id moved = substitute(g, e, {{x, add(g, x, scale(g, t, dx))}});
  Id rate = simplify_named(g, derivative(g, moved, t), nullptr);
  Id df = simplify_named(g, substitute(g, rate, {{t, constant(g, Rational{0, 1})}}), nullptr);
  Id G = d.result;
  Id target;
  if (xs.is_scalar())
    target = scale(g, G, dx);
  else if (xs.cols.is_one())
    target = matmul(g, tidy(g, transpose(g, G)), dx);
  else
    target = unary(g, Op::Trace, matmul(g, tidy(g, transpose(g, G)), dx));
  d.direction = dx;
  d.differential_target = target;

  std::vector<std::string> identities;
  for (Id id : reachable(g, e)) {
    if (!depends_on(g, id, g[x].a)) continue;
    if (const char* s = differential_identity(g[id].op))
      if (std::find(identities.begin(), identities.end(), s) == identities.end())
        identities.push_back(s);
  }
  std::reverse(identities.begin(), identities.end());  // outermost first
  ChainLine first;
  first.kind = ChainLine::Kind::Start;
  first.lhs_shown = {"d(" + to_text(g, e) + ")", "d(" + to_unicode(g, e) + ")",
                     "\\mathrm{d}\\left(" + to_latex(g, e) + "\\right)"};
  first.expr = df;
  first.rule = "differential";
  for (const std::string& s : identities)
    first.rule += (first.rule == "differential" ? ": " : "; ") + s;
  d.lines.push_back(first);
  if (df != target) {
    ChainLine l;
    l.expr = target;
    l.rule = xs.cols.is_one() ? "collect the terms in " + g.symbol(g[dx].a).name
                              : "tr(A*B) = tr(B*A), tr(A') = tr(A): the form tr(G'*" +
                                    g.symbol(g[dx].a).name + ")";
    d.lines.push_back(l);
  }
  ChainLine hence;
  hence.kind = ChainLine::Kind::Hence;
  hence.lhs = d.query;
  hence.expr = G;
  hence.rule = xs.cols.is_one() && !xs.is_scalar()
                   ? "df = G'*dx for every dx means grad = G"
                   : (xs.is_scalar() ? "df = G*dx means the derivative is G"
                                     : "df = tr(G'*dX) for every dX means grad = G");
  d.lines.push_back(hence);
}

}  // namespace nabla::explain
