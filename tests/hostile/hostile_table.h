#pragma once
// The hostile-input table: inputs that must end cleanly (a result, a failed check, or a clean
// error naming why), run through the binary by hostile_input_test.cpp and through the web API
// by tests/serve.
#include <string>
#include <vector>

#include "../cli/run_nabla.h"  // write_file

namespace nabla::testing::hostile {

enum class Expect {
  Result,     // exit 0
  Error,      // exit 2 with a message containing `message`
  Either,     // exit 0, or exit 2 with a message containing `message`
  CheckFail,  // exit 1 (a check that does not hold) or 0
};

struct Hostile {
  std::string name;
  std::vector<std::string> args;  // {"-"} reads the script from standard input
  std::string input;
  Expect expect = Expect::Either;
  std::string message;  // for Error/Either when the status is 2
};

inline std::string repeat(const std::string& s, size_t n) {
  std::string r;
  r.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) r += s;
  return r;
}

// `open` n times, then `middle`, then `close` n times.
inline std::string nest(const std::string& open, const std::string& middle,
                        const std::string& close, size_t n) {
  return repeat(open, n) + middle + repeat(close, n);
}

inline std::string script(const std::string& s) {
  return s + "\n";
}

// x in R^n; e0 = x'*x; e_i = step with P standing for e_{i-1}; then query with E standing for
// e_n: a DAG of n + 2 lines whose tree doubles with each line.
inline std::string doubling(int n, const std::string& step, const std::string& query) {
  auto with = [](std::string text, char placeholder, const std::string& name) {
    for (size_t at = text.find(placeholder); at != std::string::npos;
         at = text.find(placeholder, at + name.size()))
      text.replace(at, 1, name);
    return text;
  };
  std::string s = "x in R^n\ne0 = x'*x\n";
  for (int i = 1; i <= n; ++i)
    s += "e" + std::to_string(i) + " = " + with(step, 'P', "e" + std::to_string(i - 1)) + "\n";
  return s + with(query, 'E', "e" + std::to_string(n)) + "\n";
}

