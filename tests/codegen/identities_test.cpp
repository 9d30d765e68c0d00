// Generated C++ and NumPy for every query of tests/data/identities.nabla: the C++ compiles
// with -Wall -Werror, and both agree with nabla's evaluator at random points.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>

#include "../support/readback.h"
#include "../support/shell.h"
#include "codegen/codegen.h"
#include "diff/diff.h"
#include "eval/evaluate.h"
#include "ir/build.h"
#include "parse/frontend.h"
#include "simplify/simplify.h"

namespace nabla {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

using test_support::run_command;

struct Case {
  CodeFunction function;
  std::vector<int64_t> params;
  Bindings bindings;
  std::vector<Matrix> expected;  // one per output, from the evaluator
};

// Every check's left side `grad(e, x)` / `jacobian(e, x)` / `hessian(e, x)` becomes a function
// returning the value e and the derivative; values are drawn at dimension sizes n=3, m=2, k=4.
class Identities : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = read_file(std::string(NABLA_DATA_DIR) + "/identities.nabla");
    ASSERT_FALSE(source_.empty());
    Frontend frontend(graph_);
    std::vector<Query> queries = frontend.run_script(source_);
    std::mt19937 gen(7);
    std::uniform_real_distribution<double> u(-1, 1);
    for (size_t i = 0; i < queries.size(); ++i) {
      const Query& q = queries[i];
      Id lhs = q.expr;
      const Node& n = graph_[lhs];
      ASSERT_GE(n.kids.size(), 2u) << q.text;
      Case c;
      c.function.name = "identity_" + std::to_string(i);
      c.function.outputs.push_back({"value", simplify(graph_, n.kids[0])});
      const char* what = n.op == Op::Grad ? "grad" : n.op == Op::Jacobian ? "jacobian" : "hessian";
      c.function.outputs.push_back({what, simplify(graph_, expand_queries(graph_, lhs))});
      c.params = code_parameters(graph_, c.function);
      for (int64_t p : c.params) {
        Shape s = graph_.symbol(p).shape;
        for (Dim d : {s.rows, s.cols}) {
          if (!d.is_symbol()) continue;
          const std::string& name = graph_.dims.name(d);
          c.bindings.dims[d.symbol_index()] = name == "n" ? 3 : name == "m" ? 2 : 4;
        }
        auto [r, k] = shape_size(graph_, s, c.bindings);
        Matrix v(r, k);
        for (Eigen::Index j = 0; j < v.size(); ++j) v.data()[j] = u(gen);
        if (r == k && r > 1) v += r * Matrix::Identity(r, k);  // invertible, det > 0
        if (graph_.symbol(p).symmetric) v = (v + v.transpose()).eval() / 2;
        c.bindings.values[p] = v;
      }
      for (const CodeOutput& o : c.function.outputs)
        c.expected.push_back(evaluate(graph_, o.expr, c.bindings));
      cases_.push_back(std::move(c));
    }
    ASSERT_GE(cases_.size(), 30u);
  }

  // Compares "label v1 v2 ..." lines (column-major entries) with the evaluator's values.
  void compare(const std::string& output) {
    std::map<std::string, std::vector<double>> got;
    std::istringstream in(output);
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream l(line);
      std::string label;
      l >> label;
      double v;
      while (l >> v) got[label].push_back(v);
    }
    for (size_t i = 0; i < cases_.size(); ++i) {
      for (size_t o = 0; o < cases_[i].expected.size(); ++o) {
        std::string label = std::to_string(i) + "." + std::to_string(o);
        const Matrix& want = cases_[i].expected[o];
        ASSERT_TRUE(got.count(label)) << "no output " << label << "\n" << output;
        const std::vector<double>& g = got[label];
        ASSERT_EQ(static_cast<Eigen::Index>(g.size()), want.size()) << label;
        for (Eigen::Index j = 0; j < want.size(); ++j)
          EXPECT_NEAR(g[static_cast<size_t>(j)], want.data()[j],
                      1e-9 * std::max(1.0, std::abs(want.data()[j])))
              << cases_[i].function.name << " output " << o << " entry " << j;
      }
    }
  }

  static std::string literal(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
  }

  Graph graph_;
  std::string source_;
  std::vector<Case> cases_;
};

// Every output a generated function computes is also a printed result: as text and as Unicode
// it reads back (in a scope naming the variables it uses) to the same shape, kind and value at
// the case's point.
TEST_F(Identities, EveryOutputPrintsAndReadsBack) {
  int read = 0;
  for (const Case& c : cases_) {
    for (const CodeOutput& o : c.function.outputs) {
      Frontend front(graph_);
      for (Id id : reachable(graph_, o.expr))
        if (graph_[id].op == Op::Var || graph_[id].op == Op::Call)
          front.name_symbol(static_cast<int32_t>(graph_[id].a));
      for (Format format : {Format::Text, Format::Unicode}) {
        testing::ReadBack r = testing::read_back(front, graph_, o.expr, format, {c.bindings});
        EXPECT_TRUE(r.ok()) << c.function.name << " " << o.name << ": " << r.why
                            << "\n  printed: " << r.printed;
        read += r.ok();
      }
    }
  }
  EXPECT_GE(read, 4 * 30);
}

