// nabla: derive, explain, check and evaluate gradients, Jacobians and Hessians.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "driver/driver.h"

namespace {

using nabla::DriverOptions;
using nabla::OutputFormat;

constexpr const char* kVersion = "nabla 0.1.0";

constexpr const char* kDescription =
    "nabla derives, explains, checks and evaluates gradients, Jacobians and Hessians.\n"
    "\n"
    "  nabla FILE.nabla ...              run scripts (- reads standard input)\n"
    "  nabla -e 'STATEMENTS'             run statements given inline\n"
    "  nabla grad EXPR --wrt X [--let DECLS]      (also jacobian, hessian, diff, simplify)\n"
    "  nabla check 'LHS == RHS' [--let DECLS]\n"
    "  nabla eval QUERY --values FILE.json [--let DECLS] [--format json]\n"
    "\n"
    "Exit status: 0 success, 1 a check failed, 2 bad input.";

void add_common(CLI::App& app, std::string& format, bool& steps, uint64_t& seed) {
  app.add_option("--format", format,
                 "Output: text (parses back), unicode, latex, json; cpp, numpy, torch (code)")
      ->check(CLI::IsMember({"text", "unicode", "latex", "json", "cpp", "numpy", "torch"}));
  app.add_flag("--steps", steps, "Show how each result was derived, one named rule a line");
  app.add_option("--seed", seed, "Seed of the random draws of check");
}

OutputFormat to_format(const std::string& f) {
  static const std::map<std::string, OutputFormat> formats{
      {"text", OutputFormat::Text},   {"unicode", OutputFormat::Unicode},
      {"latex", OutputFormat::Latex}, {"json", OutputFormat::Json},
      {"cpp", OutputFormat::Cpp},     {"numpy", OutputFormat::Numpy},
      {"torch", OutputFormat::Torch}};
  return formats.at(f);
}

// CLI11 reports usage errors with its own codes; ours is 2 for all bad input.
int usage_exit(CLI::App& app, const CLI::ParseError& e) {
  int code = app.exit(e);
  return code == 0 ? 0 : nabla::kExitBadInput;
}

bool read_source(const std::string& path, std::string& text) {
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), {});
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  text.assign(std::istreambuf_iterator<char>(in), {});
  return true;
}

int run_files(const std::vector<std::string>& files, const DriverOptions& options) {
  // Statuses are ordered by severity: bad input (2) over a failed check (1) over success.
  int status = nabla::kExitOk;
  for (const std::string& file : files) {
    std::string text;
    if (!read_source(file, text)) {
      std::cerr << file << ": error: cannot read the file\n";
      status = nabla::kExitBadInput;
      continue;
    }
    status = std::max(status, nabla::run_script(text, file == "-" ? "<stdin>" : file, options,
                                                std::cout, std::cerr));
  }
  return status;
}

// Math such as `-t^2` or `-A` looks like an option to an argument parser. The first argument
// of a command that is not one of our options (or an option's value) is the math: take it out
// before CLI11 parses the rest. Returns the remaining arguments (program name first).
std::vector<std::string> take_math_argument(int argc, char** argv, std::string& math) {
  static const std::vector<std::string> with_value{"--wrt", "--let", "--format", "--seed",
                                                   "--values"};
  std::vector<std::string> rest{argv[0]};
  bool taken = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    bool is_option = std::find(with_value.begin(), with_value.end(), a) != with_value.end();
    if (is_option) {
      rest.push_back(a);
      if (i + 1 < argc) rest.push_back(argv[++i]);
      continue;
    }
    bool is_flag = a == "--steps" || a == "--help" || a == "-h" ||
                   (a.rfind("--", 0) == 0 && a.find('=') != std::string::npos);
    if (!taken && !is_flag && a != "--") {
      math = a;
      taken = true;
      continue;
    }
    rest.push_back(a);
  }
  return rest;
}

