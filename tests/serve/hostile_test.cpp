// Hostile traffic through the server: the hostile-input table, slow clients, a thousand idle
// connections, garbage requests, a full server. Each is answered or refused cleanly while a
// well-behaved client's requests keep succeeding. All traffic goes to 127.0.0.1.
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <mutex>
#include <vector>

#include "../hostile/hostile_table.h"
#include "serve_fixture.h"

namespace nabla::serve::testing {
namespace {

const char* kGood = "x in R^n; A in R^(n x n)\ngrad(<x, A*x>, x)";

double since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// A client that keeps asking a well-formed question while a test runs; every answer must be
// the right one, each within `bound` seconds.
class GoodClient {
 public:
  explicit GoodClient(const TestServer& server, double bound = 5 * slow_factor())
      : thread_([this, &server, bound] {
          while (!stop_) {
            auto start = std::chrono::steady_clock::now();
            auto [status, body] = server.run({{"script", kGood}});
            double took = since(start);
            std::lock_guard<std::mutex> lock(mutex_);
            ++requests_;
            json a = body.is_array() ? answers(body) : json::array();
            if (status != 200 || a.size() != 1 || a[0].value("result", "") != "(A + A')*x" ||
                took > bound)
              failures_.push_back("status " + std::to_string(status) + " after " +
                                  std::to_string(took) + " s: " + body.dump().substr(0, 200));
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
          }
        }) {}
  ~GoodClient() { halt(); }
  // Stops and checks: at least `min_requests` answered, none wrong or late.
  void finish(int min_requests = 3) {
    auto start = std::chrono::steady_clock::now();
    while (since(start) < 10 * slow_factor()) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (requests_ >= min_requests) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    halt();
    EXPECT_GE(requests_, min_requests);
    for (const std::string& f : failures_) ADD_FAILURE() << "well-behaved request: " << f;
  }

