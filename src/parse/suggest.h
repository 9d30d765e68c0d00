#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nabla {

// Damerau-Levenshtein distance (optimal string alignment): insertions, deletions,
// substitutions and swaps of neighbours each count 1; "sigmod" is 1 from "sigmoid".
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate `word` is most likely a misspelling of: the nearest by edit distance, when
// that is at most 1 for words of 3 to 5 characters and at most 2 for longer ones (names of
// one or two characters are too short to guess). Ties go to the candidate listed first.
std::optional<std::string> closest_name(std::string_view word,
                                        const std::vector<std::string>& candidates);

// "did you mean 'sigmoid'?" or empty.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace nabla
