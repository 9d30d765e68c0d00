#include "compiled.h"

#include <ctime>
#include <unordered_map>

#include "graph_copy.h"
#include "ir/build.h"
#include "ir/error.h"
#include "ir/substitute.h"
#include "ir/value_kind.h"
#include "simplify/simplify.h"

namespace nabla::python {

ArgKind arg_kind(Shape s) {
  if (s.is_scalar()) return ArgKind::Scalar;
  if (s.cols.is_fixed() && s.cols.size() == 1) return ArgKind::Vector;
  if (s.rows.is_fixed() && s.rows.size() == 1) return ArgKind::Row;
  return ArgKind::Matrix;
}

ArgKind arg_kind(Shape s, ValueKind k) {
  if (!kind_fits(k, s)) return arg_kind(s);
  switch (k) {
    case ValueKind::Scalar:
      return ArgKind::Scalar;
    case ValueKind::Vector:
      return ArgKind::Vector;
    case ValueKind::Row:
      return ArgKind::Row;
    case ValueKind::Matrix:
      break;
  }
  return s.rows.is_one() && !s.cols.is_one() ? arg_kind(s) : ArgKind::Matrix;
}

Compiled::Compiled(const Graph& source, const std::vector<Id>& outputs,
                   const std::vector<int64_t>& params) {
  outputs_ = copy_graph(source, outputs, g_);
  for (int64_t p : params) {
    const Symbol& s = g_.symbol(p);
    params_.push_back({s.name, p, s.shape, arg_kind(s.shape, s.value_kind)});
  }
  for (Id o : outputs_) {
    for (Id id : reachable(g_, o)) {
      const Node& n = g_[id];
      if (n.op != Op::Var) continue;
      bool found = false;
      for (int64_t p : params) found = found || p == n.a;
      if (!found)
        throw Error(
            ErrorKind::Usage,
            "compile: the expression uses '" + g_.symbol(n.a).name + "', which is not a parameter",
            "list every variable the expression uses in params");
    }
    output_kinds_.push_back(arg_kind(g_[o].shape, value_kind(g_, o)));
  }
}

std::vector<std::string> Compiled::parameter_names() const {
  std::vector<std::string> out;
  for (const Param& p : params_) out.push_back(p.name);
  return out;
}

Compiled::Variant& Compiled::variant(uint64_t mask) {
  auto it = variants_.find(mask);
  if (it != variants_.end()) return it->second;
  Variant v;
  std::unordered_map<Id, Id> replace;
  for (size_t i = 0; i < params_.size(); ++i) {
    const Param& p = params_[i];
    v.bound_symbol.push_back(p.symbol);
    if (!(mask >> i & 1)) continue;
    // X is given row-major: its buffer is X' column-major. Bind that, and read X as (X')'.
    int32_t t = g_.declare_variable(p.name + "ᵀ", Shape::matrix(p.shape.cols, p.shape.rows));
    v.bound_symbol.back() = t;
    replace[variable(g_, static_cast<int32_t>(p.symbol))] = transpose(g_, variable(g_, t));
  }
  std::vector<Id> outs = outputs_;
  if (!replace.empty())
    for (Id& o : outs) o = simplify(g_, substitute(g_, o, replace));
  v.plan = std::make_unique<Plan>(g_, outs);
  return variants_.emplace(mask, std::move(v)).first->second;
}

namespace {

std::string shape_text(const py::array& a) {
  std::string s = "(";
  for (py::ssize_t i = 0; i < a.ndim(); ++i) s += (i ? ", " : "") + std::to_string(a.shape(i));
  if (a.ndim() == 1) s += ",";
  return s + ")";
}

[[noreturn]] void bad_arg(const std::string& message) {
  throw py::value_error(message);
}

py::object wrap_matrix(Matrix* m, ArgKind kind, bool as_float32) {
  py::capsule owner(m, [](void* p) { delete static_cast<Matrix*>(p); });
  py::array out;
  if (kind == ArgKind::Vector)
    out = py::array_t<double>({m->rows()}, {static_cast<py::ssize_t>(sizeof(double))}, m->data(),
                              owner);
  else
    out = py::array_t<double, py::array::f_style>({m->rows(), m->cols()}, m->data(), owner);
  if (as_float32) return out.attr("astype")("float32");
  return out;
}

}  // namespace

void Compiled::prepare(const py::args& args, const py::kwargs& kwargs, Prepared& prep) {
  size_t n = params_.size();
  if (args.size() > n)
    throw py::type_error("takes " + std::to_string(n) + " arguments (" + [&] {
      std::string s;
      for (size_t i = 0; i < n; ++i) s += (i ? ", " : "") + params_[i].name;
      return s;
    }() + "), got " + std::to_string(args.size()));
  std::vector<py::handle> given(n);
  for (size_t i = 0; i < args.size(); ++i) given[i] = args[i];
  for (auto [key, value] : kwargs) {
    std::string k = py::str(key);
    size_t i = 0;
    while (i < n && params_[i].name != k) ++i;
    if (i == n) throw py::type_error("unexpected argument '" + k + "'");
    if (given[i]) throw py::type_error("argument '" + k + "' given twice");
    given[i] = value;
  }
  std::vector<Arg>& in = prep.in;
  in.resize(n);
  bool& float32 = prep.float32;
  uint64_t& mask = prep.mask;
  auto& dims = prep.dims;
  auto bind_dim = [&](const Param& p, Dim d, Eigen::Index size, const char* what) {
    if (d.is_fixed()) {
      if (d.size() != size)
        bad_arg(p.name + " has " + std::to_string(size) + " " + what + ", expected " +
                std::to_string(d.size()));
      return;
    }
    if (g_.dims.is_derived(d)) return;  // computed from its parts
    auto [it, fresh] = dims.emplace(d.symbol_index(), size);
    if (!fresh && it->second != size)
      bad_arg(p.name + " has " + std::to_string(size) + " " + what + ", expected " +
              g_.dims.name(d) + " = " + std::to_string(it->second) + " (from an earlier argument)");
  };
  for (size_t i = 0; i < n; ++i) {
    const Param& p = params_[i];
    if (!given[i]) throw py::type_error("missing argument '" + p.name + "'");
    py::handle obj = given[i];
    Arg& a = in[i];
    if (p.kind == ArgKind::Scalar) {
      if (py::isinstance<py::array>(obj)) {
        py::array arr = py::reinterpret_borrow<py::array>(obj);
        if (arr.size() != 1) bad_arg(p.name + " must be a scalar, got shape " + shape_text(arr));
        if (arr.dtype().kind() == 'f' && arr.itemsize() == 4) float32 = true;
      } else if (py::isinstance<py::float_>(obj) || py::isinstance<py::int_>(obj)) {
        // plain numbers
      } else if (py::hasattr(obj, "dtype") &&
                 py::str(obj.attr("dtype")).cast<std::string>() == "float32") {
        float32 = true;
      }
      try {
        a.scalar = py::float_(py::reinterpret_borrow<py::object>(obj).attr("__float__")());
      } catch (py::error_already_set&) {
        bad_arg(p.name + " must be a number");
      }
      a.data = &a.scalar;
      continue;
    }
    py::array arr;
    if (py::isinstance<py::array>(obj))
      arr = py::reinterpret_borrow<py::array>(obj);
    else
      arr = py::array::ensure(obj);
    if (!arr) bad_arg(p.name + " must be an array");
    if (arr.dtype().kind() == 'f' && arr.itemsize() == 4) float32 = true;
    bool is_double = py::isinstance<py::array_t<double>>(arr);
    bool c = arr.flags() & py::array::c_style, f = arr.flags() & py::array::f_style;
    if (!is_double || !(c || f)) {
      // Another dtype, or a strided view: one column-major float64 copy.
      arr = py::array_t<double, py::array::f_style | py::array::forcecast>::ensure(arr);
      if (!arr) bad_arg(p.name + ": cannot convert to an array of float64");
      c = arr.flags() & py::array::c_style;
      f = true;
    }
    a.array = arr;
    a.data = static_cast<const double*>(arr.data());
    if (p.kind == ArgKind::Vector || p.kind == ArgKind::Row) {
      bool ok =
          arr.ndim() == 1 ||
          (arr.ndim() == 2 && (p.kind == ArgKind::Vector ? arr.shape(1) == 1 : arr.shape(0) == 1));
      if (!ok)
        bad_arg(p.name + " must be a " + (p.kind == ArgKind::Vector ? "vector" : "row vector") +
                ", got shape " + shape_text(arr));
      Eigen::Index len = arr.size();
      a.rows = p.kind == ArgKind::Vector ? len : 1;
      a.cols = p.kind == ArgKind::Vector ? 1 : len;
      if (p.kind == ArgKind::Vector)
        bind_dim(p, p.shape.rows, len, "entries");
      else
        bind_dim(p, p.shape.cols, len, "entries");
      continue;
    }
    if (arr.ndim() != 2) bad_arg(p.name + " must be a matrix (2-D), got shape " + shape_text(arr));
    a.rows = arr.shape(0);
    a.cols = arr.shape(1);
    bind_dim(p, p.shape.rows, a.rows, "rows");
    bind_dim(p, p.shape.cols, a.cols, "columns");
    if (!f) {  // C-ordered only: bound as its transpose
      a.row_major = true;
      mask |= uint64_t{1} << i;
    }
  }
}

void Compiled::bind(const Prepared& prep, Variant& v) {
  bindings_.dims.clear();
  for (auto [d, size] : prep.dims) bindings_.dims[d] = static_cast<int32_t>(size);
  for (size_t i = 0; i < params_.size(); ++i) {
    const Arg& a = prep.in[i];
    bindings_.views[v.bound_symbol[i]] =
        a.row_major ? ValueView{a.data, a.cols, a.rows} : ValueView{a.data, a.rows, a.cols};
  }
}

py::object Compiled::call(const py::args& args, const py::kwargs& kwargs) {
  Prepared prep;
  prepare(args, kwargs, prep);
  bool float32 = prep.float32;
  std::vector<std::unique_ptr<Matrix>> out_matrices(outputs_.size());
  std::vector<double> out_scalars(outputs_.size(), 0);
  {
    py::gil_scoped_release release;
    std::lock_guard<std::mutex> lock(mutex_);
    Variant& v = variant(prep.mask);
    last_ = &v;
    bind(prep, v);
    std::vector<Matrix>& r = v.plan->run(bindings_);
    for (size_t k = 0; k < r.size(); ++k) {
      if (output_kinds_[k] == ArgKind::Scalar) {
        out_scalars[k] = r[k](0, 0);
      } else {
        out_matrices[k] = std::make_unique<Matrix>();
        out_matrices[k]->swap(r[k]);
      }
    }
  }
  py::tuple out(outputs_.size());
  for (size_t k = 0; k < outputs_.size(); ++k) {
    if (output_kinds_[k] == ArgKind::Scalar)
      out[k] = float32 ? py::module_::import("numpy").attr("float32")(out_scalars[k])
                       : py::object(py::float_(out_scalars[k]));
    else
      out[k] = wrap_matrix(out_matrices[k].release(), output_kinds_[k], float32);
  }
  if (outputs_.size() == 1) return out[0];
  return out;
}

double Compiled::time_runs(const py::args& args, int repeat) {
  Prepared prep;
  prepare(args, py::kwargs(), prep);
  py::gil_scoped_release release;
  std::lock_guard<std::mutex> lock(mutex_);
  Variant& v = variant(prep.mask);
  last_ = &v;
  bind(prep, v);
  v.plan->run(bindings_);  // warm: buffers allocated
  timespec t0, t1;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
  for (int i = 0; i < repeat; ++i) v.plan->run(bindings_);
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
  return ((t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec)) / repeat;
}

std::string Compiled::describe() {
  std::lock_guard<std::mutex> lock(mutex_);
  return (last_ ? *last_ : variant(0)).plan->describe();
}

uintptr_t Compiled::input_address(const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!last_) throw py::value_error("the function has not run yet");
  for (size_t i = 0; i < params_.size(); ++i)
    if (params_[i].name == name)
      return reinterpret_cast<uintptr_t>(last_->plan->bound_data(last_->bound_symbol[i]));
  throw py::value_error("no parameter '" + name + "'");
}

size_t Compiled::plan_count() {
  std::lock_guard<std::mutex> lock(mutex_);
  return variants_.size();
}

}  // namespace nabla::python
