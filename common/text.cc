#include "common/text.h"

namespace upkeep {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string Quote(std::string_view text, size_t max) {
  std::string out = "\"";
  if (text.size() > max) {
    out.append(text.substr(0, max));
    out.append("...");
  } else {
    out.append(text);
  }
  out.push_back('"');
  return out;
}

std::string Printable(std::string_view text, size_t max) {
  std::string out;
  out.reserve(text.size() < max ? text.size() : max + 3);
  for (const char ch : text.substr(0, max)) {
    const auto c = static_cast<unsigned char>(ch);
    out.push_back(c >= 0x20 && c < 0x7f ? ch : '?');
  }
  if (text.size() > max) out += "...";
  return out;
}

}  // namespace upkeep
