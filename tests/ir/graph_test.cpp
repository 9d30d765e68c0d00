#include <gtest/gtest.h>

#include "ir/build.h"
#include "ir/error.h"
#include "ir/graph.h"

namespace nabla {
namespace {

TEST(Graph, IdenticalNodesShareOneId) {
  Graph g;
  int32_t x = g.declare_variable("x", Shape::vector(g.dims.intern("n")));
  Id a = add(g, variable(g, x), variable(g, x));
  Id b = add(g, variable(g, x), variable(g, x));
  EXPECT_EQ(a, b);
  EXPECT_EQ(dag_size(g, a), 2u);
}

TEST(Graph, ChildrenPrecedeParents) {
  Graph g;
  Dim n = g.dims.intern("n");
  int32_t A = g.declare_variable("A", Shape::matrix(n, n));
  int32_t x = g.declare_variable("x", Shape::vector(n));
  Id e = matmul(g, matmul(g, transpose(g, variable(g, x)), variable(g, A)), variable(g, x));
  for (Id id = 0; id < static_cast<Id>(g.size()); ++id)
    for (Id k : g[id].kids) EXPECT_LT(k, id);
  EXPECT_TRUE(g[e].shape.is_scalar());
}

TEST(Graph, ShapeMismatchNamesBothShapes) {
  Graph g;
  Dim n = g.dims.intern("n"), m = g.dims.intern("m");
  int32_t A = g.declare_variable("A", Shape::matrix(n, m));
  int32_t x = g.declare_variable("x", Shape::vector(n));
  try {
    matmul(g, variable(g, A), variable(g, x));
    FAIL() << "expected a shape error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Shape);
    EXPECT_NE(std::string(e.what()).find("n×m"), std::string::npos) << e.what();
  }
}

TEST(Graph, SurfaceProductScalesWhenOneSideIsScalar) {
  Graph g;
  int32_t t = g.declare_variable("t", Shape::scalar());
  int32_t x = g.declare_variable("x", Shape::vector(Dim::fixed(3)));
  EXPECT_EQ(g[product(g, variable(g, x), variable(g, t))].op, Op::Scale);
  EXPECT_EQ(g[product(g, variable(g, t), variable(g, x))].kids[0], variable(g, t));
}

}  // namespace
}  // namespace nabla
