#include "auth/sha256.h"

#include <gtest/gtest.h>

#include <string>

namespace upkeep {
namespace {

// FIPS 180-2 / NIST CSRC example vectors, and the digest of the empty string.
struct Vector {
  std::string input;
  const char* hex;
};

TEST(Sha256Test, KnownVectors) {
  const Vector vectors[] = {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrl"
       "mnopqrsmnopqrstnopqrstu",
       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
      {std::string(1000000, 'a'),
       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
      // Bytes that are not text, a NUL among them: the whole view is hashed.
      {std::string("\0", 1), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"},
  };
  for (const Vector& v : vectors) {
    EXPECT_EQ(Sha256Hex(Sha256(v.input)), v.hex) << v.input.substr(0, 40);
  }
}

TEST(Sha256Test, HexRoundTripsInEitherCase) {
  const Sha256Digest digest = Sha256("abc");
  const std::string hex = Sha256Hex(digest);
  EXPECT_EQ(hex.size(), 64u);
  EXPECT_EQ(ParseSha256Hex(hex), digest);
  std::string upper = hex;
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_EQ(ParseSha256Hex(upper), digest);
}

TEST(Sha256Test, ParseRefusesAnythingButSixtyFourHexDigits) {
  const std::string hex = Sha256Hex(Sha256("abc"));
  for (const std::string& text :
       {std::string(), hex.substr(1), hex + "0", " " + hex.substr(1), hex.substr(1) + "g",
        hex.substr(1) + "G", "0x" + hex.substr(2), hex.substr(1) + std::string(1, '\0')}) {
    EXPECT_FALSE(ParseSha256Hex(text).has_value()) << '"' << text << '"';
  }
}

TEST(Sha256Test, DigestsEqualComparesEveryByte) {
  const Sha256Digest a = Sha256("a");
  EXPECT_TRUE(DigestsEqual(a, Sha256("a")));
  EXPECT_FALSE(DigestsEqual(a, Sha256("b")));
  for (size_t i : {size_t{0}, size_t{15}, size_t{31}}) {
    Sha256Digest changed = a;
    changed[i] ^= 1;
    EXPECT_FALSE(DigestsEqual(a, changed)) << i;
  }
}

}  // namespace
}  // namespace upkeep
