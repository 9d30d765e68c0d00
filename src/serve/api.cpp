#include "serve/api.h"

#include <optional>
#include <sstream>

#include "driver/driver.h"

namespace nabla::serve {

namespace {

using nlohmann::json;

constexpr const char* kOrigin = "script";

// Lines of `text` that are JSON values (objects, arrays, ...) in order; the others in `rest`.
std::vector<json> json_lines(const std::string& text, std::string* rest) {
  std::vector<json> values;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      if (rest) *rest += line + "\n";
    } else {
      values.push_back(std::move(j));
    }
  }
  return values;
}

// Reads "N:" at `at` of `line` (advancing `at`); false when there is none.
bool read_number(const std::string& line, size_t& at, int& n) {
  size_t begin = at;
  n = 0;
  while (at < line.size() && at - begin < 9 && line[at] >= '0' && line[at] <= '9')
    n = n * 10 + (line[at++] - '0');
  if (at == begin || at >= line.size() || line[at] != ':') return false;
  ++at;
  return true;
}

// A line "script:LINE:COLUMN: error: MESSAGE" or "script: error: MESSAGE" as an object.
std::optional<json> error_line(const std::string& line) {
  const std::string origin = std::string(kOrigin) + ":";
  const std::string marker = " error: ";
  if (line.rfind(origin, 0) != 0) return std::nullopt;
  size_t at = origin.size();
  if (line.compare(at, marker.size(), marker) == 0)
    return json{{"error", line.substr(at + marker.size())}};
  int row = 0, column = 0;
  if (!read_number(line, at, row) || !read_number(line, at, column)) return std::nullopt;
  if (line.compare(at, marker.size(), marker) != 0) return std::nullopt;
  return json{{"error", line.substr(at + marker.size())}, {"line", row}, {"column", column}};
}

// The driver's text error report, one object per "error:" line; the source line and caret
// under it are left out, a "hint: " line becomes the error's "hint".
std::vector<json> text_errors(const std::string& text) {
  std::vector<json> errors;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (auto e = error_line(line)) {
      errors.push_back(std::move(*e));
    } else if (line.rfind("hint: ", 0) == 0 && !errors.empty()) {
      errors.back()["hint"] = line.substr(6);
    } else if (errors.empty() && line.find_first_not_of(" \t\r") != std::string::npos) {
      errors.push_back({{"error", line}});  // a report in no known form: kept whole
    }
  }
  return errors;
}

struct Script {
  std::string text;
  bool steps = false;
  StepsMethod method = StepsMethod::Auto;
  uint64_t seed = CheckOptions{}.seed;
  std::string language;
};

// Reads {"script": ..., ...} strictly: the fields named in `allowed`, with their types.
std::optional<ApiReply> read_body(const std::string& body, bool code, Script& s) {
  json j;
  try {
    j = json::parse(body);  // rejects invalid UTF-8 inside strings too
  } catch (const json::exception& e) {
    return ApiReply{400, error_body(std::string("the body is not valid JSON: ") + e.what()), -1};
  }
  if (!j.is_object())
    return ApiReply{400, error_body("the body must be a JSON object {\"script\": ...}"), -1};
  for (const auto& [key, value] : j.items()) {
    if (key == "script") {
      if (!value.is_string()) return ApiReply{400, error_body("\"script\" must be a string"), -1};
      s.text = value.get<std::string>();
    } else if (key == "steps" && !code) {
      // true / false, or the worked solution's method
      if (value.is_string() && parse_steps_method(value.get<std::string>(), &s.method)) {
        s.steps = true;
      } else if (value.is_boolean()) {
        s.steps = value.get<bool>();
      } else {
        return ApiReply{400,
                        error_body("\"steps\" must be true, false or a method: \"auto\", "
                                   "\"rule\", \"index\", \"differential\", \"all\""),
                        -1};
      }
    } else if (key == "seed" && !code) {
      if (!value.is_number_unsigned())
        return ApiReply{400, error_body("\"seed\" must be a non-negative integer"), -1};
      s.seed = value.get<uint64_t>();
    } else if (key == "language" && code) {
      if (!value.is_string() || (value != "numpy" && value != "cpp" && value != "torch"))
        return ApiReply{400, error_body("\"language\" must be \"numpy\", \"torch\" or \"cpp\""),
                        -1};
      s.language = value.get<std::string>();
    } else {
      return ApiReply{400, error_body("unknown field \"" + key + "\""), -1};
    }
  }
  if (!j.contains("script")) return ApiReply{400, error_body("missing field \"script\""), -1};
  if (code && s.language.empty()) s.language = "numpy";
  return std::nullopt;
}

std::string size_text(size_t bytes) {
  return bytes >= (1 << 20) ? std::to_string(bytes >> 20) + " MiB"
                            : std::to_string(bytes >> 10) + " KiB";
}

ApiReply too_large(size_t bytes, const ApiLimits& limits) {
  return {422,
          error_body("the output is too large: " + std::to_string(bytes) + " bytes (the limit is " +
                     size_text(limits.max_output_bytes) + ")"),
          -1};
}

}  // namespace

json error_body(const std::string& message) {
  return json{{"error", message}};
}

json driver_json(const std::string& script, bool steps, uint64_t seed, int* exit_status,
                 size_t* output_bytes, StepsMethod method) {
  DriverOptions options;
  options.format = OutputFormat::Json;
  options.steps = steps;
  options.steps_method = method;
  options.check.seed = seed;
  std::ostringstream out, err;
  int status = run_script(script, kOrigin, options, out, err);
  if (exit_status) *exit_status = status;
  std::string out_text = out.str(), err_text = err.str();
  if (output_bytes) *output_bytes = out_text.size() + err_text.size();
  json results = json::array();
  std::string rest;
  for (json& j : json_lines(out_text, &rest)) results.push_back(std::move(j));
  std::string err_rest;
  for (json& j : json_lines(err_text, &err_rest)) results.push_back(std::move(j));
  for (json& j : text_errors(rest + err_rest)) results.push_back(std::move(j));
  return results;
}

ApiReply run_request(const std::string& body, const ApiLimits& limits) {
  Script s;
  if (auto bad = read_body(body, false, s)) return *bad;
  ApiReply r;
  size_t bytes = 0;
  r.body = driver_json(s.text, s.steps, s.seed, &r.exit_status, &bytes, s.method);
  if (bytes > limits.max_output_bytes) return too_large(bytes, limits);
  r.status = r.exit_status == kExitBadInput ? 422 : 200;
  return r;
}

ApiReply code_request(const std::string& body, const ApiLimits& limits) {
  Script s;
  if (auto bad = read_body(body, true, s)) return *bad;
  DriverOptions options;
  options.format = s.language == "cpp"     ? OutputFormat::Cpp
                   : s.language == "torch" ? OutputFormat::Torch
                                           : OutputFormat::Numpy;
  std::ostringstream out, err;
  ApiReply r;
  r.exit_status = run_script(s.text, kOrigin, options, out, err);
  std::string code = out.str(), errors = err.str();
  if (code.size() + errors.size() > limits.max_output_bytes)
    return too_large(code.size() + errors.size(), limits);
  r.body = {{"language", s.language}, {"code", code}};
  std::string rest;
  json reported = json::array();
  for (json& j : json_lines(errors, &rest)) reported.push_back(std::move(j));
  for (json& j : text_errors(rest)) reported.push_back(std::move(j));
  if (!reported.empty()) r.body["errors"] = reported;
  r.status = r.exit_status == kExitBadInput ? 422 : 200;
  return r;
}

}  // namespace nabla::serve
