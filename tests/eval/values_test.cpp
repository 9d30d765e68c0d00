// read_values and value_to_json: good inputs, and bad ones that must name the problem.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "eval/values.h"
#include "ir/build.h"
#include "ir/error.h"

namespace nabla {
namespace {

using Json = nlohmann::json;

class Values : public ::testing::Test {
 protected:
  Values() {
    n = g.dims.intern("n");
    m = g.dims.intern("m");
    k = g.dims.intern("k");
    s = variable(g, g.declare_variable("s", Shape::scalar()));
    x = variable(g, g.declare_variable("x", Shape::vector(n)));
    A = variable(g, g.declare_variable("A", Shape::matrix(m, n)));
    S = variable(g, g.declare_variable("S", Shape::matrix(n, n), true));
    r = variable(g, g.declare_variable("r", Shape::matrix(Dim::fixed(1), n)));
    v3 = variable(g, g.declare_variable("v3", Shape::vector(Dim::fixed(3))));
    // s * (A x) + ... : uses s, A, x.
    Ax = product(g, s, matmul(g, A, x));
  }

  void expect_bad(Id root, const std::string& json, const std::string& part) {
    Json j = Json::parse(json);
    try {
      read_values(g, root, j);
      ADD_FAILURE() << json << ": expected an error containing '" << part << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Value) << json << ": " << e.what();
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
          << json << ": " << e.what() << "\n  (expected to contain '" << part << "')";
    }
  }

  Graph g;
  Dim n, m, k;
  Id s, x, A, S, r, v3, Ax;
};

TEST_F(Values, ReadsScalarsVectorsAndMatricesAndBindsDims) {
  Json j =
      Json::parse(R"({"s": 2, "x": [1, 2, 3], "A": [[1, 0, 2], [0.5, -1, 4]], "unused": "hi"})");
  Bindings b = read_values(g, Ax, j);
  EXPECT_EQ(b.dims.at(n.symbol_index()), 3);
  EXPECT_EQ(b.dims.at(m.symbol_index()), 2);
  EXPECT_EQ(b.values.size(), 3u);
  Matrix got = evaluate(g, Ax, b);
  Matrix Av{{1, 0, 2}, {0.5, -1, 4}};
  Eigen::VectorXd xv{{1, 2, 3}};
  Matrix want = 2.0 * Av * xv;
  EXPECT_EQ(got, want);
}

TEST_F(Values, ReadsRowVectorsSymmetricMatricesAndFixedDims) {
  Id e = add(g, matmul(g, matmul(g, r, S), x), inner(g, v3, v3));
  Json j = Json::parse(
      R"({"r": [1, 2, 3], "S": [[2, 1, 0], [1, 3, 0.5], [0, 0.5, 1]], "x": [1, 0, -1],
          "v3": [1, 1, 2]})");
  Bindings b = read_values(g, e, j);
  Matrix Sv{{2, 1, 0}, {1, 3, 0.5}, {0, 0.5, 1}};
  Eigen::RowVectorXd rv{{1, 2, 3}};
  Eigen::VectorXd xv{{1, 0, -1}};
  EXPECT_DOUBLE_EQ(evaluate(g, e, b)(0, 0), (rv * Sv * xv)(0, 0) + 6.0);
  // A row vector may also be given as one row.
  Json j2 = j;
  j2["r"] = Json::parse("[[1, 2, 3]]");
  EXPECT_DOUBLE_EQ(evaluate(g, e, read_values(g, e, j2))(0, 0), (rv * Sv * xv)(0, 0) + 6.0);
}

TEST_F(Values, IdentitySizeComesFromAVariable) {
  Id e = matmul(g, identity(g, n), x);
  Bindings b = read_values(g, e, Json::parse(R"({"x": [4, 5]})"));
  EXPECT_EQ(evaluate(g, e, b), Matrix(Eigen::VectorXd{{4, 5}}));
}

TEST_F(Values, MissingName) {
  expect_bad(Ax, R"({"s": 1, "x": [1, 2]})", "no value for 'A'");
}

TEST_F(Values, NotAnObject) {
  expect_bad(Ax, R"([1, 2, 3])", "JSON object");
  expect_bad(Ax, R"(3)", "JSON object");
}

