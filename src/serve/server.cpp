#include "serve/server.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <malloc.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "serve/api.h"
#include "serve/assets.h"

namespace nabla::serve {

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kVersion = "0.1.0";
constexpr int kWriteTimeoutMs = 5000;

Clock::time_point after(double seconds) {
  return Clock::now() +
         std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

// Milliseconds until t, rounded up (a wait of 0 ms before t would end early).
int ms_until(Clock::time_point t) {
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(t - Clock::now()).count();
  return static_cast<int>(std::clamp<int64_t>(ms, 0, INT_MAX));
}

bool wait_for(int fd, short events, int ms) {
  pollfd p{fd, events, 0};
  int r;
  do r = ::poll(&p, 1, ms);
  while (r < 0 && errno == EINTR);
  return r > 0;
}

// The headers of every response: no script but the page's own, no framing, no sniffing.
// KaTeX sets inline style attributes, hence style-src 'unsafe-inline' (scripts stay strict).
httplib::Headers security_headers() {
  return {{"Content-Security-Policy",
           "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
           "font-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
           "form-action 'none'; frame-ancestors 'none'"},
          {"X-Content-Type-Options", "nosniff"},
          {"X-Frame-Options", "DENY"},
          {"Referrer-Policy", "no-referrer"},
          {"Cross-Origin-Opener-Policy", "same-origin"},
          {"Cross-Origin-Resource-Policy", "same-origin"}};
}

// A response written without httplib, for connections it never sees (the I/O queue is full,
// the client took too long to send its request). Best effort: the socket may be gone.
void send_plain_response(int fd, int status, const char* reason, const std::string& message) {
  std::string body = error_body(message).dump() + "\n";
  std::string text =
      "HTTP/1.1 " + std::to_string(status) + " " + reason +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n";
  if (status == 503) text += "Retry-After: 1\r\n";
  for (const auto& [name, value] : security_headers()) text += name + ": " + value + "\r\n";
  text += "\r\n" + body;
  (void)::send(fd, text.data(), text.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

// Closes a connection after its response: stops writing, then reads what the client still
// sends (briefly) so that closing with unread data does not reset the connection before the
// client has read the response.
void close_gracefully(int fd) {
  ::shutdown(fd, SHUT_WR);
  Clock::time_point until = after(0.5);
  char buffer[4096];
  size_t drained = 0;
  while (drained < (1 << 20) && wait_for(fd, POLLIN, ms_until(until))) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n <= 0) break;
    drained += static_cast<size_t>(n);
  }
  ::close(fd);
}

void address_of(int fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  int r = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len)
               : ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ip.clear();
  port = 0;
  if (r != 0) return;
  char text[INET6_ADDRSTRLEN] = {};
  if (a.ss_family == AF_INET) {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&a);
    ::inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
    port = ntohs(v4->sin_port);
  } else if (a.ss_family == AF_INET6) {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&a);
    ::inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
    port = ntohs(v6->sin6_port);
  }
  ip = text;
}

// A connection whose reads all end by one deadline (the whole request must arrive by then:
// a client sending a byte a second is cut off), or when the server stops (stop_fd readable);
// each write within kWriteTimeoutMs.
class DeadlineStream : public httplib::Stream {
 public:
  DeadlineStream(int fd, Clock::time_point read_deadline, int stop_fd)
      : fd_(fd), stop_fd_(stop_fd), deadline_(read_deadline) {}

