#include "controller/remote_url.h"

#include <algorithm>
#include <cctype>

namespace upkeep {
namespace {

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// scp-like syntax as git reads it: a ':' before any '/', and not a Windows drive letter.
bool IsScpLike(std::string_view url) {
  const size_t colon = url.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  const size_t slash = url.find('/');
  return slash == std::string_view::npos || colon < slash;
}

}  // namespace

std::string StripUserinfo(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end != std::string_view::npos) {
    const size_t authority = scheme_end + 3;
    size_t authority_end = url.find_first_of("/?#", authority);
    if (authority_end == std::string_view::npos) authority_end = url.size();
    const std::string_view host_part = url.substr(authority, authority_end - authority);
    const size_t at = host_part.rfind('@');
    if (at == std::string_view::npos) return std::string(url);
    return std::string(url.substr(0, authority)) + std::string(url.substr(authority + at + 1));
  }
  if (IsScpLike(url)) {
    const std::string_view before_path = url.substr(0, url.rfind(':'));
    const size_t at = before_path.rfind('@');
    if (at != std::string_view::npos && before_path.substr(0, at).find(':') != std::string::npos) {
      return std::string(url.substr(at + 1));
    }
  }
  return std::string(url);
}

std::string TransportScheme(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end != std::string_view::npos) return Lower(url.substr(0, scheme_end));
  return IsScpLike(url) ? "ssh" : "file";
}

bool IsInsecureTransport(std::string_view url) {
  const std::string scheme = TransportScheme(url);
  return scheme == "git" || scheme == "http";
}

}  // namespace upkeep