// Parses a math command: takes the math out (take_math_argument), parses the options with CLI11
// and insists on the math. Returns the exit status when the command cannot run, else nullopt.
std::optional<int> parse_math_command(CLI::App& app, int argc, char** argv, std::string& math,
                                      const std::string& what, const std::string& usage) {
  std::vector<std::string> rest = take_math_argument(argc, argv, math);
  try {
    std::vector<std::string> reversed(rest.rbegin(), rest.rend() - 1);  // CLI11 pops from the back
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return usage_exit(app, e);
  }
  if (math.empty()) {
    std::cerr << app.get_name() << ": error: expected " << what << "\nhint: " << usage << "\n";
    return nabla::kExitBadInput;
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::string format = "text";
  bool steps = false;
  uint64_t seed = nabla::CheckOptions{}.seed;
  auto options = [&] {
    DriverOptions o;
    o.format = to_format(format);
    o.steps = steps;
    o.check.seed = seed;
    return o;
  };

  static const std::map<std::string, nabla::OneShot> one_shots{
      {"grad", nabla::OneShot::Grad},
      {"jacobian", nabla::OneShot::Jacobian},
      {"hessian", nabla::OneShot::Hessian},
      {"diff", nabla::OneShot::Diff},
      {"simplify", nabla::OneShot::Simplify}};
  std::string command = argc > 1 ? argv[1] : "";

  if (one_shots.count(command)) {
    CLI::App app{"nabla " + command + ": one query, the result on one line", "nabla " + command};
    std::string expr, wrt, let;

    app.footer("EXPR: the expression (the first argument that is not an option)");
    if (command != "simplify")
      app.add_option("--wrt", wrt, "The variable(s), e.g. x or 'x, y'")->required();
    app.add_option("--let", let, "Declarations, e.g. 'x in R^n; A in R^(n x n)'");
    add_common(app, format, steps, seed);
    std::string usage =
        "nabla " + command + " EXPR" + (command == "simplify" ? "" : " --wrt X") + " [--let DECLS]";
    if (auto status = parse_math_command(app, argc - 1, argv + 1, expr, "an expression", usage))
      return *status;
    return nabla::run_one_shot(one_shots.at(command), expr, wrt, let, options(), std::cout,
                               std::cerr);
  }
  if (command == "check") {
    CLI::App app{"nabla check: numeric test of an identity", "nabla check"};
    std::string text, let;

    app.add_option("--let", let, "Declarations");
    add_common(app, format, steps, seed);
    if (auto status = parse_math_command(app, argc - 1, argv + 1, text, "an identity",
                                         "nabla check 'LHS == RHS'"))
      return *status;
    return nabla::run_check(text, let, options(), std::cout, std::cerr);
  }
  if (command == "eval") {
    CLI::App app{"nabla eval: the numeric value of an expression or query", "nabla eval"};
    std::string expr, values, let;

    app.add_option("--values", values, "JSON object: name -> number, list, or list of rows");
    app.add_option("--let", let, "Declarations");
    add_common(app, format, steps, seed);
    if (auto status = parse_math_command(app, argc - 1, argv + 1, expr, "an expression",
                                         "nabla eval QUERY --values FILE.json"))
      return *status;
    return nabla::run_eval(expr, values, let, options(), std::cout, std::cerr);
  }

  CLI::App app{kDescription, "nabla"};
  std::vector<std::string> files;
  std::string inline_source;
  bool have_inline = false;
  app.add_option("FILES", files, "Scripts to run (- for standard input); 'run' may precede them");
  app.add_option("-e", inline_source, "Run these statements")->each([&](const std::string&) {
    have_inline = true;
  });
  app.set_version_flag("--version", kVersion);
  add_common(app, format, steps, seed);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return usage_exit(app, e);
  }
  if (!files.empty() && files.front() == "run") files.erase(files.begin());
  if (have_inline) {
    int s = nabla::run_script(inline_source, "-e", options(), std::cout, std::cerr);
    if (files.empty()) return s;
    return std::max(s, run_files(files, options()));
  }
  if (files.empty()) {
    std::cerr << "nabla: error: nothing to do\n"
              << "hint: nabla --help\n";
    return nabla::kExitBadInput;
  }
  return run_files(files, options());
}
