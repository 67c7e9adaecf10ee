// IpAddress::Parse, Cidr::Parse and ResolveClientAddress on arbitrary text (X-Forwarded-For
// comes from clients): no crash, no UB, and a parsed address prints back to itself.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "auth/ip_address.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto address = upkeep::IpAddress::Parse(text)) {
    const auto printed = upkeep::IpAddress::Parse(address->ToString());
    FUZZ_CHECK(printed && *printed == *address);
  }
  if (const auto cidr = upkeep::Cidr::Parse(text); cidr) {
    (void)cidr->Contains(upkeep::IpAddress());
  }
  const upkeep::IpAddress peer = *upkeep::IpAddress::Parse("127.0.0.1");
  const std::vector<upkeep::Cidr> trusted = {upkeep::Cidr::Parse("127.0.0.0/8").value(),
                                             upkeep::Cidr::Parse("10.0.0.0/8").value()};
  const upkeep::IpAddress client = upkeep::ResolveClientAddress(peer, text, trusted);
  FUZZ_CHECK(upkeep::IpAddress::Parse(client.ToString()).has_value());
  return 0;
}