TEST_F(Values, ScalarGivenAList) {
  expect_bad(s, R"({"s": [1]})", "'s' is a scalar: its value should be a number, but it is a list");
}

TEST_F(Values, ScalarGivenAnObject) {
  expect_bad(s, R"({"s": {"v": 1}})", "should be a number, but it is an object");
}

TEST_F(Values, VectorGivenANumber) {
  expect_bad(x, R"({"x": 1})",
             "'x' should be a list of n numbers (a vector), but its value is a number");
}

TEST_F(Values, VectorNestedTooDeep) {
  expect_bad(x, R"({"x": [[1, 2]]})", "entry 1 of 'x' is a list, not a number");
}

TEST_F(Values, MatrixGivenAFlatList) {
  expect_bad(A, R"({"A": [1, 2, 3]})", "row 1 of 'A' is a number, not a list of numbers");
}

TEST_F(Values, MatrixNestedTooDeep) {
  expect_bad(A, R"({"A": [[[1], [2]], [[3], [4]]]})",
             "entry (1, 1) of 'A' is a list, not a number");
}

TEST_F(Values, RaggedRows) {
  expect_bad(A, R"({"A": [[1, 2], [3]]})",
             "the rows of 'A' have different lengths: row 1 has 2 entries, row 2 has 1");
}

TEST_F(Values, MismatchedDims) {
  expect_bad(Ax, R"({"s": 1, "x": [1, 2, 3], "A": [[1, 2, 3, 4], [5, 6, 7, 8]]})",
             "A has 4 columns but x has 3 entries (dimension n)");
}

TEST_F(Values, ConcreteDimMismatch) {
  expect_bad(v3, R"({"v3": [1, 2, 3, 4]})", "v3 has 4 entries, but 'v3' is declared 3");
}

TEST_F(Values, NonNumberEntries) {
  expect_bad(x, R"({"x": [1, "two", 3]})", "entry 2 of 'x' is a string, not a number");
  expect_bad(A, R"({"A": [[1, true], [3, 4]]})", "entry (1, 2) of 'A' is true/false, not a number");
  expect_bad(A, R"({"A": [[1, 2], [null, 4]]})", "entry (2, 1) of 'A' is null, not a number");
}

TEST_F(Values, NonSymmetricSym) {
  expect_bad(S, R"({"S": [[1, 2], [3, 4]]})",
             "'S' is declared Sym but its value is not symmetric: entry (1, 2) is 2 but entry "
             "(2, 1) is 3");
}

TEST_F(Values, SymNotSquare) {
  expect_bad(S, R"({"S": [[1, 2, 3], [2, 4, 5]]})",
             "S has 3 columns but S has 2 rows (dimension n)");
}

TEST_F(Values, EmptyList) {
  expect_bad(x, R"({"x": []})", "'x' is an empty list");
  expect_bad(A, R"({"A": []})", "'A' is an empty list");
  expect_bad(A, R"({"A": [[], []]})", "row 1 of 'A' is empty");
}

TEST_F(Values, DimsUnbound) {
  Id e = add(g, s, unary(g, Op::Trace, identity(g, k)));
  expect_bad(e, R"({"s": 1})", "cannot tell the size of dimension k from the values");
}

TEST_F(Values, RowVectorWithSeveralRows) {
  expect_bad(r, R"({"r": [[1, 2], [3, 4]]})", "'r' is a row vector");
}

TEST_F(Values, ValueToJson) {
  Matrix sv = Matrix::Constant(1, 1, 2.5);
  EXPECT_EQ(value_to_json(g, s, sv), Json::parse(R"({"value": 2.5, "shape": []})"));
  Matrix xv = Eigen::VectorXd{{1, 2, 3}};
  EXPECT_EQ(value_to_json(g, x, xv), Json::parse(R"({"value": [1.0, 2.0, 3.0], "shape": [3]})"));
  Matrix Av{{1, 2, 3}, {4, 5, 6}};
  EXPECT_EQ(value_to_json(g, A, Av),
            Json::parse(R"({"value": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], "shape": [2, 3]})"));
  Matrix rv{{1, 2}};
  EXPECT_EQ(value_to_json(g, r, rv), Json::parse(R"({"value": [[1.0, 2.0]], "shape": [1, 2]})"));
  // A vector whose symbolic length happens to be 1 is still a list.
  Matrix one = Matrix::Constant(1, 1, 7.0);
  EXPECT_EQ(value_to_json(g, x, one), Json::parse(R"({"value": [7.0], "shape": [1]})"));
}

