#pragma once
#include <iosfwd>
#include <memory>
#include <string>

#include "driver/driver.h"

namespace nabla {

// The interactive mode's logic, apart from the terminal: lines go in, results come out.
// Declarations and definitions persist from line to line; a line with brackets still open
// waits for the lines that close them. Commands start with ':' (see kReplHelp).
class Repl {
 public:
  explicit Repl(const DriverOptions& options);

  // The prompt for the next line: "nabla> ", or "...> " inside open brackets.
  std::string prompt() const;
  // Takes one line of input. Returns false when the session should end (:quit).
  bool take(const std::string& line, std::ostream& out, std::ostream& err);
  // The banner printed at the start.
  static std::string banner();

 private:
  bool command(const std::string& line, std::ostream& out, std::ostream& err);

  std::unique_ptr<ScriptSession> session_;
  std::string pending_;  // lines read inside open brackets
  size_t line_ = 0;      // lines taken so far
};

}  // namespace nabla