 private:
  void halt() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  int requests_ = 0;
  std::vector<std::string> failures_;
  std::thread thread_;
};

// The bytes of `text` inside a JSON string: quotes, backslashes and control characters
// escaped, every other byte (invalid UTF-8 included) as it is.
std::string raw_json_text(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
      out += buffer;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

TEST(Hostile, TableThroughTheApi) {
  TestServer server;
  GoodClient good(server);
  int scripts = 0;
  for (const auto& c : nabla::testing::hostile::table()) {
    if (c.args != std::vector<std::string>{"-"}) continue;  // one-shot commands: not scripts
    ++scripts;
    auto start = std::chrono::steady_clock::now();
    // A script that is not UTF-8 cannot be a JSON string: its bytes go in as they are.
    std::string request;
    bool utf8 = true;
    try {
      request = json{{"script", c.input}}.dump();
    } catch (const json::type_error&) {
      utf8 = false;
      request = "{\"script\": \"" + raw_json_text(c.input) + "\"}";
    }
    auto [status, body] = server.post("/api/run", request);
    std::string context = c.name + ": status " + std::to_string(status) + " " +
                          (body.is_discarded() ? "(not JSON)" : body.dump().substr(0, 300));
    EXPECT_LT(since(start), 10 * slow_factor()) << context;
    ASSERT_TRUE(status == 200 || status == 422 || status == 413 || (!utf8 && status == 400))
        << context;
    ASSERT_FALSE(body.is_discarded()) << context;
    if (!utf8 && status != 413) {
      EXPECT_EQ(status, 400) << context;
      EXPECT_NE(body.value("error", "").find("UTF-8"), std::string::npos) << context;
      continue;
    }
    if (status == 413) {
      EXPECT_GT(c.input.size(), 64u << 10) << context;
      continue;
    }
    ASSERT_TRUE(body.is_array()) << context;
    using nabla::testing::hostile::Expect;
    if (c.expect == Expect::Result) {
      EXPECT_EQ(status, 200) << context;
    }
    if (c.expect == Expect::Error) {
      EXPECT_EQ(status, 422) << context;
    }
    if (status == 422) {
      bool named = false;
      for (const json& j : body)
        named = named ||
                (j.contains("error") &&
                 j["error"].get<std::string>().find(c.message) != std::string::npos) ||
                (j.value("kind", "") == "error" &&
                 j.value("message", "").find(c.message) != std::string::npos) ||
                (j.contains("hint") &&
                 j["hint"].get<std::string>().find(c.message) != std::string::npos);
      EXPECT_TRUE(named) << "an error should name: " << c.message << "\n" << context;
    }
  }
  EXPECT_GE(scripts, 40);
  good.finish();
}

TEST(Hostile, SlowClientsGet408WhileOthersAreServed) {
  TestServer server;  // request_timeout: 2 s (scaled)
  GoodClient good(server);
  std::vector<std::thread> slow;
  std::vector<int> statuses(4, -1);
  std::vector<double> seconds(4, 0);
  std::vector<std::string> answers(4);
  const std::string request = nabla::serve::testing::raw_post(json{{"script", kGood}}.dump());
  for (int i = 0; i < 4; ++i) {
    slow.emplace_back([&, i] {
      int fd = connect_to(server.port());
      ASSERT_GE(fd, 0);
      auto start = std::chrono::steady_clock::now();
      std::string answer;
      for (char ch : request) {  // a byte a second
        if (!send_all(fd, std::string(1, ch))) break;
        answer = read_all(fd, 1.0);
        if (!answer.empty()) break;
      }
      if (answer.empty()) answer = read_all(fd, 2.0);
      seconds[i] = since(start);
      statuses[i] = status_of(answer);
      answers[i] = answer.substr(0, 100);
      ::close(fd);
    });
  }
  for (std::thread& t : slow) t.join();
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(statuses[i], 408) << "slow client " << i << ": " << answers[i];
    EXPECT_LT(seconds[i], 6 * slow_factor()) << "slow client " << i;
  }
  good.finish();
}

TEST(Hostile, ThousandIdleConnections) {
  const int wanted = 1000;
  rlim_t limit = raise_file_limit(2 * wanted + 200);
  ASSERT_GE(limit, static_cast<rlim_t>(2 * wanted + 100))
      << "the test needs " << 2 * wanted + 100 << " open files (ulimit -n)";
  TestServer server;
  std::vector<int> idle;
  for (int i = 0; i < wanted; ++i) {
    int fd = connect_to(server.port());
    ASSERT_GE(fd, 0) << "connection " << i;
    idle.push_back(fd);
  }
  // Requests of a well-behaved client go through at once beside them.
  for (int i = 0; i < 20; ++i) {
    auto start = std::chrono::steady_clock::now();
    auto [status, body] = server.run({{"script", kGood}});
    EXPECT_EQ(status, 200) << body;
    EXPECT_LT(since(start), 2 * slow_factor());
  }
  // The idle ones are still open (within the idle timeout) and still served when they speak.
  const std::string request = raw_post(json{{"script", "x in R\ngrad(x^2, x)"}}.dump());
  for (int i = 0; i < wanted; i += 100) {
    ASSERT_TRUE(send_all(idle[i], request));
    EXPECT_EQ(status_of(read_all(idle[i], 10 * slow_factor())), 200) << "idle connection " << i;
  }
  for (int fd : idle) ::close(fd);
}

TEST(Hostile, IdleConnectionsAreClosedAfterTheIdleTimeout) {
  ServeOptions o = TestServer::defaults();
  o.idle_timeout = 0.5;
  TestServer server(o);
  std::vector<int> idle;
  for (int i = 0; i < 20; ++i) idle.push_back(connect_to(server.port()));
  for (int fd : idle) {
    ASSERT_GE(fd, 0);
    char c;
    pollfd p{fd, POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, static_cast<int>(5000 * slow_factor())), 1);
    EXPECT_LE(::recv(fd, &c, 1, 0), 0) << "closed without a byte";
    ::close(fd);
  }
}

TEST(Hostile, GarbageRequestsAreRefused) {
  TestServer server;
  GoodClient good(server);
  std::string chunked_big =
      "POST /api/run HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
      "application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 80; ++i) chunked_big += "400\r\n" + std::string(1024, ' ') + "\r\n";
  chunked_big += "0\r\n\r\n";
  struct Case {
    std::string name, bytes;
  };
  const std::vector<Case> cases = {
      {"not HTTP", "GARBAGE\r\n\r\n"},
      {"binary", std::string("\x00\x01\x02\xff\xfe\r\n\r\n", 9)},
      {"huge request line", "GET /" + std::string(20000, 'a') + " HTTP/1.1\r\n\r\n"},
      {"huge header", "GET / HTTP/1.1\r\nX: " + std::string(20000, 'b') + "\r\n\r\n"},
      {"lying content length",
       "POST /api/run HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
       "Content-Length: 99999999\r\n\r\n{}"},
      {"negative content length",
       "POST /api/run HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n"},
      {"chunked body over the limit", chunked_big},
      {"invalid UTF-8 script", raw_post("{\"script\": \"x in R\\ngrad(\xc0\xaf, x)\"}")},
      {"bad method", "BREW /api/run HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"},
  };
  for (const Case& c : cases) {
    int fd = connect_to(server.port());
    ASSERT_GE(fd, 0);
    send_all(fd, c.bytes);
    ::shutdown(fd, SHUT_WR);
    std::string answer = read_all(fd, 10 * slow_factor());
    ::close(fd);
    int status = status_of(answer);
    // Answered with a 4xx, or (for bytes that are no request at all) closed without one.
    EXPECT_TRUE((status >= 400 && status < 500) || answer.empty())
        << c.name << ": " << answer.substr(0, 200);
  }
  good.finish();
}

TEST(Hostile, ConcurrentRequestsAgreeWithSequentialOnes) {
  TestServer server;
  const std::vector<std::string> scripts = {
      kGood,
      "x in R^n; A in R^(n x n)\ngrad(<x, A*x>, A)",
      "A in R^(n x m); x in R^m\njacobian(A*x, x)",
      "x, w in R^d\ngrad(log(1 + exp(-w'*x)), w)",
      "x in R^n; A in R^(n x n)\nhessian(x'*A*x, x)",
      "x in R^n\ncheck grad(1/2*x'*x, x) == x",
      "x in R^n\ncheck x'*x == 2*x'*x",
      "x in R^n\ngrad(x+*x, x)",
  };
  std::vector<std::pair<int, json>> expected;
  for (const std::string& s : scripts) expected.push_back(server.run({{"script", s}}));
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0}, done{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 12; ++i) {
        size_t k = (t + i) % scripts.size();
        if (server.run({{"script", scripts[k]}}) != expected[k]) ++mismatches;
        ++done;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(done, 96);
  EXPECT_EQ(mismatches, 0);
}

// A slow derivation holds the only slot: the next request waits queue_timeout, then gets 503.
TEST(Hostile, BusyServerAnswers503) {
  ServeOptions o = TestServer::defaults();
  o.workers = 1;
  o.queue_timeout = 0.1;
  TestServer server(o);
  std::string hard = nabla::testing::hostile::doubling(60, "P*P + sin(P)", "grad(E, x)");
  std::pair<int, json> slow;
  std::thread holder([&] { slow = server.run({{"script", hard}}); });
  int busy = 0;
  json answer;
  auto start = std::chrono::steady_clock::now();
  while (busy != 503 && since(start) < 1.0) {  // the hard one runs for its 1.5 s budget
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::tie(busy, answer) = server.run({{"script", kGood}});
  }
  holder.join();
  EXPECT_EQ(busy, 503);
  EXPECT_NE(answer.value("error", "").find("busy"), std::string::npos) << answer;
  EXPECT_EQ(slow.first, 422) << slow.second;
  EXPECT_EQ(server.run({{"script", kGood}}).first, 200);  // free again
}

// Every I/O thread busy and the queue full: a new connection gets 503 at once.
TEST(Hostile, FullQueueAnswers503) {
  ServeOptions o = TestServer::defaults();
  o.io_threads = 1;
  o.io_queue = 1;
  TestServer server(o);
  int holder = connect_to(server.port());  // holds the I/O thread until its 2 s deadline
  ASSERT_TRUE(send_all(holder, "P"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  int queued = connect_to(server.port());
  ASSERT_TRUE(send_all(queued, raw_post(json{{"script", kGood}}.dump())));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  int refused = connect_to(server.port());
  ASSERT_TRUE(send_all(refused, raw_post(json{{"script", kGood}}.dump())));
  EXPECT_EQ(status_of(read_all(refused, 1.0)), 503);
  EXPECT_EQ(status_of(read_all(queued, 10 * slow_factor())), 200);
  EXPECT_EQ(status_of(read_all(holder, 10 * slow_factor())), 408);
  for (int fd : {holder, queued, refused}) ::close(fd);
}

TEST(Hostile, StopEndsPromptlyWithConnectionsOpen) {
  auto server = std::make_unique<TestServer>();
  std::vector<int> fds;
  for (int i = 0; i < 50; ++i) fds.push_back(connect_to(server->port()));
  int slow = connect_to(server->port());
  send_all(slow, "PO");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto start = std::chrono::steady_clock::now();
  server->stop();
  EXPECT_LT(since(start), 1 * slow_factor()) << "the slow request is cut off, not waited for";
  for (int fd : fds) ::close(fd);
  ::close(slow);
}

// The binary: `nabla serve --port 0` prints its URL, serves, and SIGTERM / SIGINT end it with
// status 0.
TEST(Hostile, SignalsStopTheBinaryCleanly) {
  for (int sig : {SIGTERM, SIGINT}) {
    int out[2];
    ASSERT_EQ(::pipe(out), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::dup2(out[1], 1);
      ::close(out[0]);
      ::execl(NABLA_BINARY, NABLA_BINARY, "serve", "--port", "0", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(out[1]);
    struct Reaper {  // a failed assertion below must not leave the server running
      pid_t pid;
      bool reaped = false;
      ~Reaper() {
        if (!reaped) {
          ::kill(pid, SIGKILL);
          ::waitpid(pid, nullptr, 0);
        }
      }
    } reaper{pid};
    std::string text = read_until(out[0], "/\n", 10 * slow_factor());  // the URL line
    size_t at = text.find("http://127.0.0.1:");
    ASSERT_NE(at, std::string::npos) << "[" << text << "]";
    int port = std::stoi(text.substr(at + 17));
    httplib::Client c("127.0.0.1", port);
    auto res = c.Get("/api/health");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    ::kill(pid, sig);
    std::string rest = read_all(out[0], 10 * slow_factor());
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    reaper.reaped = true;
    ::close(out[0]);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "signal " << sig;
    EXPECT_NE(rest.find("stopped"), std::string::npos) << rest;
  }
}

}  // namespace
}  // namespace nabla::serve::testing
