#include "eval/values.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "eval/eval_rules.h"
#include "ir/error.h"
#include "ir/value_kind.h"

namespace nabla {
namespace {

using Json = nlohmann::json;

// "a number", "a list", ... for messages.
std::string describe(const Json& j) {
  switch (j.type()) {
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return "a number";
    case Json::value_t::array:
      return j.empty() ? "an empty list" : "a list";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "true/false";
    case Json::value_t::null:
      return "null";
    default:
      return "something else";
  }
}

[[noreturn]] void bad(const std::string& message) {
  throw Error(ErrorKind::Value, message,
              "give scalars as numbers, vectors as lists of numbers, matrices as lists of rows");
}

// What the declared shape and kind ask for, e.g. "a list of n numbers (a vector)".
std::string expected(const Graph& g, Shape s, ValueKind k) {
  if (!kind_fits(k, s)) k = kind_of_shape(s);
  auto numbers = [&](Dim d) {
    return g.dims.to_string(d) + (d.is_fixed() && d.size() == 1 ? " number" : " numbers");
  };
  switch (k) {
    case ValueKind::Scalar:
      return "a number";
    case ValueKind::Vector:
      return "a list of " + numbers(s.rows) + " (a vector)";
    case ValueKind::Row:
      return "a list of " + numbers(s.cols) + " (a row vector)";
    case ValueKind::Matrix:
      break;
  }
  return "a list of " + g.dims.to_string(s.rows) +
         (s.rows.is_fixed() && s.rows.size() == 1 ? " row of " : " rows of ") + numbers(s.cols) +
         " (a matrix)";
}

std::string quoted(const std::string& name) {
  return "'" + name + "'";
}

// A flat list of numbers, as a column.
Eigen::VectorXd read_list(const std::string& name, const std::string& want, const Json& j) {
  if (!j.is_array()) bad(quoted(name) + " should be " + want + ", but its value is " + describe(j));
  if (j.empty()) bad(quoted(name) + " is an empty list; it should be " + want);
  check_entries(static_cast<int64_t>(j.size()), 1, ("the value of " + quoted(name)).c_str());
  Eigen::VectorXd v(static_cast<Eigen::Index>(j.size()));
  for (size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_number())
      bad("entry " + std::to_string(i + 1) + " of " + quoted(name) + " is " + describe(j[i]) +
          ", not a number; " + quoted(name) + " should be " + want);
    v(static_cast<Eigen::Index>(i)) = j[i].get<double>();
  }
  return v;
}

// A list of equal-length rows of numbers.
Matrix read_rows(const std::string& name, const std::string& want, const Json& j) {
  if (!j.is_array()) bad(quoted(name) + " should be " + want + ", but its value is " + describe(j));
  if (j.empty()) bad(quoted(name) + " is an empty list; it should be " + want);
  size_t cols = 0;
  for (size_t i = 0; i < j.size(); ++i) {
    const Json& row = j[i];
    if (!row.is_array())
      bad("row " + std::to_string(i + 1) + " of " + quoted(name) + " is " + describe(row) +
          ", not a list of numbers; " + quoted(name) + " should be " + want);
    if (row.empty()) bad("row " + std::to_string(i + 1) + " of " + quoted(name) + " is empty");
    if (i == 0) cols = row.size();
    if (row.size() != cols)
      bad("the rows of " + quoted(name) + " have different lengths: row 1 has " +
          std::to_string(cols) + " entries, row " + std::to_string(i + 1) + " has " +
          std::to_string(row.size()));
  }
  check_entries(static_cast<int64_t>(j.size()), static_cast<int64_t>(cols),
                ("the value of " + quoted(name)).c_str());
  Matrix m(static_cast<Eigen::Index>(j.size()), static_cast<Eigen::Index>(cols));
  for (size_t i = 0; i < j.size(); ++i)
    for (size_t k = 0; k < cols; ++k) {
      const Json& e = j[i][k];
      if (!e.is_number())
        bad("entry (" + std::to_string(i + 1) + ", " + std::to_string(k + 1) + ") of " +
            quoted(name) + " is " + describe(e) + ", not a number; " + quoted(name) +
            " should be " + want);
      m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k)) = e.get<double>();
    }
  return m;
}

// The value of a variable of shape s and kind k, in the encoding its kind asks for: a number,
// a list (R^1 too: a list of one number), or a list of rows (R^(1 x 1) and R^(n x 1) too).
Matrix read_value(const Graph& g, const std::string& name, Shape s, ValueKind k, const Json& j) {
  if (!kind_fits(k, s)) k = kind_of_shape(s);
  std::string want = expected(g, s, k);
  if (k == ValueKind::Scalar) {
    if (!j.is_number())
      bad(quoted(name) + " is a scalar: its value should be a number, but it is " + describe(j));
    return Matrix::Constant(1, 1, j.get<double>());
  }
  if (k == ValueKind::Vector) return read_list(name, want, j);
  if (s.is_row() || k == ValueKind::Row) {
    // A row vector (or a one-row matrix 1 x n): a flat list, or a list holding one row; a
    // declared 1 x 1 matrix takes the list of rows.
    if (j.is_array() && !j.empty() && j[0].is_array()) {
      Matrix m = read_rows(name, want, j);
      if (m.rows() != 1)
        bad(quoted(name) + " is a row vector: its value should be one row, but it has " +
            std::to_string(m.rows()));
      return m;
    }
    if (k == ValueKind::Row || !s.cols.is_one()) return read_list(name, want, j).transpose();
  }
  return read_rows(name, want, j);
}

