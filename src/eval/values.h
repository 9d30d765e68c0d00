#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "eval/evaluate.h"

namespace nabla {

// Reads {"x": 1.5, "v": [1, 2], "A": [[1, 2], [3, 4]]} into bindings for the variables that
// `root` uses: checks every free name has a value of the right kind, infers symbolic dimensions
// from the values and checks they agree. Throws Error(ErrorKind::Value) naming the variable.
// A row vector (1 x n) may be given as a flat list or as a list holding one row. Names the
// expression does not use are ignored. A Sym(n) variable's value must be symmetric (to 1e-12
// relative). A dimension that no value fixes (e.g. used only by I) is an error.
Bindings read_values(const Graph& g, Id root, const nlohmann::json& values);

// {"value": V, "shape": [..]}: scalar -> number, shape []; vector -> list, [n];
// matrix -> list of rows, [n, m]. The kind follows the declared shape of root: a row vector is a
// one-row matrix [1, n]; a vector whose symbolic length is 1 is still a list. Non-finite
// entries are stored as doubles and dump as null.
nlohmann::json value_to_json(const Graph& g, Id root, const Matrix& value);

}  // namespace nabla
