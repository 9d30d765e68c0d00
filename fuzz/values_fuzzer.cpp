// libFuzzer target: the JSON values reader (read_values) on arbitrary bytes parsed as JSON,
// for a fixed expression using a scalar, vectors, a row vector, a matrix and a Sym(n) matrix.
// Property: read_values either returns bindings or throws nabla::Error; when it succeeds the
// expression evaluates (or throws nabla::Error) and value_to_json serializes the result. Any
// other exception (a nlohmann::json type_error, say), a crash or a sanitizer report is a finding.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "eval/evaluate.h"
#include "eval/values.h"
#include "ir/error.h"
#include "ir/graph.h"
#include "parse/frontend.h"

namespace {

struct Fixture {
  nabla::Graph g;
  nabla::Id root = nabla::kNoId;
  Fixture() {
    nabla::Frontend frontend(g);
    frontend.run_script("s in R; x in R^n; y in R^m; A in R^(n x m); S in Sym(n); r in R^(1 x m)");
    root = frontend.parse_expression("s*x'*A*y + x'*S*x + r*y + sum(exp(x)) + tr(S)");
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* fixture = new Fixture();
  nlohmann::json values = nlohmann::json::parse(data, data + size, nullptr, false);
  if (values.is_discarded()) return 0;
  try {
    nabla::Bindings b = nabla::read_values(fixture->g, fixture->root, values);
    nabla::Matrix m = nabla::evaluate(fixture->g, fixture->root, b);
    nlohmann::json out = nabla::value_to_json(fixture->g, fixture->root, m);
    (void)out.dump();
  } catch (const nabla::Error& e) {
    if (e.kind() == nabla::ErrorKind::Internal) {
      std::fprintf(stderr, "property failure: internal error: %s\n", e.what());
      std::abort();
    }
  }
  return 0;
}
