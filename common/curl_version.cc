#include "common/curl_version.h"

#include <curl/curl.h>

namespace upkeep {

std::string CurlVersion() {
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  if (info == nullptr || info->version == nullptr) return "unknown";
  return info->version;
}

}  // namespace upkeep
