#pragma once

#include <string>

namespace upkeep {

// The version of the libcurl this process runs with ("7.88.1"): curl_version_info's, which is
// the shared library's own, not the headers' it was built against.
std::string CurlVersion();

}  // namespace upkeep
