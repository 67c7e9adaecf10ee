// ParseConfigYaml on arbitrary bytes. A bad config is refused with ConfigError, by design
// (start-up errors throw); anything else escaping (a yaml-cpp exception, std::out_of_range from
// a number conversion...) is a bug and reaches libFuzzer as an uncaught exception, a crash.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "app/config.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const upkeep::Config config = upkeep::ParseConfigYaml(text, "fuzz.yaml");
    FUZZ_CHECK(config.config_file.empty());
  } catch (const upkeep::ConfigError& error) {
    FUZZ_CHECK(std::string_view(error.what()).starts_with("fuzz.yaml"));
  }
  return 0;
}