TEST_F(Identities, GeneratedCppCompilesWithWerrorAndMatchesEvaluator) {
  std::string dir = ::testing::TempDir();
  std::ostringstream src;
  std::ostringstream main;
  main << "#include <cstdio>\nstatic void print(const char* label, double v) { std::printf(\"%s "
          "%.17g\\n\", label, v); }\n"
          "static void print(const char* label, const Eigen::MatrixXd& m) {\n"
          "  std::printf(\"%s\", label);\n  for (Eigen::Index j = 0; j < m.size(); ++j) "
          "std::printf(\" %.17g\", m.data()[j]);\n  std::printf(\"\\n\");\n}\n"
          "int main() {\n";
  for (size_t i = 0; i < cases_.size(); ++i) {
    const Case& c = cases_[i];
    src << emit_cpp(graph_, c.function) << "\n";
    main << "  {\n";
    std::string args;
    for (int64_t p : c.params) {
      const Matrix& v = c.bindings.values.at(p);
      std::string name = "a" + std::to_string(p);
      Shape s = graph_.symbol(p).shape;
      if (s.is_scalar()) {
        main << "    double " << name << " = " << literal(v(0, 0)) << ";\n";
      } else {
        bool column = s.cols.is_fixed() && s.cols.size() == 1;
        main << "    " << (column ? "Eigen::VectorXd " : "Eigen::MatrixXd ") << name;
        main << (column ? "(" + std::to_string(v.rows()) + ")"
                        : "(" + std::to_string(v.rows()) + ", " + std::to_string(v.cols()) + ")");
        main << ";\n    " << name << " << ";
        for (Eigen::Index r = 0; r < v.rows(); ++r)
          for (Eigen::Index k = 0; k < v.cols(); ++k)
            main << (r || k ? ", " : "") << literal(v(r, k));
        main << ";\n";
      }
      args += (args.empty() ? "" : ", ") + name;
    }
    main << "    auto r = " << c.function.name << "(" << args << ");\n";
    main << "    print(\"" << i << ".0\", r.value);\n";
    main << "    print(\"" << i << ".1\", r." << c.function.outputs[1].name << ");\n  }\n";
  }
  // A wrong shape is rejected with a message naming the argument.
  main << "  try {\n    identity_0(Eigen::VectorXd::Ones(3), Eigen::VectorXd::Ones(2));\n"
          "    std::printf(\"no shape error\\n\");\n  } catch (const std::invalid_argument& e) {\n"
          "    std::printf(\"shape error: %s\\n\", e.what());\n  }\n";
  main << "  return 0;\n}\n";
  std::string path = dir + "nabla_codegen_identities.cpp";
  std::ofstream(path) << src.str() << main.str();
  std::string out;
  std::string exe = dir + "nabla_codegen_identities";
  int rc = run_command(
      "c++ -std=c++17 -O0 -Wall -Wextra -Werror -I/usr/include/eigen3 -o " + exe + " " + path,
      &out);
  std::remove(path.c_str());
  ASSERT_EQ(rc, 0) << out;
  out.clear();
  rc = run_command(exe, &out);
  std::remove(exe.c_str());
  ASSERT_EQ(rc, 0) << out;
  compare(out);
  EXPECT_NE(out.find("shape error: x has 2 rows, expected n = 3"), std::string::npos) << out;
}

TEST_F(Identities, GeneratedNumpyMatchesEvaluator) {
  const std::string python = test_support::python_with_numpy();
  if (python.empty())
    GTEST_SKIP() << "python3 with numpy is not installed (apt-get install python3-numpy)";
  std::ostringstream py;
  for (size_t i = 0; i < cases_.size(); ++i) py << emit_numpy(graph_, cases_[i].function) << "\n";
  py << "\n\ndef _show(label, v):\n"
        "    print(label, \" \".join(\"%.17g\" % e for e in np.asarray(v, dtype=float)"
        ".reshape(-1, order=\"F\")))\n\n";
  for (size_t i = 0; i < cases_.size(); ++i) {
    const Case& c = cases_[i];
    std::string args;
    for (int64_t p : c.params) {
      const Matrix& v = c.bindings.values.at(p);
      Shape s = graph_.symbol(p).shape;
      std::string a;
      if (s.is_scalar()) {
        a = literal(v(0, 0));
      } else if (s.cols.is_fixed() && s.cols.size() == 1) {
        a = "np.array([";
        for (Eigen::Index r = 0; r < v.rows(); ++r) a += (r ? ", " : "") + literal(v(r, 0));
        a += "])";
      } else {
        a = "np.array([";
        for (Eigen::Index r = 0; r < v.rows(); ++r) {
          a += r ? ", [" : "[";
          for (Eigen::Index k = 0; k < v.cols(); ++k) a += (k ? ", " : "") + literal(v(r, k));
          a += "]";
        }
        a += "])";
      }
      args += (args.empty() ? "" : ", ") + a;
    }
    py << "_r = " << c.function.name << "(" << args << ")\n";
    py << "_show(\"" << i << ".0\", _r[0])\n_show(\"" << i << ".1\", _r[1])\n";
  }
  py << "try:\n    identity_0(np.ones(3), np.ones(2))\n    print(\"no shape error\")\n"
        "except ValueError as e:\n    print(\"shape error:\", e)\n";
  std::string path = ::testing::TempDir() + "nabla_codegen_identities.py";
  std::ofstream(path) << py.str();
  std::string out;
  const int rc = run_command(python + " " + path, &out);
  std::remove(path.c_str());
  ASSERT_EQ(rc, 0) << out;
  compare(out);
  // Vectors are 1-D arrays in the NumPy code: their size is a count of entries.
  EXPECT_NE(out.find("shape error: x has 2 entries, expected n = 3"), std::string::npos) << out;
}

}  // namespace
}  // namespace nabla
