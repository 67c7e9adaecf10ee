#pragma once

#include <string_view>

namespace upkeep {

// True when an Accept-Encoding header value accepts gzip (RFC 9110 §12.5.3): a "gzip" or
// "x-gzip" coding, or "*", with a q-value that is not 0. An explicit "gzip;q=0" refuses it
// even if "*" is listed. Pure; fuzzed.
bool AcceptsGzip(std::string_view header);

}  // namespace upkeep
