#pragma once
// A private copy of the part of a graph some roots need, so that a compiled function owns the
// graph its plans read (the scope it came from may keep growing, even from another thread).
#include <unordered_map>
#include <vector>

#include "ir/graph.h"

namespace nabla::python {

// Copies every symbol and dimension of `src` (indices stay the same) and the nodes reachable
// from `roots` into an empty `dst`; returns the roots' ids in `dst`.
inline std::vector<Id> copy_graph(const Graph& src, const std::vector<Id>& roots, Graph& dst) {
  dst.dims = src.dims;
  for (size_t s = 0; s < src.symbol_count(); ++s)
    dst.add_symbol(src.symbol(static_cast<int64_t>(s)));
  std::unordered_map<Id, Id> map;
  std::vector<Id> out;
  for (Id root : roots) {
    for (Id id : reachable(src, root)) {
      if (map.count(id)) continue;
      Node n = src[id];
      for (Id& k : n.kids) k = map.at(k);
      map[id] = dst.add(std::move(n));
    }
    out.push_back(map.at(root));
  }
  return out;
}

}  // namespace nabla::python
