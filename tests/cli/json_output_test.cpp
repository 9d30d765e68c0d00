// --format json prints JSON only: one object per statement of a script (JSON Lines), one
// object for a one-shot, steps as arrays, check outcomes with the counterexample as data.
// Read with a JSON parser, and compared with the text output of the same run.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "driver/driver.h"
#include "run_nabla.h"

namespace nabla::testing {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<nlohmann::json> parse_lines(const std::string& text) {
  std::vector<nlohmann::json> out;
  for (const std::string& line : lines_of(text)) {
    nlohmann::json j;
    EXPECT_NO_THROW(j = nlohmann::json::parse(line)) << "not JSON: " << line;
    EXPECT_TRUE(j.is_object()) << line;
    out.push_back(j);
  }
  return out;
}

std::string collapse(const std::string& s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

TEST(JsonOutput, ExerciseSheetWithSteps) {
  const std::string sheet = std::string(NABLA_SOURCE_DIR) + "/examples/exercise-01.nabla";
  RunResult json = run_nabla({"--format", "json", "--steps", sheet});
  RunResult text = run_nabla({"--steps", sheet});
  ASSERT_EQ(json.status, text.status) << json.err;
  EXPECT_EQ(json.err, "");
  std::vector<nlohmann::json> objects = parse_lines(json.out);

  // The statements of the file, as written (a line may hold several, split at ';').
  std::vector<std::string> source = lines_of(slurp(sheet));
  // The text run: result lines, each followed by its numbered steps.
  std::vector<std::string> text_lines = lines_of(text.out);
  size_t t = 0;
  size_t queries = 0, checks = 0, declarations = 0, failed_checks = 0;
  for (const nlohmann::json& j : objects) {
    std::string kind = j.at("kind");
    size_t line = j.at("line");
    ASSERT_GE(line, 1u);
    ASSERT_LE(line, source.size());
    EXPECT_NE(collapse(source[line - 1]).find(j.at("statement").get<std::string>()),
              std::string::npos)
        << "statement " << j["statement"] << " is not on line " << line;
    if (kind == "declaration" || kind == "definition") {
      ++declarations;
      EXPECT_FALSE(j.at("names").empty()) << j;
      continue;
    }
    ASSERT_TRUE(kind == "query" || kind == "check") << j;
    // Every step is an object {expression, latex, rule, detail} (issue 16).
    ASSERT_TRUE(j.at("steps").is_array()) << j;
    for (const nlohmann::json& step : j["steps"]) {
      for (const char* key : {"expression", "unicode", "latex", "rule", "detail"})
        EXPECT_TRUE(step.at(key).is_string()) << key << " in " << step;
      EXPECT_FALSE(step["expression"].get<std::string>().empty()) << step;
      EXPECT_FALSE(step["rule"].get<std::string>().empty()) << step;
    }
    if (kind == "query") {
      // The text run printed the same statement, then the same chain, a line per step.
      while (t < text_lines.size() &&
             text_lines[t].rfind(j.at("query").get<std::string>() + " = ", 0) != 0)
        ++t;
      ASSERT_LT(t, text_lines.size()) << "no text line for " << j["query"];
      ++t;
      for (const nlohmann::json& step : j["steps"]) {
        ASSERT_LT(t, text_lines.size());
        std::string left = step.contains("lhs") ? step["lhs"].get<std::string>() + " = " : "= ";
        EXPECT_NE(text_lines[t].find(left + step["expression"].get<std::string>()),
                  std::string::npos)
            << text_lines[t] << "\n"
            << step;
        EXPECT_NE(text_lines[t].find("# " + step["rule"].get<std::string>()), std::string::npos)
            << text_lines[t] << "\n"
            << step;
        ++t;
      }
    }
    if (kind == "query") {
      ++queries;
      EXPECT_FALSE(j.at("result").get<std::string>().empty()) << j;
      EXPECT_TRUE(j.at("shape").is_array() || j.contains("blocks")) << j;
      EXPECT_FALSE(j.at("steps").empty()) << "a derivation has steps: " << j;
    } else {
      ++checks;
      EXPECT_TRUE(j.at("holds").is_boolean()) << j;
      EXPECT_GE(j.at("trials").get<int>(), 1) << j;
      if (!j["holds"].get<bool>()) {
        ++failed_checks;
        const nlohmann::json& c = j.at("counterexample");
        EXPECT_TRUE(c.at("values").is_object()) << c;
        EXPECT_FALSE(c.at("values").empty()) << c;
        EXPECT_TRUE(c.contains("lhs") && c.contains("rhs")) << c;
        EXPECT_FALSE(c.at("reason").get<std::string>().empty()) << c;
      }
    }
  }
  // Every query and check of the text run is an object (the text prints one unindented
  // line per query or check).
  size_t text_results = 0;
  for (const std::string& line : text_lines)
    if (!line.empty() && line[0] != ' ') ++text_results;
  EXPECT_EQ(queries + checks, text_results);
  EXPECT_GE(queries, 10u);
  EXPECT_GE(checks, 10u);
  EXPECT_GE(declarations, 5u);
  EXPECT_EQ(failed_checks > 0, json.status == 1);  // the sheet's wrong answer to 4a
}

TEST(JsonOutput, OneShotsAreOneObject) {
  RunResult grad = run_nabla({"grad", "x'*A*x", "--wrt", "x", "--let", "x in R^n; A in R^(n x n)",
                              "--format", "json", "--steps"});
  ASSERT_EQ(grad.status, 0) << grad.err;
  std::vector<nlohmann::json> g = parse_lines(grad.out);
  ASSERT_EQ(g.size(), 1u) << grad.out;
  EXPECT_EQ(g[0].at("result"), "(A + A')*x");
  EXPECT_EQ(g[0].at("shape"), nlohmann::json::array({"n"}));
  EXPECT_FALSE(g[0].at("steps").empty());

  RunResult hess = run_nabla(
      {"hessian", "x'*A*x", "--wrt", "x", "--let", "x in R^3; A in R^(3 x 3)", "--format", "json"});
  std::vector<nlohmann::json> h = parse_lines(hess.out);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].at("shape"), nlohmann::json::array({3, 3}));

