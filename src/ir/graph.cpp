#include "ir/graph.h"

#include <bit>
#include <functional>

#include "ir/error.h"

namespace nabla {

size_t Graph::NodeHash::operator()(const Node& n) const {
  size_t h = static_cast<size_t>(n.op) * 0x9E3779B97F4A7C15ull;
  auto mix = [&h](uint64_t v) { h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2); };
  mix(static_cast<uint32_t>(n.shape.rows.v));
  mix(static_cast<uint32_t>(n.shape.cols.v));
  for (Id k : n.kids) mix(static_cast<uint64_t>(k));
  mix(static_cast<uint64_t>(n.a));
  mix(static_cast<uint64_t>(n.b));
  mix(std::bit_cast<uint64_t>(n.f));
  return h;
}

Id Graph::add(const Node& node) {
  for (Id k : node.kids)
    if (k < 0 || static_cast<size_t>(k) >= nodes_.size())
      throw Error(ErrorKind::Internal, "node child out of range");
  auto it = index_.find(node);
  if (it != index_.end()) return it->second;
  Id id = static_cast<Id>(nodes_.size());
  nodes_.push_back(node);
  index_.emplace(node, id);
  return id;
}

int32_t Graph::add_symbol(Symbol symbol) {
  symbols_.push_back(std::move(symbol));
  return static_cast<int32_t>(symbols_.size() - 1);
}

int32_t Graph::declare_variable(std::string name, Shape shape, bool symmetric) {
  Symbol s;
  s.name = std::move(name);
  s.kind = SymbolKind::Variable;
  s.shape = shape;
  s.symmetric = symmetric;
  return add_symbol(std::move(s));
}

int32_t Graph::declare_function(std::string name, std::vector<Shape> params, Shape result) {
  Symbol s;
  s.name = std::move(name);
  s.kind = SymbolKind::Function;
  s.shape = result;
  s.params = std::move(params);
  return add_symbol(std::move(s));
}

std::vector<Id> reachable(const Graph& g, Id root) {
  std::vector<char> seen(static_cast<size_t>(root) + 1, 0);
  seen[static_cast<size_t>(root)] = 1;
  // Children precede parents, so one descending sweep marks everything reachable.
  for (Id id = root; id >= 0; --id) {
    if (!seen[static_cast<size_t>(id)]) continue;
    for (Id k : g[id].kids) seen[static_cast<size_t>(k)] = 1;
  }
  std::vector<Id> out;
  for (Id id = 0; id <= root; ++id)
    if (seen[static_cast<size_t>(id)]) out.push_back(id);
  return out;
}

size_t dag_size(const Graph& g, Id root) { return reachable(g, root).size(); }

bool depends_on(const Graph& g, Id id, int64_t var) {
  for (Id k : reachable(g, id)) {
    const Node& n = g[k];
    if (n.op == Op::Var && n.a == var) return true;
  }
  return false;
}

}  // namespace nabla
