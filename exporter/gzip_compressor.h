#pragma once

#include <string>
#include <string_view>

struct libdeflate_compressor;

namespace upkeep {

// gzip (RFC 1952) with libdeflate: one-shot, no streaming state, several times faster
// than zlib at the same level on a few-KB body. Not thread-safe: one per sampler.
class GzipCompressor {
 public:
  // Level 1..12 (libdeflate's scale). See bench/RESULTS.md for why the default.
  static constexpr int kDefaultLevel = 1;

  explicit GzipCompressor(int level = kDefaultLevel);
  ~GzipCompressor();
  GzipCompressor(const GzipCompressor&) = delete;
  GzipCompressor& operator=(const GzipCompressor&) = delete;

  // Replaces `out` with the gzip form of `in`, reusing its capacity.
  void Compress(std::string_view in, std::string& out);

 private:
  libdeflate_compressor* compressor_;
};

}  // namespace upkeep
