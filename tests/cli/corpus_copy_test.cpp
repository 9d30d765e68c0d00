// The corpora the tests read live in tests/data/. They are copies of the shared case files;
// where ../shared/cases/ exists beside the checkout, each copy must be identical to it. This is
// the only test that looks outside the repository, and the only one that skips without it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace nabla {
namespace {

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(CorpusCopies, EqualTheSharedCases) {
  const std::filesystem::path shared =
      std::filesystem::path(NABLA_SOURCE_DIR) / ".." / "shared" / "cases";
  const std::filesystem::path data = NABLA_DATA_DIR;
  for (const char* name : {"identities.nabla", "textbook.nabla"}) {
    ASSERT_TRUE(std::filesystem::exists(data / name)) << "missing " << (data / name);
    EXPECT_FALSE(read_all(data / name).empty()) << name;
  }
  if (!std::filesystem::is_directory(shared))
    GTEST_SKIP() << "no " << shared << " beside the checkout";
  for (const char* name : {"identities.nabla", "textbook.nabla"}) {
    ASSERT_TRUE(std::filesystem::exists(shared / name)) << "missing " << (shared / name);
    EXPECT_EQ(read_all(data / name), read_all(shared / name))
        << "tests/data/" << name << " differs from " << (shared / name) << ": copy it again";
  }
}

}  // namespace
}  // namespace nabla
