#pragma once

// FUZZ_CHECK: a property every input must keep. A broken one aborts, and libFuzzer saves the
// input as a crash, like a sanitizer report. Not assert(): it must hold in every build type.

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                                 \
  do {                                                                                        \
    if (!(condition)) {                                                                       \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (false)
