#pragma once
// Running programs from a test: a shell command's status and output, and the python3 that has
// NumPy (Debian's python3-numpy lives in /usr/bin/python3, which another python3 may shadow).
#include <cstdio>
#include <string>

namespace nabla::test_support {

// Runs a shell command, appending its standard output and error to *output; its exit status.
inline int run_command(const std::string& command, std::string* output) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) output->append(buf, n);
  return pclose(pipe);
}

// The first of /usr/bin/python3 and python3 that imports numpy, or "" when neither does.
inline std::string python_with_numpy() {
  std::string probe;
  for (const char* candidate : {"/usr/bin/python3", "python3"})
    if (run_command(std::string(candidate) + " -c 'import numpy'", &probe) == 0) return candidate;
  return "";
}

}  // namespace nabla::test_support
