#pragma once
// The position of each node of a DAG in its sorted list of ids: what a pass keys its per-node
// state by, so that the state (and its cost) follows the DAG, not the whole graph (a script's
// graph also holds every earlier query). An open-addressing table of about twice the DAG's size.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ir/error.h"
#include "ir/graph.h"

namespace nabla {

class NodePositions {
 public:
  NodePositions() = default;
  // order: distinct ids (their positions are their indices).
  explicit NodePositions(const std::vector<Id>& order) {
    size_t cap = 16;
    while (cap < 2 * order.size()) cap *= 2;
    mask_ = cap - 1;
    keys_.assign(cap, kNoId);
    positions_.assign(cap, 0);
    for (size_t i = 0; i < order.size(); ++i) {
      size_t h = slot(order[i]);
      while (keys_[h] != kNoId) h = (h + 1) & mask_;
      keys_[h] = order[i];
      positions_[h] = static_cast<uint32_t>(i);
    }
  }
  // The position of id, which must be in the list.
  size_t operator()(Id id) const {
    for (size_t h = slot(id);; h = (h + 1) & mask_) {
      if (keys_[h] == id) return positions_[h];
      if (keys_[h] == kNoId) throw Error(ErrorKind::Internal, "a node outside the DAG");
    }
  }
  // Entries of the table (for tests: about twice the DAG's size, whatever the graph's).
  size_t capacity() const { return keys_.size(); }

 private:
  size_t slot(Id id) const {
    return static_cast<size_t>(
               (static_cast<uint64_t>(static_cast<uint32_t>(id)) * 0x9E3779B97F4A7C15ULL) >> 32) &
           mask_;
  }
  std::vector<Id> keys_;
  std::vector<uint32_t> positions_;
  size_t mask_ = 0;
};

}  // namespace nabla
