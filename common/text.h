#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace upkeep {

// `text` without leading and trailing spaces and tabs (HTTP's optional whitespace, and what
// separates fields in our small line formats). Never allocates.
std::string_view Trim(std::string_view text);

// `text` in double quotes, for error messages that name a value: `must be one of a, b, got "c"`.
// Cut to `max` bytes (then "..." inside the quotes) so that a huge value cannot flood a log line.
std::string Quote(std::string_view text, size_t max = std::string_view::npos);

// `text` safe to put into a log line or an error shown to a client: at most `max` bytes, each
// byte outside printable ASCII replaced by '?', and "..." when it was cut. Client-chosen text
// passes through this so that it cannot forge or break log lines.
std::string Printable(std::string_view text, size_t max = 200);

}  // namespace upkeep
