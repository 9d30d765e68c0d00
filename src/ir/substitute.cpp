#include "ir/substitute.h"

#include "ir/error.h"

namespace nabla {

Id substitute(Graph& g, Id root, const std::unordered_map<Id, Id>& replace) {
  for (const auto& [from, to] : replace)
    if (!(g[from].shape == g[to].shape))
      throw Error(ErrorKind::Shape, "substituted expression has shape " +
                                        g.dims.to_string(g[to].shape) + ", expected " +
                                        g.dims.to_string(g[from].shape));
  if (replace.empty()) return root;
  std::vector<Id> order = reachable(g, root);  // children first
  std::unordered_map<Id, Id> image;
  image.reserve(order.size());
  for (Id id : order) {
    auto r = replace.find(id);
    if (r != replace.end()) {
      image[id] = r->second;
      continue;
    }
    const Node& n = g[id];
    bool changed = false;
    std::vector<Id> kids = n.kids;
    for (size_t i = 0; i < kids.size(); ++i) {
      Id k = image.at(kids[i]);
      if (k != kids[i]) {
        // The variable of a query must stay a variable: grad(e, x) with x -> 2*y means nothing.
        bool query = n.op == Op::Grad || n.op == Op::Jacobian || n.op == Op::Hessian ||
                     n.op == Op::Derivative;
        if (query && i > 0 && g[k].op != Op::Var)
          throw Error(ErrorKind::Unsupported,
                      "cannot substitute an expression for the variable of a derivative");
        kids[i] = k;
        changed = true;
      }
    }
    if (!changed) {
      image[id] = id;
      continue;
    }
    Node copy = n;  // the node with its kids replaced
    copy.kids = std::move(kids);
    image[id] = g.add(copy);
  }
  return image.at(root);
}

}  // namespace nabla
