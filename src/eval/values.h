#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "eval/evaluate.h"

namespace nabla {

// Reads {"x": 1.5, "v": [1, 2], "A": [[1, 2], [3, 4]]} into bindings for the variables that
// `root` uses: checks every free name has a value of the right kind, infers symbolic dimensions
// from the values and checks they agree. Throws Error(ErrorKind::Value) naming the variable.
Bindings read_values(const Graph& g, Id root, const nlohmann::json& values);

// {"value": V, "shape": [..]}: scalar -> number, shape []; vector -> list, [n];
// matrix -> list of rows, [n, m].
nlohmann::json value_to_json(const Graph& g, Id root, const Matrix& value);

}  // namespace nabla
