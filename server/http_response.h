#pragma once

#include <string>
#include <string_view>

struct mg_connection;

namespace upkeep {

// Writes a complete response (status line, headers, body) with one mg_write, so a
// keep-alive response leaves in one segment. A status of 400 or more closes the connection
// after it (with Connection: close), as does CloseAfterResponse. `extra_headers` is zero or more
// complete "Name: value\r\n" lines. With head_only the body is left out but Content-Length still
// states its size. Uses a per-thread buffer: no allocation once warmed up.
void WriteResponse(mg_connection* conn, int status, std::string_view content_type,
                   std::string_view body, std::string_view extra_headers = {},
                   bool head_only = false);

// The JSON error body every endpoint uses: {"error":{"code":"...","message":"..."}},
// with Cache-Control: no-store and X-Content-Type-Options: nosniff.
void WriteJsonError(mg_connection* conn, int status, std::string_view code,
                    std::string_view message, std::string_view extra_headers = {});

// The response a route's handler writes: one per request (a second write is dropped), and
// for a HEAD request without its body. Not thread-safe: it belongs to one request.
class HttpResponse {
 public:
  HttpResponse(mg_connection* conn, bool head_only) : conn_(conn), head_only_(head_only) {}
  HttpResponse(const HttpResponse&) = delete;
  HttpResponse& operator=(const HttpResponse&) = delete;

  // Any content type; `extra_headers` as for WriteResponse.
  void Send(int status, std::string_view content_type, std::string_view body,
            std::string_view extra_headers = {});
  // A serialised JSON document, with Cache-Control: no-store and X-Content-Type-Options:
  // nosniff (API answers are about the moment and never to be cached).
  void Json(int status, std::string_view json, std::string_view extra_headers = {});
  // Plain UTF-8 text.
  void Text(int status, std::string_view text, std::string_view extra_headers = {});
  // The JSON error body, as WriteJsonError.
  void Error(int status, std::string_view code, std::string_view message,
             std::string_view extra_headers = {});

  bool sent() const { return sent_; }
  int status() const { return status_; }

 private:
  bool Claim(int status);

  mg_connection* conn_;
  bool head_only_;
  bool sent_ = false;
  int status_ = 0;
};

// The JSON error body as a string: {"error":{"code":"...","message":"..."}}. Invalid UTF-8
// in either is replaced, so the body is always valid JSON.
std::string JsonErrorBody(std::string_view code, std::string_view message);

// The reason phrase for a status code ("Not Found").
std::string_view StatusText(int status);

// Closes the connection after the response to the request being handled on this thread (one
// whose body is left unread), and says so with Connection: close.
void CloseAfterResponse(mg_connection* conn);

// The status of the last response WriteResponse wrote on this thread (0 after Reset, which
// also forgets CloseAfterResponse), so the server can count every response, whichever handler
// wrote it. Called at the start of every request.
void ResetLastResponseStatus();
int LastResponseStatus();

}  // namespace upkeep
