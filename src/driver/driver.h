#pragma once
#include <iosfwd>
#include <string>
#include <vector>

#include "check/check.h"
#include "print/print.h"

namespace nabla {

// Exit statuses of the command-line program.
inline constexpr int kExitOk = 0;
inline constexpr int kExitCheckFailed = 1;
inline constexpr int kExitBadInput = 2;

// Cpp / Numpy / Torch: each query becomes a generated function (codegen/codegen.h) computing its
// value and its derivative(s) on Eigen types / NumPy arrays / PyTorch tensors, with shape checks.
enum class OutputFormat { Text, Unicode, Latex, Json, Cpp, Numpy, Torch };

struct DriverOptions {
  OutputFormat format = OutputFormat::Text;
  bool steps = false;
  CheckOptions check;
};

// Runs a script: prints `QUERY = RESULT` per query (with --steps, the derivation under it).
// Errors go to err with position and caret. Returns the exit status.
int run_script(const std::string& source, const std::string& origin, const DriverOptions& options,
               std::ostream& out, std::ostream& err);

// One-shot commands: `nabla grad EXPR --wrt X --let DECLS` prints just the result.
enum class OneShot { Grad, Jacobian, Hessian, Diff, Simplify };
int run_one_shot(OneShot kind, const std::string& expr, const std::string& wrt,
                 const std::string& let, const DriverOptions& options, std::ostream& out,
                 std::ostream& err);

// `nabla check 'LHS == RHS' --let DECLS`.
int run_check(const std::string& text, const std::string& let, const DriverOptions& options,
              std::ostream& out, std::ostream& err);

// `nabla eval QUERY --values FILE.json --let DECLS`: the numeric value.
int run_eval(const std::string& expr, const std::string& values_path, const std::string& let,
             const DriverOptions& options, std::ostream& out, std::ostream& err);

}  // namespace nabla
