#pragma once
// The worked solutions of the driver's queries (issue 16; the chains are built in src/explain).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "driver/driver.h"
#include "explain/derivation.h"
#include "parse/frontend.h"

namespace nabla::driver_detail {

// The worked solution of a query, or nullopt where there is none (a plain expression, a result
// in several blocks, a check whose left side is no query) or where it cannot be shown (too
// large: `note` says why; the answer is printed either way).
std::optional<Derivation> worked_solution(Graph& g, const Query& q, const std::vector<Id>& blocks,
                                          StepsMethod method, std::string* note = nullptr);
// The JSON fields "steps", "method" (and "steps_note") of a query or check object.
void steps_json(const Graph& g, const std::optional<Derivation>& worked, const std::string& note,
                nlohmann::json& j);
// The chain under a text or Unicode result (or the note why there is none).
std::string chain_text(const Graph& g, const std::optional<Derivation>& worked,
                       const std::string& note, Format format);
// The title of a script's LaTeX sheet: its first line when that is a comment, else its name.
std::string script_title(const std::string& source, const std::string& origin);

}  // namespace nabla::driver_detail
