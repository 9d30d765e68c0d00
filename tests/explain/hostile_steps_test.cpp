// The hostile-input table (tests/hostile) with worked solutions asked for:
// each script ends cleanly and quickly (a derivation too large to show is a note, never a
// hang, a crash or a lost answer), and a query answered without --steps is answered with it.
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>

#include "../hostile/hostile_table.h"
#include "driver/driver.h"

namespace nabla {
namespace {

TEST(HostileSteps, EveryTableScriptEndsCleanlyInEveryMethod) {
  int scripts = 0;
  for (const testing::hostile::Hostile& h : testing::hostile::table()) {
    if (h.args != std::vector<std::string>{"-"}) continue;  // command-line cases
    ++scripts;
    DriverOptions plain;
    std::ostringstream out0, err0;
    int status0 = run_script(h.input, "<hostile>", plain, out0, err0);
// the default (rule, index or differential per question) and the index method, whose
// recursion a DAG could blow up; All and Differential share the rule method's guards
#if defined(__SANITIZE_ADDRESS__)
    // the sanitizer build runs several times slower: the default method only
    const std::vector<StepsMethod> methods{StepsMethod::Auto};
#else
    const std::vector<StepsMethod> methods{StepsMethod::Auto, StepsMethod::Index};
#endif
    for (StepsMethod m : methods) {
      DriverOptions options;
      options.steps = true;
      options.steps_method = m;
      std::ostringstream out, err;
      auto start = std::chrono::steady_clock::now();
      int status = run_script(h.input, "<hostile>", options, out, err);
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      EXPECT_LT(seconds, 30.0) << h.name << " [" << steps_method_name(m) << "]";
      // the same answer; on a loaded machine a run may reach its time limit, which is then
      // the error (never another one)
      auto hit_time_limit = [](int st, const std::string& e) {
        return st == kExitBadInput && e.find("time limit") != std::string::npos;
      };
      bool time_limit = hit_time_limit(status, err.str()) || hit_time_limit(status0, err0.str());
      EXPECT_TRUE(status == status0 || time_limit)
          << h.name << " [" << steps_method_name(m) << "]: " << status << " vs " << status0 << "\n"
          << err.str().substr(0, 400);
    }
  }
  EXPECT_GT(scripts, 10);
}

}  // namespace
}  // namespace nabla
