#pragma once
// The insides of a compiled plan (eval/plan.h), shared by the files that build and run it:
// - plan_compile.cpp: compiling, as named passes (kinds, shortcuts, fused clusters, kernels,
//   the instruction list, merged loops, liveness);
// - plan.cpp: running the instruction list (the fused loops' driver, fallbacks, outputs);
// - plan_kernels.cpp: the fused entry-wise loops (block interpreter, stable spellings);
// - plan_matrix.cpp: products, shared factorizations, tr(A B), symmetric products, sweeps;
// - plan_row_loop.cpp: one pass over the rows of a tall matrix for a whole gradient.
#include <cstdint>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

#include "eval/evaluate.h"
#include "eval/factorization.h"
#include "eval/node_positions.h"
#include "eval/plan.h"
#include "ir/graph.h"

namespace nabla {
namespace plan_detail {

using MapC = Eigen::Map<const Matrix>;
using MapM = Eigen::Map<Matrix>;
using StridedC = Eigen::Map<const Matrix, 0, Eigen::OuterStride<>>;
using StridedM = Eigen::Map<Matrix, 0, Eigen::OuterStride<>>;

// Entries per block of a fused entry-wise loop: small enough that every register of the
// block stays in L1, large enough that the per-block dispatch is negligible.
constexpr int64_t kBlock = 256;

// ---- Fused entry-wise kernels (plan_kernels.cpp) ----

// Operations of the block interpreter. Each reads one or two registers (blocks of entries)
// and writes one.
enum class KOp : uint8_t {
  Add,             // a + b
  Sub,             // a - b (a + (-1)*b: the same bits, one operation)
  Mul,             // a b (Hadamard, or scale by a broadcast scalar)
  PowInt,          // a^k, k integer (exact repeated multiplication)
  Sqrt,            // a^(1/2)
  Pow,             // a^p, p a constant
  PowReg,          // a^b entry-wise (b a broadcast scalar)
  Function,        // f(a) for an entry-wise function of ir/functions.def; p = its Op
  Sigmoid,         // 1 / (1 + e^-a), stable
  SigmoidNeg,      // sigmoid(-a) = (1 + e^a)^-1
  Softplus,        // log(1 + e^a), stable
  NegSoftplus,     // -softplus(a) = log((1 + e^a)^-1)
  NegSoftplusNeg,  // -softplus(-a) = log(sigmoid(a))
  Log,             // log a (the stable spellings of log lower to the ops around it)
  Log1p,           // log(1 + a)
  // dst = softplus(a) and register b = sigmoid(a) (p = 0) or sigmoid(-a) (p = 1), from one
  // e^-|a|: a value and its gradient often need both.
  SoftplusSigmoid,
};

struct KInstr {
  KOp op;
  int dst, a, b;
  double p = 0;
};

// Replaces each pair softplus(a), sigmoid(±a) in code by one SoftplusSigmoid.
void pair_softplus_sigmoid(std::vector<KInstr>& code);

// q when x is (-1)*q, else kNoId.
Id negated(const Graph& g, Id x);

// Runs one instruction over m entries of the registers r.
void run_kinstr(const KInstr& k, double* const* r, int64_t m);

// Copies n doubles from src (in cache) to dst with stores that bypass the cache where the CPU
// has them (a large output is not read back by the loop that writes it; a cached store would
// first read every line of it from memory). Followed by stream_fence() before others read dst.
void stream_copy(double* dst, const double* src, int64_t n);
void stream_fence();
// The plan's outputs computed by fused loops over at least this many entries are written by
// stream_copy: at 2 MiB and more, what the caller reads afterwards is mostly not in its cache
// either way.
constexpr int64_t kStreamEntries = 1 << 18;

// Whether op is computed entry-wise inside fused loops.
bool is_fusable_op(Op op);

// What a fusable node computes, after the stable spellings are recognized: an op over
// "effective" children (which may skip nodes, e.g. log(1 + exp(u)) reads u directly).
struct Effective {
  KOp op = KOp::Add;
  std::vector<Id> kids;
  double p = 0;
};
Effective effective(const Graph& g, Id id);

// sqrt(sum of squares) accumulated block by block without overflow or underflow.
using kernels::NormAccumulator;

// Work below this many entries (or multiply-adds) runs on one thread: a parallel region costs
// a few microseconds.
constexpr int64_t kParallelEntries = 1 << 15;

// ---- The instruction list ----

// How a node is computed.
enum class Kind : uint8_t {
  Scalar,        // Const, Pi: a number known at compile time
  Var,           // the bound value, used in place
  Fused,         // entry-wise, computed inside a fused loop (root or inlined)
  Reduction,     // sum(...) or norm2(...), accumulated inside a fused loop
  MatMul,        // GEMM / GEMV / scaling
  Transpose,     // a transposed copy, or free (vector, or read transposed by products)
  VirtualAdd,    // (A + B) read only as the left factor of matrix-vector products
  VirtualDiag,   // diag(v) read only as a factor of products: a scaling
  Factored,      // det, logdet, inv: from one factorization per matrix and run
  TraceProduct,  // tr(A B) = sum(A .* B'), without forming A B
  Absorbed,      // a product computed implicitly by its only reader: the A B of tr(A B), the
                 // X' diag(d) (or diag(d) X) of a symmetric X' diag(d) X
  RowLoop,       // computed inside the row loop (plan_row_loop.cpp)
  Sweep,         // (M + M') x and x' M, from one pass over the columns of M
  Fallback,      // evaluate()'s rule
};

// A kernel: one fused loop over blocks of entries. It computes its members in registers and
// writes its outputs: whole values (stored), or sums / norms accumulated over the loop. Kernels
// over the same number of entries whose inputs are ready are merged into one loop, so that a
// value and several gradients of the same entry-wise expression share one pass.
struct KOut {
  enum Mode : uint8_t { Store, Sum, Norm } mode;
  Id node;
  int reg;
};
struct Kernel {
  Id root = kNoId;  // the node its instruction stands at
  Id loop = kNoId;  // a node with the loop's shape
  int nregs = 0;
  std::vector<std::pair<Id, int>> inputs;   // materialized node -> register
  std::vector<std::pair<Id, int>> members;  // node computed in the loop -> register
  std::vector<KInstr> code;
  std::vector<KOut> outs;
};

// ---- The row loop (plan_row_loop.cpp) ----
// For a tall matrix M (N x d) read by products M*v, every value with N rows that is computed
// from M*v entry-wise or by small products, and every reduction over the N rows of such
// values (sum, norm2, A'*B), is computed in one pass over blocks of M's rows: the block of M
// is read from memory once and stays in cache for all of them. A gradient such as
// X'*r(X*w) then costs one pass over X, not two.
struct RowStep {
  enum Type : uint8_t {
    Product,       // block = M_b v                       (v: a whole value)
    Entrywise,     // block = op(blocks or broadcast scalars)
    BlockProduct,  // block = H_b S                       (H: a member, S: a whole value)
    Accumulate,    // acc += A_b' B_b                      (A, B: N-row values)
    Reduce,        // acc += sum(block) or sum of squares  (sum, norm2)
  } type;
  Id node = kNoId;
  Id a = kNoId, b = kNoId;       // operands (see Type)
  bool tb = false;               // b read transposed (products)
  KInstr k{KOp::Add, 0, 1, -1};  // Entrywise: op with a = register 1, b = register 2
  bool materialize = false;      // a member whose whole value is also stored
};

struct RowLoop {
  Id matrix = kNoId;           // M
  std::vector<RowStep> steps;  // in id order
  std::vector<char> member;    // per node: has a block value in the loop
  std::vector<Id> reads;       // values read whole (for liveness)
  std::vector<Id> writes;      // values stored whole: materialized members and reductions
  std::vector<int> block_of;   // per node: step index, -1
  // Run-time state, kept so that a run at the sizes of the last allocates nothing. The rows
  // are cut into chunks of a few blocks (fixed by the sizes alone); each chunk's reductions go
  // to its own partials, added in chunk order after the pass, so that the result does not
  // depend on how many threads share the chunks.
  struct Worker {                              // one per thread
    std::vector<std::vector<double>> blocks;   // per step: the block buffer
    std::vector<std::vector<double>> scratch;  // per step: two operand blocks
  };
  struct Partial {                         // one per chunk
    std::vector<std::vector<double>> acc;  // per step: Accumulate's A_b' B_b summed
    std::vector<double> sums;              // per step: Reduce of sum
    std::vector<NormAccumulator> norms;    // per step: Reduce of norm2
  };
  std::vector<Worker> workers;
  std::vector<Partial> partials;
  std::vector<int64_t> cols;  // per step: columns of its value
  std::vector<double*> out;   // per step: its stored value
};

// One pass over the columns of a square M for y = (M + M') x and, when the plan also needs
// it, z = x' M (= (M' x)'): each column j adds M_j x_j to y and gives z_j = M_j . x.
struct Sweep {
  Id sum_node = kNoId;         // (M + M') x
  Id transposed_node = kNoId;  // x' M, or kNoId
  Id m = kNoId, x = kNoId;
};

struct Instr {
  Id node;
  int kernel = -1;  // index into kernels when the node is a kernel root
  bool row_loop = false;
  int sweep = -1;  // index into sweeps
};

// A read-only view of a value: column-major data, rows x cols.
struct View {
  const double* p = nullptr;
  int64_t r = 0, c = 0;
};

}  // namespace plan_detail

struct Plan::Impl {
  using Kind = plan_detail::Kind;
  const Graph* g = nullptr;
  std::vector<Id> outputs;
  std::vector<Id> order;  // reachable nodes, increasing
  // Per-node state below is kept by position in order (at(id)): its size follows the DAG.
  NodePositions position;
  size_t at(Id id) const { return position(id); }
  std::vector<Kind> kind;                   // per node
  std::vector<plan_detail::Effective> eff;  // per node (Fused only)
  std::vector<int> slot;                    // per node: buffer index, -1 none
  std::vector<int> output_of;               // per node: the first output index it is, -1 none
  std::vector<double> scalars;              // per node: Scalar kinds' values
  std::vector<char> product_only;           // per node: a transpose read only by products
  std::vector<char> gram;                   // per node: a product X' diag(d) X (symmetric)
  std::vector<std::vector<Id>> readers;     // per node
  // compile time: for q - p when p - q is reachable too, {p - q, the -1 of (-1)*p}
  std::unordered_map<Id, std::pair<Id, Id>> negated_twin;
  std::vector<plan_detail::Kernel> kernels;
  std::vector<plan_detail::Instr> instrs;
  std::unique_ptr<plan_detail::RowLoop> row_loop;
  std::vector<plan_detail::Sweep> sweeps;
  std::vector<char> depends_on_loop;  // per node: reads a row loop's result (transitively)
  int nslots = 0;
  // Run-time state.
  std::vector<std::vector<double>> buffers;  // per slot
  std::vector<plan_detail::View> views;      // per node
  std::vector<Matrix> results;
  std::vector<Matrix> fallback_values;  // per node, only for Fallback children
  // Per-run scratch of run_kernel (kept: a run allocates nothing after the first at the same
  // sizes and thread count): registers per thread, partial sums and norms per block.
  std::vector<std::pair<const double*, int>> k_streamed;
  std::vector<std::pair<double*, int>> k_direct;
  std::vector<std::pair<double*, int>> k_stream;      // outputs written by stream_copy
  std::vector<double> k_sums;                         // per block x output
  std::vector<plan_detail::NormAccumulator> k_norms;  // per block x output
  std::vector<double*> k_reduced;
  std::vector<std::vector<std::vector<double>>> thread_regs;  // per thread: registers
  std::vector<std::vector<double*>> thread_regp;              // per thread: register pointers
  // The caller's arguments and output storage during a run (Plan::run with views).
  std::span<const ArgumentView> arg_views;
  std::span<const OutputView> out_views;
  // det/logdet/inv operands factorized in the current run (run == runs); kept between runs so
  // that their storage is reused.
  struct Factored {
    SquareFactorization f;
    uint64_t run = 0;
  };
  std::map<Id, Factored> factorizations;
  uint64_t runs = 0;
  Matrix gram_scratch;    // diag(d) X of a symmetric product
  Matrix gram_partials;   // its per-chunk lower triangles, side by side
  Matrix sweep_scratch;   // x' M of a sweep whose plan does not need it
  Matrix sweep_partials;  // a sweep's per-chunk partial (M + M') x, one column per chunk

