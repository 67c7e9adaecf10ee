#include "server/router.h"

#include <civetweb.h>

#include <algorithm>

#include "common/text.h"

namespace upkeep {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

std::optional<std::string> PathProblem(std::string_view path) {
  if (!path.starts_with('/')) return "must start with \"/\"";
  for (const char ch : path) {
    if (static_cast<unsigned char>(ch) <= ' ' || ch == '?' || ch == '#' || ch == 0x7f) {
      return "must not contain spaces, control characters, \"?\" or \"#\"";
    }
  }
  return std::nullopt;
}

bool IsMethodToken(std::string_view method) {
  return !method.empty() &&
         std::all_of(method.begin(), method.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

// The Allow value: the methods in the order given, HEAD right after GET when GET is there.
std::string AllowHeader(std::vector<std::string>& methods) {
  const auto get = std::find(methods.begin(), methods.end(), "GET");
  if (get != methods.end() && std::find(methods.begin(), methods.end(), "HEAD") == methods.end()) {
    methods.insert(get + 1, "HEAD");
  }
  std::string allow;
  for (const std::string& method : methods) {
    if (!allow.empty()) allow += ", ";
    allow += method;
  }
  return allow;
}

}  // namespace

HttpRequest::HttpRequest(const mg_connection* conn, std::string_view method, std::string_view path,
                         std::string_view query, std::string_view body, std::string_view caller,
                         IpAddress client)
    : conn_(conn),
      method_(method),
      path_(path),
      query_(query),
      body_(body),
      caller_(caller),
      client_(client) {}

std::string HttpRequest::who() const {
  std::string who = caller_.empty() ? std::string("anonymous") : Printable(caller_);
  who += " from ";
  who += client_address();
  return who;
}

std::optional<std::string_view> HttpRequest::Header(std::string_view name) const {
  if (conn_ == nullptr) return std::nullopt;
  const mg_request_info* info = mg_get_request_info(conn_);
  for (int i = 0; i < info->num_headers; ++i) {
    if (info->http_headers[i].name != nullptr &&
        EqualsIgnoreCase(info->http_headers[i].name, name)) {
      return std::string_view(info->http_headers[i].value != nullptr ? info->http_headers[i].value
                                                                     : "");
    }
  }
  return std::nullopt;
}

Status Router::Add(Route route) {
  const std::string what = "route " + Quote(route.path);
  if (const auto problem = PathProblem(route.path)) return MakeError(what + ": path " + *problem);
  if (route.methods.empty()) return MakeError(what + ": no methods");
  for (auto it = route.methods.begin(); it != route.methods.end(); ++it) {
    if (!IsMethodToken(*it)) {
      return MakeError(what + ": method " + Quote(*it) + " is not an upper-case method name");
    }
    if (std::find(route.methods.begin(), it, *it) != it) {
      return MakeError(what + ": method " + *it + " is given twice");
    }
  }
  if (!route.handler) return MakeError(what + ": no handler");
  if (route.label.empty()) route.label = route.path;
  for (const Entry& entry : entries_) {
    if (entry.route.path == route.path) return MakeError(what + " is already registered");
    if (entry.route.label == route.label) {
      return MakeError(what + ": handler label " + Quote(route.label) + " is already used by " +
                       Quote(entry.route.path));
    }
  }
  std::string allow = AllowHeader(route.methods);
  entries_.push_back({std::move(route), std::move(allow)});
  return OkStatus();
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  for (size_t i = 0; i < entries_.size(); ++i) {
    const Entry& entry = entries_[i];
    if (entry.route.path != path) continue;
    const auto& methods = entry.route.methods;
    const bool allowed = std::find(methods.begin(), methods.end(), method) != methods.end();
    return {allowed ? RouteMatch::Kind::kFound : RouteMatch::Kind::kMethodNotAllowed, &entry.route,
            i, entry.allow};
  }
  return {};
}

std::vector<std::string> Router::Paths() const {
  std::vector<std::string> paths;
  for (const Entry& entry : entries_) paths.push_back(entry.route.path);
  return paths;
}

std::vector<std::string> Router::Labels() const {
  std::vector<std::string> labels;
  for (const Entry& entry : entries_) labels.push_back(entry.route.label);
  return labels;
}

}  // namespace upkeep
