#pragma once

#include <string_view>

namespace upkeep {

// A place where a test build can hold an update still, so that a crash test kills the daemon
// in a chosen phase deterministically. Compiled in only with UPKEEP_TEST_HOOKS (builds with
// tests); elsewhere it does nothing. When the environment has UPKEEP_TEST_PAUSE_AT=<name>
// and UPKEEP_TEST_PAUSE_FILE=<path>, reaching the point named <name> writes "<name>\n" to
// <path> and then sleeps until the process is killed.
void TestPausePoint(std::string_view name);

}  // namespace upkeep