  // Compile-time state between passes (plan_compile.cpp).
  std::vector<Id> cluster;            // per node: the root of its fused loop, kNoId none
  std::vector<int> kernel_of;         // per node: its kernel when it is a loop's root, -1
  std::vector<char> written_by_loop;  // per node: stored by the row loop

  // The effective children of a node (what its instruction reads).
  const std::vector<Id>& kids_of(Id id) const;
  // compile(): the passes of plan_compile.cpp in order (see there).
  void compile();
  void classify();
  void find_negated_twins();  // plan_kernels.cpp
  void fold_constants();      // plan_kernels.cpp
  plan_detail::Kind kind_of_op(Id id, plan_detail::Effective& e, double& scalar) const;
  void find_shortcuts();
  void find_virtual_factors();
  void find_absorbed_products();
  void find_sweeps();    // plan_matrix.cpp
  void find_row_loop();  // plan_row_loop.cpp
  void cluster_fused();
  void build_kernels();
  void schedule();
  void merge_kernels();
  std::vector<int> defining_instructions() const;
  bool inputs_ready(const plan_detail::Kernel& k1, const plan_detail::Kernel& k2,
                    const std::vector<int>& pos, size_t t1) const;
  static int member_register(const plan_detail::Kernel& k, Id x);
  static void merge_into(plan_detail::Kernel& k1, const plan_detail::Kernel& k2);
  void keep_loop_outputs_in_registers();
  bool stored(Id id) const;
  std::vector<Id> defs(const plan_detail::Instr& ins) const;
  std::vector<Id> stored_reads(const plan_detail::Instr& ins) const;
  void assign_buffers();
  void prepare_run_state();
  void run(const Bindings& b);
  plan_detail::View operand(Id id) const { return views[at(id)]; }
  double* alloc(Id id, int64_t r, int64_t c);
  void run_kernel(const plan_detail::Kernel& k, const Bindings& b);
  void run_matmul(Id id, const Bindings& b);    // plan_matrix.cpp
  void run_factored(Id id);                     // plan_matrix.cpp
  void run_trace_product(Id id);                // plan_matrix.cpp
  void run_sweep(const plan_detail::Sweep& s);  // plan_matrix.cpp
  void run_row_loop(const Bindings& b);         // plan_row_loop.cpp
  void run_fallback(Id id, const Bindings& b);
};

}  // namespace nabla