bool is_compound(const Graph& g, Dim d) {
  return d.is_symbol() && g.dims.name(d).find_first_of("*+") != std::string::npos;
}

// Binds symbolic dimensions from the sizes of values and checks them against each other.
class DimBinder {
 public:
  DimBinder(const Graph& g, Bindings& b) : g_(g), b_(b) {}

  // `what` says where the size was seen, e.g. "A has 4 columns".
  void bind(Dim d, int64_t size, const std::string& what, const std::string& name, Shape s) {
    if (d.is_fixed()) {
      if (size != d.size())
        bad(what + ", but " + quoted(name) + " is declared " + g_.dims.to_string(s));
      return;
    }
    if (is_compound(g_, d)) {
      deferred_.push_back({d, size, what, name, s});
      return;
    }
    int32_t index = d.symbol_index();
    auto it = b_.dims.find(index);
    if (it == b_.dims.end()) {
      b_.dims.emplace(index, static_cast<int32_t>(size));
      seen_.emplace(index, what);
      return;
    }
    if (it->second != size)
      bad(what + " but " + seen_[index] + " (dimension " + g_.dims.name(d) + ")");
  }

  // Where the size of a dimension was first seen ("x has 4 entries").
  std::string seen(int32_t index) const {
    auto it = seen_.find(index);
    return it == seen_.end() ? std::string() : it->second;
  }

  // Compound dimensions ("n*m") are checked once their parts are bound.
  void check_deferred() {
    for (const Deferred& x : deferred_) {
      std::optional<int32_t> size = find_dim_size(g_, x.dim, b_);
      if (!size) continue;  // reported as unbound later
      if (*size != x.size)
        bad(x.what + ", but " + quoted(x.name) + " is declared " + g_.dims.to_string(x.shape) +
            " and " + g_.dims.name(x.dim) + " = " + std::to_string(*size));
    }
  }

 private:
  struct Deferred {
    Dim dim;
    int64_t size;
    std::string what, name;
    Shape shape;
  };
  const Graph& g_;
  Bindings& b_;
  std::unordered_map<int32_t, std::string> seen_;
  std::vector<Deferred> deferred_;
};

std::string count(int64_t n, const char* noun) {
  std::string word = noun;
  if (n != 1) word = word.back() == 'y' ? word.substr(0, word.size() - 1) + "ies" : word + "s";
  return std::to_string(n) + " " + word;
}

// Shortest text that reads back as v: 2, 0.1, 1e-300.
std::string number(double v) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

void check_symmetric(const std::string& name, const Matrix& m) {
  if (m.rows() != m.cols())
    bad(quoted(name) + " is declared symmetric but its value is not square");
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index k = i + 1; k < m.cols(); ++k) {
      double a = m(i, k), b = m(k, i);
      if (std::fabs(a - b) > 1e-12 * std::max(std::fabs(a), std::fabs(b)))
        bad(quoted(name) + " is declared Sym but its value is not symmetric: entry (" +
            std::to_string(i + 1) + ", " + std::to_string(k + 1) + ") is " + number(a) +
            " but entry (" + std::to_string(k + 1) + ", " + std::to_string(i + 1) + ") is " +
            number(b));
    }
}

}  // namespace

