#pragma once
// Threads of compiled plans (traced functions, nabla::eval): by default NABLA_THREADS from the
// environment, else every core of the machine. Fused entry-wise loops, the pass over the rows
// of a tall matrix and large matrix products are split among them. Results do not depend on
// the number of threads beyond rounding in large products (fused loops and row passes reduce
// in an order fixed by the sizes), and repeat bit for bit from run to run.
namespace nabla {

// n <= 0: every core of the machine. Applies to every plan of the process from its next run.
void set_num_threads(int n);
int num_threads();

}  // namespace nabla
