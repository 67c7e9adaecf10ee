#include "server/accept_encoding.h"

#include <gtest/gtest.h>

namespace upkeep {
namespace {

TEST(AcceptsGzipTest, PlainGzip) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("GZIP"));
  EXPECT_TRUE(AcceptsGzip("GZip"));
}

TEST(AcceptsGzipTest, GzipAmongOthers) {
  EXPECT_TRUE(AcceptsGzip("deflate, gzip;q=1.0"));
  EXPECT_TRUE(AcceptsGzip("br, deflate, gzip"));
  EXPECT_TRUE(AcceptsGzip("gzip, deflate, br"));
  EXPECT_FALSE(AcceptsGzip("deflate, br"));
}

TEST(AcceptsGzipTest, XGzipAlias) {
  EXPECT_TRUE(AcceptsGzip("x-gzip"));
  EXPECT_TRUE(AcceptsGzip("X-GZIP"));
  EXPECT_FALSE(AcceptsGzip("x-gzip;q=0"));
}

TEST(AcceptsGzipTest, NonZeroQualityAccepts) {
  EXPECT_TRUE(AcceptsGzip("gzip;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("gzip;q=1"));
  EXPECT_TRUE(AcceptsGzip("gzip;q=0.001"));
  EXPECT_TRUE(AcceptsGzip("gzip;Q=0.5"));
}

TEST(AcceptsGzipTest, ZeroQualityRefuses) {
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip; q=0.000"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0.0"));
  EXPECT_FALSE(AcceptsGzip("gzip;Q=0"));
  EXPECT_FALSE(AcceptsGzip("deflate, gzip;q=0"));
}

TEST(AcceptsGzipTest, QualityAfterOtherParameters) {
  EXPECT_FALSE(AcceptsGzip("gzip;level=1;q=0"));
  EXPECT_TRUE(AcceptsGzip("gzip;level=1;q=0.7"));
}

TEST(AcceptsGzipTest, Wildcard) {
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_TRUE(AcceptsGzip("*;q=0.1"));
  EXPECT_TRUE(AcceptsGzip("identity, *"));
  EXPECT_FALSE(AcceptsGzip("*;q=0"));
}

TEST(AcceptsGzipTest, ExplicitGzipRefusalBeatsWildcard) {
  EXPECT_FALSE(AcceptsGzip("gzip;q=0, *"));
  EXPECT_FALSE(AcceptsGzip("*, gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("*;q=1, gzip;q=0.000"));
}

TEST(AcceptsGzipTest, ExplicitGzipAcceptanceBeatsRefusedWildcard) {
  EXPECT_TRUE(AcceptsGzip("gzip, *;q=0"));
  EXPECT_TRUE(AcceptsGzip("*;q=0, gzip;q=0.2"));
}

TEST(AcceptsGzipTest, OtherCodingsOnly) {
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("deflate"));
  EXPECT_FALSE(AcceptsGzip("br;q=1.0"));
}

TEST(AcceptsGzipTest, EmptyHeaderRefuses) {
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip(" "));
  EXPECT_FALSE(AcceptsGzip(","));
}

TEST(AcceptsGzipTest, WhitespaceVariations) {
  EXPECT_TRUE(AcceptsGzip("  gzip  "));
  EXPECT_TRUE(AcceptsGzip("\tgzip\t"));
  EXPECT_TRUE(AcceptsGzip("deflate ,  gzip"));
  EXPECT_TRUE(AcceptsGzip("deflate,gzip"));
  EXPECT_TRUE(AcceptsGzip("gzip ; q=0.5"));
  EXPECT_TRUE(AcceptsGzip("gzip;q=1.0 , deflate"));
  EXPECT_FALSE(AcceptsGzip("gzip ;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip; q=0 ,deflate"));
  EXPECT_FALSE(AcceptsGzip(" gzip\t;\tq=0.00 "));
}

TEST(AcceptsGzipTest, GarbageIsNotGzip) {
  EXPECT_FALSE(AcceptsGzip(";;,,;q="));
  EXPECT_FALSE(AcceptsGzip(";q=1"));
  EXPECT_FALSE(AcceptsGzip("q=1"));
  EXPECT_FALSE(AcceptsGzip(",,,"));
  EXPECT_FALSE(AcceptsGzip(";"));
}

TEST(AcceptsGzipTest, CodingMustMatchExactly) {
  EXPECT_FALSE(AcceptsGzip("gzipx"));
  EXPECT_FALSE(AcceptsGzip("xgzip"));
  EXPECT_FALSE(AcceptsGzip("gzi"));
  EXPECT_FALSE(AcceptsGzip("g zip"));
  EXPECT_FALSE(AcceptsGzip("x-gzipx"));
  EXPECT_FALSE(AcceptsGzip("**"));
}

}  // namespace
}  // namespace upkeep