inline std::vector<Hostile> table() {
  const std::vector<std::string> in = {"-"};
  const size_t deep = 100000;  // far past the parser's nesting limit
  std::vector<Hostile> t = {
      // ---- deep nesting of every construct
      {"deep parentheses", in, script("x in R\n" + nest("(", "x", ")", deep)), Expect::Error,
       "nesting"},
      {"parentheses at the limit", in, script("x in R\n" + nest("(", "x", ")", 990)),
       Expect::Either, ""},
      {"deep unary minus", in, script("x in R\n" + repeat("-", deep) + "x"), Expect::Error,
       "nesting"},
      {"deep unary plus", in, script("x in R\n" + repeat("+", deep) + "x"), Expect::Either, ""},
      {"deep function calls", in, script("x in R\n" + nest("exp(", "x", ")", deep)),
       Expect::Error, "nesting"},
      {"deep sqrt", in, script("x in R\n" + nest("sqrt(", "x", ")", deep)), Expect::Error,
       "nesting"},
      {"deep stacks", in, script("x in R\n" + nest("[", "x", "]", deep)), Expect::Error,
       "nesting"},
      {"deep inner products", in, script("x in R^n\n" + nest("<x, ", "x", ">", deep)),
       Expect::Error, "nesting"},
      {"deep norm bars", in, script("x in R^n\n" + nest("norm2(", "x", ")", deep)),
       Expect::Error, "nesting"},
      {"deep transposes", in, script("A in R^(n x n)\nA" + repeat("'", deep)), Expect::Either,
       ""},
      {"deep grads", in, script("x in R\n" + nest("grad(", "x^2", ", x)", 2000)),
       Expect::Error, "nesting"},
      {"nested grads 20", in, script("x in R\n" + nest("grad(", "exp(x)*sin(x)", ", x)", 20)),
       Expect::Either, ""},
      {"nested diffs 8", in, script("x in R\n" + nest("diff(", "exp(sin(x)*x)", ", x)", 8)),
       Expect::Either, ""},
      {"hessian of a hessian", in, script("x in R^n\nhessian(hessian(x'*x, x), x)"),
       Expect::Error, "scalar"},
      {"jacobian of a jacobian", in, script("x in R^n\njacobian(jacobian(exp(x), x), x)"),
       Expect::Either, ""},
      {"deep simplify", in, script("x in R\n" + nest("simplify(", "x + x", ")", 3000)),
       Expect::Error, "nesting"},
      {"deep power tower", in, script("x in R\n" + repeat("x^", deep) + "x"), Expect::Either,
       ""},
      {"deep binary chain", in, script("x in R\n" + repeat("x*(", 5000) + "x" +
                                       repeat(")", 5000)),
       Expect::Error, "nesting"},
      // ---- numbers
      {"huge exponent literal", in, script("x in R\nx + 1e999999"), Expect::Either, ""},
      {"tiny exponent literal", in, script("x in R\nx + 1e-999999"), Expect::Either, ""},
      {"huge integer literal", in, script("x in R\nx + 99999999999999999999999"),
       Expect::Either, ""},
      {"hundred digit integer", in, script("x in R\nx*" + repeat("9", 100) + "/" +
                                           repeat("7", 100)),
       Expect::Either, ""},
      {"long fraction", in, script("x in R\nx + 0." + repeat("1", 100000)), Expect::Either, ""},
      {"exponent tower of constants", in, script("x in R\nx + 2^2^2^2^2^2"), Expect::Either, ""},
      {"rational overflow", in,
       script("x in R\nx*(9223372036854775807/9223372036854775806)^9223372036854775807"),
       Expect::Either, ""},
      {"division by zero constant", in, script("x in R\nx/0 + 0/0"), Expect::Either, ""},
      {"x to the billion", in, script("x in R\nx^(10^9)"), Expect::Result, ""},
      {"grad of x to the billion", in, script("x in R\ngrad(x^1000000000, x)"), Expect::Result,
       ""},
      {"matrix power a million", in, script("A in R^(n x n)\nA^1000000"), Expect::Error, "64"},
      {"matrix power minus a million", in, script("A in R^(n x n)\nA^-1000000"), Expect::Error,
       ""},
      {"grad of matrix power", in, script("A in R^(n x n)\ngrad(tr(A^64), A)"), Expect::Either,
       ""},
      // ---- dimensions
      {"huge dimension", in, script("x in R^999999999\nsum(x)"), Expect::Result, ""},
      {"dimension past int32", in, script("x in R^99999999999\nsum(x)"), Expect::Error, ""},
      {"zero dimension", in, script("x in R^0\nsum(x)"), Expect::Error, ""},
      {"check with huge dimension", in, script("x in R^999999999\ncheck sum(x) == sum(x)"),
       Expect::Error, "limit"},
      {"check with huge matrix", in,
       script("A in R^(99999 x 99999)\ncheck tr(A) == tr(A')"), Expect::Error, "limit"},
      {"check with big determinant", in, script("A in R^(3000 x 3000)\ncheck det(A) == det(A')"),
       Expect::Error, "limit"},
      {"check with huge symbolic product", in,
       script("x in R^n; y in R^99999999\ncheck sum(x*y') == sum(x)*sum(y)"), Expect::Error,
       "limit"},
      {"huge vec", in, script("A in R^(3000 x 3000)\ncheck sum(vec(A)) == sum(A)"),
       Expect::Error, "limit"},
      {"outer product too large", in, script("x in R^(50000)\ncheck x*x' == x*x'"),
       Expect::Error, ""},
      // ---- size and repetition
      {"many statements", in, repeat("x in R\n", 100000) + "grad(x^2, x)\n", Expect::Result,
       ""},
      {"many queries", in, "x in R^n\n" + repeat("grad(x'*x, x)\n", 5000), Expect::Result, ""},
      {"redeclaration storm", in,
       repeat("x in R; x in R^n; x in R^(n x n); x in Sym(n); x : R -> R\n", 20000) +
           "x in R^n\ngrad(x'*x, x)\n",
       Expect::Result, ""},
      {"function declaration storm", in, repeat("f : R^n -> R\n", 50000) + "x in R^n\nf(x)\n",
       Expect::Result, ""},
      {"long name", in, script(repeat("a", 500000) + " in R^n\n" + repeat("a", 500000) + "'*" +
                               repeat("a", 500000)),
       Expect::Either, ""},
      {"long sum", in, script("x in R^n\ngrad(" + repeat("x'*x + ", 20000) + "1, x)"),
       Expect::Either, ""},
      {"long product", in, script("x in R\ngrad(" + repeat("x*", 20000) + "x, x)"),
       Expect::Either, ""},
      {"wide stack", in, script("x in R\n[" + repeat("x; ", 50000) + "x]"), Expect::Either, ""},
      {"many wrt variables", in,
       [] {
         std::string s, names;
         for (int i = 0; i < 2000; ++i) names += (i ? ", v" : "v") + std::to_string(i);
         s = names + " in R\ngrad(";
         for (int i = 0; i < 2000; ++i) s += "v" + std::to_string(i) + "^2 + ";
         return s + "1, " + names + ")\n";
       }(),
       Expect::Either, ""},
      {"doubling definitions", in,
       [] {
         std::string s = "x in R^n\ne0 = x'*x\n";
         for (int i = 1; i <= 32; ++i)
           s += "e" + std::to_string(i) + " = e" + std::to_string(i - 1) + "*e" +
                std::to_string(i - 1) + " + sin(e" + std::to_string(i - 1) + ")\n";
         return s + "grad(e32, x)\n";
       }(),
       Expect::Either, ""},
      {"self-referencing definition", in, script("x in R\nf(x) = f(x) + 1\nf(x)"),
       Expect::Either, ""},
      {"self-referencing name", in, script("x in R\na = a + 1\na"), Expect::Either, ""},
      {"megabyte of valid sum", in, "x in R\n" + repeat("x + ", 250000) + "x\n",
       Expect::Either, ""},
      {"more than the size limit", in, "x in R\n" + repeat("x + ", 1500000) + "x\n",
       Expect::Error, "MiB"},
      // ---- bytes
      {"control characters", in, script("x in R\nx + \x01\x02\x03\x1b[31m"), Expect::Error, ""},
      {"NUL bytes", in, std::string("x in R\nx +\0 x\n\0\0", 16), Expect::Error, ""},
      {"byte order mark", in, "\xEF\xBB\xBFx in R\ngrad(x^2, x)\n", Expect::Either, ""},
      {"CRLF line endings", in, "x in R^n\r\ngrad(x'*x, x)\r\n", Expect::Result, ""},
      {"CR only line endings", in, "x in R^n\rgrad(x'*x, x)\r", Expect::Either, ""},
      {"tabs and form feeds", in, "x\tin\tR^n\f\n\vgrad(x'*x,\tx)\n", Expect::Either, ""},
      {"truncated UTF-8", in, script("x in R\nx + \xCE"), Expect::Error, ""},
      {"overlong UTF-8", in, script("x in R\nx + \xC0\xAF"), Expect::Error, ""},
      {"surrogate in UTF-8", in, script("x in R\n\xED\xA0\x80 + x"), Expect::Error, ""},
      {"unicode soup", in, script("α in R\n∇_α ‖α‖ + α⊙α ∘ ∑ ∞"), Expect::Either, ""},
      {"random binary", in,
       [] {
         std::string s;
         uint32_t state = 12345;
         for (int i = 0; i < 100000; ++i) {
           state = state * 1664525u + 1013904223u;
           s += static_cast<char>(state >> 24);
         }
         return s;
       }(),
       Expect::Error, ""},
      // ---- shapes that only inference can settle
      {"bare ones", in, script("ones"), Expect::Either, ""},
      {"bare identity", in, script("I + I'"), Expect::Either, ""},
      {"undeclared everything", in, script("A*B*C*x + y'*D*z"), Expect::Either, ""},
  };
  // ---- work: derivation, simplification and printing of inputs whose trees are exponentially
  // larger than their DAGs, or whose simplification is quadratic; each must end by its budget
  // (a result or a clean error naming the limit), whatever the rule that is running.
  std::vector<Hostile> work = {
      {"doubling squares plus sines, grad", in, doubling(60, "P*P + sin(P)", "grad(E, x)"),
       Expect::Error, "limit"},
      {"doubling sums plus sines, grad", in, doubling(60, "P + sin(P)", "grad(E, x)"),
       Expect::Error, "limit"},
      {"doubling exp plus log, grad", in, doubling(60, "exp(P) + log(P)", "grad(E, x)"),
       Expect::Error, "limit"},
      {"doubling P*(P + 1), grad", in, doubling(60, "P*(P + 1)", "grad(E, x)"), Expect::Error,
       "limit"},
      {"doubling cubes, grad", in, doubling(60, "P*P*P - P", "grad(E, x)"), Expect::Error, "limit"},
      {"doubling, hessian", in, doubling(60, "P*P + sin(P)", "hessian(E, x)"), Expect::Error,
       "limit"},
      {"doubling, jacobian", in, doubling(60, "P*P + P", "jacobian(E*x, x)"), Expect::Error,
       "limit"},
      {"doubling, check of gradients", in,
       doubling(60, "P*P + sin(P)", "check grad(E, x) == grad(E, x)"), Expect::Error, "limit"},
      {"doubling, printed", in, doubling(60, "P*P + sin(P)", "E"), Expect::Error, "print"},
      {"doubling, simplify", in, doubling(60, "P*P + P", "simplify(E)"), Expect::Error, ""},
      // Five hard queries in one script: the run's shared budget (driver) stops the whole
      // script in time, not each query after its own budget.
      {"five hard queries in one script", in,
       doubling(60, "P*P + sin(P)",
                "grad(E, x)\ngrad(E + 1, x)\ngrad(E + 2, x)\ngrad(E + 3, x)\ngrad(E + 4, x)"),
       Expect::Error, "limit"},
      {"doubling squares, grad", in, doubling(60, "P*P", "grad(E, x)"), Expect::Result, ""},
      {"doubling sums, grad", in, doubling(60, "P + P", "grad(E, x)"), Expect::Result, ""},
      {"twelve nested diffs", in,
       script("x in R\n" + nest("diff(", "exp(sin(x)*x)*log(x^2 + 1)/(1 + x^4)", ", x)", 12)),
       Expect::Error, "limit"},
      // Ends at the simplifier's time limit or, when simplification finishes in time, at the
      // printer's size limit: either message says the expression is too large.
      {"nested log of sums", in, script("x in R\ngrad(" + nest("log(x + ", "x", ")", 300) + ", x)"),
       Expect::Either, "too large"},
      {"nested exp of sin", in, script("x in R\ngrad(" + nest("exp(sin(", "x", "))", 400) + ", x)"),
       Expect::Either, ""},
      {"polynomial of 3000 terms", in,
       [] {
         std::string s = "x in R\ngrad(1";
         for (int i = 1; i < 3000; ++i) s += " + " + std::to_string(i) + "*x^" + std::to_string(i);
         return s + ", x)\n";
       }(),
       Expect::Either, "limit"},
      {"megabyte polynomial", in,
       [] {
         std::string s = "x in R\ngrad(1";
         for (int i = 1; i < 80000; ++i) s += " + " + std::to_string(i) + "*x^" + std::to_string(i);
         return s + ", x)\n";
       }(),
       Expect::Either, "limit"},
      {"megabyte of monomials to simplify", in,
       [] {
         std::string s = "x, y in R\nsimplify(1";
         for (int i = 1; i < 60000; ++i)
           s += " + " + std::to_string(i % 97) + "*x^" + std::to_string(i % 13) + "*y^" +
                std::to_string(i % 7);
         return s + ")\n";
       }(),
       Expect::Either, ""},
      {"doubling matrix products", in,
       [] {
         std::string s = "A in R^(n x n)\nB0 = A\n";
         for (int i = 1; i <= 60; ++i)
           s += "B" + std::to_string(i) + " = B" + std::to_string(i - 1) + "*B" +
                std::to_string(i - 1) + "'\n";
         return s + "grad(tr(B60), A)\nsimplify(B60 + B60')\n";
       }(),
       Expect::Either, ""},
  };
  t.insert(t.end(), work.begin(), work.end());
  // ---- values for eval
  std::string big_vector = "{\"x\": [" + repeat("1.5, ", 200000) + "1]}";
  std::string deep_json = "{\"x\": " + nest("[", "1", "]", 100000) + "}";
  std::string wide_matrix = "{\"A\": [" + repeat("[1, 2], ", 100000) + "[1, 2]]}";
  std::string doubling_let = "x in R^n; e0 = x'*x";
  for (int i = 1; i <= 60; ++i)
    doubling_let += "; e" + std::to_string(i) + " = e" + std::to_string(i - 1) + "*e" +
                    std::to_string(i - 1) + " + sin(e" + std::to_string(i - 1) + ")";
  std::vector<Hostile> values = {
      {"giant JSON vector",
       {"eval", "x'*x", "--values", write_file("big.json", big_vector)},
       "",
       Expect::Result,
       ""},
      {"giant JSON outer product",
       {"eval", "x*x'", "--values", write_file("big2.json", big_vector)},
       "",
       Expect::Error,
       "entries"},
      {"deep JSON",
       {"eval", "x'*x", "--values", write_file("deep.json", deep_json)},
       "",
       Expect::Error,
       ""},
      {"tall JSON matrix",
       {"eval", "A'*A", "--values", write_file("tall.json", wide_matrix)},
       "",
       Expect::Result,
       ""},
      {"JSON number out of range",
       {"eval", "x'*x", "--values", write_file("huge.json", "{\"x\": [1e999, -1e999]}")},
       "",
       Expect::Error,
       "JSON"},
      {"JSON NaN text",
       {"eval", "x'*x", "--values", write_file("nan.json", "{\"x\": [NaN, Infinity]}")},
       "",
       Expect::Error,
       "JSON"},
      {"JSON duplicate keys",
       {"eval", "x'*x", "--values", write_file("dup.json", "{\"x\": [1], \"x\": [1, 2]}")},
       "",
       Expect::Either,
       ""},
      {"JSON with NUL",
       {"eval", "x'*x", "--values", write_file("nul.json", std::string("{\"x\": [1\0]}", 11))},
       "",
       Expect::Error,
       "JSON"},
      {"JSON nonsymmetric Sym",
       {"eval", "tr(S)", "--let", "S in Sym(n)", "--values",
        write_file("sym.json", "{\"S\": [[1, 2], [3, 4]]}")},
       "",
       Expect::Error,
       "S"},
      {"JSON dims disagree",
       {"eval", "x'*A*x", "--values",
        write_file("dims.json", "{\"x\": [1, 2, 3], \"A\": [[1, 2], [3, 4]]}")},
       "",
       Expect::Error,
       ""},
      {"eval of huge declared dimension",
       {"eval", "sum(x)", "--let", "x in R^999999999", "--values",
        write_file("small.json", "{\"x\": [1, 2]}")},
       "",
       Expect::Error,
       ""},
      {"eval of a stable softmax",
       {"eval", "logsumexp(x) + sum(softmax(x))", "--values",
        write_file("soft.json", "{\"x\": [1e308, -1e308, 0]}")},
       "",
       Expect::Result,
       ""},
      // ---- command line
      {"one-shot with hostile wrt",
       {"grad", "x'*x", "--wrt", repeat("(", 100000)},
       "",
       Expect::Error,
       ""},
      {"one-shot with hostile let",
       {"grad", "x'*x", "--wrt", "x", "--let", repeat("x in R;", 10000)},
       "",
       Expect::Either,
       ""},
      {"eval of a doubling gradient",
       {"eval", "grad(e60, x)", "--let", doubling_let, "--values",
        write_file("x3.json", "{\"x\": [0.1, 0.2, 0.3]}")},
       "",
       Expect::Error,
       "limit"},
      {"eval of a doubling value",
       {"eval", "e60", "--let", doubling_let, "--values",
        write_file("x3b.json", "{\"x\": [0.1, 0.2, 0.3]}")},
       "",
       Expect::Result,
       ""},
      {"check of a doubling hessian",
       {"check", "hessian(e60, x) == hessian(e60, x)", "--let", doubling_let},
       "",
       Expect::Error,
       "limit"},
      {"check of a doubling value",
       {"check", "e60 == e60", "--let", doubling_let},
       "",
       Expect::CheckFail,
       ""},
      {"check that fails",
       {"check", "x'*x == 2*x'*x", "--let", "x in R^n"},
       "",
       Expect::CheckFail,
       ""},
  };
  t.insert(t.end(), values.begin(), values.end());
  return t;
}

}  // namespace nabla::testing::hostile
