// The index method (exercise sheets' 3a, 3b, 3d): one entry of the gradient or Jacobian in
// index notation, its partial derivative with Kronecker deltas, the contraction, and the
// matrix expression that has those entries.
#include "explain/index_method.h"

#include "explain/index_notation.h"
#include "ir/error.h"
#include "print/names.h"
#include "print/print.h"

namespace nabla::explain {

namespace {

struct Setup {
  Id e, x;
  int e_row = -1;              // Jacobian: the row index of e
  int x_row = -1, x_col = -1;  // the variable's entry
};

Setup setup(const Graph& g, Id q, IndexBuilder& b) {
  const Node& n = g[q];
  if ((n.op != Op::Grad && n.op != Op::Jacobian) || n.kids.size() != 2)
    throw Error(ErrorKind::Unsupported,
                "the index method derives gradients and Jacobians w.r.t. one variable",
                "use --steps=rule");
  Setup s{n.kids[0], n.kids[1]};
  Shape es = g[s.e].shape, xs = g[s.x].shape;
  if (n.op == Op::Jacobian) {
    if (!es.cols.is_one() || !xs.cols.is_one())
      throw Error(ErrorKind::Unsupported, "the index method writes Jacobians of vectors only",
                  "use --steps=rule");
    if (!es.rows.is_one()) s.e_row = b.new_index(es.rows, "i");
    if (!xs.rows.is_one()) s.x_row = b.new_index(xs.rows, "j");
    return s;
  }
  if (!xs.rows.is_one()) s.x_row = b.new_index(xs.rows, "i");
  if (!xs.cols.is_one()) s.x_col = b.new_index(xs.cols, "j");
  return s;
}

std::string letters(const IndexBuilder& b, std::vector<int> idx, int format) {
  std::string s;
  for (int i : idx) {
    if (i < 0) continue;
    const std::string& l = b.names()[static_cast<size_t>(i)].letter;
    if (format == 1)
      s += l == "i" ? "ᵢ" : l == "j" ? "ⱼ" : "_" + l;
    else
      s += l;
  }
  return s;
}

}  // namespace

bool index_method_applies(const Graph& g, Id q) {
  try {
    IndexBuilder b(g);
    Setup s = setup(g, q, b);
    b.entry(s.e, s.e_row, -1);
    return true;
  } catch (const Error&) {
    return false;
  }
}

void index_chain(Graph& g, Derivation& d) {
  IndexBuilder b(g);
  Setup s = setup(g, d.query, b);
  const int32_t var = static_cast<int32_t>(g[s.x].a);
  IndexSum value = b.entry(s.e, s.e_row, -1);
  IndexSum partial = b.differentiate(value, var, s.x_row, s.x_col);
  IndexSum contracted = b.contract(partial);
  std::vector<int> free;
  if (s.e_row >= 0 || g[d.query].op == Op::Jacobian) free.push_back(s.e_row);
  free.push_back(s.x_row);
  if (g[d.query].op == Op::Grad) free.push_back(s.x_col);
  // the free indices of the result: Grad (i, j) of the variable; Jacobian (i of e, j of x)
  std::vector<int> result_free = g[d.query].op == Op::Jacobian ? std::vector<int>{s.e_row, s.x_row}
                                                               : std::vector<int>{s.x_row, s.x_col};
  std::vector<int> var_idx{s.x_row, s.x_col};

  const std::string xname = g.symbol(var).name;
  std::string at_text = letters(b, var_idx, 0), at_uni = letters(b, var_idx, 1),
              at_tex = letters(b, var_idx, 2);
  std::string res_text = letters(b, result_free, 0), res_uni = letters(b, result_free, 1),
              res_tex = letters(b, result_free, 2);
  auto value_form = b.form(value, {s.e_row});
  value_form->before_derivative = true;
  auto wrap = [](const std::string& x, int f) {
    return f == 2 ? "\\left(" + x + "\\right)" : "(" + x + ")";
  };

  ChainLine first;
  first.kind = ChainLine::Kind::Start;
  std::string qt = to_text(g, d.query), qu = to_unicode(g, d.query), ql = to_latex(g, d.query);
  first.lhs_shown = {res_text.empty() ? qt : "(" + qt + ")_" + res_text,
                     res_uni.empty() ? qu : "(" + qu + ")" + res_uni,
                     res_tex.empty() ? ql : "\\left(" + ql + "\\right)_{" + res_tex + "}"};
  std::string dx_text = at_text.empty() ? "d/d" + xname : "d/d" + xname + "_" + at_text;
  std::string dx_uni = "∂/∂" + unicode_name(xname) + at_uni;
  std::string dx_tex = "\\frac{\\partial}{\\partial " + latex_name(xname) +
                       (at_tex.empty() ? "" : "_{" + at_tex + "}") + "}";
  first.shown = {dx_text + " " + wrap(value_form->render(g, 0), 0),
                 dx_uni + " " + wrap(value_form->render(g, 1), 1),
                 dx_tex + " " + wrap(value_form->render(g, 2), 2)};
  first.rule = "in index notation";
  first.index = value_form;
  d.lines.push_back(first);

  auto partial_form = b.form(partial, result_free);
  ChainLine second;
  second.shown = {partial_form->render(g, 0), partial_form->render(g, 1),
                  partial_form->render(g, 2)};
  second.rule = "the partial derivative of each term";
  {
    std::string x = xname, xu = unicode_name(xname), xl = latex_name(xname);
    Fact f;
    if (var_idx[1] >= 0)
      f.shown = {"d " + x + "_kl/d " + x + "_" + at_text + " = delta_" + at_text.substr(0, 1) +
                     "k*delta_" + at_text.substr(1) + "l",
                 "∂" + xu + "ₖₗ/∂" + xu + at_uni + " = δᵢₖδⱼₗ",
                 "\\frac{\\partial " + xl + "_{kl}}{\\partial " + xl +
                     "_{ij}} = \\delta_{ik} \\delta_{jl}"};
    else if (var_idx[0] >= 0)
      f.shown = {"d " + x + "_k/d " + x + "_" + at_text + " = delta_" + at_text + "k",
                 "∂" + xu + "ₖ/∂" + xu + at_uni + " = δ" + at_uni + "ₖ",
                 "\\frac{\\partial " + xl + "_{k}}{\\partial " + xl + "_{" + at_tex +
                     "}} = \\delta_{" + at_tex + "k}"};
    else
      f.shown = {"d " + x + "/d " + x + " = 1", "∂" + xu + "/∂" + xu + " = 1",
                 "\\frac{\\partial " + xl + "}{\\partial " + xl + "} = 1"};
    second.facts.push_back(f);
  }
  second.index = partial_form;
  d.lines.push_back(second);

  auto contracted_form = b.form(contracted, result_free);
  if (contracted_form->render(g, 0) != partial_form->render(g, 0)) {
    ChainLine third;
    third.shown = {contracted_form->render(g, 0), contracted_form->render(g, 1),
                   contracted_form->render(g, 2)};
    third.rule = "contraction";
    Fact f;
    f.shown = {"sum_k delta_ik*t_k = t_i", "Σₖ δᵢₖ tₖ = tᵢ", "\\sum_k \\delta_{ik} t_k = t_i"};
    third.facts.push_back(f);
    third.index = contracted_form;
    d.lines.push_back(third);
  }

  ChainLine hence;
  hence.kind = ChainLine::Kind::Hence;
  hence.lhs = d.query;
  hence.expr = d.result;
  std::string roles;
  if (result_free.size() == 2 && result_free[0] >= 0 && result_free[1] >= 0)
    roles = letters(b, {result_free[0]}, 0) + " the row index, " + letters(b, {result_free[1]}, 0) +
            " the column index";
  else if (!res_text.empty())
    roles = res_text + " the row index on both sides";
  hence.rule = roles.empty() ? "the same expression" : "the matrix with these entries, " + roles;
  d.lines.push_back(hence);
}

}  // namespace nabla::explain