  RunResult check = run_nabla({"check", "x'*x == 2*x'*x", "--let", "x in R^n", "--format", "json"});
  EXPECT_EQ(check.status, 1);
  std::vector<nlohmann::json> c = parse_lines(check.out);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_FALSE(c[0].at("holds").get<bool>());
  EXPECT_TRUE(c[0].at("counterexample").at("dims").contains("n")) << c[0];
  EXPECT_TRUE(c[0]["counterexample"].at("values").at("x").is_array()) << c[0];

  RunResult bad = run_nabla({"grad", "x'*", "--wrt", "x", "--format", "json"});
  EXPECT_EQ(bad.status, 2);
  std::vector<nlohmann::json> b = parse_lines(bad.out);
  ASSERT_EQ(b.size(), 1u) << bad.out;
  EXPECT_EQ(b[0].at("kind"), "error");
  EXPECT_EQ(b[0].at("line"), 1);
  EXPECT_EQ(b[0].at("column"), 4);
  EXPECT_FALSE(b[0].at("message").get<std::string>().empty());
}

TEST(JsonOutput, UsageErrorsAreJsonToo) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--format", "json", "--bogus"},
        std::vector<std::string>{"grad", "x", "--format", "json"},
        std::vector<std::string>{"--format", "json", "/nonexistent.nabla"},
        std::vector<std::string>{"eval", "x", "--values", "/nonexistent.json", "--format", "json"},
        std::vector<std::string>{"--format", "json", "-"}}) {
    RunResult r = run_nabla(args);
    EXPECT_EQ(r.status, 2) << args[0];
    std::vector<nlohmann::json> objects = parse_lines(r.out);
    ASSERT_EQ(objects.size(), 1u) << r.out;
    EXPECT_EQ(objects[0].at("kind"), "error");
  }
}

// run_script keeps no state outside its call: several threads at once give what one does.
TEST(JsonOutput, RunScriptFromSeveralThreads) {
  std::string sheet = slurp(std::string(NABLA_SOURCE_DIR) + "/examples/exercise-01.nabla");
  DriverOptions options;
  options.format = OutputFormat::Json;
  options.steps = true;
  auto run = [&] {
    std::ostringstream out, err;
    run_script(sheet, "sheet", options, out, err);
    return out.str() + "|" + err.str();
  };
  std::string alone = run();
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (std::string& r : results) threads.emplace_back([&r, &run] { r = run(); });
  for (std::thread& t : threads) t.join();
  for (const std::string& r : results) EXPECT_EQ(r, alone);
}

}  // namespace
}  // namespace nabla::testing
