#pragma once

// The shared pieces of the /proc parsers: tokens, numbers, lines and their error messages.
// Internal to exporter/'s parsers; pure.

#include <charconv>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

#include "common/result.h"

namespace upkeep::procfs_text {

// Longest piece of input quoted in an error message: a garbage file must not make a huge log
// line.
inline constexpr size_t kMaxQuoted = 60;

inline bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsOctal(char c) { return c >= '0' && c <= '7'; }

// Error from pieces; only error paths build strings.
template <typename... Parts>
Error Fail(const Parts&... parts) {
  std::string message;
  (message.append(std::string_view(parts)), ...);
  return MakeError(std::move(message));
}

// Yields the lines of a text without their '\n'. The kernel ends every line with '\n', so
// `terminated` false means the line was cut off (or the text was written by hand).
class LineCursor {
 public:
  explicit LineCursor(std::string_view text) : rest_(text) {}

  bool Next(std::string_view& line, bool& terminated) {
    if (rest_.empty()) return false;
    size_t newline = rest_.find('\n');
    if (newline == std::string_view::npos) {
      line = rest_;
      terminated = false;
      rest_ = {};
    } else {
      line = rest_.substr(0, newline);
      terminated = true;
      rest_.remove_prefix(newline + 1);
    }
    return true;
  }

 private:
  std::string_view rest_;
};

// Returns the next whitespace-separated token of `s` and drops it from `s`, which then starts
// at the character after the token (empty if the token ran to the end). Empty when no token
// is left.
std::string_view NextToken(std::string_view& s);

enum class Num { kOk, kMalformed, kOutOfRange };

// The whole token must be the number: "12x" and "" are malformed. Unsigned types reject '-'.
template <typename T>
Num ParseNumber(std::string_view token, T& out) {
  if (token.empty()) return Num::kMalformed;
  T value{};
  const char* end = token.data() + token.size();
  auto [ptr, ec] = std::from_chars(token.data(), end, value);
  if (ec == std::errc::result_out_of_range) return Num::kOutOfRange;
  if (ec != std::errc() || ptr != end) return Num::kMalformed;
  out = value;
  return Num::kOk;
}

// The kernel prints loads and uptimes as non-negative decimals; "nan", "inf" and "-1" are not
// values it writes.
Num ParseNonNegativeDouble(std::string_view token, double& out);

Error NumberError(std::string_view file, std::string_view what, std::string_view token, Num status);

// Decodes the kernel's \NNN octal escapes (it writes space, tab, newline and backslash as
// \040, \011, \012, \134). A backslash not followed by three octal digits naming a byte is
// kept as is.
std::string DecodeOctalEscapes(std::string_view s);

bool IsBlankLine(std::string_view line);

}  // namespace upkeep::procfs_text
