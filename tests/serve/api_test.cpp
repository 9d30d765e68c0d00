// POST /api/run answers exactly the objects `nabla --format json` prints for the script (checked
// against the binary's own output), and every malformed request gets its JSON error and status.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "../cli/run_nabla.h"
#include "serve/api.h"
#include "serve_fixture.h"

namespace nabla::serve::testing {
namespace {

using nabla::testing::run_nabla;
using nabla::testing::slurp;

// What the binary prints for `script` with --format json, as the API's array: every line of
// its output (and of its error stream) that is JSON, and each text error report
// "<stdin>:L:C: error: M" (with its hint) as {"error", "line", "column", "hint"}.
json binary_json(const std::string& script, bool steps, int* status = nullptr) {
  std::vector<std::string> args = {"--format", "json"};
  if (steps) args.push_back("--steps");
  args.push_back("-");
  nabla::testing::RunResult r = run_nabla(args, script);
  if (status) *status = r.status;
  json all = json::array(), errors = json::array();
  auto lines = [](const std::string& text) {
    std::vector<std::string> v;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
      if (!l.empty()) v.push_back(l);
    return v;
  };
  for (const std::string& l : lines(r.out)) {
    json j = json::parse(l);
    // An error names where its text came from: standard input here, the request's script there.
    if (j.value("origin", "") == "<stdin>") j["origin"] = "script";
    all.push_back(j);
  }
  const std::string origin = "<stdin>:";
  for (const std::string& l : lines(r.err)) {
    json j = json::parse(l, nullptr, false);
    if (!j.is_discarded()) {
      all.push_back(j);
      continue;
    }
    size_t marker = l.find(": error: ");
    if (l.rfind(origin, 0) == 0 && marker != std::string::npos) {
      json e = {{"error", l.substr(marker + 9)}};
      std::string where = l.substr(origin.size(), marker - origin.size());
      size_t colon = where.find(':');
      if (colon != std::string::npos) {
        e["line"] = std::stoi(where.substr(0, colon));
        e["column"] = std::stoi(where.substr(colon + 1));
      }
      errors.push_back(e);
    } else if (l.rfind("hint: ", 0) == 0 && !errors.empty()) {
      errors.back()["hint"] = l.substr(6);
    }
  }
  for (json& e : errors) all.push_back(e);
  return all;
}

const char* kQuadratic = "x in R^n; A in R^(n x n)\ngrad(<x, A*x>, x)";

TEST(Api, RunAnswersTheDriversObjects) {
  TestServer server;
  auto [status, body] = server.run({{"script", kQuadratic}});
  EXPECT_EQ(status, 200);
  ASSERT_TRUE(body.is_array()) << body;
  EXPECT_EQ(body, binary_json(kQuadratic, false));
  json a = answers(body);
  ASSERT_EQ(a.size(), 1u) << body;
  EXPECT_EQ(a[0]["kind"], "query");
  EXPECT_EQ(a[0]["result"], "(A + A')*x");  // the textbook form
}

TEST(Api, StepsAreTheDriversSteps) {
  TestServer server;
  auto [status, body] = server.run({{"script", kQuadratic}, {"steps", true}});
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body, binary_json(kQuadratic, true));
}

// "steps" may name the worked solution's method: the chain comes in that method.
TEST(Api, StepsNameTheMethod) {
  TestServer server;
  auto [status, body] = server.run({{"script", kQuadratic}, {"steps", "index"}});
  EXPECT_EQ(status, 200);
  json a = answers(body);
  ASSERT_EQ(a.size(), 1u) << body;
  EXPECT_EQ(a[0]["method"], "index");
  ASSERT_GE(a[0]["steps"].size(), 3u) << body;
  EXPECT_EQ(a[0]["steps"][1]["expression"],
            "sum_k sum_l delta_ik*A_kl*x_l + sum_k sum_l x_k*A_kl*delta_il");
  for (const json& s : a[0]["steps"])
    for (const char* key : {"expression", "latex", "rule", "detail"})
      EXPECT_TRUE(s.at(key).is_string());
  auto [bad, reply] = server.run({{"script", kQuadratic}, {"steps", "indices"}});
  EXPECT_EQ(bad, 400);
  EXPECT_NE(reply.dump().find("a method"), std::string::npos) << reply;
}

// The whole exercise sheet and both corpora, script by script, against the binary.
TEST(Api, SheetAndCorporaMatchTheBinary) {
  TestServer server;
  std::vector<std::filesystem::path> files = {
      std::filesystem::path(NABLA_SOURCE_DIR) / "examples" / "exercise-01.nabla",
      std::filesystem::path(NABLA_DATA_DIR) / "identities.nabla",
      std::filesystem::path(NABLA_DATA_DIR) / "textbook.nabla"};
  for (const auto& file : files) {
    std::string script = slurp(file);
    ASSERT_FALSE(script.empty()) << file;
    ASSERT_LT(script.size(), 64u << 10) << file;
    int exit_status = -1;
    json expected = binary_json(script, false, &exit_status);
    auto [status, body] = server.run({{"script", script}});
    EXPECT_EQ(status, exit_status == 2 ? 422 : 200) << file;
    EXPECT_EQ(body, expected) << file;
    EXPECT_GE(body.size(), 3u) << file;
  }
}

TEST(Api, FailedCheckIsAnAnswerWithItsCounterexample) {
  TestServer server;
  const std::string script = "x in R^n\ncheck x'*x == 2*x'*x";
  httplib::Client c = server.client();
  auto res = c.Post("/api/run", json{{"script", script}}.dump(), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("X-Nabla-Exit-Status"), "1");
  json body = json::parse(res->body);
  EXPECT_EQ(body, binary_json(script, false));
  json a = answers(body);
  ASSERT_EQ(a.size(), 1u) << body;
  EXPECT_EQ(a[0]["kind"], "check");
  EXPECT_EQ(a[0]["holds"], false);
  ASSERT_TRUE(a[0].contains("counterexample"));
  EXPECT_TRUE(a[0]["counterexample"].contains("values")) << a[0];
}

TEST(Api, ScriptErrorIs422WithPositionAndHint) {
  TestServer server;
  const std::string script = "x in R^n\ngrad(x+*x, x)";
  auto [status, body] = server.run({{"script", script}});
  EXPECT_EQ(status, 422);
  EXPECT_EQ(body, binary_json(script, false));
  ASSERT_GE(body.size(), 1u);
  const json& e = body.back();
  EXPECT_EQ(e.value("kind", ""), "error") << body;
  EXPECT_FALSE(e.value("message", "").empty()) << body;
  EXPECT_EQ(e["line"], 2);
  EXPECT_EQ(e["column"], 8);  // the '*' after x+
}

TEST(Api, MalformedRequestsGet400) {
  TestServer server;
  struct Case {
    std::string body, message;
  };
  const std::vector<Case> cases = {
      {"{\"script\": \"x in R\\ngrad(x^2, x)\"", "not valid JSON"},
      {"not json at all", "not valid JSON"},
      {"", "not valid JSON"},
      {"{\"script\": \"x \xff\xfe\"}", "UTF-8"},
      {"{\"script\": \"\xc3\x28\"}", "UTF-8"},
      {"[1, 2]", "JSON object"},
      {"{\"script\": 42}", "\"script\" must be a string"},
      {"{\"script\": \"x in R\", \"steps\": \"yes\"}", "\"steps\""},
      {"{\"script\": \"x in R\", \"sneaky\": 1}", "unknown field"},
      {"{\"steps\": true}", "missing field"},
      {"{\"script\": \"x in R\", \"seed\": -1}", "\"seed\""},
  };
  for (const Case& c : cases) {
    auto [status, body] = server.post("/api/run", c.body);
    EXPECT_EQ(status, 400) << c.body;
    ASSERT_TRUE(body.is_object()) << c.body;
    EXPECT_NE(body.value("error", "").find(c.message), std::string::npos) << body;
  }
}

TEST(Api, BodyOver64KiBGets413) {
  TestServer server;
  std::string script(65 << 10, 'x');
  auto [status, body] = server.run({{"script", script}});
  EXPECT_EQ(status, 413);
  EXPECT_NE(body.value("error", "").find("64 KiB"), std::string::npos) << body;
  // Just under the limit is read (and answered by the driver).
  std::string fits = "x in R\n" + std::string(60 << 10, ' ') + "x^2";
  auto [ok, answer] = server.run({{"script", fits}});
  EXPECT_EQ(ok, 200) << answer;
}

TEST(Api, NotJsonContentTypeGets415) {
  TestServer server;
  auto [status, body] = server.post("/api/run", json{{"script", "x in R\nx"}}.dump(), "text/plain");
  EXPECT_EQ(status, 415);
  EXPECT_TRUE(body.contains("error"));
}

TEST(Api, OutputOverTheLimitGets422) {
  ServeOptions o = TestServer::defaults();
  o.max_output = 100;
  TestServer server(o);
  auto [status, body] = server.run({{"script", kQuadratic}, {"steps", true}});
  EXPECT_EQ(status, 422);
  EXPECT_NE(body.value("error", "").find("output is too large"), std::string::npos) << body;
}

TEST(Api, CodeIsWhatTheBinaryGenerates) {
  TestServer server;
  for (std::string language : {"numpy", "torch", "cpp"}) {
    auto [status, body] =
        server.post("/api/code", json{{"script", kQuadratic}, {"language", language}}.dump());
    EXPECT_EQ(status, 200);
    nabla::testing::RunResult r = run_nabla({"--format", language, "-"}, kQuadratic);
    EXPECT_EQ(body.value("code", ""), r.out) << language;
    EXPECT_FALSE(r.out.empty());
  }
  auto [status, body] =
      server.post("/api/code", json{{"script", kQuadratic}, {"language", "cobol"}}.dump());
  EXPECT_EQ(status, 400);
}

TEST(Api, HealthAndUnknownPaths) {
  TestServer server;
  httplib::Client c = server.client();
  auto health = c.Get("/api/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(json::parse(health->body)["status"], "ok");
  for (const char* path :
       {"/nope", "/api/", "/../etc/passwd", "/etc/passwd", "/src/serve/server.cpp",
        "/%2e%2e/%2e%2e/etc/passwd", "/katex/", "/index.html/../../CMakeLists.txt"}) {
    auto res = c.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 404) << path;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json") << path;
  }
  auto get_run = c.Get("/api/run");
  ASSERT_TRUE(get_run);
  EXPECT_GE(get_run->status, 400);
}

TEST(Api, PageAndKatexAreServedWithStrictHeaders) {
  TestServer server;
  httplib::Client c = server.client();
  for (const char* path :
       {"/", "/app.js", "/style.css", "/katex/katex.min.js", "/katex/katex.min.css",
        "/katex/fonts/KaTeX_Main-Regular.woff2", "/api/health"}) {
    auto res = c.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 200) << path;
    EXPECT_FALSE(res->body.empty()) << path;
    std::string csp = res->get_header_value("Content-Security-Policy");
    EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << path;
    EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos) << path;
    EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_FALSE(res->has_header("Access-Control-Allow-Origin")) << path;
  }
  auto page = c.Get("/");
  EXPECT_NE(page->body.find("/katex/katex.min.js"), std::string::npos);
  EXPECT_EQ(page->body.find("http"), std::string::npos) << "the page loads nothing from elsewhere";
}