  bool is_readable() const override { return wait_for(fd_, POLLIN, ms_until(deadline_)); }
  bool is_writable() const override { return wait_for(fd_, POLLOUT, kWriteTimeoutMs); }
  ssize_t read(char* ptr, size_t size) override {
    pollfd p[2] = {{fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    int r;
    do r = ::poll(p, 2, ms_until(deadline_));
    while (r < 0 && errno == EINTR);
    if (r <= 0 || p[1].revents) {
      timed_out_ = r == 0;
      return -1;
    }
    ssize_t n;
    do n = ::recv(fd_, ptr, size, MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    return n;
  }
  ssize_t write(const char* ptr, size_t size) override {
    if (!wait_for(fd_, POLLOUT, kWriteTimeoutMs)) return -1;
    wrote_ = true;
    ssize_t n;
    do n = ::send(fd_, ptr, size, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n;
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    address_of(fd_, true, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    address_of(fd_, false, ip, port);
  }
  socket_t socket() const override { return fd_; }

  bool timed_out() const { return timed_out_; }
  bool wrote() const { return wrote_; }

 private:
  int fd_, stop_fd_;
  Clock::time_point deadline_;
  bool timed_out_ = false;
  bool wrote_ = false;
};

// httplib's listener hands each accepted socket to its task queue; this one runs the task at
// once, on the listener's thread: GatedServer::process_and_close_socket only files the socket.
class InlineQueue : public httplib::TaskQueue {
 public:
  void enqueue(std::function<void()> fn) override { fn(); }
  void shutdown() override {}
};

// httplib's server with its connection handling replaced (see server.h): httplib still parses
// every request and writes every response (process_request), over a DeadlineStream.
class GatedServer : public httplib::Server {
 public:
  explicit GatedServer(const ServeOptions& o) : options_(o) {
    new_task_queue = [] { return new InlineQueue; };
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    stop_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  }
  ~GatedServer() override {
    stop_threads();
    if (wake_fd_ >= 0) ::close(wake_fd_);
    if (stop_fd_ >= 0) ::close(stop_fd_);
  }

  int listening_socket() const { return svr_sock_.load(); }

  void start_threads() {
    stopping_ = false;
    uint64_t count;
    (void)!::read(stop_fd_, &count, sizeof count);  // readable from an earlier stop
    threads_.emplace_back([this] { gate_loop(); });
    for (size_t i = 0; i < options_.io_threads; ++i) threads_.emplace_back([this] { io_loop(); });
  }

  // Requests being read are cut off; those being answered finish (the driver's budget bounds
  // them).
  void stop_threads() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    uint64_t one = 1;
    if (stop_fd_ >= 0) (void)!::write(stop_fd_, &one, sizeof one);
    wake();
    ready_cv_.notify_all();
    for (std::thread& t : threads_) t.join();
    threads_.clear();
    std::lock_guard<std::mutex> lock(mutex_);
    for (int fd : incoming_) ::close(fd);
    for (int fd : ready_) ::close(fd);
    incoming_.clear();
    ready_.clear();
  }

 private:
  struct Waiting {
    int fd;
    Clock::time_point deadline;
  };

  // On the listener's thread: file the socket for the gate.
  bool process_and_close_socket(socket_t sock) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!stopping_) {
        incoming_.push_back(sock);
        sock = -1;
      }
    }
    if (sock >= 0) ::close(sock);
    wake();
    return true;
  }

  void wake() {
    uint64_t one = 1;
    if (wake_fd_ >= 0) (void)!::write(wake_fd_, &one, sizeof one);
  }

  // Waits for the first bytes of each connection; hands the connection to the I/O threads then.
  void gate_loop() {
    std::vector<Waiting> waiting;
    std::vector<pollfd> fds;
    for (;;) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stopping_) break;
        for (int fd : incoming_) {
          if (waiting.size() >= options_.max_connections) {
            send_plain_response(fd, 503, "Service Unavailable", "too many open connections");
            ::close(fd);
          } else {
            waiting.push_back({fd, after(options_.idle_timeout)});
          }
        }
        incoming_.clear();
      }
      fds.assign(1, pollfd{wake_fd_, POLLIN, 0});
      Clock::time_point next = after(1);
      for (const Waiting& w : waiting) {
        fds.push_back({w.fd, POLLIN, 0});
        next = std::min(next, w.deadline);
      }
      int r = ::poll(fds.data(), fds.size(), ms_until(next));
      if (r < 0 && errno != EINTR) break;
      if (fds[0].revents) {
        uint64_t count;
        (void)!::read(wake_fd_, &count, sizeof count);
      }
      Clock::time_point now = Clock::now();
      std::vector<Waiting> still;
      still.reserve(waiting.size());
      for (size_t i = 0; i < waiting.size(); ++i) {
        if (fds[i + 1].revents) {
          dispatch(waiting[i].fd);
        } else if (now >= waiting[i].deadline) {
          ::close(waiting[i].fd);  // idle past the limit
        } else {
          still.push_back(waiting[i]);
        }
      }
      waiting.swap(still);
    }
    for (const Waiting& w : waiting) ::close(w.fd);
  }

  void dispatch(int fd) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (ready_.size() < options_.io_queue) {
        ready_.push_back(fd);
        ready_cv_.notify_one();
        return;
      }
    }
    send_plain_response(fd, 503, "Service Unavailable", "the server is busy; try again");
    close_gracefully(fd);
  }

  void io_loop() {
    for (;;) {
      int fd;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_cv_.wait(lock, [&] { return stopping_ || !ready_.empty(); });
        if (stopping_) return;
        fd = ready_.front();
        ready_.pop_front();
      }
      serve_connection(fd);
    }
  }

  void serve_connection(int fd) {
    DeadlineStream stream(fd, after(options_.request_timeout), stop_fd_);
    bool closed = false;
    process_request(stream, /*close_connection=*/true, closed, nullptr);
    if (stream.timed_out() && !stream.wrote())
      send_plain_response(fd, 408, "Request Timeout",
                          "the request did not arrive within the time limit");
    close_gracefully(fd);
  }

  ServeOptions options_;
  int wake_fd_ = -1;
  int stop_fd_ = -1;  // readable once the server stops
  std::mutex mutex_;
  bool stopping_ = true;
  std::vector<int> incoming_;
  std::deque<int> ready_;
  std::condition_variable ready_cv_;
  std::vector<std::thread> threads_;
};

