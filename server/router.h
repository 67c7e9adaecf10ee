#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/authorization.h"
#include "auth/ip_address.h"
#include "common/result.h"

struct mg_connection;

namespace upkeep {

class HttpResponse;

// What a route's handler sees of a request. A view: valid only during the handler call.
class HttpRequest {
 public:
  // `conn` may be null (then there are no headers); the body is the one RequestLimits read.
  // `caller` is what AccessControl::Admit handed out ("" when it named nobody) and `client`
  // what AccessControl::ClientOf resolved; HttpServer fills both.
  HttpRequest(const mg_connection* conn, std::string_view method, std::string_view path,
              std::string_view query, std::string_view body, std::string_view caller = {},
              IpAddress client = {});

  std::string_view method() const { return method_; }
  std::string_view path() const { return path_; }    // as sent, not percent-decoded
  std::string_view query() const { return query_; }  // after '?', "" for none
  // The body, already read and bounded by web.max_body_bytes (a larger one got 413 before
  // the handler was called); "" when the request had none.
  std::string_view body() const { return body_; }
  // The first header named `name` (case-insensitive), or nullopt.
  std::optional<std::string_view> Header(std::string_view name) const;

  // Who called, on a route that needed admin: "token:NAME" for an API token, "jwt:SUB" for a
  // JWT ("jwt:-" without a subject). "" on public and metrics routes, which name nobody. The
  // JWT subject is as sent (any bytes): use who() for a log line.
  std::string_view caller() const { return caller_; }
  // The client's address ("127.0.0.1", "::1"); X-Forwarded-For counts only from the trusted
  // proxies (AccessControlOptions::trusted_proxies).
  std::string client_address() const { return client_.ToString(); }
  // "<caller> from <address>", or "anonymous from <address>" when caller() is "", for the
  // update API's journal, history and log: bytes outside printable ASCII become '?' and a
  // caller over 200 bytes is cut (Printable), so a JWT subject cannot forge a log line.
  std::string who() const;

 private:
  const mg_connection* conn_;
  std::string_view method_;
  std::string_view path_;
  std::string_view query_;
  std::string_view body_;
  std::string_view caller_;
  IpAddress client_;
};

// Called on CivetWeb's worker threads, concurrently: a handler must be thread-safe. It writes
// exactly one response; one that writes none gets a 500, as does one that throws.
using RouteHandler = std::function<void(const HttpRequest&, HttpResponse&)>;

struct Route {
  std::string path;  // matched exactly: no prefixes, no trailing-slash aliases
  // Upper-case method names. GET also allows HEAD (the response without its body).
  std::vector<std::string> methods = {"GET"};
  std::string label;  // the {handler} label of upkeep_http_requests_total; "" = the path
  // What a caller needs. The server applies the stricter of this and its path policy, so
  // everything under /api/ needs admin whatever a route says. Admin unless said otherwise.
  Access access = Access::kAdmin;
  RouteHandler handler;
};

struct RouteMatch {
  enum class Kind { kFound, kMethodNotAllowed, kNotFound };
  Kind kind = Kind::kNotFound;
  const Route* route = nullptr;  // the route of the path (kFound and kMethodNotAllowed)
  size_t index = 0;              // its position in the table (the label index)
  std::string_view allow;        // the route's Allow header value, e.g. "GET, HEAD"
};

// A table of routes. Exact-path matching, so what is served is exactly what was registered.
// Filled before serving starts; Match is then read-only and safe from any thread. A RouteMatch
// points into the table: Add invalidates it.
class Router {
 public:
  // Refuses (and leaves the table as it was) a path that is not absolute or has a query,
  // fragment, space or control character; no methods, a method that is not an upper-case
  // token, or one given twice; no handler; a path or label already registered.
  Status Add(Route route);

  // Pure: method (case-sensitive, as HTTP says) and the path part of the URI.
  RouteMatch Match(std::string_view method, std::string_view path) const;

  size_t size() const { return entries_.size(); }
  // Every routed path, in table order.
  std::vector<std::string> Paths() const;
  // The {handler} label of every route, in table order (index = RouteMatch::index).
  std::vector<std::string> Labels() const;

 private:
  struct Entry {
    Route route;
    std::string allow;
  };
  std::vector<Entry> entries_;
};

}  // namespace upkeep
