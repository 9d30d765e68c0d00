#pragma once
// The page's files, embedded into the program at build time (cmake/embed_assets.cmake): the
// page (src/serve/web/), KaTeX from Debian's libjs-katex and fonts-katex, the exercise sheet.
// The server reads nothing from the file system.
#include <cstddef>
#include <span>
#include <string_view>

namespace nabla::serve {

struct Asset {
  std::string_view path;          // "/index.html", "/katex/katex.min.js", ...
  std::string_view content_type;  // "text/html; charset=utf-8", ...
  std::string_view data;
};

// Every asset, and the one served at `path` (nullptr when none is).
std::span<const Asset> all_assets();
const Asset* find_asset(std::string_view path);

}  // namespace nabla::serve