// The derivations: `size` threads taking jobs in arrival order (a request waiting longer than
// its limit to start is answered 503). Few threads also keep the driver's memory (malloc arenas,
// thread_local buffers) to those few.
class ComputePool {
 public:
  explicit ComputePool(size_t size) {
    for (size_t i = 0; i < size; ++i) threads_.emplace_back([this] { work(); });
  }
  ~ComputePool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
      for (auto& job : queue_) job->state = Job::Cancelled;
      queue_.clear();
    }
    ready_.notify_all();
    done_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

  // Runs `task` on a pool thread and waits for it; nullopt when it did not start within `wait`.
  std::optional<ApiReply> run(std::function<ApiReply()> task, std::chrono::milliseconds wait) {
    auto job = std::make_shared<Job>();
    job->task = std::move(task);
    std::unique_lock<std::mutex> lock(mutex_);
    if (stopping_) return std::nullopt;
    queue_.push_back(job);
    ready_.notify_one();
    auto deadline = Clock::now() + wait;
    while (job->state == Job::Queued && !stopping_)
      if (done_.wait_until(lock, deadline) == std::cv_status::timeout) break;
    if (job->state == Job::Queued || job->state == Job::Cancelled) {
      job->state = Job::Cancelled;  // the pool skips it
      return std::nullopt;
    }
    done_.wait(lock, [&] { return job->state == Job::Done; });
    return std::move(job->reply);
  }

 private:
  struct Job {
    enum State { Queued, Running, Done, Cancelled } state = Queued;
    std::function<ApiReply()> task;
    ApiReply reply;
  };

  void work() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      std::shared_ptr<Job> job = queue_.front();
      queue_.pop_front();
      if (job->state == Job::Cancelled) continue;
      job->state = Job::Running;
      ++running_;
      done_.notify_all();
      lock.unlock();
      ApiReply reply;
      try {
        reply = job->task();
      } catch (const std::exception& e) {
        reply = {500, error_body(std::string("internal error: ") + e.what()), -1};
      }
      lock.lock();
      job->reply = std::move(reply);
      job->state = Job::Done;
      done_.notify_all();
      if (--running_ == 0 && queue_.empty()) {
        // Idle: the memory the derivations freed goes back to the system, so a quiet server
        // holds what it needs, not the peak of the last burst.
        lock.unlock();
        malloc_trim(0);
        lock.lock();
      }
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_, done_;
  std::deque<std::shared_ptr<Job>> queue_;
  size_t running_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                  "application/json");
}

bool is_json_type(const httplib::Request& req) {
  std::string type = req.get_header_value("Content-Type");
  return type.rfind("application/json", 0) == 0;
}

}  // namespace

ServeOptions with_workers(ServeOptions o) {
  if (!o.workers) o.workers = std::max(1u, std::thread::hardware_concurrency());
  return o;
}

