#include "driver/repl.h"

#include <algorithm>
#include <ostream>
#include <sstream>
#include <vector>

#include "parse/statements.h"
#include "parse/suggest.h"

namespace nabla {

namespace {

constexpr const char* kReplHelp =
    "Type declarations and queries; declarations stay until :reset.\n"
    "  x in R^n; A in R^(n x n)      declare\n"
    "  f(x) = x'*A*x                 define\n"
    "  grad(f(x), x)                 ask (also jacobian, hessian, diff, simplify, check)\n"
    "Commands:\n"
    "  :help                         this text\n"
    "  :format text|unicode|latex|json|cpp|numpy   how results are printed\n"
    "  :steps on|off|METHOD          show the worked solution under each result\n"
    "                                (METHOD: rule, index, differential, all)\n"
    "  :reset                        forget every declaration and definition\n"
    "  :quit                         leave (also Ctrl-D)\n";

const std::vector<std::string> kCommands{":help", ":format", ":steps", ":reset", ":quit", ":exit"};

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

bool parse_format(const std::string& name, OutputFormat* f) {
  static const std::vector<std::pair<std::string, OutputFormat>> formats{
      {"text", OutputFormat::Text},   {"unicode", OutputFormat::Unicode},
      {"latex", OutputFormat::Latex}, {"json", OutputFormat::Json},
      {"cpp", OutputFormat::Cpp},     {"numpy", OutputFormat::Numpy}};
  for (const auto& [n, v] : formats)
    if (n == name) {
      *f = v;
      return true;
    }
  return false;
}

}  // namespace

Repl::Repl(const DriverOptions& options) : session_(std::make_unique<ScriptSession>(options)) {}

std::string Repl::banner() {
  return "nabla: matrix calculus. :help for help, :quit to leave.\n";
}

std::string Repl::prompt() const {
  return pending_.empty() ? "nabla> " : "...> ";
}

bool Repl::command(const std::string& line, std::ostream& out, std::ostream& err) {
  std::vector<std::string> w = words(line);
  const std::string& c = w[0];
  if (c == ":quit" || c == ":q" || c == ":exit") return false;
  if (c == ":help" || c == ":h" || c == ":?") {
    out << kReplHelp;
  } else if (c == ":format") {
    OutputFormat f;
    if (w.size() == 2 && parse_format(w[1], &f)) {
      session_->options().format = f;
    } else {
      err << "error: :format takes one of text, unicode, latex, json, cpp, numpy\n";
    }
  } else if (c == ":steps") {
    StepsMethod method;
    if (w.size() == 2 && (w[1] == "on" || w[1] == "off")) {
      session_->options().steps = w[1] == "on";
      session_->options().steps_method = StepsMethod::Auto;
    } else if (w.size() == 2 && parse_steps_method(w[1], &method)) {
      session_->options().steps = true;
      session_->options().steps_method = method;
    } else {
      err << "error: :steps takes on, off, or a method: rule, index, differential, all\n";
    }
  } else if (c == ":reset") {
    session_ = std::make_unique<ScriptSession>(session_->options());
  } else {
    std::string guess = did_you_mean(c, kCommands);
    err << "error: unknown command " << c << "\n"
        << "hint: " << (guess.empty() ? ":help lists the commands" : guess) << "\n";
  }
  return true;
}

bool Repl::take(const std::string& line, std::ostream& out, std::ostream& err) {
  ++line_;
  if (pending_.empty()) {
    size_t first = line.find_first_not_of(" \t");
    if (first != std::string::npos && line[first] == ':')
      return command(line.substr(first), out, err);
  }
  pending_ += line;
  pending_ += '\n';
  if (ends_inside_brackets(pending_)) return true;
  std::string source;
  source.swap(pending_);
  size_t lines = static_cast<size_t>(std::count(source.begin(), source.end(), '\n'));
  session_->run(source, "input", out, err, line_ - lines + 1);
  return true;
}

}  // namespace nabla
