// nabla::set_num_threads / num_threads: the plans' thread count (eval/threads.h).
#include "nabla/threads.h"

#include "eval/threads.h"

namespace nabla {

void set_num_threads(int n) {
  set_plan_threads(n);
}

int num_threads() {
  return plan_threads();
}

}  // namespace nabla
