// RecoverRequestHead on buffers laid out as CivetWeb 1.15's parse_http_request leaves them:
// a NUL over each space of the request line, over the whitespace after it, over the colon
// (and spaces before it) of each field, over each line's CR and LF, and over the head's last
// LF. The buffers here are written by hand from that code, so each case shows one rule.

#include "server/civetweb_head.h"

#include <civetweb.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace upkeep {
namespace {

using namespace std::string_literals;

// A parsed buffer and the request info pointing into it.
struct Parsed {
  std::string buffer;
  mg_request_info info{};
};

// Points `info` into `buffer`: the method at its start, the target after the first run of
// NULs, the version after "HTTP/", and each field's name and value at the given offsets (the
// buffer is padded so that the reads past the head stay inside it, like the body would).
Parsed Lay(std::string buffer, const std::vector<std::pair<size_t, size_t>>& fields) {
  Parsed parsed;
  parsed.buffer = std::move(buffer);
  parsed.buffer.append(8, 'B');
  const char* base = parsed.buffer.data();
  size_t uri = parsed.buffer.find('\0');
  while (parsed.buffer[uri] == '\0') ++uri;
  parsed.info.request_method = base;
  parsed.info.request_uri = base + uri;
  parsed.info.http_version = base + parsed.buffer.find("HTTP/") + 5;
  parsed.info.num_headers = static_cast<int>(fields.size());
  for (size_t i = 0; i < fields.size(); ++i) {
    parsed.info.http_headers[i].name = base + fields[i].first;
    parsed.info.http_headers[i].value = base + fields[i].second;
  }
  return parsed;
}

RecoveredHead Recover(const Parsed& parsed, std::string& head, const char* query_mark = nullptr) {
  return RecoverRequestHead(parsed.info, query_mark, head);
}

TEST(CivetwebHeadTest, ANormalHeadComesBackAsSent) {
  // "GET /a HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n"
  const Parsed parsed =
      Lay("GET\0/a\0HTTP/1.1\0\0Host\0 x\0\0Accept\0 */*\0\0\r\0"s, {{17, 23}, {26, 34}});
  ASSERT_STREQ(parsed.info.http_headers[0].name, "Host");
  ASSERT_STREQ(parsed.info.http_headers[1].value, "*/*");
  std::string head = "stale";
  const RecoveredHead recovered = Recover(parsed, head);
  EXPECT_EQ(recovered.kind, RecoveredHead::Kind::kComplete);
  EXPECT_EQ(head, "GET /a HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n");
}

TEST(CivetwebHeadTest, TheQueryMarkIsPutBack) {
  const Parsed parsed = Lay("GET\0/a\0b=1\0HTTP/1.1\0\0Host\0 x\0\0\r\0"s, {{21, 27}});
  std::string head;
  EXPECT_EQ(Recover(parsed, head, parsed.buffer.data() + 6).kind, RecoveredHead::Kind::kComplete);
  EXPECT_EQ(head, "GET /a?b=1 HTTP/1.1\r\nHost: x\r\n\r\n");
  // Without it (before CivetWeb splits the target) that NUL is a space: the checker refuses
  // a target with a space, as it must, since no '?' can be told from it then.
  EXPECT_EQ(Recover(parsed, head).kind, RecoveredHead::Kind::kComplete);
  EXPECT_EQ(head, "GET /a b=1 HTTP/1.1\r\nHost: x\r\n\r\n");
}

TEST(CivetwebHeadTest, WhitespaceBeforeAColonAndAroundAValue) {
  // "Host : x": CivetWeb NULs the space and the colon; "A:\tv  ": the tab before the value is
  // skipped (kept in the buffer), the trailing spaces are part of the value.
  const Parsed parsed =
      Lay("GET\0/\0HTTP/1.1\0\0Host\0\0 x\0\0A\0\tv  \0\0\r\0"s, {{16, 23}, {26, 29}});
  ASSERT_STREQ(parsed.info.http_headers[0].value, "x");
  ASSERT_STREQ(parsed.info.http_headers[1].value, "v  ");
  std::string head;
  EXPECT_EQ(Recover(parsed, head).kind, RecoveredHead::Kind::kComplete);
  EXPECT_EQ(head, "GET / HTTP/1.1\r\nHost : x\r\nA:\tv  \r\n\r\n");
}

TEST(CivetwebHeadTest, AnEmptyValue) {
  const Parsed parsed = Lay("GET\0/\0HTTP/1.1\0\0X-Empty\0\0\0\r\0"s, {{16, 24}});
  std::string head;
  EXPECT_EQ(Recover(parsed, head).kind, RecoveredHead::Kind::kComplete);
  EXPECT_EQ(head, "GET / HTTP/1.1\r\nX-Empty:\r\n\r\n");
}

TEST(CivetwebHeadTest, ExtraSeparatorsBecomeBytesTheCheckerRefuses) {
  // Two spaces after the method; a bare LF after the request line: one NUL each way.
  const Parsed parsed = Lay("GET\0\0/\0HTTP/1.1\0Host\0 x\0\0\r\0"s, {{16, 22}});
  std::string head;
  EXPECT_EQ(Recover(parsed, head).kind, RecoveredHead::Kind::kComplete);
  EXPECT_EQ(head, "GET  / HTTP/1.1\nHost: x\r\n\r\n");
  // The request line's whitespace run swallowed the first field line's leading spaces
  // (folding): CRLF then the spaces, which the checker refuses as folding.
  const Parsed folded = Lay("GET\0/\0HTTP/1.1\0\0\0\0Host\0 x\0\0\r\0"s, {{18, 24}});
  EXPECT_EQ(Recover(folded, head).kind, RecoveredHead::Kind::kComplete);
  EXPECT_EQ(head, "GET / HTTP/1.1\r\n  Host: x\r\n\r\n");
}

TEST(CivetwebHeadTest, NoFieldsAtAll) {
  // "GET / HTTP/1.0\r\n\r\n": every byte after the version is a NUL.
  const Parsed parsed = Lay("GET\0/\0HTTP/1.0\0\0\0\0"s, {});
  std::string head;
  EXPECT_EQ(Recover(parsed, head).kind, RecoveredHead::Kind::kComplete);
  EXPECT_EQ(head, "GET / HTTP/1.0\r\n\r\n");
  // A bare LF, then a line CivetWeb could not read as a field (": x").
  const Parsed cut = Lay("GET\0/\0HTTP/1.0\0: x\r\n\r\0"s, {});
  const RecoveredHead recovered = Recover(cut, head);
  EXPECT_EQ(recovered.kind, RecoveredHead::Kind::kCutShort);
  EXPECT_EQ(recovered.why, "a header line without a field name");
}

TEST(CivetwebHeadTest, ParsingStoppedAtAFoldedLine) {
  // "Host: x\r\n folded\r\nContent-Length: 5\r\n\r\n": CivetWeb kept Host and dropped the rest.
  const Parsed parsed =
      Lay("GET\0/\0HTTP/1.1\0\0Host\0 x\0\0 folded\r\nContent-Length: 5\r\n\r\0"s, {{16, 22}});
  std::string head;
  const RecoveredHead recovered = Recover(parsed, head);
  EXPECT_EQ(recovered.kind, RecoveredHead::Kind::kCutShort);
  EXPECT_EQ(recovered.why, "obsolete line folding (a header line starting with whitespace)");
}

TEST(CivetwebHeadTest, ParsingStoppedAtALineWithoutAName) {
  const Parsed parsed = Lay("GET\0/\0HTTP/1.1\0\0Host\0 x\0\0: y\r\n\r\0"s, {{16, 22}});
  std::string head;
  const RecoveredHead recovered = Recover(parsed, head);
  EXPECT_EQ(recovered.kind, RecoveredHead::Kind::kCutShort);
  EXPECT_EQ(recovered.why, "a header line without a field name");
}

TEST(CivetwebHeadTest, ParsingStoppedAtAByteNoNameStartsWith) {
  const Parsed parsed = Lay("GET\0/\0HTTP/1.1\0\0Host\0 x\0\0\xc3\xa9: y\r\n\r\0"s, {{16, 22}});
  std::string head;
  const RecoveredHead recovered = Recover(parsed, head);
  EXPECT_EQ(recovered.kind, RecoveredHead::Kind::kCutShort);
  EXPECT_EQ(recovered.why, "a header line that is not a field, or a line ended by a bare LF");
}

TEST(CivetwebHeadTest, ALastLineEndedByABareLf) {
  // "Host: x\n\r\n": one NUL after the value, then the empty line.
  const Parsed parsed = Lay("GET\0/\0HTTP/1.1\0\0Host\0 x\0\r\0"s, {{16, 22}});
  std::string head;
  const RecoveredHead recovered = Recover(parsed, head);
  EXPECT_EQ(recovered.kind, RecoveredHead::Kind::kCutShort);
  EXPECT_EQ(recovered.why, "a header line that is not a field, or a line ended by a bare LF");
}

TEST(CivetwebHeadTest, AHeadNearTheBufferEndIsNotReadPast) {
  // The value starts at byte 19; the four bytes after it must end before byte 16384.
  const std::string value(kCivetwebHeadBuffer - 23, 'v');
  const Parsed parsed = Lay("GET\0/\0HTTP/1.1\0\0X\0 "s + value + "\0\0\r\0"s, {{16, 19}});
  std::string head;
  const RecoveredHead recovered = Recover(parsed, head);
  EXPECT_EQ(recovered.kind, RecoveredHead::Kind::kCutShort);
  EXPECT_EQ(recovered.why, "the request head is too close to CivetWeb's 16 KiB limit");
  // One byte shorter and the same head is read whole.
  const std::string shorter(kCivetwebHeadBuffer - 24, 'v');
  const Parsed fits = Lay("GET\0/\0HTTP/1.1\0\0X\0 "s + shorter + "\0\0\r\0"s, {{16, 19}});
  EXPECT_EQ(Recover(fits, head).kind, RecoveredHead::Kind::kComplete);
  EXPECT_EQ(head, "GET / HTTP/1.1\r\nX: " + shorter + "\r\n\r\n");
}

TEST(CivetwebHeadTest, NoParsedRequestLineIsUnavailable) {
  std::string head;
  mg_request_info empty{};
  EXPECT_EQ(RecoverRequestHead(empty, nullptr, head).kind, RecoveredHead::Kind::kUnavailable);
  // A version that does not follow "HTTP/".
  Parsed parsed = Lay("GET\0/\0HTTP/1.1\0\0\0\0"s, {});
  parsed.info.http_version = parsed.buffer.data() + 6;
  EXPECT_EQ(Recover(parsed, head).kind, RecoveredHead::Kind::kUnavailable);
  // A field count CivetWeb never reports.
  parsed = Lay("GET\0/\0HTTP/1.1\0\0\0\0"s, {});
  parsed.info.num_headers = -1;
  EXPECT_EQ(Recover(parsed, head).kind, RecoveredHead::Kind::kUnavailable);
  parsed.info.num_headers = MG_MAX_HEADERS + 1;
  EXPECT_EQ(Recover(parsed, head).kind, RecoveredHead::Kind::kUnavailable);
}

TEST(CivetwebHeadTest, BytesThatAreNotCivetwebsLayoutAreUnavailable) {
  std::string head;
  // Something other than NULs between a line's end and the next name.
  const Parsed stray = Lay("GET\0/\0HTTP/1.1\0zHost\0 x\0\0\r\0"s, {{16, 22}});
  EXPECT_EQ(Recover(stray, head).kind, RecoveredHead::Kind::kUnavailable);
  // A value that starts before its name ends.
  const Parsed backwards = Lay("GET\0/\0HTTP/1.1\0\0Host\0 x\0\0\r\0"s, {{16, 16}});
  EXPECT_EQ(Recover(backwards, head).kind, RecoveredHead::Kind::kUnavailable);
  // A field that starts before the previous one ends.
  const Parsed overlap = Lay("GET\0/\0HTTP/1.1\0\0Host\0 x\0\0\r\0"s, {{16, 22}, {16, 22}});
  EXPECT_EQ(Recover(overlap, head).kind, RecoveredHead::Kind::kUnavailable);
}

}  // namespace
}  // namespace upkeep