TEST(Api, NoCorsUnlessAnOriginIsAllowed) {
  const std::string origin = "http://localhost:3000";
  httplib::Headers from = {{"Origin", origin}};
  {
    TestServer server;
    httplib::Client c = server.client();
    auto res = c.Post("/api/run", from, json{{"script", kQuadratic}}.dump(), "application/json");
    ASSERT_TRUE(res);
    EXPECT_FALSE(res->has_header("Access-Control-Allow-Origin"));
    auto preflight = c.Options("/api/run", from);
    ASSERT_TRUE(preflight);
    EXPECT_EQ(preflight->status, 403);
  }
  ServeOptions o = TestServer::defaults();
  o.allow_origin = origin;
  TestServer server(o);
  httplib::Client c = server.client();
  auto res = c.Post("/api/run", from, json{{"script", kQuadratic}}.dump(), "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("Access-Control-Allow-Origin"), origin);
  auto other = c.Post("/api/run", {{"Origin", "http://evil.example"}},
                      json{{"script", kQuadratic}}.dump(), "application/json");
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->has_header("Access-Control-Allow-Origin"));
  auto preflight = c.Options("/api/run", from);
  ASSERT_TRUE(preflight);
  EXPECT_EQ(preflight->status, 204);
}

TEST(Api, ForeignHostHeaderIsRefused) {
  TestServer server;
  httplib::Client c = server.client();
  auto res = c.Get("/api/health", {{"Host", "evil.example"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403);
}

// The adapter reads one JSON value per line and the driver's text error reports.
TEST(Api, DriverJsonReadsEveryStatement) {
  int status = -1;
  json j = driver_json("x in R\ngrad(x^2, x)\nx in R^n\ngrad(x'*x, x)", false, 1, &status);
  EXPECT_EQ(status, 0);
  json a = answers(j);
  ASSERT_EQ(a.size(), 2u) << j;
  EXPECT_EQ(a[0]["result"], "2*x");
  EXPECT_EQ(a[1]["result"], "2*x");
  json e = driver_json("x in R\ngrad(x^2, y y)", false, 1, &status);
  EXPECT_EQ(status, 2);
  ASSERT_FALSE(e.empty());
  EXPECT_EQ(e.back().value("kind", ""), "error") << e;
  EXPECT_EQ(e.back()["line"], 2);
}

}  // namespace
}  // namespace nabla::serve::testing
