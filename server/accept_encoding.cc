#include "server/accept_encoding.h"

#include <cctype>

#include "common/text.h"

namespace upkeep {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// q=0, q=0.0, q=0.000 mean "not acceptable"; anything else (or no q) is acceptable.
bool QualityIsZero(std::string_view params) {
  while (!params.empty()) {
    const size_t semi = params.find(';');
    std::string_view param = Trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    if (param.size() < 2 || (param[0] != 'q' && param[0] != 'Q') || param[1] != '=') continue;
    std::string_view value = Trim(param.substr(2));
    if (value.empty() || value[0] != '0') return false;
    for (char c : value.substr(1)) {
      if (c != '.' && c != '0') return false;
    }
    return true;
  }
  return false;
}

}  // namespace

bool AcceptsGzip(std::string_view header) {
  bool gzip_listed = false;
  bool gzip_ok = false;
  bool star_ok = false;
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    const size_t semi = item.find(';');
    const std::string_view coding = Trim(item.substr(0, semi));
    const std::string_view params =
        semi == std::string_view::npos ? std::string_view() : item.substr(semi + 1);
    const bool acceptable = !QualityIsZero(params);
    if (EqualsIgnoreCase(coding, "gzip") || EqualsIgnoreCase(coding, "x-gzip")) {
      gzip_listed = true;
      gzip_ok = gzip_ok || acceptable;
    } else if (coding == "*") {
      star_ok = acceptable;
    }
  }
  return gzip_listed ? gzip_ok : star_ok;
}

}  // namespace upkeep
