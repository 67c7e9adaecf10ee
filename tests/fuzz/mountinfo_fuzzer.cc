// ParseMountInfo on arbitrary bytes (mount points come from whoever may mount, escapes
// included): no crash, no UB, every parsed mount has the fields a collector relies on.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/mountinfo_parser.h"
#include "tests/fuzz/fuzz_check.h"

constexpr size_t kMaxErrorBytes = 512;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto mounts = upkeep::ParseMountInfo(text);
  if (!mounts) {
    FUZZ_CHECK(!mounts.error().empty() && mounts.error().size() <= kMaxErrorBytes);
    return 0;
  }
  FUZZ_CHECK(!mounts->empty());
  for (const upkeep::MountInfo& mount : *mounts) {
    FUZZ_CHECK(!mount.root.empty() && !mount.mount_point.empty() && !mount.fstype.empty());
    FUZZ_CHECK(mount.device_id.find(':') != std::string::npos);
    // Decoding only shortens: each \NNN escape becomes one byte.
    FUZZ_CHECK(mount.mount_point.size() <= text.size());
  }
  return 0;
}
