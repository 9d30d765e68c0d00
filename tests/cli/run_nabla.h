#pragma once
// Runs the nabla binary as a user would: arguments, standard input, exit status, both streams.
#include <sys/resource.h>
#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace nabla::testing {

struct RunResult {
  int status = -1;
  std::string out;
  std::string err;
  double seconds = 0;      // wall time
  double cpu_seconds = 0;  // user + system time of the program (and the shell around it):
                           // what time bounds check, since a loaded machine stretches wall time
};

// User + system seconds of the terminated children waited for so far.
inline double children_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_CHILDREN, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec * 1e-6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

// A time bound for the binary: as given in ordinary builds, ten times that under the
// sanitizers, whose builds run several times slower.
inline double cli_time_limit(double seconds) {
#if defined(__SANITIZE_ADDRESS__)
  return 10 * seconds;
#else
  return seconds;
#endif
}

inline std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'')
      q += "'\\''";
    else
      q += c;
  }
  return q + "'";
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The test process's scratch folder, removed with everything in it when the process exits.
inline std::filesystem::path scratch_dir() {
  struct Scratch {
    std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("nabla-cli-test-" + std::to_string(::getpid()));
    Scratch() { std::filesystem::create_directories(dir); }
    ~Scratch() {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  };
  static Scratch scratch;
  return scratch.dir;
}

inline std::filesystem::path write_file(const std::string& name, const std::string& text) {
  std::filesystem::path p = scratch_dir() / name;
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

// Runs NABLA_BINARY with args (each quoted) and the given standard input, under a 20 s
// watchdog so a hang fails the test instead of the suite.
inline RunResult run_nabla(const std::vector<std::string>& args, const std::string& input = "") {
  std::filesystem::path dir = scratch_dir();
  static int counter = 0;
  std::string tag = std::to_string(counter++);
  std::filesystem::path in = write_file("in" + tag, input), out = dir / ("out" + tag),
                        err = dir / ("err" + tag);
  std::string cmd = "timeout 20 " + shell_quote(NABLA_BINARY);
  for (const std::string& a : args) cmd += " " + shell_quote(a);
  cmd += " <" + shell_quote(in.string()) + " >" + shell_quote(out.string()) + " 2>" +
         shell_quote(err.string());
  auto start = std::chrono::steady_clock::now();
  double cpu_start = children_cpu_seconds();
  int raw = std::system(cmd.c_str());
  RunResult r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  r.cpu_seconds = children_cpu_seconds() - cpu_start;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
  r.out = slurp(out);
  r.err = slurp(err);
  std::filesystem::remove(in);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

}  // namespace nabla::testing
