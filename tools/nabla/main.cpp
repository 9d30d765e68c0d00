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

#include <unistd.h>

#include "driver/driver.h"
#include "driver/repl.h"
#include "parse/suggest.h"
#include "serve/server.h"

#if NABLA_HAVE_EDITLINE
#include <editline/readline.h>
#endif

namespace {

using nabla::DriverOptions;
using nabla::OutputFormat;

constexpr const char* kVersion = "nabla 0.1.0";

constexpr const char* kDescription =
    "nabla derives, explains, checks and evaluates gradients, Jacobians and Hessians.\n"
    "\n"
    "  nabla                             interactive (on a terminal; else reads standard input)\n"
    "  nabla FILE.nabla ...              run scripts (- reads standard input)\n"
    "  nabla -e 'STATEMENTS'             run statements given inline\n"
    "  nabla grad EXPR --wrt X [--let DECLS]      (also jacobian, hessian, diff, simplify)\n"
    "  nabla check 'LHS == RHS' [--let DECLS]\n"
    "  nabla eval QUERY --values FILE.json|-|JSON [--let DECLS] [--format json]\n"
    "  nabla serve [--host 127.0.0.1] [--port 8080]    the web page and its JSON API\n"
    "  nabla help [COMMAND]              this text, or one command's options\n"
    "\n"
    "Exit status: 0 success, 1 a check failed, 2 bad input.";

const std::vector<std::string> kCommands{"run",      "grad",  "jacobian", "hessian", "diff",
                                         "simplify", "check", "eval",     "serve",   "help"};

// True when the arguments ask for JSON output: usage errors are then JSON too.
bool wants_json(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--format=json") return true;
    if (a == "--format" && i + 1 < argc && std::string(argv[i + 1]) == "json") return true;
  }
  return false;
}
bool g_json_errors = false;  // set once in main, before anything runs
// --steps=METHOD, read (and replaced by --steps) in main before the options are parsed.
nabla::StepsMethod g_steps_method = nabla::StepsMethod::Auto;

void add_common(CLI::App& app, std::string& format, bool& steps, uint64_t& seed) {
  app.add_option("--format", format,
                 "Output: text (parses back), unicode, latex, json; cpp, numpy, torch (code)")
      ->check(CLI::IsMember({"text", "unicode", "latex", "json", "cpp", "numpy", "torch"}));
  app.add_flag("--steps", steps,
               "Show the worked solution, a chain of equalities with the rule of each line; "
               "--steps=rule|index|differential|all picks the method");
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

// A usage error: one line and a hint on stderr (and an error object on stdout for JSON).
int usage_error(const std::string& message, const std::string& hint) {
  std::cerr << "nabla: error: " << message << "\n";
  if (!hint.empty()) std::cerr << "hint: " << hint << "\n";
  if (g_json_errors) std::cout << nabla::json_error_line(message, hint, "usage");
  return nabla::kExitBadInput;
}

// The option names (--steps, ...) of an app.
std::vector<std::string> option_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* o : app.get_options()) {
    for (const std::string& n : o->get_lnames()) names.push_back("--" + n);
    for (const std::string& n : o->get_snames()) names.push_back("-" + n);
  }
  return names;
}

// CLI11 reports usage errors with its own codes; ours is 2 for all bad input. An unknown
// option gets "did you mean ...?" from the command's options.
int usage_exit(CLI::App& app, const CLI::ParseError& e, const std::vector<std::string>& args) {
  if (dynamic_cast<const CLI::ExtrasError*>(&e)) {
    std::vector<std::string> known = option_names(app);
    for (const std::string& a : args) {
      if (a.size() < 2 || a[0] != '-' || a == "-") continue;
      std::string name = a.substr(0, a.find('='));
      if (std::find(known.begin(), known.end(), name) != known.end()) continue;
      std::string guess = nabla::did_you_mean(name, known);
      return usage_error("unknown option '" + name + "'",
                         guess.empty() ? app.get_name() + " --help lists the options" : guess);
    }
  }
  if (e.get_exit_code() == 0) return app.exit(e);
  if (g_json_errors) std::cout << nabla::json_error_line(e.what(), "", "usage");
  app.exit(e);
  return nabla::kExitBadInput;
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
      std::string guess = nabla::did_you_mean(file, kCommands);
      std::string message = file + ": cannot read the file";
      std::string hint = guess.empty() ? "" : guess + " (a command)";
      std::cerr << file << ": error: cannot read the file\n";
      if (!hint.empty()) std::cerr << "hint: " << hint << "\n";
      if (g_json_errors) std::cout << nabla::json_error_line(message, hint, "usage");
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
    return usage_exit(app, e, std::vector<std::string>(rest.begin() + 1, rest.end()));
  }
  if (math.empty()) return usage_error(app.get_name() + ": expected " + what, usage);
  return std::nullopt;
}