struct Server::Impl {
  ServeOptions options;
  ComputePool compute;  // outlives the I/O threads of `http`, which wait on it
  GatedServer http;
  int port = -1;

  explicit Impl(ServeOptions o)
      : options(with_workers(std::move(o))), compute(options.workers), http(options) {
    routes();
  }

  // The Host header names this server (a page from elsewhere reaching it by DNS rebinding does
  // not): the loopback names, or the bound host, each with the port.
  bool host_allowed(const httplib::Request& req) const {
    if (options.host == "0.0.0.0" || options.host == "::") return true;
    std::string host = req.get_header_value("Host");
    std::string p = ":" + std::to_string(port);
    for (const std::string& name :
         {std::string("127.0.0.1"), std::string("localhost"), std::string("[::1]"), options.host})
      if (host == name + p || host == name) return true;
    return false;
  }

  bool origin_allowed(const httplib::Request& req) const {
    return !options.allow_origin.empty() && req.get_header_value("Origin") == options.allow_origin;
  }

  // A derivation on the compute pool (503 when it does not start within queue_timeout).
  void derive(httplib::Response& res, std::function<ApiReply()> work) {
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::duration<double>(options.queue_timeout));
    std::optional<ApiReply> answer = compute.run(std::move(work), wait);
    if (!answer) {
      res.set_header("Retry-After", "1");
      send_json(res, 503, error_body("the server is busy: no derivation slot came free in time"));
      return;
    }
    ApiReply& reply = *answer;
    if (reply.exit_status >= 0)
      res.set_header("X-Nabla-Exit-Status", std::to_string(reply.exit_status));
    send_json(res, reply.status, reply.body);
  }

  void routes() {
    httplib::Headers headers = security_headers();
    http.set_default_headers(headers);
    http.set_keep_alive_max_count(1);
    http.set_payload_max_length(options.max_body);
    http.set_tcp_nodelay(true);
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (!host_allowed(req)) {
        send_json(res, 403, error_body("unexpected Host header"));
        return httplib::Server::HandlerResponse::Handled;
      }
      if (req.has_header("Origin") && origin_allowed(req)) {
        res.set_header("Access-Control-Allow-Origin", options.allow_origin);
        res.set_header("Vary", "Origin");
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    http.set_error_handler([this](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return;
      std::string message = res.status == 413 ? "the body is larger than " +
                                                    std::to_string(options.max_body >> 10) + " KiB"
                            : res.status == 404 ? "not found"
                            : res.status == 405 ? "method not allowed"
                            : res.status == 400 ? "bad request"
                                                : "the request was refused";
      send_json(res, res.status, error_body(message));
    });
    http.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          send_json(res, 500, error_body("internal error"));
        });

    http.Get("/api/health", [this](const httplib::Request&, httplib::Response& res) {
      send_json(res, 200, {{"status", "ok"}, {"version", kVersion}});
    });
    auto api = [this](ApiReply (*handler)(const std::string&, const ApiLimits&)) {
      return [this, handler](const httplib::Request& req, httplib::Response& res) {
        if (!is_json_type(req)) {
          send_json(res, 415, error_body("send the request as Content-Type: application/json"));
          return;
        }
        ApiLimits limits;
        limits.max_output_bytes = options.max_output;
        derive(res, [&req, handler, limits] { return handler(req.body, limits); });
      };
    };
    http.Post("/api/run", api(&run_request));
    http.Post("/api/code", api(&code_request));
    http.Options("/api/(run|code)", [this](const httplib::Request& req, httplib::Response& res) {
      if (!origin_allowed(req)) {
        send_json(res, 403,
                  error_body("cross-origin requests are not allowed (see --allow-origin)"));
        return;
      }
      res.status = 204;
      res.set_header("Access-Control-Allow-Methods", "POST");
      res.set_header("Access-Control-Allow-Headers", "Content-Type");
      res.set_header("Access-Control-Max-Age", "600");
    });
    for (const Asset& a : all_assets()) {
      std::string pattern;
      for (char c : a.path) {
        if (std::string_view(".^$|()[]{}*+?\\").find(c) != std::string_view::npos) pattern += '\\';
        pattern += c;
      }
      if (a.path == "/index.html") pattern = "/|/index\\.html";
      const Asset* asset = &a;
      http.Get(pattern, [asset](const httplib::Request&, httplib::Response& res) {
        res.set_header("Cache-Control", asset->path == "/index.html" ? "no-cache" : "max-age=3600");
        res.set_content(std::string(asset->data), std::string(asset->content_type).c_str());
      });
    }
  }
};

