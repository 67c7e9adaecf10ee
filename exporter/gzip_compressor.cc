#include "exporter/gzip_compressor.h"

#include <libdeflate.h>

#include <new>

namespace upkeep {

GzipCompressor::GzipCompressor(int level) : compressor_(libdeflate_alloc_compressor(level)) {
  if (compressor_ == nullptr) throw std::bad_alloc();
}

GzipCompressor::~GzipCompressor() { libdeflate_free_compressor(compressor_); }

void GzipCompressor::Compress(std::string_view in, std::string& out) {
  out.resize(libdeflate_gzip_compress_bound(compressor_, in.size()));
  const size_t written =
      libdeflate_gzip_compress(compressor_, in.data(), in.size(), out.data(), out.size());
  out.resize(written);  // the bound always suffices, so written > 0
}

}  // namespace upkeep
