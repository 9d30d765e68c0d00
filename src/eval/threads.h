#pragma once
// How many threads compiled plans run on: NABLA_THREADS from the environment when set (a
// positive integer), else every core of the machine; set_plan_threads() changes it for the
// process. Eigen's matrix products use the same number. Results do not depend on it: fused
// loops and the row loop split their work in chunks fixed by the sizes alone and reduce the
// chunks' partial results in chunk order.
namespace nabla {

int plan_threads();
// n <= 0: every core of the machine.
void set_plan_threads(int n);

}  // namespace nabla