Bindings read_values(const Graph& g, Id root, const nlohmann::json& values) {
  if (!values.is_object())
    bad("the values should be a JSON object mapping each name to its value, but they are " +
        describe(values));
  Bindings b;
  DimBinder binder(g, b);
  const std::vector<Id> order = reachable(g, root);
  std::unordered_set<int64_t> done;
  for (Id id : order) {
    const Node& n = g[id];
    if (n.op != Op::Var || !done.insert(n.a).second) continue;
    const Symbol& sym = g.symbol(n.a);
    auto it = values.find(sym.name);
    if (it == values.end())
      throw Error(
          ErrorKind::Value, "no value for '" + sym.name + "'",
          "add \"" + sym.name + "\": " + expected(g, sym.shape, sym.value_kind) + " to the values");
    Matrix m = read_value(g, sym.name, sym.shape, sym.value_kind, *it);
    Shape s = sym.shape;
    ValueKind k = kind_fits(sym.value_kind, s) ? sym.value_kind : kind_of_shape(s);
    if (k == ValueKind::Vector) {
      binder.bind(s.rows, m.rows(), sym.name + " has " + count(m.rows(), "entry"), sym.name, s);
    } else if (k == ValueKind::Row || (k == ValueKind::Matrix && m.rows() == 1 && s.is_row())) {
      binder.bind(s.cols, m.cols(), sym.name + " has " + count(m.cols(), "entry"), sym.name, s);
    } else if (k == ValueKind::Matrix) {
      binder.bind(s.rows, m.rows(), sym.name + " has " + count(m.rows(), "row"), sym.name, s);
      binder.bind(s.cols, m.cols(), sym.name + " has " + count(m.cols(), "column"), sym.name, s);
    }
    if (sym.symmetric) check_symmetric(sym.name, m);
    b.values.emplace(n.a, std::move(m));
  }
  binder.check_deferred();
  // A name that is also a dimension of the expression: "n": 4 gives the size of n, and must
  // agree with the sizes of the values; a scalar variable named like a dimension (the n of
  // sum(x)/n beside x in R^n) must equal it too.
  std::unordered_map<std::string, int32_t> dims_by_name;
  for (Id id : order)
    for (Dim d : {g[id].shape.rows, g[id].shape.cols})
      if (d.is_symbol() && !is_compound(g, d))
        dims_by_name.emplace(g.dims.name(d), d.symbol_index());
  for (const auto& [name, index] : dims_by_name) {
    auto it = values.find(name);
    if (it == values.end()) continue;
    const Json& v = *it;
    bool is_variable = false;
    for (int64_t sym : done) is_variable = is_variable || g.symbol(sym).name == name;
    auto bound = b.dims.find(index);
    if (!is_variable) {
      if (!v.is_number_integer() || v.get<int64_t>() < 1 || v.get<int64_t>() > (1 << 30))
        bad("'" + name + "' is a dimension: its value should be a positive integer, but it is " +
            describe(v));
      int64_t size = v.get<int64_t>();
      if (bound == b.dims.end()) {
        binder.bind(Dim::symbol(index), size, "\"" + name + "\": " + std::to_string(size), name,
                    Shape::vector(Dim::symbol(index)));
      } else if (bound->second != size) {
        throw Error(ErrorKind::Value,
                    "\"" + name + "\": " + std::to_string(size) +
                        " contradicts the values: " + binder.seen(index) + " (dimension " + name +
                        " = " + std::to_string(bound->second) + ")",
                    "drop \"" + name + "\" from the values, or give values of its size");
      }
      continue;
    }
    if (bound == b.dims.end() || !v.is_number()) continue;
    double value = v.get<double>();
    if (value != static_cast<double>(bound->second))
      throw Error(ErrorKind::Value,
                  "the variable " + quoted(name) + " is " + number(value) + ", but the dimension " +
                      name + " is " + std::to_string(bound->second) + " (" + binder.seen(index) +
                      ")",
                  "the expression reads " + name + " both as a variable and as the size of " +
                      "its values; rename the variable, or give it the size");
  }
  // Every dimension a leaf needs must now be known (I, ones and zeros take theirs from here).
  for (Id id : order) {
    const Node& n = g[id];
    if (n.op != Op::Var && n.op != Op::Identity && n.op != Op::Ones && n.op != Op::Zeros) continue;
    for (Dim d : {n.shape.rows, n.shape.cols})
      if (!find_dim_size(g, d, b))
        throw Error(ErrorKind::Value,
                    "cannot tell the size of dimension " + g.dims.name(d) + " from the values",
                    "give a value for a variable whose shape uses " + g.dims.name(d));
  }
  return b;
}

nlohmann::json value_to_json(const Graph& g, Id root, const Matrix& value) {
  ValueKind k = value_kind(g, root);
  if (!kind_fits(k, Shape::matrix(Dim::fixed(static_cast<int32_t>(value.rows())),
                                  Dim::fixed(static_cast<int32_t>(value.cols())))))
    k = value.size() == 1   ? ValueKind::Scalar
        : value.cols() == 1 ? ValueKind::Vector
                            : ValueKind::Matrix;
  Json out = Json::object();
  if (k == ValueKind::Scalar) {
    out["value"] = value(0, 0);
    out["shape"] = Json::array();
  } else if (k == ValueKind::Vector) {
    Json list = Json::array();
    for (Eigen::Index i = 0; i < value.rows(); ++i) list.push_back(value(i, 0));
    out["value"] = std::move(list);
    out["shape"] = Json::array({value.rows()});
  } else {
    Json rows = Json::array();
    for (Eigen::Index i = 0; i < value.rows(); ++i) {
      Json row = Json::array();
      for (Eigen::Index k2 = 0; k2 < value.cols(); ++k2) row.push_back(value(i, k2));
      rows.push_back(std::move(row));
    }
    out["value"] = std::move(rows);
    out["shape"] = Json::array({value.rows(), value.cols()});
  }
  return out;
}

}  // namespace nabla
