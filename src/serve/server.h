#pragma once
// `nabla serve`: the page and the JSON API over HTTP (cpp-httplib), robust by construction:
// - connections wait in a poll()-based gate until they send something, so idle connections
//   hold no thread; a gate holds at most max_connections and drops those idle past idle_timeout;
// - a bounded pool of I/O threads reads each request under one deadline for the whole request
//   (a client sending a byte a second gets 408), one request per connection;
// - at most `workers` derivations run at once; a request that waits past queue_timeout for one
//   gets 503, as does a connection arriving when the I/O queue is full;
// - bodies over max_body get 413, the driver's output over max_output 422; every error is JSON.
#include <cstddef>
#include <memory>
#include <string>

namespace nabla::serve {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port
  size_t io_threads = 32;
  size_t workers = 0;  // derivations at once; 0: the number of CPUs
  size_t io_queue = 512;
  size_t max_connections = 4096;  // waiting in the gate
  size_t max_body = 64 << 10;
  size_t max_output = 1 << 20;
  double request_timeout = 10;  // seconds to receive a whole request
  double idle_timeout = 30;     // seconds a connection may wait without sending anything
  double queue_timeout = 10;    // seconds a request may wait for a derivation slot
  std::string allow_origin;     // CORS: this origin may call the API ("" none)
};

class Server {
 public:
  explicit Server(ServeOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the address (port 0: a free one); returns the port, or -1 with a message in `error`.
  int bind(std::string& error);
  // Serves until stop(); returns when every thread has ended.
  void run();
  // Safe from any thread (a signal-waiting thread, a test).
  void stop();
  std::string url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `nabla serve [--host H] [--port P] ...`: argv[0] is "serve". Returns the exit status.
int serve_main(int argc, char** argv);

}  // namespace nabla::serve
