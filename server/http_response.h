#pragma once

#include <string_view>

struct mg_connection;

namespace upkeep {

// Writes a complete response (status line, headers, body) with one mg_write, so a
// keep-alive response leaves in one segment. `extra_headers` is zero or more complete
// "Name: value\r\n" lines. With head_only the body is left out but Content-Length still
// states its size. Uses a per-thread buffer: no allocation once warmed up.
void WriteResponse(mg_connection* conn, int status, std::string_view content_type,
                   std::string_view body, std::string_view extra_headers = {},
                   bool head_only = false);

// The JSON error body every endpoint uses: {"error":{"code":"...","message":"..."}},
// with Cache-Control: no-store and X-Content-Type-Options: nosniff.
void WriteJsonError(mg_connection* conn, int status, std::string_view code,
                    std::string_view message, std::string_view extra_headers = {});

// The reason phrase for a status code ("Not Found").
std::string_view StatusText(int status);

// The status of the last response WriteResponse wrote on this thread (0 after Reset), so the
// server can count every response, whichever handler wrote it.
void ResetLastResponseStatus();
int LastResponseStatus();

}  // namespace upkeep
