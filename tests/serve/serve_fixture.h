#pragma once
// A `nabla serve` instance inside the test process on a free loopback port, and clients for it:
// httplib's for well-formed requests, raw sockets for the ill-behaved ones.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "serve/server.h"

namespace nabla::serve::testing {

using nlohmann::json;

// Time bounds (to catch hangs, generously) scaled for the sanitizer builds.
// The objects of an answer that answer something (queries, checks, errors): the driver's JSON
// also reports each declaration and definition of the script.
inline json answers(const json& body) {
  json a = json::array();
  for (const json& o : body) {
    std::string kind = o.value("kind", "");
    if (kind != "declaration" && kind != "definition") a.push_back(o);
  }
  return a;
}

inline double slow_factor() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  return 8;
#else
  return 1;
#endif
}

class TestServer {
 public:
  explicit TestServer(ServeOptions options = defaults()) : server_(patch(options)) {
    std::string error;
    port_ = server_.bind(error);
    EXPECT_GT(port_, 0) << error;
    thread_ = std::thread([this] { server_.run(); });
  }
  ~TestServer() { stop(); }

  void stop() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }

  static ServeOptions defaults() {
    ServeOptions o;
    o.port = 0;
    o.request_timeout = 2 * slow_factor();
    o.idle_timeout = 20 * slow_factor();
    return o;
  }

  int port() const { return port_; }
  std::string url() const { return server_.url(); }

  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(10);
    c.set_read_timeout(static_cast<time_t>(30 * slow_factor()));
    return c;
  }

  // POST /api/run with a JSON body; the status and the parsed answer.
  std::pair<int, json> run(const json& body) const { return post("/api/run", body.dump()); }

  std::pair<int, json> post(const std::string& path, const std::string& body,
                            const std::string& type = "application/json") const {
    httplib::Client c = client();
    auto res = c.Post(path.c_str(), body, type.c_str());
    if (!res) return {-1, json()};
    return {res->status, json::parse(res->body, nullptr, false)};
  }

 private:
  static ServeOptions patch(ServeOptions o) {
    o.port = 0;
    o.host = "127.0.0.1";
    return o;
  }
  Server server_;
  int port_ = -1;
  std::thread thread_;
};

// A raw TCP connection to 127.0.0.1:port (-1 when it cannot connect).
inline int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

inline bool send_all(int fd, const std::string& data) {
  size_t at = 0;
  while (at < data.size()) {
    ssize_t n = ::send(fd, data.data() + at, data.size() - at, MSG_NOSIGNAL);
    if (n <= 0) return false;
    at += static_cast<size_t>(n);
  }
  return true;
}

// Everything the server sends until it closes the connection or `seconds` pass.
inline std::string read_all(int fd, double seconds) {
  std::string out;
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  char buffer[4096];
  for (;;) {
    int ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                  until - std::chrono::steady_clock::now())
                                  .count());
    if (ms <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, ms) <= 0) break;
    ssize_t n = ::read(fd, buffer, sizeof buffer);  // a socket or a pipe
    if (n <= 0) break;
    out.append(buffer, static_cast<size_t>(n));
  }
  return out;
}

// What arrives until `text` has been read, the other side closes, or `seconds` pass.
inline std::string read_until(int fd, const std::string& text, double seconds) {
  std::string out;
  auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  char c;
  while (out.find(text) == std::string::npos) {
    int ms = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                  until - std::chrono::steady_clock::now())
                                  .count());
    pollfd p{fd, POLLIN, 0};
    if (ms <= 0 || ::poll(&p, 1, ms) <= 0 || ::read(fd, &c, 1) != 1) break;
    out += c;
  }
  return out;
}

// The status of a raw HTTP response ("HTTP/1.1 408 ..." -> 408), or -1.
inline int status_of(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12) return -1;
  return std::stoi(response.substr(9, 3));
}

// A raw HTTP request for POST /api/run with the given body bytes.
inline std::string raw_post(const std::string& body, const std::string& type = "application/json") {
  return "POST /api/run HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Raises the soft limit on open files to the hard one (capped); returns the limit in force.
inline rlim_t raise_file_limit(rlim_t wanted) {
  rlimit l{};
  ::getrlimit(RLIMIT_NOFILE, &l);
  if (l.rlim_cur < wanted) {
    l.rlim_cur = std::min(wanted, l.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &l);
    ::getrlimit(RLIMIT_NOFILE, &l);
  }
  return l.rlim_cur;
}

}  // namespace nabla::serve::testing
