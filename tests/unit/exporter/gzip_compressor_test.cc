#include "exporter/gzip_compressor.h"

#include <gtest/gtest.h>
#include <libdeflate.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>

namespace upkeep {
namespace {

struct DecompressorDeleter {
  void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
};

// Decompresses a gzip member; fails the test when it is not a valid one.
std::string Gunzip(const std::string& gz, size_t expected_size) {
  std::unique_ptr<libdeflate_decompressor, DecompressorDeleter> d(libdeflate_alloc_decompressor());
  EXPECT_NE(d, nullptr);
  if (d == nullptr) return {};
  std::string out(expected_size + 64, '\0');  // room to spot a too-long result
  size_t actual = 0;
  const libdeflate_result result =
      libdeflate_gzip_decompress(d.get(), gz.data(), gz.size(), out.data(), out.size(), &actual);
  EXPECT_EQ(result, LIBDEFLATE_SUCCESS);
  if (result != LIBDEFLATE_SUCCESS) return {};
  out.resize(actual);
  return out;
}

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(byte(rng));
  return s;
}

std::string Repetitive(size_t n) {
  const std::string line = "upkeep_cpu_seconds_total{mode=\"user\"} 12.5\n";
  std::string s;
  while (s.size() < n) s += line;
  s.resize(n);
  return s;
}

void ExpectGzipHeaderAndTrailer(const std::string& gz, size_t input_size) {
  ASSERT_GE(gz.size(), 18u);  // 10-byte header + deflate + 8-byte trailer
  EXPECT_EQ(static_cast<uint8_t>(gz[0]), 0x1f);
  EXPECT_EQ(static_cast<uint8_t>(gz[1]), 0x8b);
  EXPECT_EQ(static_cast<uint8_t>(gz[2]), 8);  // CM = deflate
  // ISIZE: the input size mod 2^32, little-endian, in the last four bytes.
  const size_t n = gz.size();
  const uint32_t isize = static_cast<uint32_t>(static_cast<uint8_t>(gz[n - 4])) |
                         static_cast<uint32_t>(static_cast<uint8_t>(gz[n - 3])) << 8 |
                         static_cast<uint32_t>(static_cast<uint8_t>(gz[n - 2])) << 16 |
                         static_cast<uint32_t>(static_cast<uint8_t>(gz[n - 1])) << 24;
  EXPECT_EQ(isize, static_cast<uint32_t>(input_size));
}

TEST(GzipCompressorTest, Empty) {
  GzipCompressor compressor;
  std::string gz;
  compressor.Compress("", gz);
  ExpectGzipHeaderAndTrailer(gz, 0);
  EXPECT_EQ(Gunzip(gz, 0), "");
}

TEST(GzipCompressorTest, SmallText) {
  GzipCompressor compressor;
  const std::string text = "# TYPE upkeep_load1 gauge\nupkeep_load1 0.5\n";
  std::string gz;
  compressor.Compress(text, gz);
  ExpectGzipHeaderAndTrailer(gz, text.size());
  EXPECT_EQ(Gunzip(gz, text.size()), text);
}

TEST(GzipCompressorTest, LargeRepetitiveTextRoundTripsAndShrinks) {
  GzipCompressor compressor;
  const std::string text = Repetitive(100 * 1024);
  std::string gz;
  compressor.Compress(text, gz);
  ExpectGzipHeaderAndTrailer(gz, text.size());
  EXPECT_LT(gz.size(), text.size() / 20) << "repetitive text should compress well";
  EXPECT_EQ(Gunzip(gz, text.size()), text);
}

TEST(GzipCompressorTest, RandomBytesRoundTrip) {
  GzipCompressor compressor;
  const std::string data = RandomBytes(64 * 1024, 42);
  std::string gz;
  compressor.Compress(data, gz);
  ExpectGzipHeaderAndTrailer(gz, data.size());
  EXPECT_EQ(Gunzip(gz, data.size()), data);
}

TEST(GzipCompressorTest, BinaryWithNulBytes) {
  GzipCompressor compressor;
  const std::string data("a\0b\0\0c\xff", 7);
  std::string gz;
  compressor.Compress(data, gz);
  EXPECT_EQ(Gunzip(gz, data.size()), data);
}

TEST(GzipCompressorTest, ReusingCompressorAndOutput) {
  GzipCompressor compressor;
  std::string gz;
  const std::string inputs[] = {Repetitive(100 * 1024),    "short",       "",
                                RandomBytes(5000, 7),      Repetitive(3), Repetitive(100 * 1024),
                                RandomBytes(100 * 1024, 9)};
  for (const std::string& input : inputs) {
    compressor.Compress(input, gz);
    ExpectGzipHeaderAndTrailer(gz, input.size());
    EXPECT_EQ(Gunzip(gz, input.size()), input) << "input size " << input.size();
  }
}

TEST(GzipCompressorTest, OutputIsReplacedNotAppended) {
  GzipCompressor compressor;
  std::string gz(200000, 'x');
  compressor.Compress("hello", gz);
  ExpectGzipHeaderAndTrailer(gz, 5);
  EXPECT_LT(gz.size(), 100u);
  EXPECT_EQ(Gunzip(gz, 5), "hello");
}

TEST(GzipCompressorTest, SameInputSameOutput) {
  GzipCompressor compressor;
  const std::string text = Repetitive(10000);
  std::string a, b;
  compressor.Compress(text, a);
  compressor.Compress(text, b);
  EXPECT_EQ(a, b);
}

TEST(GzipCompressorTest, EveryLevelRoundTrips) {
  const std::string text = Repetitive(20000) + RandomBytes(2000, 3);
  for (int level = 1; level <= 12; ++level) {
    GzipCompressor compressor(level);
    std::string gz;
    compressor.Compress(text, gz);
    ExpectGzipHeaderAndTrailer(gz, text.size());
    EXPECT_EQ(Gunzip(gz, text.size()), text) << "level " << level;
  }
}

TEST(GzipCompressorTest, InvalidLevelThrows) {
  EXPECT_ANY_THROW(GzipCompressor(13));
  EXPECT_ANY_THROW(GzipCompressor(-1));
}

}  // namespace
}  // namespace upkeep
