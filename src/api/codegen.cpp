// nabla::generate_cpp / generate_numpy on public expressions.
#include "nabla/codegen.h"

#include "api/context.h"
#include "codegen/codegen.h"
#include "ir/error.h"

namespace nabla {
namespace {

CodeFunction function_of(const std::string& name, const Outputs& outputs, Graph** graph) {
  if (outputs.empty()) throw Error(ErrorKind::Usage, "generate: no outputs");
  std::shared_ptr<Graph> g;
  for (const auto& [field, e] : outputs) {
    if (e.is_literal()) continue;
    if (g && g != e.graph())
      throw Error(ErrorKind::Usage, "generate: outputs from two different graphs");
    g = e.graph();
  }
  if (!g) g = api::current_graph();
  CodeFunction f;
  f.name = name;
  for (const auto& [field, e] : outputs) f.outputs.push_back({field, api::node_of(*g, g, e)});
  *graph = g.get();
  return f;
}

}  // namespace

std::string generate_cpp(const std::string& name, const Outputs& outputs) {
  Graph* g = nullptr;
  CodeFunction f = function_of(name, outputs, &g);
  return emit_cpp(*g, f);
}

std::string generate_numpy(const std::string& name, const Outputs& outputs) {
  Graph* g = nullptr;
  CodeFunction f = function_of(name, outputs, &g);
  return emit_numpy(*g, f);
}

}  // namespace nabla
