#pragma once
// The benchmarks.md problems: the same data for every system, from a fixed-seed generator that
// each benchmark program (and bench/*.py) reproduces exactly.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace bench {

// splitmix64 -> uniform in [-1, 1).
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed) {}
  double next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * (2.0 / 9007199254740992.0) - 1.0;
  }
};

// A named array, column-major, rows x cols.
struct Array {
  std::string name;
  int rows, cols;
  std::vector<double> v;
};

inline Array make(const std::string& name, int rows, int cols, uint64_t seed, double scale = 1.0) {
  Array a{name, rows, cols, std::vector<double>(static_cast<size_t>(rows) * cols)};
  Rng r(seed);
  for (double& x : a.v) x = scale * r.next();
  return a;
}
// Labels in {-1, 1}.
inline Array labels(const std::string& name, int n, uint64_t seed) {
  Array a = make(name, n, 1, seed);
  for (double& x : a.v) x = x < 0 ? -1.0 : 1.0;
  return a;
}

struct Problem {
  std::string id, decls, f;
  std::vector<std::string> wrt;
  std::vector<Array> data;
};

inline std::vector<Problem> problems() {
  std::vector<Problem> p;
  p.push_back({"logreg",
               "X in R^(n x d); w in R^d; y in R^n",
               "sum(log(1 + exp(-y .* (X*w))))",
               {"w"},
               {make("X", 20000, 200, 1), make("w", 200, 1, 2, 0.1), labels("y", 20000, 3)}});
  p.push_back({"lsq",
               "X in R^(n x d); w in R^d; y in R^n",
               "1/2*norm2(X*w - y)^2",
               {"w"},
               {make("X", 20000, 200, 4), make("w", 200, 1, 5), make("y", 20000, 1, 6)}});
  p.push_back({"quad",
               "A in R^(n x n); x in R^n",
               "x'*A*x",
               {"x"},
               {make("A", 2000, 2000, 7), make("x", 2000, 1, 8)}});
  p.push_back({"mf",
               "X in R^(n x m); U in R^(n x k); V in R^(m x k)",
               "norm2(X - U*V')^2",
               {"U", "V"},
               {make("X", 1000, 800, 9), make("U", 1000, 32, 10), make("V", 800, 32, 11)}});
  p.push_back({"mlp",
               "X in R^(n x d); W in R^(d x h); v in R^h; y in R^n",
               "sum(softplus(-y .* (tanh(X*W)*v)))",
               {"W", "v"},
               {make("X", 5000, 100, 12), make("W", 100, 64, 13, 0.1), make("v", 64, 1, 14),
                labels("y", 5000, 15)}});
  {
    // S = R R'/n + I (SPD), C random.
    Array r = make("R", 300, 300, 16);
    Array s{"S", 300, 300, std::vector<double>(300 * 300)};
    for (int i = 0; i < 300; ++i)
      for (int j = 0; j < 300; ++j) {
        double acc = i == j ? 1.0 : 0.0;
        for (int k = 0; k < 300; ++k) acc += r.v[i + 300 * k] * r.v[j + 300 * k] / 300.0;
        s.v[i + 300 * j] = acc;
      }
    p.push_back({"ggm",
                 "S in Sym(n); C in R^(n x n)",
                 "-logdet(S) + tr(C*S)",
                 {"S"},
                 {s, make("C", 300, 300, 17)}});
  }
  p.push_back({"sheet4a",
               "x, y, z in R^n",
               "sum(1/2*x.^2 + y.*z - log(1 + exp(x.^2 .* y.^3 .* z)))",
               {"x", "y", "z"},
               {make("x", 1000000, 1, 18), make("y", 1000000, 1, 19), make("z", 1000000, 1, 20)}});
  p.push_back({"hess-logreg",
               "X in R^(n x d); w in R^d",
               "sum(log(1 + exp(X*w)))",
               {"w"},
               {make("X", 5000, 200, 21), make("w", 200, 1, 22, 0.1)}});
  return p;
}

inline const Array& get(const Problem& p, const std::string& name) {
  for (const Array& a : p.data)
    if (a.name == name) return a;
  throw std::runtime_error("no array " + name);
}

// Writes doubles to path (for the cross-system check).
inline void dump(const std::string& path, const double* p, size_t n) {
  if (FILE* f = std::fopen(path.c_str(), "wb")) {
    std::fwrite(p, sizeof(double), n, f);
    std::fclose(f);
  }
}

}  // namespace bench