// Values are checked against the declared kind, not only the shape: a vector of length 1
// (R^1) is a list of one number, a 1 x 1 or one-column matrix a list of rows; results are
// written the same way.
TEST_F(Values, SizeOneVectorsAndMatricesHaveTheirKindsEncoding) {
  Dim one = Dim::fixed(1), two = Dim::fixed(2);
  Id z = variable(g, g.declare_variable("z", Shape::vector(one), ValueKind::Vector));
  Id E = variable(g, g.declare_variable("E", Shape::matrix(one, one), ValueKind::Matrix));
  Id N = variable(g, g.declare_variable("N", Shape::matrix(two, one), ValueKind::Matrix));
  Id t = variable(g, g.declare_variable("t", Shape::vector(two), ValueKind::Vector));
  EXPECT_EQ(read_values(g, z, Json::parse(R"({"z": [2]})")).values.at(g[z].a)(0, 0), 2.0);
  EXPECT_EQ(read_values(g, E, Json::parse(R"({"E": [[3]]})")).values.at(g[E].a)(0, 0), 3.0);
  Matrix nv = read_values(g, N, Json::parse(R"({"N": [[1], [2]]})")).values.at(g[N].a);
  EXPECT_EQ(nv, (Matrix{{1}, {2}}));
  expect_bad(z, R"({"z": 2})", "'z' should be a list of 1 number (a vector), but its value is a");
  expect_bad(z, R"({"z": [[2]]})", "entry 1 of 'z' is a list, not a number");
  expect_bad(E, R"({"E": 3})", "'E' should be a list of 1 row of 1 number (a matrix)");
  expect_bad(E, R"({"E": [3]})", "row 1 of 'E' is a number, not a list of numbers");
  expect_bad(N, R"({"N": [1, 2]})", "row 1 of 'N' is a number");
  expect_bad(N, R"({"N": [[1, 2]]})", "N has 1 row");
  expect_bad(N, R"({"N": [[1, 2], [3, 4]]})", "N has 2 columns");
  expect_bad(t, R"({"t": [[1], [2]]})", "entry 1 of 't' is a list");
  expect_bad(s, R"({"s": [1]})", "'s' is a scalar");
  Matrix one_entry = Matrix::Constant(1, 1, 7.0);
  EXPECT_EQ(value_to_json(g, z, one_entry), Json::parse(R"({"value": [7.0], "shape": [1]})"));
  EXPECT_EQ(value_to_json(g, E, one_entry), Json::parse(R"({"value": [[7.0]], "shape": [1, 1]})"));
  EXPECT_EQ(value_to_json(g, N, Matrix{{1}, {2}}),
            Json::parse(R"({"value": [[1.0], [2.0]], "shape": [2, 1]})"));
  EXPECT_EQ(value_to_json(g, t, Matrix{{1}, {2}}),
            Json::parse(R"({"value": [1.0, 2.0], "shape": [2]})"));
  // z'*z is a scalar (a product of 1 x 1 values), 2*z a vector, 2*E a matrix.
  EXPECT_EQ(value_to_json(g, product(g, transpose(g, z), z), one_entry),
            Json::parse(R"({"value": 7.0, "shape": []})"));
  EXPECT_EQ(value_to_json(g, product(g, integer(g, 2), z), one_entry),
            Json::parse(R"({"value": [7.0], "shape": [1]})"));
  EXPECT_EQ(value_to_json(g, product(g, integer(g, 2), E), one_entry),
            Json::parse(R"({"value": [[7.0]], "shape": [1, 1]})"));
}

TEST_F(Values, RoundTripThroughJson) {
  Json j = Json::parse(R"({"s": -1.5, "x": [1, 2], "A": [[1, 2], [3, 4], [5, 6]]})");
  Bindings b = read_values(g, Ax, j);
  Json out = value_to_json(g, Ax, evaluate(g, Ax, b));
  EXPECT_EQ(out["shape"], Json::parse("[3]"));
  EXPECT_EQ(out["value"], Json::parse("[-7.5, -16.5, -25.5]"));
}

}  // namespace
}  // namespace nabla
