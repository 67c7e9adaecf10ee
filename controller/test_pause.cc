#include "controller/test_pause.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

namespace upkeep {

void TestPausePoint([[maybe_unused]] std::string_view name) {
#ifdef UPKEEP_TEST_HOOKS
  const char* at = std::getenv("UPKEEP_TEST_PAUSE_AT");
  const char* file = std::getenv("UPKEEP_TEST_PAUSE_FILE");
  if (at == nullptr || file == nullptr || name != at) return;
  {
    std::ofstream out(file, std::ios::trunc);
    out << name << "\n";
  }
  for (;;) std::this_thread::sleep_for(std::chrono::hours(1));
#endif
}

}  // namespace upkeep
