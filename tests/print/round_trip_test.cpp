#include <fstream>
#include <sstream>

#include "print/layout.h"
#include "round_trip_util.h"

namespace nabla {
namespace {

using print_testing::equivalent;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Cases of a .nabla file: the blocks between blank lines.
std::vector<std::string> split_cases(const std::string& text) {
  std::vector<std::string> cases;
  std::string current, line;
  std::istringstream in(text);
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) {
      if (!current.empty()) cases.push_back(current);
      current.clear();
    } else {
      current += line + "\n";
    }
  }
  if (!current.empty()) cases.push_back(current);
  return cases;
}

// Prints id, parses the text back in the frontend's current scope, and checks the result is
// the same node or the same value.
void expect_round_trip(Frontend& front, Id id, std::mt19937& rng, const std::string& where) {
  Graph& g = front.graph();
  std::string text = to_text(g, id);
  Id back = kNoId;
  try {
    back = front.parse_expression(text);
  } catch (const Error& e) {
    ADD_FAILURE() << where << ": printed `" << text << "` does not parse: " << e.what();
    return;
  }
  EXPECT_TRUE(equivalent(g, id, back, rng))
      << where << ": `" << text << "` reads back as `" << to_text(g, back) << "`";
  // Printing is a fixed point after one round: the re-read expression prints the same way
  // whenever it is the same node.
  if (back == id) {
    EXPECT_EQ(to_text(g, back), text);
  }
}

TEST(RoundTrip, EveryIdentityBothSides) {
  std::string text = read_file(std::string(NABLA_DATA_DIR) + "/identities.nabla");
  ASSERT_FALSE(text.empty());
  Graph g;
  Frontend front(g);
  std::mt19937 rng(7);
  int checked = 0;
  for (const std::string& c : split_cases(text)) {
    std::vector<Query> queries = front.run_script(c);
    for (const Query& q : queries) {
      expect_round_trip(front, q.expr, rng, q.text + " (left)");
      ++checked;
      if (q.rhs != kNoId) {
        expect_round_trip(front, q.rhs, rng, q.text + " (right)");
        ++checked;
      }
    }
  }
  EXPECT_GE(checked, 60);
}

// Surface forms whose printed text should read back to exactly the same node.
TEST(RoundTrip, SurfaceFormsPrintAsWritten) {
  Graph g;
  Frontend front(g);
  front.run_script(
      "a, b, c, t in R; x, y, w in R^n; A, B, X in R^(n x n); f, g : R^n -> R^n; "
      "h1, h2 : R -> R; s : R^n -> R; L : R x R x R -> R; r : R -> R^n");
  const char* forms[] = {
      "a + b",
      "a - b",
      "a + b - c",
      "a*b",
      "x/a",
      "-x",
      "2*x",
      "1/2*x",
      "x'*y",
      "A*B*x",
      "(A + A')*x",
      "x*x'",
      "x .* y",
      "x ./ y",
      "x.^2",
      "a^2",
      "sqrt(x)",
      "-a^2",
      "(-a)^2",
      "(A*B)'",
      "exp(x)",
      "log(a)",
      "tr(A)",
      "diag(x)",
      "diag(A)",
      "inv(X)",
      "det(X)*inv(X)'",
      "norm2(x)",
      "sum(x)",
      "A*inv(B)*X",
      "[a; b; c]",
      "f(x)",
      "J(f)(x)",
      "grad(s)(x)",
      "h1'(t)",
      "partial(L, 2)(a, b, c)",
      "L(a, b, c)",
      "softmax(x)",
      "logsumexp(x)",
      "sigmoid(x)",
      "x/(1 + exp(a))",
      "a - (b - c)",
      "a/(b*c)",
      "pi*a",
      "1/10*x",
      "1e-300*a",
      "(x - y)/norm2(x - y)",
      "-sigmoid(-w'*x)*x",
      "J(f)(x)'*g(x) + J(g)(x)'*f(x)",
      "h2'(h1(s(x)))*h1'(s(x))*grad(s)(x)",
      "partial(L, 1)(h1(t), h2(t), t)*h1'(t)",
      "-X'*(y .* sigmoid(-y .* (X*w)))",
      "J(r)(t)",
      "x''",
      "(-x)'",
      "-x'",
      "a'^2",
      "a^b^2",
      "(a^b)^2",
      "a^(2/3)",
      "1 ./ x",
      "A*(x .* y)",
      "y .* (A*x)",
      "x ./ (y .* y)",
      "[x; y]",
      "a - 2*b",
      "a*(x + y)",
      "pi",
  };
  for (const char* form : forms) {
    Id id = kNoId;
    try {
      id = front.parse_expression(form);
    } catch (const Error& e) {
      ADD_FAILURE() << "`" << form << "` does not parse: " << e.what();
      continue;
    }
    EXPECT_EQ(to_text(g, id), form);
    EXPECT_EQ(front.parse_expression(to_text(g, id)), id) << form;
  }
}

// kron is printed as kron(A, B) (A ⊗ B in Unicode); both read back to the same node.
TEST(RoundTrip, KronReadsBack) {
  Graph g;
  Frontend front(g);
  front.run_script("A, B in R^(n x n)");
  Id id = kron(g, front.parse_expression("A"), front.parse_expression("B"));
  ASSERT_EQ(to_text(g, id), "kron(A, B)");
  EXPECT_EQ(front.parse_expression("kron(A, B)"), id);
  EXPECT_EQ(to_unicode(g, id), "(A ⊗ B)");
  EXPECT_EQ(front.parse_expression(to_unicode(g, id)), id);
  EXPECT_EQ(front.parse_expression("A ⊗ B"), id);
  EXPECT_EQ(g.dims.to_string(g[id].shape), "n*n×n*n");
}

}  // namespace
}  // namespace nabla