// The options of every command, filled by the command-line parser.
struct Arguments {
  std::string format = "text";
  bool steps = false;
  uint64_t seed = nabla::CheckOptions{}.seed;
  std::string math, wrt, let, values;
  std::vector<std::string> files;
  std::string inline_source;
  bool have_inline = false;

  DriverOptions options() const {
    DriverOptions o;
    o.format = to_format(format);
    o.steps = steps;
    o.steps_method = g_steps_method;
    o.check.seed = seed;
    return o;
  }
};

const std::map<std::string, nabla::OneShot>& one_shots() {
  static const std::map<std::string, nabla::OneShot> m{{"grad", nabla::OneShot::Grad},
                                                       {"jacobian", nabla::OneShot::Jacobian},
                                                       {"hessian", nabla::OneShot::Hessian},
                                                       {"diff", nabla::OneShot::Diff},
                                                       {"simplify", nabla::OneShot::Simplify}};
  return m;
}

// The parser of one command ("" or "run": scripts), its options bound to a.
std::unique_ptr<CLI::App> make_app(const std::string& command, Arguments& a) {
  std::unique_ptr<CLI::App> app;
  if (one_shots().count(command)) {
    app = std::make_unique<CLI::App>("nabla " + command + ": one query, the result on one line",
                                     "nabla " + command);
    app->footer("EXPR: the expression (the first argument that is not an option)");
    if (command != "simplify")
      app->add_option("--wrt", a.wrt, "The variable(s), e.g. x or 'x, y'")->required();
    app->add_option("--let", a.let, "Declarations, e.g. 'x in R^n; A in R^(n x n)'");
  } else if (command == "check") {
    app = std::make_unique<CLI::App>("nabla check: numeric test of an identity", "nabla check");
    app->footer("'LHS == RHS': the identity (the first argument that is not an option)");
    app->add_option("--let", a.let, "Declarations");
  } else if (command == "eval") {
    app = std::make_unique<CLI::App>("nabla eval: the numeric value of an expression or query",
                                     "nabla eval");
    app->footer("QUERY: the expression (the first argument that is not an option)");
    app->add_option("--values", a.values,
                    "A JSON object name -> number, list, or list of rows: a file, - for "
                    "standard input, or the JSON itself ('{\"x\": [1, 2]}'); a dimension's "
                    "name gives its size");
    app->add_option("--let", a.let, "Declarations");
  } else {
    app = std::make_unique<CLI::App>(kDescription, "nabla");
    app->add_option("FILES", a.files,
                    "Scripts to run (- for standard input); 'run' may precede them");
    app->add_option("-e", a.inline_source, "Run these statements")->each([&a](const std::string&) {
      a.have_inline = true;
    });
    app->set_version_flag("--version", kVersion);
  }
  add_common(*app, a.format, a.steps, a.seed);
  return app;
}

int print_help(const std::string& topic) {
  if (topic.empty()) {
    Arguments a;
    std::cout << make_app("", a)->help() << "\nnabla help COMMAND shows a command's options; "
              << "commands: grad, jacobian, hessian, diff, simplify, check, eval, run, serve.\n";
    return nabla::kExitOk;
  }
  if (std::find(kCommands.begin(), kCommands.end(), topic) == kCommands.end()) {
    std::string guess = nabla::did_you_mean(topic, kCommands);
    return usage_error("no command '" + topic + "'",
                       guess.empty() ? "commands: grad, jacobian, hessian, diff, simplify, check, "
                                       "eval, run, serve, help"
                                     : guess);
  }
  if (topic == "help") {
    std::cout << "nabla help [COMMAND]: the overview, or the options of COMMAND\n";
    return nabla::kExitOk;
  }
  if (topic == "serve") {
    char serve[] = "serve", help[] = "--help";
    char* serve_argv[] = {serve, help, nullptr};
    return nabla::serve::serve_main(2, serve_argv);
  }
  Arguments a;
  std::cout << make_app(topic == "run" ? "" : topic, a)->help();
  return nabla::kExitOk;
}

