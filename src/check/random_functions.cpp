#include "check/random_functions.h"

#include <cmath>

#include "check/counterexample.h"
#include "ir/error.h"

namespace nabla {

namespace {
constexpr int kHidden = 4;  // width of the tanh layer
}  // namespace

struct RandomFunction::Coefficients {
  struct Size {
    int rows = 1, cols = 1;
    int count() const { return rows * cols; }
  };
  std::vector<Size> params;
  std::vector<bool> scalar_param;  // declared scalar (not a vector that happens to have size 1)
  Size result;
  bool scalar_valued = true;  // declared scalar-valued
  // Scalar-valued: per argument i.
  std::vector<Matrix> a, B, c, S, e, w, u;
  // Vector-valued.
  Matrix A, c0;
  std::vector<Matrix> D;  // B is shared with the scalar case (hidden x d_i)
};

RandomFunction::RandomFunction(const Graph& g, int64_t function, const Bindings& bindings,
                               Rng& rng) {
  const Symbol& f = g.symbol(function);
  name_ = f.name;
  auto c = std::make_shared<Coefficients>();
  auto size = [&](Dim d) { return concrete_size(g, d, bindings); };
  for (Shape p : f.params) {
    c->params.push_back({size(p.rows), size(p.cols)});
    c->scalar_param.push_back(p.is_scalar());
  }
  c->result = {size(f.shape.rows), size(f.shape.cols)};
  // The declared shapes decide the kind of derivative (J(f)(x) is n x d even when n = 1).
  c->scalar_valued = f.shape.is_scalar();
  for (const auto& p : c->params) {
    int d = p.count();
    double s = 1.0 / std::sqrt(static_cast<double>(d));
    c->B.push_back(rng.normal_matrix(kHidden, d) * s);
    if (c->scalar_valued) {
      c->a.push_back(rng.normal_matrix(kHidden, 1));
      c->c.push_back(rng.normal_matrix(kHidden, 1));
      Matrix r = rng.normal_matrix(d, d);
      c->S.push_back((r + r.transpose()) * (0.5 * s));
      c->e.push_back(rng.normal_matrix(d, 1) * 0.5);
      c->w.push_back(rng.normal_matrix(d, 1) * s);
      c->u.push_back(rng.normal_matrix(d, 1) * s);
    } else {
      c->D.push_back(rng.normal_matrix(c->result.count(), d) * (0.5 * s));
    }
  }
  if (!c->scalar_valued) {
    c->A = rng.normal_matrix(c->result.count(), kHidden);
    c->c0 = rng.normal_matrix(kHidden, 1);
  }
  c_ = std::move(c);
}

Matrix RandomFunction::operator()(int64_t deriv, const std::vector<Matrix>& args) const {
  const Coefficients& c = *c_;
  size_t k = c.params.size();
  if (args.size() != k)
    throw Error(ErrorKind::Internal, "'" + name_ + "' called with " + std::to_string(args.size()) +
                                         " argument(s), expects " + std::to_string(k));
  std::vector<Matrix> v(k);
  for (size_t i = 0; i < k; ++i) {
    if (args[i].size() != c.params[i].count())
      throw Error(ErrorKind::Internal,
                  "argument " + std::to_string(i + 1) + " of '" + name_ + "' has the wrong size");
    v[i] = args[i].reshaped(args[i].size(), 1);
  }
  auto reshape = [](const Matrix& m, int rows, int cols) -> Matrix {
    return m.reshaped(rows, cols);
  };
  if (c.scalar_valued) {
    double lin = 0, prod = 1;
    std::vector<double> uv(k);
    for (size_t i = 0; i < k; ++i) {
      lin += (c.w[i].transpose() * v[i])(0, 0);
      uv[i] = (c.u[i].transpose() * v[i])(0, 0);
      prod *= uv[i];
    }
    bool coupled = k >= 2;
    if (deriv == kCallValue) {
      // L = sum_i [a_i' tanh(B_i v_i + c_i) + 1/2 v_i' S_i v_i + e_i' v_i] + sin(w'v) + prod
      // u_i'v_i
      double value = std::sin(lin) + (coupled ? prod : 0.0);
      for (size_t i = 0; i < k; ++i) {
        Matrix t = (c.B[i] * v[i] + c.c[i]).array().tanh().matrix();
        value += (c.a[i].transpose() * t)(0, 0) + 0.5 * (v[i].transpose() * c.S[i] * v[i])(0, 0) +
                 (c.e[i].transpose() * v[i])(0, 0);
      }
      return Matrix::Constant(1, 1, value);
    }
    if (deriv == kCallSecond || is_call_partial2(deriv)) {
      // d2L/dv_i dv_j' = [i = j] (B_i' diag(a_i .* -2 t_i .* (1 - t_i.^2)) B_i + S_i)
      //                  - sin(w'v) w_i w_j' + [i != j] prod_{l != i, j} u_l'v_l u_i u_j'
      size_t i = 0, j = 0;
      if (deriv == kCallSecond) {
        if (k != 1)
          throw Error(ErrorKind::Unsupported, "'" + name_ + "' has several arguments: use partial");
      } else {
        i = static_cast<size_t>(call_partial2_first(deriv) - 1);
        j = static_cast<size_t>(call_partial2_second(deriv) - 1);
        if (i >= k || j >= k) throw Error(ErrorKind::Internal, "bad derivative marker");
      }
      Matrix H = -std::sin(lin) * c.w[i] * c.w[j].transpose();
      if (i == j) {
        Matrix t = (c.B[i] * v[i] + c.c[i]).array().tanh().matrix();
        Matrix d2 = (-2.0 * t.array() * (1.0 - t.array().square()) * c.a[i].array()).matrix();
        H += c.B[i].transpose() * d2.asDiagonal() * c.B[i] + c.S[i];
      } else if (coupled) {
        double others = 1;
        for (size_t l = 0; l < k; ++l)
          if (l != i && l != j) others *= uv[l];
        H += others * c.u[i] * c.u[j].transpose();
      }
      return H;
    }
    size_t i;
    if (deriv == kCallDerivative) {
      if (k != 1)
        throw Error(ErrorKind::Unsupported, "'" + name_ + "' has several arguments: use partial");
      i = 0;
    } else if (deriv >= 1 && static_cast<size_t>(deriv) <= k) {
      i = static_cast<size_t>(deriv - 1);
    } else {
      throw Error(ErrorKind::Internal, "bad derivative marker for '" + name_ + "'");
    }
    // dL/dv_i = B_i'(a_i .* (1 - t_i.^2)) + S_i v_i + e_i + cos(w'v) w_i + prod_{j!=i} u_j'v_j u_i
    Matrix t = (c.B[i] * v[i] + c.c[i]).array().tanh().matrix();
    Matrix dt = (1.0 - t.array().square()).matrix();
    Matrix grad = c.B[i].transpose() * c.a[i].cwiseProduct(dt) + c.S[i] * v[i] + c.e[i] +
                  std::cos(lin) * c.w[i];
    if (coupled) {
      double others = 1;
      for (size_t j = 0; j < k; ++j)
        if (j != i) others *= uv[j];
      grad += others * c.u[i];
    }
    return reshape(grad, c.params[i].rows, c.params[i].cols);
  }
  // F = A tanh(sum_i B_i v_i + c) + sum_i D_i v_i
  Matrix pre = c.c0;
  for (size_t i = 0; i < k; ++i) pre += c.B[i] * v[i];
  Matrix t = pre.array().tanh().matrix();
  if (deriv == kCallValue) {
    Matrix value = c.A * t;
    for (size_t i = 0; i < k; ++i) value += c.D[i] * v[i];
    return reshape(value, c.result.rows, c.result.cols);
  }
  if (deriv != kCallDerivative || k != 1)
    throw Error(ErrorKind::Unsupported,
                "'" + name_ + "' is vector-valued: partial derivatives need a scalar function");
  // J = A diag(1 - t.^2) B + D
  Matrix dt = (1.0 - t.array().square()).matrix();
  Matrix jac = c.A * dt.asDiagonal() * c.B[0] + c.D[0];
  const auto& p = c.params[0];
  if (c.scalar_param[0]) return reshape(jac, c.result.rows, c.result.cols);  // curve: f'(t)
  if (c.result.cols == 1 && p.cols == 1) return jac;                         // J(f)(x), n x d
  throw Error(ErrorKind::Unsupported,
              "no matrix form for the Jacobian of '" + name_ + "' (matrix argument or result)");
}

std::string RandomFunction::describe() const {
  const Coefficients& c = *c_;
  size_t k = c.params.size();
  std::string args;
  for (size_t i = 0; i < k; ++i) args += (i ? ", x" : "x") + std::to_string(i + 1);
  std::string out = name_ + "(" + args + ") := ";
  auto vec = [&](size_t i) {
    std::string x = "x" + std::to_string(i + 1);
    return c.params[i].cols == 1 ? x : "vec(" + x + ")";
  };
  std::string coeffs;
  auto coef = [&](const std::string& name, const Matrix& m) {
    coeffs += ", " + name + " = " + format_value(m);
  };
  if (c.scalar_valued) {
    std::vector<std::string> terms;
    for (size_t i = 0; i < k; ++i) {
      std::string n = std::to_string(i + 1), x = vec(i);
      terms.push_back("a" + n + "'*tanh(B" + n + "*" + x + " + c" + n + ") + 1/2*" + x + "'*S" + n +
                      "*" + x + " + e" + n + "'*" + x);
      coef("a" + n, c.a[i]);
      coef("B" + n, c.B[i]);
      coef("c" + n, c.c[i]);
      coef("S" + n, c.S[i]);
      coef("e" + n, c.e[i]);
      coef("w" + n, c.w[i]);
      if (k >= 2) coef("u" + n, c.u[i]);
    }
    std::string lin, prod;
    for (size_t i = 0; i < k; ++i) {
      std::string n = std::to_string(i + 1);
      lin += (i ? " + w" : "w") + n + "'*" + vec(i);
      prod += (i ? "*(u" : "(u") + n + "'*" + vec(i) + ")";
    }
    for (const auto& t : terms) out += t + " + ";
    out += "sin(" + lin + ")";
    if (k >= 2) out += " + " + prod;
  } else {
    std::string pre, lin;
    for (size_t i = 0; i < k; ++i) {
      std::string n = std::to_string(i + 1);
      pre += "B" + n + "*" + vec(i) + " + ";
      lin += " + D" + n + "*" + vec(i);
    }
    out += "A*tanh(" + pre + "c)" + lin;
    if (c.result.cols != 1)
      out += ", reshaped to " + std::to_string(c.result.rows) + "x" + std::to_string(c.result.cols);
    coef("A", c.A);
    coef("c", c.c0);
    for (size_t i = 0; i < k; ++i) {
      std::string n = std::to_string(i + 1);
      coef("B" + n, c.B[i]);
      coef("D" + n, c.D[i]);
    }
  }
  out += " with" + coeffs.substr(1);
  return out;
}

FunctionImpl RandomFunction::as_impl() const {
  RandomFunction self = *this;
  return [self](int64_t deriv, const std::vector<Matrix>& args) { return self(deriv, args); };
}

}  // namespace nabla
