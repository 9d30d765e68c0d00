// libFuzzer target: the parser with shape inference on arbitrary bytes.
// Property: Frontend::run_script either returns queries or throws nabla::Error (whose message
// format_error can render against the source); any other exception, a crash or a sanitizer
// report is a finding. Every query it returns has well-formed ids.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "ir/error.h"
#include "ir/graph.h"
#include "parse/frontend.h"

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "property failure: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view source(reinterpret_cast<const char*>(data), size);
  nabla::Graph g;
  nabla::Frontend frontend(g);
  try {
    std::vector<nabla::Query> queries = frontend.run_script(source);
    for (const nabla::Query& q : queries) {
      if (q.expr < 0 || static_cast<size_t>(q.expr) >= g.size()) fail("query without expression");
      if (q.kind == nabla::QueryKind::Check &&
          (q.rhs < 0 || static_cast<size_t>(q.rhs) >= g.size()))
        fail("check without right side");
      for (nabla::Id v : q.wrt)
        if (v < 0 || static_cast<size_t>(v) >= g.size() || g[v].op != nabla::Op::Var)
          fail("wrt is not a variable");
    }
  } catch (const nabla::Error& e) {
    if (e.kind() == nabla::ErrorKind::Internal) fail(e.what());
    std::string text = nabla::format_error(e, source, "fuzz");
    if (text.empty()) fail("empty error message");
  }
  return 0;
}
