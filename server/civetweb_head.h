#pragma once

#include <string>
#include <string_view>

struct mg_request_info;

namespace upkeep {

// What is left of a request head once CivetWeb 1.15 has parsed it in place, turned back into
// the bytes the client sent, so that CheckRequestHead can judge what CivetWeb accepted.
//
// CivetWeb splits the head inside its connection buffer by writing NULs over separators: the
// spaces of the request line, each line's CR and LF, the colon (and any spaces before it) of
// each field, the '?' of the target, and the head's last LF. The head itself can hold no NUL
// (CivetWeb refuses any control byte but CR and LF before parsing), so every NUL between the
// method and the end of the head is one of CivetWeb's. Where one NUL could stand for several
// bytes (a run of them after the method may have been spaces, CRs or LFs), it is turned into
// a byte that CheckRequestHead refuses in that place whichever it was.
//
// CivetWeb stops parsing header lines, silently, at the first one it cannot read as
// `name: value`: a folded line (starting with a space), a line starting with ':' or a byte that
// no name may start with. Every line after it is dropped, Content-Length and Authorization
// included. That shows in the buffer: after the last field it kept, the bytes are not the
// empty line that ends the head. Reading on past that point is not safe (the head's end
// cannot be told from the body's bytes then), so the recovery answers kCutShort, naming what
// the first byte of the line it stopped at suggests. A last line ended by a bare LF looks the
// same in the buffer and is refused the same way (CheckRequestHead refuses bare LFs anyway).
//
// With no field at all, only the two bytes after the request line are read (two NULs: taken
// as the end of the head). An HTTP/1.1 request is then refused for its missing Host; an
// HTTP/1.0 one has its connection closed after the answer (no Connection header), so a line
// CivetWeb dropped there cannot make its body a second request.
struct RecoveredHead {
  enum class Kind { kComplete, kCutShort, kUnavailable };
  Kind kind = Kind::kUnavailable;
  std::string_view why;  // kCutShort: what CivetWeb stopped at
};

// CivetWeb's max_request_size, which HttpServer sets: the connection buffer's size.
inline constexpr size_t kCivetwebHeadBuffer = 16384;

// `query_mark` is where CivetWeb wrote the NUL over the target's '?' (the byte before
// mg_request_info::query_string while a handler runs), or null before it splits the target
// (in the http_error callback). kUnavailable when the request info holds no parsed request
// line (CivetWeb refused the head before parsing it). kComplete leaves in `head` the head as
// sent, from the request line to the empty line (`head` is reused: no allocation once warm).
RecoveredHead RecoverRequestHead(const mg_request_info& info, const char* query_mark,
                                 std::string& head);

}  // namespace upkeep
