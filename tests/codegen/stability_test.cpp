// The overflow-prone spellings at ±1000 in generated code: the C++ (which embeds the kernel
// library, eval/kernels.h) compiles and gives the finite values evaluate() gives, and so does the
// NumPy code (whose helpers are the same kernels written in NumPy).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../support/shell.h"
#include "codegen/codegen.h"
#include "eval/evaluate.h"
#include "parse/frontend.h"

namespace nabla {
namespace {

using test_support::run_command;

// Each output of the function `f`, its exact value at u = 1000, z = (1000, -1000), y = (0, 1).
struct Expected {
  const char* text;
  std::vector<double> want;
};
const std::vector<Expected> kOutputs = {
    {"log(1 + exp(u))", {1000}},      {"log(1 + exp(-u))", {0}},
    {"log(1/(1 + exp(u)))", {-1000}}, {"log(sigmoid(-u))", {-1000}},
    {"exp(u)/(1 + exp(u))", {1}},     {"softplus(-u) + sigmoid(-u)", {0}},
    {"-y'*log(softmax(z))", {2000}},  {"log(softmax(z))", {0, -2000}},
    {"logsumexp(z)", {1000}},         {"logsumexp(-z - 1000*ones(2))", {0}},
    {"log(1 + exp(z))", {1000, 0}},
};

class GeneratedStability : public ::testing::Test {
 protected:
  void SetUp() override {
    fe_.run_script("u in R; z, y in R^2");
    f_.name = "f";
    for (size_t i = 0; i < kOutputs.size(); ++i)
      f_.outputs.push_back({"o" + std::to_string(i), fe_.parse_expression(kOutputs[i].text)});
    dir_ = std::filesystem::temp_directory_path() /
           ("nabla_codegen_stability_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // "o<i> v1 v2 ..." lines against the expected values, and evaluate() agrees.
  void compare(const std::string& output) {
    std::istringstream in(output);
    std::string line;
    size_t seen = 0;
    while (std::getline(in, line)) {
      std::istringstream l(line);
      std::string label;
      l >> label;
      if (label.size() < 2 || label[0] != 'o') continue;
      const size_t i = std::stoul(label.substr(1));
      ASSERT_LT(i, kOutputs.size()) << line;
      std::vector<double> got;
      for (std::string v; l >> v;) got.push_back(std::stod(v));
      const std::vector<double>& want = kOutputs[i].want;
      ASSERT_EQ(got.size(), want.size()) << kOutputs[i].text << ": " << line;
      for (size_t j = 0; j < want.size(); ++j)
        EXPECT_NEAR(got[j], want[j], 1e-12 * std::max(1.0, std::fabs(want[j])))
            << kOutputs[i].text << " entry " << j;
      ++seen;
    }
    EXPECT_EQ(seen, kOutputs.size()) << output;
  }

  Graph store_;
  Frontend fe_{store_};
  CodeFunction f_;
  std::filesystem::path dir_;
};

TEST_F(GeneratedStability, EvaluatorGivesTheExactValues) {
  Graph& g = fe_.graph();
  Bindings b;
  b.values[g[fe_.parse_expression("u")].a] = Matrix::Constant(1, 1, 1000);
  Matrix z(2, 1), y(2, 1);
  z << 1000, -1000;
  y << 0, 1;
  b.values[g[fe_.parse_expression("z")].a] = z;
  b.values[g[fe_.parse_expression("y")].a] = y;
  std::ostringstream out;
  for (size_t i = 0; i < f_.outputs.size(); ++i) {
    Matrix v = evaluate(g, f_.outputs[i].expr, b);
    out << "o" << i;
    for (Eigen::Index j = 0; j < v.size(); ++j) out << " " << v.data()[j];
    out << "\n";
  }
  compare(out.str());
}

TEST_F(GeneratedStability, CppAtPlusAndMinus1000) {
  std::string src = emit_cpp(fe_.graph(), f_);
  // Self-contained: the kernel library is in the file, not included from nabla.
  EXPECT_EQ(src.find("#include \"eval/"), std::string::npos);
  EXPECT_NE(src.find("namespace kernels"), std::string::npos);
  src +=
      "#include <cstdio>\nint main() {\n  Eigen::VectorXd z(2), y(2);\n  z << 1000, -1000;\n"
      "  y << 0, 1;\n  auto r = f(1000.0, z, y);\n";
  for (size_t i = 0; i < kOutputs.size(); ++i)
    src += "  { Eigen::MatrixXd m = nabla_generated::as_mat(r.o" + std::to_string(i) +
           "); std::printf(\"o" + std::to_string(i) +
           "\"); for (Eigen::Index j = 0; j < m.size(); ++j) std::printf(\" %.17g\", m.data()[j]);"
           " std::printf(\"\\n\"); }\n";
  src += "  return 0;\n}\n";
  const std::string path = (dir_ / "stable.cpp").string(), exe = (dir_ / "stable").string();
  std::ofstream(path) << src;
  std::string out;
  ASSERT_EQ(run_command("c++ -std=c++17 -O1 -Wall -Wextra -Werror -I/usr/include/eigen3 -o " + exe +
                            " " + path,
                        &out),
            0)
      << out;
  out.clear();
  ASSERT_EQ(run_command(exe, &out), 0) << out;
  compare(out);
}

TEST_F(GeneratedStability, NumpyAtPlusAndMinus1000) {
  const std::string python = test_support::python_with_numpy();
  if (python.empty()) GTEST_SKIP() << "python3 with numpy is not installed";
  std::string py = emit_numpy(fe_.graph(), f_);
  py +=
      "\n\nimport warnings\nwarnings.simplefilter('error')\n"
      "r = f(1000.0, np.array([1000.0, -1000.0]), np.array([0.0, 1.0]))\n"
      "for i, v in enumerate(r):\n"
      "    print('o%d' % i, ' '.join('%.17g' % e for e in np.asarray(v).reshape(-1)))\n";
  const std::string path = (dir_ / "stable.py").string();
  std::ofstream(path) << py;
  std::string out;
  ASSERT_EQ(run_command(python + " " + path, &out), 0) << out << "\n" << py;
  compare(out);
}

}  // namespace
}  // namespace nabla