// Interactive mode: a line editor with history (editline) on a terminal.
int run_repl(const DriverOptions& options) {
  nabla::Repl repl(options);
  std::cout << nabla::Repl::banner() << std::flush;
#if NABLA_HAVE_EDITLINE
  std::string history;
  if (const char* home = std::getenv("HOME")) history = std::string(home) + "/.nabla_history";
  using_history();
  if (!history.empty()) read_history(history.c_str());
  for (;;) {
    char* raw = readline(repl.prompt().c_str());
    if (!raw) break;  // Ctrl-D
    std::string line = raw;
    std::free(raw);
    if (line.find_first_not_of(" \t") != std::string::npos) add_history(line.c_str());
    bool go_on = repl.take(line, std::cout, std::cerr);
    std::cout << std::flush;
    std::cerr << std::flush;
    if (!go_on) break;
  }
  if (!history.empty()) write_history(history.c_str());
#else
  std::string line;
  for (;;) {
    std::cout << repl.prompt() << std::flush;
    if (!std::getline(std::cin, line)) break;
    bool go_on = repl.take(line, std::cout, std::cerr);
    std::cout << std::flush;
    std::cerr << std::flush;
    if (!go_on) break;
  }
#endif
  std::cout << "\n";
  return nabla::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  g_json_errors = wants_json(argc, argv);
  static char steps_flag[] = "--steps";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") break;
    if (a.rfind("--steps=", 0) != 0) continue;
    if (!nabla::parse_steps_method(a.substr(8), &g_steps_method) ||
        g_steps_method == nabla::StepsMethod::Auto)
      return usage_error("--steps takes no value or one of rule, index, differential, all",
                         "e.g. --steps=index");
    argv[i] = steps_flag;
  }
  Arguments args;
  // Common options may come before the command (nabla --format json grad ...): the command is
  // the first argument that is neither an option nor an option's value.
  std::vector<char*> reordered(argv, argv + argc);
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--format" || a == "--seed") {
      ++i;
      continue;
    }
    if (a.rfind("--", 0) == 0 && a != "--") continue;
    if (i > 1 && std::find(kCommands.begin(), kCommands.end(), a) != kCommands.end()) {
      reordered.erase(reordered.begin() + i);
      reordered.insert(reordered.begin() + 1, argv[i]);
    }
    break;
  }
  argv = reordered.data();
  std::string command = argc > 1 ? argv[1] : "";
  // A misspelled command (not a file either) is named as such.
  if (!command.empty() && command[0] != '-' &&
      std::find(kCommands.begin(), kCommands.end(), command) == kCommands.end() &&
      command.find_first_of("./") == std::string::npos && !std::ifstream(command)) {
    std::string guess = nabla::did_you_mean(command, kCommands);
    if (!guess.empty()) return usage_error("no command or file '" + command + "'", guess);
  }

  if (command == "help") return print_help(argc > 2 ? argv[2] : "");
  if (command == "serve") return nabla::serve::serve_main(argc - 1, argv + 1);
  if (one_shots().count(command) || command == "check" || command == "eval") {
    std::unique_ptr<CLI::App> app = make_app(command, args);
    std::string what = command == "check" ? "an identity" : "an expression";
    std::string usage = command == "check" ? "nabla check 'LHS == RHS'"
                        : command == "eval"
                            ? "nabla eval QUERY --values FILE.json"
                            : "nabla " + command + " EXPR" +
                                  (command == "simplify" ? "" : " --wrt X") + " [--let DECLS]";
    if (auto status = parse_math_command(*app, argc - 1, argv + 1, args.math, what, usage))
      return *status;
    DriverOptions options = args.options();
    if (command == "check")
      return nabla::run_check(args.math, args.let, options, std::cout, std::cerr);
    if (command == "eval")
      return nabla::run_eval(args.math, args.values, args.let, options, std::cout, std::cerr,
                             &std::cin);
    return nabla::run_one_shot(one_shots().at(command), args.math, args.wrt, args.let, options,
                               std::cout, std::cerr);
  }

  std::unique_ptr<CLI::App> app = make_app("", args);
  try {
    app->parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return usage_exit(*app, e, std::vector<std::string>(argv + 1, argv + argc));
  }
  if (!args.files.empty() && args.files.front() == "run") args.files.erase(args.files.begin());
  DriverOptions options = args.options();
  if (args.have_inline) {
    int s = nabla::run_script(args.inline_source, "-e", options, std::cout, std::cerr);
    if (args.files.empty()) return s;
    return std::max(s, run_files(args.files, options));
  }
  if (args.files.empty()) {
    // No script named: a terminal gets the interactive mode, anything else is the script.
    if (::isatty(STDIN_FILENO)) return run_repl(options);
    return run_files({"-"}, options);
  }
  return run_files(args.files, options);
}
