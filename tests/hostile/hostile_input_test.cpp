// Hostile input through the nabla binary: every input ends, within 2 s, with a result (exit 0),
// a failed check where one legitimately fails (exit 1), or a clean error (exit 2, a short
// message saying why) -- never a crash, a signal, a hang or a sanitizer report.
#include <gtest/gtest.h>

#include <algorithm>

#include <string>
#include <vector>

#include "../cli/run_nabla.h"
#include "hostile_table.h"

namespace nabla::testing {
namespace {

using namespace hostile;

double time_limit() {
#if defined(__SANITIZE_ADDRESS__)
  return 10.0;  // the sanitizer build is several times slower
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return 10.0;
#else
  return 2.0;
#endif
#else
  return 2.0;
#endif
}

class HostileInputTest : public ::testing::TestWithParam<Hostile> {};

TEST_P(HostileInputTest, EndsCleanlyAndQuickly) {
  const Hostile& c = GetParam();
  RunResult r = run_nabla(c.args, c.input);
  std::string context = c.name + "\nstatus: " + std::to_string(r.status) +
                        "\nstdout: " + r.out.substr(0, 300) + "\nstderr: " + r.err.substr(0, 600);
  ASSERT_LT(r.status, 124) << "crashed, was killed or hung: " << context;
  EXPECT_LT(r.cpu_seconds, time_limit()) << context;
  EXPECT_EQ(r.err.find("terminate called"), std::string::npos) << context;
  EXPECT_EQ(r.err.find("Sanitizer"), std::string::npos) << context;
  EXPECT_EQ(r.err.find("runtime error"), std::string::npos) << context;
  switch (c.expect) {
    case Expect::Result:
      EXPECT_EQ(r.status, 0) << context;
      break;
    case Expect::Error:
      EXPECT_EQ(r.status, 2) << context;
      break;
    case Expect::Either:
      EXPECT_TRUE(r.status == 0 || r.status == 2) << context;
      break;
    case Expect::CheckFail:
      EXPECT_TRUE(r.status == 0 || r.status == 1) << context;
      break;
  }
  if (r.status == 2) {
    EXPECT_NE(r.err.find("error"), std::string::npos) << context;
    EXPECT_NE(r.err.find(c.message), std::string::npos)
        << "message should name: " << c.message << "\n"
        << context;
    // A script reports each bad statement (one line, the source line, a caret, a hint),
    // at most 20 of them and then a line saying it stopped.
    size_t errors = 0;
    for (size_t at = r.err.find("error: "); at != std::string::npos;
         at = r.err.find("error: ", at + 1))
      ++errors;
    EXPECT_LE(errors, 21u) << context;
    EXPECT_LT(r.err.size(), 400u * std::max<size_t>(errors, 10u))
        << "the messages should be short: " << context;
    EXPECT_EQ(r.err.find("Internal"), std::string::npos) << context;
  }
}

INSTANTIATE_TEST_SUITE_P(Table, HostileInputTest, ::testing::ValuesIn(table()),
                         [](const ::testing::TestParamInfo<Hostile>& info) {
                           std::string n;
                           for (char ch : info.param.name)
                             n += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
                           return n;
                         });

TEST(HostileInputTable, HasAtLeastSixtyCases) {
  EXPECT_GE(table().size(), 60u);
}

}  // namespace
}  // namespace nabla::testing

namespace nabla::testing {
namespace {

// Every input a fuzzer once failed on (fuzz/regressions/) runs through the binary and ends
// cleanly; under the sanitizer build this also catches the memory errors they exposed.
TEST(FuzzRegressions, EveryKeptInputEndsCleanly) {
  std::filesystem::path dir = std::filesystem::path(NABLA_SOURCE_DIR) / "fuzz" / "regressions";
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir;
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    RunResult r = run_nabla({"-"}, slurp(entry.path()));
    std::string context = entry.path().filename().string() +
                          "\nstatus: " + std::to_string(r.status) +
                          "\nstderr: " + r.err.substr(0, 600);
    EXPECT_TRUE(r.status == 0 || r.status == 1 || r.status == 2) << context;
    EXPECT_EQ(r.err.find("Sanitizer"), std::string::npos) << context;
    EXPECT_LT(r.cpu_seconds, time_limit()) << context;
    ++count;
  }
  EXPECT_GE(count, 1);
}

}  // namespace
}  // namespace nabla::testing
