#include "parse/diagnostics.h"

#include <algorithm>

#include "parse/frontend.h"

namespace nabla {
namespace {
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}
}  // namespace

std::string collapse_whitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending = false;
  for (char c : text) {
    if (is_space(c)) {
      pending = !out.empty();
      continue;
    }
    if (pending) out += ' ';
    pending = false;
    out += c;
  }
  return out;
}

std::string quote_source(std::string_view source, SourceSpan span) {
  size_t b = std::min(span.begin, source.size());
  size_t e = std::min(std::max(span.end, b), source.size());
  std::string text = collapse_whitespace(source.substr(b, e - b));
  constexpr size_t kMax = 60;
  if (text.size() > kMax) {
    size_t cut = kMax - 3;
    while (cut > 0 && is_continuation(text[cut])) --cut;  // keep whole code points
    text = text.substr(0, cut) + "...";
  }
  return text;
}

void line_and_column(std::string_view source, size_t offset, size_t* line, size_t* column) {
  offset = std::min(offset, source.size());
  *line = 1;
  size_t start = 0;
  for (size_t i = 0; i < offset; ++i)
    if (source[i] == '\n') {
      ++*line;
      start = i + 1;
    }
  *column = 1;
  for (size_t i = start; i < offset; ++i)
    if (!is_continuation(source[i])) ++*column;
}

void LineCursor::locate(size_t offset, size_t* line, size_t* column) {
  offset = std::min(offset, src_.size());
  if (offset < offset_) offset_ = 0, line_ = 1, column_ = 1;
  for (; offset_ < offset; ++offset_) {
    char c = src_[offset_];
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else if (!is_continuation(c)) {
      ++column_;
    }
  }
  *line = line_;
  *column = column_;
}

std::string format_error(const Error& error, std::string_view source, std::string_view origin,
                         size_t first_line) {
  std::string out(origin);
  SourceSpan span = error.span();
  if (!span.valid() && span.begin == 0) {
    out += ": error: ";
    out += error.what();
    out += "\n";
    if (!error.hint().empty()) out += "hint: " + error.hint() + "\n";
    return out;
  }
  size_t line, column;
  line_and_column(source, span.begin, &line, &column);
  out += ":" + std::to_string(line + first_line - 1) + ":" + std::to_string(column) + ": error: ";
  out += error.what();
  out += "\n";
  size_t begin = std::min(span.begin, source.size());
  size_t line_start = begin;
  while (line_start > 0 && source[line_start - 1] != '\n') --line_start;
  size_t line_end = begin;
  while (line_end < source.size() && source[line_end] != '\n') ++line_end;
  // Very long lines (a 1 MB expression) show a window of about 80 bytes either side.
  constexpr size_t kWindow = 80;
  std::string prefix, suffix;
  if (begin - line_start > kWindow) {
    line_start = begin - kWindow;
    while (line_start < begin && is_continuation(source[line_start])) ++line_start;
    prefix = "...";
  }
  size_t shown_end = line_end;
  if (line_end - begin > 2 * kWindow) {
    shown_end = begin + 2 * kWindow;
    while (shown_end > begin && is_continuation(source[shown_end])) --shown_end;
    suffix = "...";
  }
  std::string_view text = source.substr(line_start, shown_end - line_start);
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  out += "  " + prefix;
  out += text;
  out += suffix + "\n  " + std::string(prefix.size(), ' ');
  // Caret under the first code point, tildes to the end of the span on this line.
  for (size_t i = line_start; i < begin; ++i) {
    if (is_continuation(source[i])) continue;
    out += source[i] == '\t' ? '\t' : ' ';
  }
  out += '^';
  size_t end = std::min(std::max(span.end, begin + 1), shown_end);
  for (size_t i = begin + 1; i < end; ++i)
    if (!is_continuation(source[i])) out += '~';
  out += "\n";
  if (!error.hint().empty()) out += "hint: " + error.hint() + "\n";
  return out;
}

}  // namespace nabla