Server::Server(ServeOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Server::~Server() = default;

int Server::bind(std::string& error) {
  Impl& s = *impl_;
  int port = s.options.port;
  if (port == 0) {
    port = s.http.bind_to_any_port(s.options.host);
  } else if (!s.http.bind_to_port(s.options.host, port)) {
    port = -1;
  }
  if (port <= 0) {
    error = "cannot listen on " + s.options.host + ":" + std::to_string(s.options.port) +
            " (in use, or not an address of this machine)";
    return -1;
  }
  // httplib listens with a short backlog; many clients connecting at once need a long one.
  ::listen(s.http.listening_socket(), SOMAXCONN);
  s.port = port;
  return port;
}

void Server::run() {
  impl_->http.start_threads();
  impl_->http.listen_after_bind();
  impl_->http.stop_threads();
}

void Server::stop() {
  // Wakes the listener, whose accept() then fails: it closes the socket and returns. (httplib's
  // stop() would do nothing before the listener has started.)
  int fd = impl_->http.listening_socket();
  if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
}

std::string Server::url() const {
  std::string host = impl_->options.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(impl_->port) + "/";
}

int serve_main(int argc, char** argv) {
  ServeOptions o;
  CLI::App app{"nabla serve: the web page and the JSON API (POST /api/run), on this machine",
               "nabla serve"};
  app.add_option("--host", o.host, "Address to listen on (default 127.0.0.1: this machine only)");
  app.add_option("--port", o.port, "Port (default 8080; 0 picks a free one)")
      ->check(CLI::Range(0, 65535));
  app.add_option("--threads", o.io_threads, "Connections served at once (default 32)")
      ->check(CLI::Range(1, 1024));
  app.add_option("--workers", o.workers, "Derivations at once (default: the number of CPUs)")
      ->check(CLI::Range(1, 1024));
  app.add_option("--allow-origin", o.allow_origin,
                 "Let pages from this origin call the API (CORS), e.g. http://localhost:3000");
  app.add_option("--request-timeout", o.request_timeout,
                 "Seconds a client has to send its whole request (default 10)")
      ->check(CLI::PositiveNumber);
  app.add_option("--idle-timeout", o.idle_timeout,
                 "Seconds a connection may stay silent before it is closed (default 30)")
      ->check(CLI::PositiveNumber);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }

  // Requests allocate and free up to a few MiB (64 KiB scripts, their graphs): fixed malloc
  // thresholds keep glibc from raising them (its default) until freed memory stays resident.
  mallopt(M_MMAP_THRESHOLD, 256 << 10);
  mallopt(M_TRIM_THRESHOLD, 1 << 20);
  mallopt(M_ARENA_MAX, static_cast<int>(2 * std::max<size_t>(o.workers, 2)));

  // SIGINT/SIGTERM are taken by one thread (sigwait), which stops the server; every other
  // thread starts with them blocked.
  ::signal(SIGPIPE, SIG_IGN);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  Server server(o);
  std::string error;
  if (server.bind(error) < 0) {
    std::cerr << "nabla serve: error: " << error
              << "\nhint: nabla serve --port 0 picks a free port\n";
    return 2;
  }
  // Only this thread writes to std::cout (the program runs it unsynchronized with stdio).
  std::atomic<bool> done{false};
  std::atomic<int> received{0};
  std::thread signals([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    if (!done) {
      received = sig;
      server.stop();
    }
  });
  std::cout << "nabla serve: listening on " << server.url() << std::endl;
  server.run();
  done = true;
  pthread_kill(signals.native_handle(), SIGTERM);  // ends the sigwait if no signal came
  signals.join();
  std::cout << "nabla serve: stopped";
  if (received) std::cout << " (" << (received == SIGINT ? "SIGINT" : "SIGTERM") << ")";
  std::cout << std::endl;
  return 0;
}

}  // namespace nabla::serve
