#pragma once
// A compiled function for Python: a plan (eval/plan.h) over a private copy of the graph, called
// with NumPy arrays that it reads in place.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "eval/plan.h"
#include "ir/graph.h"

namespace nabla::python {

namespace py = pybind11;

// How an argument is passed: a Python float, a 1-D array (or an (n, 1) / (1, n) 2-D one) or a
// 2-D matrix.
enum class ArgKind { Scalar, Vector, Row, Matrix };

ArgKind arg_kind(Shape s);
// The kind a declaration gave (z in R^1 is a vector of length 1, E in R^(1 x 1) a matrix).
ArgKind arg_kind(Shape s, ValueKind k);

class Compiled {
 public:
  // outputs: expanded expressions of `source`; params: the variable symbols the function takes,
  // in order (every variable the outputs use must be among them).
  Compiled(const Graph& source, const std::vector<Id>& outputs, const std::vector<int64_t>& params);

  // f(*args, **kwargs): one value per output (a float for scalars, an array otherwise); a tuple
  // when there are several outputs.
  py::object call(const py::args& args, const py::kwargs& kwargs);

  std::vector<std::string> parameter_names() const;
  // The plan's instructions (of the variant last run, else the all-column-major one).
  std::string describe();
  // The address the last run read parameter `name` from (for the zero-copy tests).
  uintptr_t input_address(const std::string& name);
  // CPU seconds per run of the plan alone, run `repeat` times from C++ at these arguments
  // (for the benchmarks: the same plan without Python around it).
  double time_runs(const py::args& args, int repeat);
  // Number of compiled plans (one per combination of C-/F-ordered matrix arguments seen).
  size_t plan_count();

 private:
  struct Param {
    std::string name;
    int64_t symbol;
    Shape shape;
    ArgKind kind;
  };
  // One plan per pattern of row-major (C-ordered) matrix arguments: such an argument X is bound
  // as the column-major matrix X' it is in memory, and the outputs read X as (X')'.
  struct Variant {
    std::unique_ptr<Plan> plan;
    std::vector<int64_t> bound_symbol;  // per parameter
  };
  Variant& variant(uint64_t row_major_mask);

  // The arguments of one call, read (with the GIL) before the plan runs (without it).
  struct Arg {
    py::array array;  // the buffer read (the caller's, or a converted copy)
    double scalar = 0;
    const double* data = nullptr;
    Eigen::Index rows = 1, cols = 1;
    bool row_major = false;  // a C-ordered matrix, bound transposed
  };
  struct Prepared {
    std::vector<Arg> in;
    bool float32 = false;
    uint64_t mask = 0;
    std::unordered_map<int32_t, Eigen::Index> dims;
  };
  void prepare(const py::args& args, const py::kwargs& kwargs, Prepared& prep);
  void bind(const Prepared& prep, Variant& v);

  Graph g_;
  std::vector<Param> params_;
  std::vector<Id> outputs_;
  std::vector<ArgKind> output_kinds_;
  std::map<uint64_t, Variant> variants_;
  Variant* last_ = nullptr;
  Bindings bindings_;
  std::mutex mutex_;  // one run at a time per function (the GIL is released while it runs)
};

}  // namespace nabla::python
