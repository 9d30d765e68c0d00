#pragma once
// The JSON API behind `nabla serve`, independent of HTTP: a request body in, a status and a JSON
// body out. POST /api/run answers the objects `nabla --format json` prints for the script.
#include <cstddef>
#include <nlohmann/json.hpp>

#include <string>
#include "explain/derivation.h"

namespace nabla::serve {

struct ApiLimits {
  size_t max_output_bytes = 1 << 20;  // the driver's output for one request
};

struct ApiReply {
  int status = 200;
  nlohmann::json body;
  int exit_status = 0;  // the driver's (0 ok, 1 a check failed, 2 bad input); -1 not run
};

// The objects the driver prints for `script` with --format json (and --steps): every non-empty
// line of its output that is a JSON value, in order, then its error report. Errors the driver
// writes as text ("origin:LINE:COL: error: MESSAGE", the source line, a caret, "hint: ...")
// become {"error": MESSAGE, "line": L, "column": C, "hint": H}; errors it writes as JSON are
// taken as they are.
// `method` is the worked solution's method when steps is true (explain/derivation.h).
nlohmann::json driver_json(const std::string& script, bool steps, uint64_t seed,
                           int* exit_status = nullptr, size_t* output_bytes = nullptr,
                           StepsMethod method = StepsMethod::Auto);

// POST /api/run {"script": TEXT, "steps": BOOL or METHOD, "seed": N} (METHOD: "auto", "rule",
// "index", "differential", "all"): 200 with the array of the driver's
// objects (a failed check included), 422 with the same array when the script has an error, 400
// for a body that is not such an object (invalid JSON, invalid UTF-8, wrong fields), 422 for an
// output over the limit.
ApiReply run_request(const std::string& body, const ApiLimits& limits);

// POST /api/code {"script": TEXT, "language": "numpy" | "cpp"}: {"code": TEXT} as
// `nabla --format numpy|cpp` prints it, with the driver's errors as run_request gives them.
ApiReply code_request(const std::string& body, const ApiLimits& limits);

// {"error": message} plus the fields given.
nlohmann::json error_body(const std::string& message);

}  // namespace nabla::serve
