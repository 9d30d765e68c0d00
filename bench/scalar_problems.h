#pragma once
// The benchmarks.md problems written as plain loops over one scalar type T, the way a user of an
// operator-overloading AD tool (ADOL-C's adouble, Eigen's AutoDiffScalar) writes them. The data
// are problems.h's arrays; the inputs (the wrt variables, in order, each column-major) are one
// array `in` of T. Dense data matrices are copied row-major at setup so that each dot product
// X(i,:)*w reads memory in order (setup is not timed).
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "problems.h"

namespace bench {

struct RowMajor {
  int rows = 0, cols = 0;
  std::vector<double> v;
  double operator()(int i, int j) const { return v[static_cast<size_t>(i) * cols + j]; }
};

inline RowMajor row_major(const Array& a) {
  RowMajor m{a.rows, a.cols, std::vector<double>(a.v.size())};
  for (int i = 0; i < a.rows; ++i)
    for (int j = 0; j < a.cols; ++j)
      m.v[static_cast<size_t>(i) * a.cols + j] = a.v[i + static_cast<size_t>(a.rows) * j];
  return m;
}

// One problem's data, prepared for the loop forms.
struct LoopData {
  const Problem* p = nullptr;
  std::map<std::string, RowMajor> rm;  // the dense data matrices, row-major
  size_t n_inputs = 0;                 // total size of the wrt variables
  std::vector<double> x0;              // their values, concatenated column-major
  const Array& operator[](const std::string& name) const { return get(*p, name); }
};

inline LoopData prepare(const Problem& p) {
  LoopData d;
  d.p = &p;
  for (const Array& a : p.data) {
    bool is_input = false;
    for (const std::string& w : p.wrt) is_input |= w == a.name;
    if (!is_input && a.rows > 1 && a.cols > 1) d.rm[a.name] = row_major(a);
  }
  for (const std::string& w : p.wrt) {
    const Array& a = get(p, w);
    d.x0.insert(d.x0.end(), a.v.begin(), a.v.end());
  }
  d.n_inputs = d.x0.size();
  return d;
}

// log(1 + exp(u)): written as is, as a user would; on these data |u| < 40, so exp never
// overflows and the value is accurate to rounding.
template <class T>
T log1p_exp(const T& u) {
  using std::exp;
  using std::log;
  return log(1.0 + exp(u));
}

// sum(log(1 + exp(-y .* (X*w)))) ; in = w.
template <class T>
T logreg(const LoopData& d, const T* w) {
  const RowMajor& X = d.rm.at("X");
  const double* y = d["y"].v.data();
  T f = 0.0;
  for (int i = 0; i < X.rows; ++i) {
    T u = 0.0;
    for (int j = 0; j < X.cols; ++j) u += X(i, j) * w[j];
    f += log1p_exp<T>(-y[i] * u);
  }
  return f;
}

// 1/2*norm2(X*w - y)^2 ; in = w.
template <class T>
T lsq(const LoopData& d, const T* w) {
  const RowMajor& X = d.rm.at("X");
  const double* y = d["y"].v.data();
  T f = 0.0;
  for (int i = 0; i < X.rows; ++i) {
    T r = -y[i];
    for (int j = 0; j < X.cols; ++j) r += X(i, j) * w[j];
    f += r * r;
  }
  return 0.5 * f;
}

// x'*A*x ; in = x.
template <class T>
T quad(const LoopData& d, const T* x) {
  const RowMajor& A = d.rm.at("A");
  T f = 0.0;
  for (int i = 0; i < A.rows; ++i) {
    T ax = 0.0;
    for (int j = 0; j < A.cols; ++j) ax += A(i, j) * x[j];
    f += x[i] * ax;
  }
  return f;
}

// norm2(X - U*V')^2 ; in = U (n x k), then V (m x k), column-major.
template <class T>
T mf(const LoopData& d, const T* in) {
  const Array& X = d["X"];
  const int n = X.rows, m = X.cols, k = get(*d.p, "U").cols;
  const T* U = in;
  const T* V = in + static_cast<size_t>(n) * k;
  T f = 0.0;
  for (int j = 0; j < m; ++j)
    for (int i = 0; i < n; ++i) {
      T r = X.v[i + static_cast<size_t>(n) * j];
      for (int l = 0; l < k; ++l)
        r -= U[i + static_cast<size_t>(n) * l] * V[j + static_cast<size_t>(m) * l];
      f += r * r;
    }
  return f;
}

// sum(softplus(-y .* (tanh(X*W)*v))) ; in = W (d x h, column-major), then v (h).
template <class T>
T mlp(const LoopData& d, const T* in) {
  using std::tanh;
  const RowMajor& X = d.rm.at("X");
  const double* y = d["y"].v.data();
  const int dd = X.cols, h = get(*d.p, "W").cols;
  const T* W = in;
  const T* v = in + static_cast<size_t>(dd) * h;
  T f = 0.0;
  for (int i = 0; i < X.rows; ++i) {
    T o = 0.0;
    for (int l = 0; l < h; ++l) {
      T a = 0.0;
      for (int j = 0; j < dd; ++j) a += X(i, j) * W[j + static_cast<size_t>(dd) * l];
      o += tanh(a) * v[l];
    }
    f += log1p_exp<T>(-y[i] * o);
  }
  return f;
}

// -logdet(S) + tr(C*S) ; in = S (n x n, column-major, every entry an input). logdet through
// LU without pivoting (S is SPD, so no pivot is needed), which reads every entry of S, so the
// gradient is the unstructured one, C' - inv(S)', as nabla and libtorch give it.
template <class T>
T ggm(const LoopData& d, const T* S) {
  using std::log;
  const Array& C = d["C"];
  const int n = C.rows;
  std::vector<T> a(S, S + static_cast<size_t>(n) * n);  // a(i,j) = a[i + n*j]
  auto at = [&](int i, int j) -> T& { return a[i + static_cast<size_t>(n) * j]; };
  T f = 0.0;
  for (int k = 0; k < n; ++k) {
    for (int i = k + 1; i < n; ++i) {
      T l = at(i, k) / at(k, k);
      for (int j = k + 1; j < n; ++j) at(i, j) -= l * at(k, j);
    }
    f -= log(at(k, k));
  }
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      f += C.v[i + static_cast<size_t>(n) * j] * S[j + static_cast<size_t>(n) * i];
  return f;
}

// sum(1/2*x.^2 + y.*z - log(1 + exp(x.^2 .* y.^3 .* z))) ; in = x, y, z.
template <class T>
T sheet4a_term(const T& x, const T& y, const T& z) {
  return 0.5 * x * x + y * z - log1p_exp<T>(x * x * y * y * y * z);
}
template <class T>
T sheet4a(const LoopData& d, const T* in) {
  const size_t n = static_cast<size_t>(get(*d.p, "x").rows);
  T f = 0.0;
  for (size_t i = 0; i < n; ++i) f += sheet4a_term<T>(in[i], in[n + i], in[2 * n + i]);
  return f;
}

// sum(log(1 + exp(X*w))) ; in = w (hess-logreg).
template <class T>
T logsumexp1p(const LoopData& d, const T* w) {
  const RowMajor& X = d.rm.at("X");
  T f = 0.0;
  for (int i = 0; i < X.rows; ++i) {
    T u = 0.0;
    for (int j = 0; j < X.cols; ++j) u += X(i, j) * w[j];
    f += log1p_exp<T>(u);
  }
  return f;
}

template <class T>
T evaluate(const LoopData& d, const T* in) {
  const std::string& id = d.p->id;
  if (id == "logreg") return logreg<T>(d, in);
  if (id == "lsq") return lsq<T>(d, in);
  if (id == "quad") return quad<T>(d, in);
  if (id == "mf") return mf<T>(d, in);
  if (id == "mlp") return mlp<T>(d, in);
  if (id == "ggm") return ggm<T>(d, in);
  if (id == "sheet4a") return sheet4a<T>(d, in);
  if (id == "hess-logreg") return logsumexp1p<T>(d, in);
  throw std::runtime_error("no loop form for " + id);
}

}  // namespace bench
