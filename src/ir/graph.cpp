#include "ir/graph.h"

#include <algorithm>
#include <bit>
#include <functional>

#include "ir/error.h"

namespace nabla {

size_t Graph::hash(const Node& n) {
  size_t h = static_cast<size_t>(n.op) * 0x9E3779B97F4A7C15ull;
  auto mix = [&h](uint64_t v) {
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h *= 0xBF58476D1CE4E5B9ull;
  };
  mix(static_cast<uint32_t>(n.shape.rows.v));
  mix(static_cast<uint32_t>(n.shape.cols.v));
  for (Id k : n.kids) mix(static_cast<uint64_t>(k));
  mix(static_cast<uint64_t>(n.a));
  mix(static_cast<uint64_t>(n.b));
  mix(std::bit_cast<uint64_t>(n.f));
  return h ^ (h >> 31);
}

size_t Graph::find_slot(const Node& node, size_t h) const {
  size_t mask = table_.size() - 1;
  for (size_t slot = h & mask;; slot = (slot + 1) & mask) {
    Id id = table_[slot];
    if (id == kNoId) return slot;
    if (hashes_[static_cast<size_t>(id)] == h && nodes_[static_cast<size_t>(id)] == node)
      return slot;
  }
}

void Graph::grow() {
  std::vector<Id> old = std::move(table_);
  table_.assign(old.empty() ? 64 : old.size() * 2, kNoId);
  size_t mask = table_.size() - 1;
  for (Id id : old) {
    if (id == kNoId) continue;
    size_t slot = hashes_[static_cast<size_t>(id)] & mask;
    while (table_[slot] != kNoId) slot = (slot + 1) & mask;
    table_[slot] = id;
  }
}

Id Graph::add(const Node& node) {
  return add(Node(node));
}

Id Graph::add(Node&& node) {
  for (Id k : node.kids)
    if (k < 0 || static_cast<size_t>(k) >= nodes_.size())
      throw Error(ErrorKind::Internal, "node child out of range");
  if ((nodes_.size() + 1) * 2 > table_.size()) grow();
  size_t h = hash(node);
  size_t slot = find_slot(node, h);
  if (table_[slot] != kNoId) return table_[slot];
  Id id = static_cast<Id>(nodes_.size());
  nodes_.push_back(std::move(node));
  hashes_.push_back(h);
  table_[slot] = id;
  return id;
}

int32_t Graph::add_symbol(Symbol symbol) {
  symbols_.push_back(std::move(symbol));
  return static_cast<int32_t>(symbols_.size() - 1);
}

int32_t Graph::declare_variable(std::string name, Shape shape, bool symmetric) {
  return declare_variable(std::move(name), shape, kind_of_shape(shape), symmetric);
}

int32_t Graph::declare_variable(std::string name, Shape shape, ValueKind kind, bool symmetric) {
  if (!kind_fits(kind, shape)) kind = kind_of_shape(shape);
  Symbol s;
  s.name = std::move(name);
  s.kind = SymbolKind::Variable;
  s.shape = shape;
  s.symmetric = symmetric;
  s.value_kind = kind;
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
  // Depth-first from root, then sorted: the work is proportional to what is reachable, not to
  // root's id (a script's graph holds every earlier query below it). Visited nodes are marked
  // with this call's epoch in a buffer the thread reuses, so nothing is cleared per call.
  thread_local std::vector<uint32_t> mark;
  thread_local uint32_t epoch = 0;
  thread_local std::vector<Id> stack;
  const size_t need = static_cast<size_t>(root) + 1;
  if (mark.size() < need) mark.resize(std::max(need, 2 * mark.size()), 0);
  if (++epoch == 0) {  // wrapped around: old marks could look current
    std::fill(mark.begin(), mark.end(), 0);
    epoch = 1;
  }
  std::vector<Id> out;
  out.reserve(64);
  stack.clear();
  stack.push_back(root);
  mark[static_cast<size_t>(root)] = epoch;
  while (!stack.empty()) {
    Id id = stack.back();
    stack.pop_back();
    out.push_back(id);
    for (Id k : g[id].kids)
      if (mark[static_cast<size_t>(k)] != epoch) {
        mark[static_cast<size_t>(k)] = epoch;
        stack.push_back(k);
      }
  }
  std::sort(out.begin(), out.end());
  return out;
}

size_t dag_size(const Graph& g, Id root) {
  return reachable(g, root).size();
}

bool depends_on(const Graph& g, Id id, int64_t var) {
  for (Id k : reachable(g, id)) {
    const Node& n = g[k];
    if (n.op == Op::Var && n.a == var) return true;
  }
  return false;
}

}  // namespace nabla
